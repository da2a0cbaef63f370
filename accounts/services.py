"""Sessions and role grants. Callers commit; these functions only flush."""

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import select

from accounts.models import AuthSession, RoleGrant, User
from app.extensions import db
from stations.models import utcnow

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


def find_session(token: str) -> AuthSession | None:
    """The live session for a token, or None when unknown, revoked or expired."""
    session = db.session.get(AuthSession, hash_token(token))
    if session is None or session.revoked_at is not None:
        return None
    expires_at = session.expires_at
    if expires_at.tzinfo is None:  # SQLite hands back naive UTC
        expires_at = expires_at.replace(tzinfo=timezone.utc)
    return session if expires_at > datetime.now(timezone.utc) else None


def end_session(session: AuthSession) -> None:
    session.revoked_at = utcnow()
    db.session.flush()


def grant_role(user: User, role: str, *, station_code: str | None = None, company_id: int | None = None,
               granted_by: User | None = None) -> RoleGrant:
    grant = RoleGrant(user_id=user.id, role=role, station_code=station_code, company_id=company_id,
                      granted_by_id=granted_by.id if granted_by else None)
    db.session.add(grant)
    db.session.flush()
    db.session.expire(user, ["grants"])
    return grant


def active_grants(user: User) -> list[RoleGrant]:
    return list(db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id,
                                                          RoleGrant.revoked_at.is_(None))))
