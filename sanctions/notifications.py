"""What the party is told by WeChat subscribe message (README lists the template keys): a case is
opened against them and the day by which they may state their case. Sent to the worker's bound
accounts, or to the company's admins; queued in the caller's transaction, so it goes out only once
the case is committed."""

from flask import current_app
from sqlalchemy import select

from accounts.models import COMPANY_ADMIN, WORKER, RoleGrant
from app.extensions import db
from sanctions.models import CATEGORIES, MEASURE_NAMES, SanctionCase
from wechat.messages import queue_subscribe_message

# WeChat refuses a `thing` value longer than 20 characters (errcode 47003).
THING_LIMIT = 20


def party_user_ids(case: SanctionCase) -> list[int]:
    if case.worker_id is not None:
        party = (RoleGrant.role == WORKER, RoleGrant.worker_id == case.worker_id)
    else:
        party = (RoleGrant.role == COMPANY_ADMIN, RoleGrant.company_id == case.company_id)
    return list(db.session.scalars(select(RoleGrant.user_id).where(*party, RoleGrant.revoked_at.is_(None)).distinct()))


def tell_of_case(case: SanctionCase) -> None:
    """sanction_notice: thing1 the facts' category, thing2 the measure proposed, date3 the last day
    to state one's case, thing4 what to do."""
    data = {
        "thing1": CATEGORIES[case.category][:THING_LIMIT],
        "thing2": MEASURE_NAMES[case.proposed_measure][:THING_LIMIT],
        "date3": case.statement_due_on.isoformat(),
        "thing4": "请在截止日前陈述申辩"[:THING_LIMIT],
    }
    page = f"{current_app.config['WECHAT_SANCTIONS_PAGE']}?id={case.id}"
    for user_id in party_user_ids(case):
        queue_subscribe_message(user_id, "sanction_notice", data, page=page)
