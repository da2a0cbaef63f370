"""During the engagement: 上户 and 下户 with the resident's scan of the worker's 安心碼 (kept whether
or not it is the chosen worker and green), an early end that frees the rest of the worker's time,
and an extension that holds more of it if she is free."""

from flask import current_app
from sqlalchemy.orm import joinedload

from accounts.models import User
from app.clock import today_in_beijing, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.i18n import _
from credit.certificates import GREEN, colour
from credit.models import Certificate, Worker
from engagements import worker_time
from engagements.models import (
    END_SCAN,
    ENGAGEMENT_FACTS,
    ENGAGEMENT_STATES,
    START_SCAN,
    Engagement,
    EngagementScan,
)
from engagements.requests import audit, last_day_of, masked_worker, transition
from wechat.codes import scanned_certificate


def _scan(engagement: Engagement, kind: str, scanned: str, actor: User) -> EngagementScan:
    certificate = scanned_certificate(scanned, masked_worker(joinedload(Certificate.worker)))
    scan = EngagementScan(
        engagement_id=engagement.id,
        kind=kind,
        certificate_id=certificate.id,
        scanned_worker_id=certificate.worker_id,
        scanned_worker=certificate.worker,
        matched=certificate.worker_id == engagement.worker_id,
        colour=colour(certificate, today_in_beijing()),
        scanned_by_id=actor.id,
        scanned_at=utcnow(),
    )
    db.session.add(scan)
    db.session.flush()
    return scan


def start(engagement: Engagement, scanned: str, actor: User) -> EngagementScan:
    """上户: from the first day on, the chosen worker's green 安心碼 scanned at the door starts the
    service. Another worker's card, or a code not green, is recorded and starts nothing."""
    ENGAGEMENT_STATES.target(engagement.status, "start", doing="start the service (上户)")
    if today_in_beijing() < engagement.start_day:
        raise Conflict(
            _("The engagement starts on %(day)s.", day=engagement.start_day),
            code="before_start_day",
            errors={"start_day": [engagement.start_day.isoformat()]},
        )
    scan = _scan(engagement, START_SCAN, scanned, actor)
    details = {"scanned_worker_id": scan.scanned_worker_id, "colour": scan.colour}
    if scan.matched and scan.colour == GREEN:
        engagement.started_at = scan.scanned_at
        transition(engagement, "start", actor, details=details)
    else:
        audit(engagement, "start_refused", None, None, actor, details=details)
    return scan


def complete(engagement: Engagement, scanned: str, actor: User) -> EngagementScan:
    """下户 on the last day (or after): the chosen worker's card scanned as she leaves; what is left
    of her held time is freed. Before the last day it is an early end."""
    ENGAGEMENT_STATES.target(engagement.status, "complete", doing="end the service (下户)")
    if today_in_beijing() < engagement.last_day:
        raise Conflict(
            _("The engagement lasts until %(day)s: end it early instead.", day=engagement.last_day),
            code="before_last_day",
            errors={"last_day": [engagement.last_day.isoformat()]},
        )
    scan = _scan(engagement, END_SCAN, scanned, actor)
    if scan.matched:
        engagement.ended_at = scan.scanned_at
        freed = worker_time.release(engagement, since=scan.scanned_at)
        transition(engagement, "complete", actor, details={"freed_blocks": freed})
    else:
        audit(engagement, "end_refused", None, None, actor, details={"scanned_worker_id": scan.scanned_worker_id})
    return scan


def end_early(engagement: Engagement, actor: User, reason: str) -> Engagement:
    """The resident ends the service before its last day: the worker's time from now on is free
    again for other families and bookings."""
    ENGAGEMENT_STATES.target(engagement.status, "end_early", doing="end early")
    now = utcnow()
    freed = worker_time.release(engagement, since=now)
    engagement.ended_at = now
    details = {"freed_blocks": freed, "planned_last_day": engagement.last_day.isoformat()}
    engagement.last_day = max(today_in_beijing(), engagement.start_day)
    return transition(engagement, "end_early", actor, reason, details=details)


def extend(engagement: Engagement, length: int, unit: str, actor: User) -> Engagement:
    """More days or months after the last day, if the worker is free for all of them (409
    worker_double_booked otherwise, and nothing changes)."""
    ENGAGEMENT_FACTS.target(engagement.status, "extend")
    first_new = engagement.last_day.fromordinal(engagement.last_day.toordinal() + 1)
    new_last = last_day_of(first_new, length, unit)
    if (new_last - engagement.start_day).days + 1 > current_app.config["ENGAGEMENT_MAX_DAYS"]:
        raise Invalid(
            _("An engagement lasts at most %(days)s days.", days=current_app.config["ENGAGEMENT_MAX_DAYS"]),
            code="engagement_too_long",
            field="length",
        )
    worker = db.session.get_one(Worker, engagement.worker_id)
    worker_time.hold(engagement, worker, first_new, new_last)
    details = {"from": engagement.last_day.isoformat(), "to": new_last.isoformat()}
    engagement.last_day, engagement.updated_at = new_last, utcnow()
    audit(engagement, "extend", None, None, actor, details=details)
    return engagement
