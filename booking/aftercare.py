"""At the door and after the service: the entry check with the resident's scan of the 安心碼, the
resident's rating, the station's follow-up call, and complaints with their handling. Each fact
about the service goes on the credit ledger of its worker and the worker's company."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from accounts.models import User
from app.clock import beijing_day_bounds, in_beijing, today_in_beijing, utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate, paginate_by_key, written
from booking.bookings import audit, masked_worker, shown_with_booking
from booking.models import (
    BOOKING_FACTS,
    COMPLETED,
    Booking,
    Complaint,
    EntryCheck,
    FollowUp,
    Rating,
)
from complaints.handling import filed
from complaints.kinds import ComplaintKind
from complaints.models import ACCEPTED, COMPLAINT_STATUS_NAMES, DISMISSED, INVALID, SUBMITTED, UPHELD
from credit.certificates import GREEN, colour
from credit.ledger import complaint_upheld, rated_since, record_credit_event
from credit.models import Certificate, Worker
from wechat.codes import scanned_certificate
from wechat.content import check_text

# What each decision puts on the worker's and company's ledger: only an upheld complaint lowers.
COMPLAINT_CREDIT = {
    UPHELD: ("complaint_upheld", 1),
    DISMISSED: ("complaint_dismissed", 0),
    INVALID: ("complaint_invalid", 0),
}


def confirm_entry(booking: Booking, scanned: str, actor: User) -> EntryCheck:
    """确认入户 with what the resident scanned of the 安心碼 (URL, token or mini-program scene). The
    check is recorded whether or not the scanned worker is the assigned one, and green; the booking
    counts as entered only when both hold."""
    BOOKING_FACTS.target(booking.status, "confirm_entry", doing="confirm entry")
    certificate = scanned_certificate(scanned, masked_worker(joinedload(Certificate.worker)))
    matched = certificate.worker_id == booking.worker_id
    check = EntryCheck(
        booking_id=booking.id,
        certificate_id=certificate.id,
        scanned_worker_id=certificate.worker_id,
        scanned_worker=certificate.worker,
        matched=matched,
        colour=colour(certificate, today_in_beijing()),
        checked_by_id=actor.id,
        checked_at=utcnow(),
    )
    db.session.add(check)
    if matched and check.colour == GREEN:
        booking.entry_confirmed_at = check.checked_at
        action = "entry_confirmed"
    else:
        action = "entry_not_green" if matched else "entry_mismatch"
    audit(
        booking,
        action,
        None,
        None,
        actor,
        details={
            "scanned_worker_id": certificate.worker_id,
            "assigned_worker_id": booking.worker_id,
            "colour": check.colour,
        },
    )
    return check


def credit_both(booking: Booking, kind: str, value: float, actor: User | None, source_ref: str, reason: str) -> None:
    """A fact about the service goes on the ledger of its worker and the worker's company, whose
    levels are recomputed in the same transaction."""
    worker = db.session.get(Worker, booking.worker_id) if booking.worker_id else None
    if worker is None:
        return
    record_credit_event(worker, kind, value, actor, source_ref=source_ref, reason=reason)
    if worker.company is not None:
        record_credit_event(worker.company, kind, value, actor, source_ref=source_ref, reason=reason)


def rate(booking: Booking, stars: int, text: str | None, actor: User) -> Rating:
    """Once per booking, and not when the resident rated the same visit as a door entry
    (doorstep's door_rating of this worker since the booking's day): one visit counts once."""
    BOOKING_FACTS.target(booking.status, "rate")
    if db.session.scalar(select(Rating.id).where(Rating.booking_id == booking.id)):
        raise Conflict(
            _("This booking has been rated already."), code="already_rated", errors={"stars": [_("rated once already")]}
        )
    day_started = beijing_day_bounds(in_beijing(booking.starts_at).date())[0]
    if booking.worker_id and rated_since(booking.worker_id, actor, "door_rating", day_started):
        raise Conflict(
            _("You rated this worker's visit already, as a door entry: a visit is rated once."),
            code="rated_as_door_entry",
            field="stars",
        )
    text_status = check_text(actor, text, "text")
    rating = Rating(
        booking_id=booking.id,
        stars=stars,
        text=text,
        text_status=text_status,
        rated_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(rating)
    db.session.flush()
    credit_both(booking, "rating", stars, actor, f"booking:{booking.id}", f"雇主评价 {stars} 星")
    audit(booking, "rated", None, None, actor, details={"stars": stars})
    return rating


def record_follow_up(booking: Booking, data: dict, actor: User) -> FollowUp:
    """回访 after completion, once; satisfied counts 1 and not satisfied 0 on the ledger."""
    BOOKING_FACTS.target(booking.status, "record_follow_up", doing="record a follow-up")
    if db.session.scalar(select(FollowUp.id).where(FollowUp.booking_id == booking.id)):
        raise Conflict(
            _("The follow-up call of this booking is recorded already."),
            code="follow_up_recorded",
            errors={"satisfied": [_("recorded once already")]},
        )
    follow_up = FollowUp(
        booking_id=booking.id,
        caller_id=actor.id,
        called_at=data.get("called_at") or utcnow(),
        satisfied=data["satisfied"],
        notes=data.get("notes"),
        created_at=utcnow(),
    )
    db.session.add(follow_up)
    db.session.flush()
    credit_both(
        booking,
        "follow_up",
        1 if data["satisfied"] else 0,
        actor,
        f"booking:{booking.id}",
        "回访" + ("满意" if data["satisfied"] else "不满意"),
    )
    audit(booking, "follow_up", None, None, actor, details={"satisfied": data["satisfied"]})
    return follow_up


def complain(booking: Booking, kind: str, text: str, actor: User) -> Complaint:
    """Filed with the severity its type has by nature and its deadlines (complaints.handling);
    the station's staff are told, and operators at once when it is serious."""
    complaint = Complaint(
        booking_id=booking.id,
        booking=booking,
        station_code=booking.station_code,
        type=kind,
        text=text,
        text_status=check_text(actor, text, "text"),
        submitted_by_id=actor.id,
        submitted_at=utcnow(),
    )
    db.session.add(complaint)
    db.session.flush()
    audit(booking, "complaint", None, None, actor, details={"complaint_id": complaint.id, "type": kind})
    return filed(complaint, actor)


def locked_complaint(complaint_id: int) -> Complaint | None:
    return db.session.scalar(
        select(Complaint)
        .where(Complaint.id == complaint_id)
        .with_for_update(of=Complaint)
        .execution_options(populate_existing=True)
    )


def complaint_decided(complaint: Complaint, decision: str, actor: User) -> None:
    """What a booking complaint's decision puts on the ledger of its worker and the worker's
    company (only an upheld one lowers), and an upheld one's refresher (credit's complaint_upheld)."""
    kind, value = COMPLAINT_CREDIT[decision]
    credit_both(
        complaint.booking,
        kind,
        value,
        actor,
        f"complaint:{complaint.id}",
        f"投诉（{complaint.type}）{COMPLAINT_STATUS_NAMES[decision]}",
    )
    if decision == UPHELD and complaint.booking.worker_id is not None:
        worker = db.session.get_one(Worker, complaint.booking.worker_id)
        complaint_upheld.send(
            worker, complaint_id=complaint.id, service_code=complaint.booking.service_code, actor=actor
        )


BOOKING_COMPLAINTS = ComplaintKind(
    name=Complaint.COMPLAINT_KIND,
    model=Complaint,
    # Its own column (the booking's station), indexed with the open ones: the desk's complaints
    # due read the station's open complaints, not every open one of the city joined to its booking.
    station_code=lambda: Complaint.station_code.expression,
    station_of=lambda complaint: complaint.booking.station_code,
    worker_of=lambda complaint: complaint.booking.worker_id,
    decided=complaint_decided,
)


def complaints_of_station(
    station_code: str, status: str | None, page: int, per_page: int, *, by_deadline: bool = False
) -> Page:
    """The complaint rows only: their bookings (and the encrypted addresses) are not read, not
    even to find the station's (its own column and index). By deadline: the one waiting on the
    nearest deadline first (respond_by while submitted, resolve_by while accepted), those owing
    nothing more last."""
    query = (
        select(Complaint)
        .where(Complaint.station_code == station_code)
        .options(lazyload(Complaint.booking), selectinload(Complaint.events))
    )
    if status:
        query = query.where(Complaint.status == status)
    if by_deadline:
        due = case(
            (Complaint.status == SUBMITTED, Complaint.respond_by),
            (Complaint.status == ACCEPTED, Complaint.resolve_by),
        )
        query = query.order_by(due.is_(None), due)
    return paginate(query.order_by(Complaint.id), page, per_page)


def follow_ups_due(station_code: str, page: int, per_page: int) -> Page:
    """The station's completed bookings whose 回访 is not recorded yet, within the station's 回访
    window, the longest waiting first: those whose service began in the last
    FOLLOW_UP_WINDOW_DAYS days (30). A station calls back after a recent service; a booking of
    months ago is past calling back, and without the window the list (and the desk's count of
    it) held every such booking of the station's history, a year of them at the busiest station
    (~2,300), and grew with it. The page and the count read a month of
    ix_bookings_station_follow_up_due (station, start, id, of the completed bookings whose
    follow-up is not recorded, which the database's triggers keep on the booking): the bookings
    due alone, none of the station's called back or the city's follow-ups. The status is written
    into the SQL (app.paging.written), not bound: a plan made for any status cannot use an index
    of the completed bookings alone, and PostgreSQL then planned the page's statement (seven
    tables joined) anew on every request at scale 1 (at 0.01 the plan for any status was cheap
    enough to keep)."""
    since = utcnow() - timedelta(days=current_app.config["FOLLOW_UP_WINDOW_DAYS"])
    query = select(Booking).where(
        Booking.station_code == station_code,
        Booking.starts_at >= since,
        Booking.status == written(COMPLETED),
        ~Booking.follow_up_recorded,
    )
    order = (Booking.starts_at, Booking.id)
    return paginate_by_key(query, order, Booking.id, page, per_page, load=shown_with_booking())
