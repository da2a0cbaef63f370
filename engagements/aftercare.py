"""Ratings (each month of service and at the end) and follow-up calls (回访) of engagements, each
on the credit ledger of the worker and her company as booking's are; and the calls due."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from accounts.models import User
from app.clock import today_in_beijing, utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from credit.ledger import record_credit_event
from credit.models import Worker
from engagements.models import (
    COMPLETED,
    ENDED_EARLY,
    ENGAGEMENT_FACTS,
    IN_SERVICE,
    Engagement,
    EngagementFollowUp,
    EngagementRating,
)
from engagements.requests import add_months, audit, shown_with_engagement
from wechat.content import check_text

FINAL = 0  # the period of the rating at the end


def _credit_both(engagement: Engagement, kind: str, value: float, actor: User, reason: str) -> None:
    worker = db.session.get(Worker, engagement.worker_id) if engagement.worker_id else None
    if worker is None:
        return
    source_ref = f"engagement:{engagement.id}"
    record_credit_event(worker, kind, value, actor, source_ref=source_ref, reason=reason)
    if worker.company is not None:
        record_credit_event(worker.company, kind, value, actor, source_ref=source_ref, reason=reason)


def rate(engagement: Engagement, stars: int, text: str | None, month: int | None, actor: User) -> EngagementRating:
    """Once at the end (no `month`), and once for each month of service that has passed (month n
    from n months after the first day on)."""
    if month is None:
        ENGAGEMENT_FACTS.target(engagement.status, "rate")
        period = FINAL
    else:
        ENGAGEMENT_FACTS.target(engagement.status, "rate_month", doing="rate a month")
        if add_months(engagement.start_day, month) > today_in_beijing():
            raise Conflict(
                _("Month %(month)s of this engagement is not over yet.", month=month),
                code="month_not_over",
                field="month",
            )
        period = month
    if db.session.scalar(
        select(EngagementRating.id).where(
            EngagementRating.engagement_id == engagement.id, EngagementRating.period == period
        )
    ):
        raise Conflict(_("This has been rated already."), code="already_rated", field="month" if month else "stars")
    rating = EngagementRating(
        engagement_id=engagement.id,
        period=period,
        stars=stars,
        text=text,
        text_status=check_text(actor, text, "text"),
        rated_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(rating)
    db.session.flush()
    label = "长期服务评价" if period == FINAL else f"长期服务第{period}月评价"
    _credit_both(engagement, "rating", stars, actor, f"{label} {stars} 星")
    audit(engagement, "rated", None, None, actor, details={"stars": stars, "period": period})
    return rating


def record_follow_up(engagement: Engagement, data: dict, actor: User) -> EngagementFollowUp:
    ENGAGEMENT_FACTS.target(engagement.status, "record_follow_up", doing="record a follow-up")
    follow_up = EngagementFollowUp(
        engagement_id=engagement.id,
        caller_id=actor.id,
        called_at=data.get("called_at") or utcnow(),
        satisfied=data["satisfied"],
        notes=data.get("notes"),
        created_at=utcnow(),
    )
    db.session.add(follow_up)
    db.session.flush()
    _credit_both(
        engagement,
        "follow_up",
        1 if data["satisfied"] else 0,
        actor,
        "长期服务回访" + ("满意" if data["satisfied"] else "不满意"),
    )
    audit(engagement, "follow_up", None, None, actor, details={"satisfied": data["satisfied"]})
    return follow_up


@dataclass(frozen=True)
class FollowUpDue:
    engagement: Engagement
    due_since: datetime


def follow_ups_due(station_code: str | None, company_id: int | None) -> list[FollowUpDue]:
    """A call is due every ENGAGEMENT_FOLLOW_UP_DAYS of service (counted from 上户 or the last call)
    and once after the end; the longest waiting first."""
    every = timedelta(days=current_app.config["ENGAGEMENT_FOLLOW_UP_DAYS"])
    last_call = (
        select(EngagementFollowUp.engagement_id, func.max(EngagementFollowUp.called_at).label("called_at"))
        .group_by(EngagementFollowUp.engagement_id)
        .subquery()
    )
    query = (
        select(Engagement, last_call.c.called_at)
        .outerjoin(last_call, last_call.c.engagement_id == Engagement.id)
        .where(Engagement.status.in_((IN_SERVICE, COMPLETED, ENDED_EARLY)))
        .options(*shown_with_engagement())
    )
    if station_code is not None:
        query = query.where(Engagement.station_code == station_code)
    if company_id is not None:
        query = query.where(Engagement.company_id == company_id)
    now, due = utcnow(), []
    for engagement, called_at in db.session.execute(query):
        if engagement.status == IN_SERVICE:
            since = max(filter(None, (engagement.started_at, called_at))) + every
        else:
            if called_at is not None and called_at >= engagement.ended_at:
                continue
            since = engagement.ended_at
        if since <= now:
            due.append(FollowUpDue(engagement, since))
    return sorted(due, key=lambda item: (item.due_since, item.engagement.id))
