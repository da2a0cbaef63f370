"""Sessions, role grants and their audit trail. Callers commit; these functions only flush."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from accounts.models import GRANTED, REMOVED, RESIDENT, WORKER, AuthSession, RoleEvent, RoleGrant, StaffInvite, User
from app.clock import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from app.privacy import blind_index

TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """A new opaque bearer token for the user; only its hash is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    lifetime = timedelta(days=current_app.config["SESSION_LIFETIME_DAYS"])
    db.session.add(AuthSession(token_hash=hash_token(token), user=user, expires_at=utcnow() + lifetime))
    user.last_login_at = utcnow()
    db.session.flush()
    return token


# One statement for the session, its user and the user's roles, built once: every authenticated
# request starts here.
_SESSION_AND_ROLES = (
    select(AuthSession)
    .where(AuthSession.token_hash == bindparam("token_hash"))
    .options(joinedload(AuthSession.user).joinedload(User.grants))
)


def find_session(token: str) -> AuthSession | None:
    """The live session for a token, or None when unknown, revoked or expired."""
    session = db.session.execute(_SESSION_AND_ROLES, {"token_hash": hash_token(token)}).unique().scalar_one_or_none()
    if session is None or session.revoked_at is not None:
        return None
    return session if session.expires_at > utcnow() else None


def end_session(session: AuthSession) -> None:
    session.revoked_at = utcnow()
    db.session.flush()


def grant_role(
    user: User,
    role: str,
    *,
    station_code: str | None = None,
    company_id: int | None = None,
    worker_id: int | None = None,
    granted_by: User | None = None,
    invite: StaffInvite | None = None,
    reason: str | None = None,
) -> RoleGrant:
    """Gives the user a role in a scope and records who did it (granted_by None: a command)."""
    if role == WORKER:
        require_worker_unbound(worker_id)
    grant = RoleGrant(
        user_id=user.id,
        role=role,
        station_code=station_code,
        company_id=company_id,
        worker_id=worker_id,
        granted_by_id=granted_by.id if granted_by else None,
    )
    db.session.add(grant)
    db.session.flush()
    _record(GRANTED, grant, granted_by, invite=invite, reason=reason)
    db.session.expire(user, ["grants"])
    return grant


def require_worker_unbound(worker_id: int | None) -> None:
    """A worker record belongs to one account at a time (a unique index holds it against races):
    409 when another account holds it now."""
    held = db.session.scalar(
        select(RoleGrant.id).where(RoleGrant.worker_id == worker_id, RoleGrant.revoked_at.is_(None))
    )
    if held is not None:
        raise Conflict(
            _("This worker is bound to an account already; an operator must remove that binding first."),
            code="worker_already_bound",
            field="worker_id",
        )


def remove_grant(grant: RoleGrant, removed_by: User | None, reason: str | None = None) -> RoleGrant:
    """Ends a role at once (the holder's next request no longer has it); the grant stays on record.
    A grant removed already is refused: the audit trail records one removal."""
    if grant.revoked_at is not None:
        raise Conflict(_("Role grant %(id)s was already removed.", id=grant.id), code="grant_removed")
    grant.revoked_at = utcnow()
    grant.revoked_by_id = removed_by.id if removed_by else None
    db.session.flush()
    _record(REMOVED, grant, removed_by, reason=reason)
    db.session.expire(db.session.get(User, grant.user_id), ["grants"])
    return grant


def _record(
    action: str, grant: RoleGrant, actor: User | None, *, invite: StaffInvite | None = None, reason: str | None = None
) -> None:
    db.session.add(
        RoleEvent(
            action=action,
            grant_id=grant.id,
            user_id=grant.user_id,
            role=grant.role,
            station_code=grant.station_code,
            company_id=grant.company_id,
            worker_id=grant.worker_id,
            actor_id=actor.id if actor else None,
            invite_id=invite.id if invite else None,
            reason=reason,
        )
    )
    db.session.flush()


def list_grants(
    user_id: int | None, role: str | None, station_code: str | None, company_id: int | None, page: int, per_page: int
) -> Page:
    """Active grants, optionally filtered."""
    filters = {
        RoleGrant.user_id: user_id,
        RoleGrant.role: role,
        RoleGrant.station_code: station_code,
        RoleGrant.company_id: company_id,
    }
    return paginate(
        select(RoleGrant)
        .where(
            RoleGrant.revoked_at.is_(None), *(column == value for column, value in filters.items() if value is not None)
        )
        .order_by(RoleGrant.id),
        page,
        per_page,
    )


def role_events(user_id: int | None, page: int, per_page: int) -> Page:
    """The audit trail of roles, newest first."""
    query = select(RoleEvent).order_by(RoleEvent.id.desc())
    if user_id is not None:
        query = query.where(RoleEvent.user_id == user_id)
    return paginate(query, page, per_page)


# The placeholder phone of development users: dev-login exists only under APP_ENV=development.
DEVELOPMENT_PHONE = "19900000000"


def development_login(
    role: str, station_code: str | None = None, company_id: int | None = None, worker_id: int | None = None
) -> tuple[User, str]:
    """A session for a development user holding `role` in that scope (development_user)."""
    user = development_user(role, station_code, company_id, worker_id)
    return user, start_session(user)


def development_user(
    role: str, station_code: str | None = None, company_id: int | None = None, worker_id: int | None = None
) -> User:
    """The development user holding `role` in that scope, made on first use (only reachable when
    APP_ENV=development). The same role and scope always give the same user, with a bound phone
    (booking needs one, and binding it needs WeChat)."""
    openid = f"dev:{role}:{station_code or company_id or worker_id or 'all'}"
    user = db.session.scalar(select(User).where(User.openid == openid))
    if user is None:
        user = User(openid=openid, phone=DEVELOPMENT_PHONE, phone_hash=blind_index(DEVELOPMENT_PHONE))
        db.session.add(user)
        db.session.flush()
    if role != RESIDENT and not any(grant.role == role for grant in user.grants):
        grant_role(
            user,
            role,
            station_code=station_code,
            company_id=company_id,
            worker_id=worker_id,
            reason="development login",
        )
    return user
