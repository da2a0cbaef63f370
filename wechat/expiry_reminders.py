"""The subscribe message that tells a company admin that something in one of its workers' files
ends soon (a health certificate, a background check, an insurance policy): credit.expiry finds
and claims what is due; this queues the messages, in the same transaction."""

from flask import current_app
from sqlalchemy import select

from accounts.models import COMPANY_ADMIN, RoleGrant
from app.clock import today_in_beijing
from app.extensions import db
from credit.expiry import claim_due_reminders
from wechat.messages import queue_subscribe_message

THING_LIMIT = 20  # WeChat refuses a longer `thing` value (errcode 47003)


def queue_expiry_reminders() -> int:
    """Queues the reminder of every item ending within EXPIRY_REMINDER_DAYS of today (Beijing)
    that has had none, to each admin of the worker's company. Returns how many items were due."""
    due = claim_due_reminders(today_in_beijing(), current_app.config["EXPIRY_REMINDER_DAYS"])
    admins = _company_admins({item["company_id"] for item in due if item["company_id"] is not None})
    for item in due:
        data = {
            "thing1": item["worker_name"][:THING_LIMIT],
            "thing2": item["item_name"],
            "date3": item["valid_until"].isoformat(),
            "thing4": f"{item['days_left']}天后到期，请及时续办"[:THING_LIMIT],
        }
        for user_id in admins.get(item["company_id"], ()):
            queue_subscribe_message(user_id, "expiry_reminder", data)
        # THE WORKER'S OWN REMINDER goes here, to the user bound to item["worker_id"], once the
        # worker's account exists (issue 13, "The worker's own account"): wired at merge.
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
