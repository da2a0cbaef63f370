"""Complaints about an engagement: its resident files one (type and text, the text through
WeChat's content check) from the signing (confirmed) on, in service, and for
ENGAGEMENT_COMPLAINT_DAYS after 下户 or the early end; its handlers (the station's staff, or the
company's admins for an engagement asked of a company, and operators) handle it as every
complaint is handled (complaints.handling: severity, deadlines, escalation, the due lists), and a
decision goes on the ledger of the worker and her company as a booking complaint's does. No
request, no commit: callers commit, these functions only flush."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import lazyload, selectinload

from accounts.models import User
from app.clock import in_beijing, utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from booking.aftercare import COMPLAINT_CREDIT
from complaints.handling import filed
from complaints.kinds import ComplaintKind
from complaints.models import COMPLAINT_STATUS_NAMES, UPHELD
from credit.ledger import complaint_upheld, record_credit_event
from credit.models import Worker
from engagements.models import COMPLETED, ENDED_EARLY, ENGAGEMENT_FACTS, Engagement, EngagementComplaint
from engagements.requests import audit
from wechat.content import check_text


def complaints_until(engagement: Engagement) -> datetime | None:
    """The end of the time for complaints once the engagement is over; None while it is not."""
    if engagement.status not in (COMPLETED, ENDED_EARLY) or engagement.ended_at is None:
        return None
    return engagement.ended_at + timedelta(days=current_app.config["ENGAGEMENT_COMPLAINT_DAYS"])


def complain(engagement: Engagement, kind: str, text: str, actor: User) -> EngagementComplaint:
    """Filed with the severity its type has by nature and its deadlines (complaints.handling);
    its handlers are told, and operators at once when it is serious."""
    ENGAGEMENT_FACTS.target(engagement.status, "complain", doing="complain about the engagement")
    until = complaints_until(engagement)
    if until is not None and utcnow() > until:
        raise Conflict(
            _(
                "An engagement can be complained about for %(days)s days after it ended; this one's time is over.",
                days=current_app.config["ENGAGEMENT_COMPLAINT_DAYS"],
            ),
            code="complaint_period_over",
            errors={"complaints_until": [in_beijing(until).isoformat()]},
        )
    complaint = EngagementComplaint(
        engagement_id=engagement.id,
        engagement=engagement,
        worker_id=engagement.worker_id,
        type=kind,
        text=text,
        text_status=check_text(actor, text, "text"),
        submitted_by_id=actor.id,
        submitted_at=utcnow(),
    )
    db.session.add(complaint)
    db.session.flush()
    audit(engagement, "complaint", None, None, actor, details={"complaint_id": complaint.id, "type": kind})
    return filed(complaint, actor)


def locked_complaint(complaint_id: int) -> EngagementComplaint | None:
    return db.session.scalar(
        select(EngagementComplaint)
        .where(EngagementComplaint.id == complaint_id)
        .with_for_update(of=EngagementComplaint)
        .execution_options(populate_existing=True)
    )


def complaint_decided(complaint: EngagementComplaint, decision: str, actor: User) -> None:
    """What the decision puts on the ledger of the worker complained of and her company (only an
    upheld one lowers, by booking's COMPLAINT_CREDIT), and an upheld one's refresher (credit's
    complaint_upheld)."""
    worker = db.session.get(Worker, complaint.worker_id) if complaint.worker_id else None
    if worker is None:
        return
    kind, value = COMPLAINT_CREDIT[decision]
    source_ref = f"engagement_complaint:{complaint.id}"
    reason = f"长期服务投诉（{complaint.type}）{COMPLAINT_STATUS_NAMES[decision]}"
    record_credit_event(worker, kind, value, actor, source_ref=source_ref, reason=reason)
    if worker.company is not None:
        record_credit_event(worker.company, kind, value, actor, source_ref=source_ref, reason=reason)
    if decision == UPHELD:
        complaint_upheld.send(
            worker, complaint_id=complaint.id, service_code=complaint.engagement.service_code, actor=actor
        )


ENGAGEMENT_COMPLAINTS = ComplaintKind(
    name=EngagementComplaint.COMPLAINT_KIND,
    model=EngagementComplaint,
    # NULL for an engagement asked of a company: operators' due list has it, no station's does.
    station_code=lambda: (
        select(Engagement.station_code).where(Engagement.id == EngagementComplaint.engagement_id).scalar_subquery()
    ),
    station_of=lambda complaint: complaint.engagement.station_code,
    worker_of=lambda complaint: complaint.worker_id,
    decided=complaint_decided,
    company_of=lambda complaint: complaint.engagement.company_id,
)


def complaints_of_engagement(engagement: Engagement) -> list[EngagementComplaint]:
    query = (
        select(EngagementComplaint)
        .where(EngagementComplaint.engagement_id == engagement.id)
        .options(lazyload(EngagementComplaint.engagement), selectinload(EngagementComplaint.events))
    )
    return list(db.session.scalars(query.order_by(EngagementComplaint.id)))


def complaints_handled(
    station_code: str | None, company_id: int | None, status: str | None, page: int, per_page: int
) -> Page:
    """The complaints about the engagements a station's staff (or a company's admins) handle;
    every one for an operator (both None). The complaint rows only, with their trails."""
    query = select(EngagementComplaint).join(EngagementComplaint.engagement)
    if station_code is not None:
        query = query.where(Engagement.station_code == station_code)
    if company_id is not None:
        query = query.where(Engagement.company_id == company_id)
    if status:
        query = query.where(EngagementComplaint.status == status)
    # The engagements themselves (and their encrypted addresses) are not read.
    query = query.options(lazyload(EngagementComplaint.engagement), selectinload(EngagementComplaint.events))
    return paginate(query.order_by(EngagementComplaint.id), page, per_page)
