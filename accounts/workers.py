"""A worker's account: the role `worker`, bound to one worker record (credit's), by the phone the
user bound through WeChat or by an invite (accounts.invites). Accounts sits below credit, so the
worker table is read through the foreign keys that point at it, never through credit's model.
Callers commit; these functions only flush."""

from sqlalchemy import select

from accounts.models import WORKER, RoleGrant, User
from accounts.services import grant_role
from app.errors import Conflict, NotFound
from app.extensions import db
from app.i18n import _


def referenced_column(column, name: str | None = None):
    """The column that `column`'s foreign key points at, or another column (`name`) of its table."""
    (foreign_key,) = column.property.columns[0].foreign_keys
    return foreign_key.column if name is None else foreign_key.column.table.c[name]


def employer_of(worker_id: int | None) -> int | None:
    """The company employing a worker now (workers.company_id)."""
    worker = referenced_column(RoleGrant.worker_id)
    return db.session.scalar(select(referenced_column(RoleGrant.worker_id, "company_id")).where(worker == worker_id))


def bind_by_phone(user: User) -> RoleGrant:
    """Binds the user to the worker whose file holds the phone they bound through WeChat. Both sides
    are compared by their keyed hash: no phone is decrypted."""
    if user.phone_hash is None:
        raise Conflict(
            _("Bind your phone through WeChat first (POST /api/v1/auth/wechat/phone)."),
            code="phone_not_bound",
            field="phone",
        )
    if any(grant.role == WORKER for grant in user.grants):
        raise Conflict(_("Your account is bound to a worker already."), code="role_held", field="phone")
    worker = referenced_column(RoleGrant.worker_id)
    matches = list(
        db.session.scalars(
            select(worker).where(referenced_column(RoleGrant.worker_id, "phone_hash") == user.phone_hash)
        )
    )
    if not matches:
        raise NotFound(
            _("No worker's file holds your phone number; ask your company for an invite."),
            code="no_worker_with_this_phone",
            field="phone",
        )
    if len(matches) > 1:
        raise Conflict(
            _("Several workers' files hold your phone number; ask your company for an invite."),
            code="phone_matches_several_workers",
            field="phone",
        )
    return grant_role(user, WORKER, worker_id=matches[0], reason="phone matched the worker's file")
