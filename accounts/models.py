"""Users, their server-side sessions and the roles granted to them."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model
from app.privacy import Encrypted

# Everyone who logs in is a resident; the other roles are granted, each to one scope. A worker's
# scope is their own worker record (credit's), whichever company employs them.
RESIDENT, STATION_STAFF, COMPANY_ADMIN, OPERATOR, WORKER = (
    "resident",
    "station_staff",
    "company_admin",
    "operator",
    "worker",
)
GRANTED_ROLES = (STATION_STAFF, COMPANY_ADMIN, OPERATOR, WORKER)
# The roles that log in to the console; a worker acts for themselves in the mini-program.
CONSOLE_ROLES = (STATION_STAFF, COMPANY_ADMIN, OPERATOR)


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True, comment="WeChat openid for this mini-program")
    unionid: Mapped[str | None] = mapped_column(String(64), comment="only when bound to an open-platform account")
    phone = mapped_column(Encrypted, nullable=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True, comment="keyed hash of phone, for look-up")
    wechat_session_key = mapped_column(
        Encrypted, nullable=True, comment="replaced at every login; never leaves the server"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    grants: Mapped[list["RoleGrant"]] = relationship(
        primaryjoin="and_(User.id == RoleGrant.user_id, RoleGrant.revoked_at.is_(None))",
        viewonly=True,
        lazy="selectin",
    )

    @property
    def roles(self) -> list[str]:
        """resident for everyone who logs in, plus every role granted now."""
        return sorted({RESIDENT, *(grant.role for grant in self.grants)})

    @property
    def has_phone(self) -> bool:
        return self.phone is not None


class AuthSession(Model):
    """A login. Only the token's hash is stored, so a leaked table opens no session."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(lazy="joined")


# A role's scope: station staff name a station, company admins a company, a worker their worker
# record, operators none. (A worker's invite also names the company whose admin made it.)
SCOPE_MATCHES_ROLE = (
    "(role = 'station_staff' AND station_code IS NOT NULL AND company_id IS NULL AND worker_id IS NULL)"
    " OR (role = 'company_admin' AND company_id IS NOT NULL AND station_code IS NULL AND worker_id IS NULL)"
    " OR (role = 'operator' AND station_code IS NULL AND company_id IS NULL AND worker_id IS NULL)"
    " OR (role = 'worker' AND worker_id IS NOT NULL AND station_code IS NULL)"
)


class RoleGrant(Model):
    """One role in one scope. Revoking sets revoked_at; grants are never deleted, so who held
    which role when stays on record."""

    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint(SCOPE_MATCHES_ROLE, name="scope_matches_role"),
        # At most one active grant of each role per user: a clerk serves exactly one station.
        Index(
            "uq_role_grants_active_role",
            "user_id",
            "role",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
            sqlite_where=text("revoked_at IS NULL"),
        ),
        # A worker record belongs to one account at a time.
        Index(
            "uq_role_grants_active_worker",
            "worker_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
            sqlite_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    station_code: Mapped[str | None] = mapped_column(ForeignKey("stations.code"))
    company_id: Mapped[int | None] = mapped_column(Integer)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


PENDING, REDEEMED, REVOKED, EXPIRED = "pending", "redeemed", "revoked", "expired"
INVITE_STATES = (PENDING, REDEEMED, REVOKED, EXPIRED)


class StaffInvite(Model):
    """A one-time invitation to a role, made by an operator and redeemed by the person who logs
    in with it. Only the code's hash is kept: a leaked table grants nothing."""

    __tablename__ = "staff_invites"
    __table_args__ = (CheckConstraint(SCOPE_MATCHES_ROLE, name="scope_matches_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    station_code: Mapped[str | None] = mapped_column(ForeignKey("stations.code"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    note: Mapped[str | None] = mapped_column(String(100), comment="for the operator: whom it is for")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    redeemed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    redeemed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Not a column: the one-time code, given to the object that creates the invite only, so that
    # answer shows it once; the table keeps its hash.
    code = None

    @property
    def state(self) -> str:
        if self.redeemed_at is not None:
            return REDEEMED
        if self.revoked_at is not None:
            return REVOKED
        return EXPIRED if self.expires_at <= utcnow() else PENDING


GRANTED, REMOVED = "granted", "removed"


class RoleEvent(Model):
    """The audit trail of roles: every grant and removal, who did it and when. Append-only."""

    __tablename__ = "role_events"
    __table_args__ = (CheckConstraint("action IN ('granted', 'removed')", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(8))
    grant_id: Mapped[int] = mapped_column(ForeignKey("role_grants.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, comment="who holds or held the role")
    role: Mapped[str] = mapped_column(String(20))
    station_code: Mapped[str | None] = mapped_column(String(12))
    company_id: Mapped[int | None] = mapped_column(Integer)
    worker_id: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="NULL for commands and dev-login")
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("staff_invites.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


@event.listens_for(RoleEvent, "before_update")
@event.listens_for(RoleEvent, "before_delete")
def role_events_are_append_only(_mapper, _connection, entry: RoleEvent):
    raise RuntimeError(f"role_events is append-only; event {entry.id} cannot be changed")


class WebLoginTicket(Model):
    """A console log-in waiting for approval: the page shows `scene` in a mini-program code, the
    person approves it from the mini-program with their session, and only the browser holding the
    secret (its hash kept here) receives the web session, once. Someone who photographs the code
    can approve it but never log in with it."""

    __tablename__ = "web_login_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    scene: Mapped[str] = mapped_column(String(32), unique=True, comment="the code's scene, in the approve URL")
    browser_secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Where the code is shown, for the person approving it to recognise their own desk.
    requested_from: Mapped[str | None] = mapped_column(String(45), comment="the browser's address")
    browser: Mapped[str | None] = mapped_column(String(200), comment="the browser's User-Agent, cut to 200")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, comment="when the browser received its session")

    approved_by: Mapped[User | None] = relationship()


class WebSession(Model):
    """A console log-in in a browser (an HttpOnly cookie); only the token's hash is stored. The
    roles are read from the grants at every request, so a removed role takes effect at once."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(lazy="joined")
