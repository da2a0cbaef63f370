"""Staff binding: an operator invites someone to a role; they redeem the one-time code after
logging in with WeChat. Callers commit; these functions only flush."""

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from accounts.models import (
    COMPANY_ADMIN,
    EXPIRED,
    PENDING,
    REDEEMED,
    REVOKED,
    STATION_STAFF,
    WORKER,
    StaffInvite,
    User,
)
from accounts.services import grant_role, hash_token, require_worker_unbound
from accounts.workers import employer_of, referenced_column
from app.clock import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate

INVITE_CODE_BYTES = 12  # 96 bits; token_urlsafe gives 16 characters


def require_scope_exists(
    role: str, station_code: str | None, company_id: int | None, worker_id: int | None = None
) -> None:
    """422 naming the field when the station, company or worker of a role's scope does not exist.
    The invite's own foreign keys say which table holds it, so accounts needs no feature's model."""
    if role == STATION_STAFF and not _referenced_row_exists(StaffInvite.station_code, station_code):
        raise Invalid(_("No station %(code)s.", code=station_code), code="unknown_station", field="station_code")
    if role == COMPANY_ADMIN and not _referenced_row_exists(StaffInvite.company_id, company_id):
        raise Invalid(_("No company %(id)s.", id=company_id), code="unknown_company", field="company_id")
    if role == WORKER and not _referenced_row_exists(StaffInvite.worker_id, worker_id):
        raise Invalid(_("No worker %(id)s.", id=worker_id), code="unknown_worker", field="worker_id")


def _referenced_row_exists(column, value) -> bool:
    target = referenced_column(column)
    return db.session.scalar(select(target).where(target == value)) is not None


def create_invite(
    role: str,
    created_by: User,
    lifetime_hours: int,
    *,
    station_code: str | None = None,
    company_id: int | None = None,
    worker_id: int | None = None,
    note: str | None = None,
) -> StaffInvite:
    """The invite, holding its code (`invite.code`) on this object only: only its hash is stored.
    A worker's invite names the worker and, when a company admin made it, their company: it is
    good only while the worker is still that company's."""
    require_scope_exists(role, station_code, company_id, worker_id)
    code = secrets.token_urlsafe(INVITE_CODE_BYTES)
    invite = StaffInvite(
        code_hash=hash_token(code),
        code=code,
        role=role,
        station_code=station_code,
        company_id=company_id,
        worker_id=worker_id,
        note=note,
        created_by_id=created_by.id,
        expires_at=utcnow() + timedelta(hours=lifetime_hours),
    )
    db.session.add(invite)
    db.session.flush()
    return invite


def redeem_invite(code: str, user: User):
    """Gives the user the invited role. The claim is one conditional UPDATE, so of two people
    redeeming the same code at once exactly one succeeds, on either database."""
    invite = db.session.scalar(select(StaffInvite).where(StaffInvite.code_hash == hash_token(code)))
    if invite is None:
        raise NotFound(_("No invite has this code."), code="unknown_invite", field="code")
    state = invite.state
    if state != PENDING:
        raise Conflict(
            _("This invite is %(state)s; ask an operator for a new one.", state=state),
            code=f"invite_{state}",
            field="code",
        )
    held = next((grant for grant in user.grants if grant.role == invite.role), None)
    if held is not None:
        scope = held.station_code or held.company_id or _("the platform")
        raise Conflict(
            _(
                "You already are %(role)s of %(scope)s; "
                "an operator must remove that role before you can take this one.",
                role=held.role,
                scope=scope,
            ),
            code="role_held",
            field="code",
        )
    if invite.role == WORKER:
        _require_worker_invite_current(invite)
    claimed = db.session.execute(
        update(StaffInvite)
        .where(StaffInvite.id == invite.id, StaffInvite.redeemed_at.is_(None), StaffInvite.revoked_at.is_(None))
        .values(redeemed_at=utcnow(), redeemed_by_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise Conflict(_("This invite was used or revoked a moment ago."), code="invite_taken", field="code")
    db.session.refresh(invite)
    return grant_role(
        user,
        invite.role,
        station_code=invite.station_code,
        company_id=None if invite.role == WORKER else invite.company_id,
        worker_id=invite.worker_id,
        granted_by=db.session.get(User, invite.created_by_id),
        invite=invite,
        reason="invite redeemed",
    )


def _require_worker_invite_current(invite: StaffInvite) -> None:
    """A company admin's invite binds the worker only while they still work for that company, and
    only a worker record no account holds."""
    if invite.company_id is not None and employer_of(invite.worker_id) != invite.company_id:
        raise Conflict(
            _("This invite's company no longer employs the worker; ask your company for a new one."),
            code="invite_wrong_company",
            field="code",
        )
    require_worker_unbound(invite.worker_id)


def revoke_invite(invite: StaffInvite, revoked_by: User) -> StaffInvite:
    """A pending or expired invite stops working; revoking twice changes nothing. A redeemed one
    is refused: remove the role it granted instead."""
    if invite.redeemed_at is not None:
        raise Conflict(
            _("This invite was already redeemed; remove the role it granted instead."), code="invite_redeemed"
        )
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        invite.revoked_by_id = revoked_by.id
        db.session.flush()
    return invite


def list_invites(state: str | None, page: int, per_page: int) -> Page:
    """Invites, newest first, optionally in one state."""
    now = utcnow()
    unused = StaffInvite.redeemed_at.is_(None) & StaffInvite.revoked_at.is_(None)
    conditions = {
        None: [],
        PENDING: [unused, StaffInvite.expires_at > now],
        EXPIRED: [unused, StaffInvite.expires_at <= now],
        REDEEMED: [StaffInvite.redeemed_at.is_not(None)],
        REVOKED: [StaffInvite.revoked_at.is_not(None), StaffInvite.redeemed_at.is_(None)],
    }[state]
    return paginate(select(StaffInvite).where(*conditions).order_by(StaffInvite.id.desc()), page, per_page)
