"""Who hears of a complaint by WeChat subscribe message, and under which template keys: the
staff of its station when it is filed (a company's admins for a company's engagement;
operators, for a kind no one else handles), and every operator when it is escalated. Each
message is a row of the caller's transaction, handed to WeChat only after the commit
(wechat.messages)."""

from datetime import datetime

from sqlalchemy import select

from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF, RoleGrant
from app.clock import in_beijing
from app.extensions import db
from complaints.kinds import Complaint
from complaints.models import COMPLAINT_TYPES, SEVERITY_NAMES
from wechat.messages import queue_subscribe_message

# What thing4 says of each reason for an escalation (WeChat's `thing` holds 20 characters).
ESCALATION_WORDS = {
    "serious": "严重投诉，请立即处理",
    "response_overdue": "投诉超时未受理",
    "resolution_overdue": "投诉超时未处理",
}


def _holders(role: str, station_code: str | None = None, company_id: int | None = None) -> list[int]:
    query = select(RoleGrant.user_id).where(RoleGrant.role == role, RoleGrant.revoked_at.is_(None))
    if station_code is not None:
        query = query.where(RoleGrant.station_code == station_code)
    if company_id is not None:
        query = query.where(RoleGrant.company_id == company_id)
    return list(db.session.scalars(query.distinct().order_by(RoleGrant.user_id)))


def operator_ids() -> list[int]:
    return _holders(OPERATOR)


def _data(complaint: Complaint, moment: datetime | None, thing4: str) -> dict[str, str]:
    return {
        "thing1": COMPLAINT_TYPES[complaint.type],
        "phrase2": SEVERITY_NAMES[complaint.severity],
        "time3": in_beijing(moment).strftime("%Y-%m-%d %H:%M") if moment else "",
        "thing4": thing4,
    }


def complaint_received(complaint: Complaint, station_code: str | None, company_id: int | None = None) -> int:
    """The station's staff (the company's admins for a company's engagement; operators, when
    neither handles it) learn of a new complaint and by when it must be accepted. Returns how
    many were told."""
    if station_code:
        recipients = _holders(STATION_STAFF, station_code)
    elif company_id is not None:
        recipients = _holders(COMPANY_ADMIN, company_id=company_id)
    else:
        recipients = operator_ids()
    for user_id in recipients:
        queue_subscribe_message(
            user_id, "complaint_received", _data(complaint, complaint.respond_by, "新投诉，请按时受理")
        )
    return len(recipients)


def complaint_escalated(complaint: Complaint, reason: str, deadline: datetime | None) -> int:
    """Every operator learns of a complaint escalated for `reason`. Returns how many were told."""
    recipients = operator_ids()
    for user_id in recipients:
        queue_subscribe_message(user_id, "complaint_escalated", _data(complaint, deadline, ESCALATION_WORDS[reason]))
    return len(recipients)
