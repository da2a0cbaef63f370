"""The subscribe message that tells a worker, and the admins of their company, that something in
the worker's file ends soon (a health certificate, a background check, an insurance policy):
credit.expiry finds and claims what is due; this queues the messages, in the same transaction."""

from flask import current_app
from sqlalchemy import select

from accounts.models import COMPANY_ADMIN, WORKER, RoleGrant
from app.clock import today_in_beijing
from app.extensions import db
from credit.expiry import claim_due_reminders
from wechat.messages import queue_subscribe_message

THING_LIMIT = 20  # WeChat refuses a longer `thing` value (errcode 47003)


def queue_expiry_reminders() -> int:
    """Queues the reminder of every item ending within EXPIRY_REMINDER_DAYS of today (Beijing)
    that has had none, to the worker's own account (if one is bound) and to each admin of the
    worker's company. Returns how many items were due."""
    due = claim_due_reminders(today_in_beijing(), current_app.config["EXPIRY_REMINDER_DAYS"])
    admins = _company_admins({item["company_id"] for item in due if item["company_id"] is not None})
    accounts = _worker_accounts({item["worker_id"] for item in due})
    for item in due:
        data = {
            "thing1": item["worker_name"][:THING_LIMIT],
            "thing2": item["item_name"],
            "date3": item["valid_until"].isoformat(),
            "thing4": f"{item['days_left']}天后到期，请及时续办"[:THING_LIMIT],
        }
        own = [accounts[item["worker_id"]]] if item["worker_id"] in accounts else []
        for user_id in own + admins.get(item["company_id"], []):
            queue_subscribe_message(user_id, "expiry_reminder", data)
    return len(due)


def _company_admins(company_ids: set[int]) -> dict[int | None, list[int]]:
    """The users who administer each company now, by company."""
    admins: dict[int | None, list[int]] = {}
    if company_ids:
        for company_id, user_id in db.session.execute(
            select(RoleGrant.company_id, RoleGrant.user_id)
            .where(
                RoleGrant.role == COMPANY_ADMIN,
                RoleGrant.revoked_at.is_(None),
                RoleGrant.company_id.in_(company_ids),
            )
            .order_by(RoleGrant.user_id)
        ):
            admins.setdefault(company_id, []).append(user_id)
    return admins


def _worker_accounts(worker_ids: set[int]) -> dict[int, int]:
    """The user bound to each worker now (role worker), by worker; a worker has at most one."""
    if not worker_ids:
        return {}
    bound = select(RoleGrant.worker_id, RoleGrant.user_id).where(
        RoleGrant.role == WORKER, RoleGrant.revoked_at.is_(None), RoleGrant.worker_id.in_(worker_ids)
    )
    return {worker_id: user_id for worker_id, user_id in db.session.execute(bound) if worker_id is not None}
