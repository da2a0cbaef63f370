"""An engagement request: its period (days or months from a start day within the configured months
ahead), where it goes (a station, or the company the resident chose), its audit trail and moves,
and the lists of engagements. No request, no commit: callers commit, these functions only flush."""

import calendar
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import User
from app.clock import today_in_beijing, utcnow
from app.errors import Invalid
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate, paginate_by_key
from credit.models import Company, Worker
from engagements import notifications
from engagements.models import (
    ENGAGEMENT_STATES,
    MONTHS,
    Candidate,
    Engagement,
    EngagementEvent,
)
from stations.models import Station
from wechat.content import check_text


def masked_worker(loader):
    """A worker as an engagement shows one (masked name, stars, photo, experience, company name):
    the encrypted ID number and phone are neither read nor decrypted."""
    return (
        loader.load_only(Worker.name, Worker.stars, Worker.photo_url, Worker.company_id, Worker.years_of_experience)
        .joinedload(Worker.company)
        .load_only(Company.name)
    )


def shown_with_engagement() -> tuple:
    return (
        masked_worker(selectinload(Engagement.worker)),
        masked_worker(selectinload(Engagement.candidates).selectinload(Candidate.worker)),
        selectinload(Engagement.ratings),
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has none (31 January + 1 → 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day_of(start_day: date, length: int, unit: str) -> date:
    """The period's last day, included: 26 days from the 1st end on the 26th; a month from 1 March on 31 March."""
    end = add_months(start_day, length) if unit == MONTHS else start_day + timedelta(days=length)
    return end - timedelta(days=1)


def _check_period(data: dict) -> None:
    months_ahead = current_app.config["ENGAGEMENT_MONTHS_AHEAD"]
    today = today_in_beijing()
    latest = add_months(today, months_ahead)
    if not today < data["start_day"] <= latest:
        raise Invalid(
            _("An engagement starts from tomorrow up to %(months)s months ahead.", months=months_ahead),
            code="outside_engagement_window",
            errors={
                "start_day": [_("must be between %(first)s and %(last)s", first=today + timedelta(days=1), last=latest)]
            },
        )
    days = (last_day_of(data["start_day"], data["length"], data["length_unit"]) - data["start_day"]).days + 1
    if days > current_app.config["ENGAGEMENT_MAX_DAYS"]:
        raise Invalid(
            _("An engagement lasts at most %(days)s days.", days=current_app.config["ENGAGEMENT_MAX_DAYS"]),
            code="engagement_too_long",
            field="length",
        )


def _check_destination(data: dict) -> None:
    if data.get("station_code") and db.session.get(Station, data["station_code"]) is None:
        raise Invalid(
            _("No station has code %(code)s.", code=data["station_code"]), code="unknown_station", field="station_code"
        )
    if data.get("company_id") and db.session.get(Company, data["company_id"]) is None:
        raise Invalid(_("No company %(id)s.", id=data["company_id"]), code="unknown_company", field="company_id")


def _check_preferred(data: dict) -> None:
    preferred = data.get("preferred_worker_id")
    if preferred is None:
        return
    worker = db.session.get(Worker, preferred)
    if worker is None or data["service_code"] not in (worker.service_types or []):
        raise Invalid(
            _("The preferred worker does not offer this service."),
            code="preferred_worker_not_offering",
            errors={"preferred_worker_id": [_("no such worker offering this service")]},
        )
    if data.get("company_id") and worker.company_id != data["company_id"]:
        raise Invalid(
            _("The preferred worker is not employed by the company chosen."),
            code="preferred_worker_elsewhere",
            errors={"preferred_worker_id": [_("not a worker of company_id")]},
        )


def create_engagement(resident: User, data: dict) -> Engagement:
    """The resident's request, to its station or company; the needs go through WeChat's content
    check like every resident's text (a refused text is a 422 on `needs`)."""
    _check_period(data)
    _check_destination(data)
    _check_preferred(data)
    engagement = Engagement(
        resident_id=resident.id,
        station_code=data.get("station_code"),
        company_id=data.get("company_id"),
        service_code=data["service_code"],
        start_day=data["start_day"],
        last_day=last_day_of(data["start_day"], data["length"], data["length_unit"]),
        length=data["length"],
        length_unit=data["length_unit"],
        live_in=data["live_in"],
        day_starts_at=None if data["live_in"] else data["day_starts_at"],
        day_ends_at=None if data["live_in"] else data["day_ends_at"],
        address=data["address"],
        text=data.get("needs"),
        text_status=check_text(resident, data.get("needs"), "needs"),
        preferred_worker_id=data.get("preferred_worker_id"),
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(engagement)
    db.session.flush()
    audit(engagement, "request", None, engagement.status, resident)
    notifications.engagement_received(engagement)
    return engagement


def audit(
    engagement: Engagement,
    action: str,
    from_status: str | None,
    to_status: str | None,
    actor: User | None,
    reason: str | None = None,
    details: dict | None = None,
) -> EngagementEvent:
    event = EngagementEvent(
        engagement_id=engagement.id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id if actor is not None else None,
        reason=reason,
        details=details,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event


def transition(
    engagement: Engagement, action: str, actor: User | None, reason: str | None = None, details: dict | None = None
) -> Engagement:
    """Moves the engagement by one row of ENGAGEMENT_STATES (409 naming its status otherwise),
    with one audit event."""
    before, after = engagement.status, ENGAGEMENT_STATES.target(engagement.status, action)
    engagement.status = after
    engagement.updated_at = utcnow()
    audit(engagement, action, before, after, actor, reason, details)
    return engagement


def locked_engagement(engagement_id: int) -> Engagement | None:
    """Row-locked until commit (PostgreSQL); the version column catches the same race on SQLite."""
    return db.session.scalar(
        select(Engagement)
        .where(Engagement.id == engagement_id)
        .with_for_update(of=Engagement)
        .options(masked_worker(selectinload(Engagement.worker)))
        .execution_options(populate_existing=True)
    )


def readable_engagement(engagement_id: int) -> Engagement | None:
    return db.session.get(Engagement, engagement_id, options=list(shown_with_engagement()))


def engagements_of_resident(resident: User, status: str | None, page: int, per_page: int) -> Page:
    query = select(Engagement).where(Engagement.resident_id == resident.id)
    if status:
        query = query.where(Engagement.status == status)
    return paginate(query.order_by(Engagement.id.desc()).options(*shown_with_engagement()), page, per_page)


def engagements_handled(
    station_code: str | None, company_id: int | None, status: str | None, page: int, per_page: int
) -> Page:
    """The engagements of a station or a company (both None: every one, for operators), the
    earliest first day first: a station's page picked by key from ix_engagements_station_start_day_id,
    then only its rows read, instead of every engagement of the station's history read and sorted
    (76 heap pages at the busiest station at scale 1, 18 ms when they are not in memory)."""
    query = select(Engagement)
    if station_code is not None:
        query = query.where(Engagement.station_code == station_code)
    if company_id is not None:
        query = query.where(Engagement.company_id == company_id)
    if status:
        query = query.where(Engagement.status == status)
    order = (Engagement.start_day, Engagement.id)
    return paginate_by_key(query, order, Engagement.id, page, per_page, load=shown_with_engagement())


def engagements_of_worker(worker_id: int | None, page: int, per_page: int) -> Page:
    """The engagements a worker was chosen for, the next first."""
    query = select(Engagement).where(Engagement.worker_id == worker_id)
    return paginate(
        query.order_by(Engagement.start_day, Engagement.id).options(*shown_with_engagement()), page, per_page
    )
