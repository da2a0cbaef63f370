"""Subscribe messages where a party must act on an engagement (README lists the template keys):
the station's staff (or the company's admins) when a request or an interview request comes, the
resident when candidates are proposed and when the engagement is signed, the chosen worker (and
her handlers) when she must confirm. Queued in the caller's transaction and sent after commit: a
refused or rolled-back request tells no one."""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from accounts.models import COMPANY_ADMIN, STATION_STAFF, WORKER, RoleGrant
from app.clock import in_beijing
from app.extensions import db
from app.privacy import mask_name
from credit.service_types import SERVICE_TYPES
from engagements.models import STATUS_NAMES, Candidate, Engagement
from wechat.messages import queue_subscribe_message

# WeChat refuses a `thing` value longer than 20 characters (errcode 47003).
THING_LIMIT = 20


def _handlers(engagement: Engagement) -> list[int]:
    """The accounts that handle the engagement: its station's staff, or its company's admins."""
    if engagement.station_code is not None:
        scope = (RoleGrant.role == STATION_STAFF, RoleGrant.station_code == engagement.station_code)
    else:
        scope = (RoleGrant.role == COMPANY_ADMIN, RoleGrant.company_id == engagement.company_id)
    return list(db.session.scalars(select(RoleGrant.user_id).where(*scope, RoleGrant.revoked_at.is_(None))))


def _worker_accounts(worker_id: int | None) -> list[int]:
    return list(
        db.session.scalars(
            select(RoleGrant.user_id).where(
                RoleGrant.role == WORKER, RoleGrant.worker_id == worker_id, RoleGrant.revoked_at.is_(None)
            )
        )
    )


def _queue(user_ids: list[int], engagement: Engagement, kind: str, extra: dict[str, str]) -> None:
    """Every engagement message starts with thing1 the service and date2 the first day."""
    data = {
        "thing1": SERVICE_TYPES[engagement.service_code][:THING_LIMIT],
        "date2": engagement.start_day.isoformat(),
        **extra,
    }
    page = f"{current_app.config['WECHAT_ENGAGEMENT_PAGE']}?id={engagement.id}"
    for user_id in user_ids:
        queue_subscribe_message(user_id, kind, data, page=page)


def engagement_received(engagement: Engagement) -> None:
    days = (engagement.last_day - engagement.start_day).days + 1
    _queue(_handlers(engagement), engagement, "engagement_received", {"thing3": f"{days}天，请推荐服务人员"})


def candidates_proposed(engagement: Engagement) -> None:
    _queue(
        [engagement.resident_id],
        engagement,
        "engagement_proposed",
        {"phrase3": STATUS_NAMES[engagement.status], "thing4": f"{len(engagement.candidates)}位候选人，请预约面试"},
    )


def interview_requested(engagement: Engagement, candidate: Candidate, at: datetime) -> None:
    """The handlers arrange the 面试 and tell the worker."""
    when = in_beijing(at).strftime("%Y-%m-%d %H:%M")
    who = mask_name(candidate.worker.name) or ""
    _queue(_handlers(engagement), engagement, "engagement_interview", {"time3": when, "thing4": who[:THING_LIMIT]})


def worker_chosen(engagement: Engagement) -> None:
    """The worker (through her account) and her handlers confirm and sign."""
    recipients = _worker_accounts(engagement.worker_id) + _handlers(engagement)
    _queue(recipients, engagement, "engagement_chosen", {"thing3": "雇主已选定，请确认并签约"})


def engagement_confirmed(engagement: Engagement) -> None:
    _queue([engagement.resident_id], engagement, "engagement_confirmed", {"phrase3": STATUS_NAMES[engagement.status]})
