"""确认入户 after any scan, and what the entry allows for DOOR_RATING_DAYS: one rating and any
number of complaints, each on the ledger of the worker and of the worker's company under kinds
of their own (door_rating, door_complaint), which credit/scoring.toml weighs apart from station
bookings. No request, no commit: callers commit, these functions only flush."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import null, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from app.clock import beijing_day_bounds, in_beijing, today_in_beijing, utcnow
from app.errors import Conflict, NotFound
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from app.privacy import mask_name
from complaints.handling import filed
from complaints.kinds import ComplaintKind
from complaints.models import COMPLAINT_STATUS_NAMES, DISMISSED, INVALID, UPHELD
from credit.certificates import COLOUR_NAMES, GREEN, colour
from credit.ledger import rated_since, record_credit_event
from credit.models import Certificate, Company, Worker
from doorstep.models import DoorComplaint, DoorEntry, DoorRating
from wechat.codes import scanned_certificate
from wechat.content import check_text


def masked_worker(loader):
    """A worker as a door entry shows one (masked name, stars, photo, company name): the
    encrypted ID number and phone are neither read nor decrypted."""
    return (
        loader.load_only(Worker.name, Worker.stars, Worker.photo_url, Worker.company_id)
        .joinedload(Worker.company)
        .load_only(Company.name)
    )


def record_entry(resident: User, scanned: str) -> DoorEntry:
    """Records the scan at the door with the colour the code showed at that moment; only a green
    code admits (the caller refuses the others, keeping the record)."""
    certificate = scanned_certificate(scanned, masked_worker(joinedload(Certificate.worker)))
    shown = colour(certificate, today_in_beijing())
    entry = DoorEntry(
        resident_id=resident.id,
        worker_id=certificate.worker_id,
        worker=certificate.worker,
        certificate_id=certificate.id,
        colour=shown,
        admitted=shown == GREEN,
        scanned_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def feedback_until(entry: DoorEntry) -> datetime:
    return entry.scanned_at + timedelta(days=current_app.config["DOOR_RATING_DAYS"])


def entry_of_resident(entry_id: int, resident: User, lock: bool = True) -> DoorEntry:
    """The resident's own entry, row-locked; anyone else's is a 404, as is a worker the resident
    never recorded at their door."""
    query = select(DoorEntry).where(DoorEntry.id == entry_id, DoorEntry.resident_id == resident.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    entry = db.session.scalar(query)
    if entry is None:
        raise NotFound(
            _("You recorded no door entry %(id)s: only a worker you let in can be rated.", id=entry_id),
            code="unknown_door_entry",
        )
    return entry


def _open_for_feedback(entry: DoorEntry) -> None:
    if not entry.admitted:
        raise Conflict(
            _(
                "This worker was not let in (their 安心码 was %(colour)s at the door): there is no visit to rate "
                "or complain about. Call the hotline about a worker at your door with a code that is not green.",
                colour=entry.colour,
            ),
            code="entry_refused",
            errors={"colour": [entry.colour]},
        )
    if utcnow() >= feedback_until(entry):
        raise Conflict(
            _(
                "A door entry can be rated or complained about for %(days)s days; this one's time is over.",
                days=current_app.config["DOOR_RATING_DAYS"],
            ),
            code="feedback_period_over",
            errors={"feedback_until": [in_beijing(feedback_until(entry)).isoformat()]},
        )


def _credit_both(entry: DoorEntry, kind: str, value: float, actor: User, source_ref: str, reason: str) -> None:
    """A fact about the visit goes on the ledger of the worker and of the worker's company (the
    one they belong to now), whose levels are recomputed in the same transaction."""
    worker = db.session.get(Worker, entry.worker_id)
    if worker is None:
        return
    record_credit_event(worker, kind, value, actor, source_ref=source_ref, reason=reason)
    if worker.company is not None:
        record_credit_event(worker.company, kind, value, actor, source_ref=source_ref, reason=reason)


def rate(entry: DoorEntry, stars: int, text: str | None, resident: User) -> DoorRating:
    """Once per entry; and not when the resident rated the same visit through a station booking
    (a booking's rating of this worker since the entry's day): one visit counts once."""
    _open_for_feedback(entry)
    if db.session.scalar(select(DoorRating.id).where(DoorRating.entry_id == entry.id)):
        raise Conflict(_("This door entry has been rated already."), code="already_rated", field="stars")
    day_started = beijing_day_bounds(in_beijing(entry.scanned_at).date())[0]
    if rated_since(entry.worker_id, resident, "rating", day_started):
        raise Conflict(
            _("You rated this worker's visit already, through your booking: a visit is rated once."),
            code="rated_as_booking",
            field="stars",
        )
    rating = DoorRating(
        entry_id=entry.id,
        stars=stars,
        text=text,
        text_status=check_text(resident, text, "text"),
        rated_by_id=resident.id,
        created_at=utcnow(),
    )
    db.session.add(rating)
    db.session.flush()
    _credit_both(entry, "door_rating", stars, resident, f"door-entry:{entry.id}", f"入户评价 {stars} 星")
    return rating


def complain(entry: DoorEntry, kind: str, text: str, resident: User) -> DoorComplaint:
    """On the ledger as it is made (door_complaint, which weighs nothing), and handled by
    operators as every complaint is (complaints.handling): only an upheld one lowers a level."""
    _open_for_feedback(entry)
    complaint = DoorComplaint(
        entry_id=entry.id,
        entry=entry,
        type=kind,
        text=text,
        text_status=check_text(resident, text, "text"),
        submitted_by_id=resident.id,
        submitted_at=utcnow(),
    )
    db.session.add(complaint)
    db.session.flush()
    _credit_both(entry, "door_complaint", 1, resident, f"door-complaint:{complaint.id}", "入户投诉（未经核实）")
    return filed(complaint, resident)


# What an operator's decision on a door complaint puts on the ledgers, as for a booking's.
COMPLAINT_CREDIT = {
    UPHELD: ("complaint_upheld", 1),
    DISMISSED: ("complaint_dismissed", 0),
    INVALID: ("complaint_invalid", 0),
}


def complaint_decided(complaint: DoorComplaint, decision: str, actor: User) -> None:
    kind, value = COMPLAINT_CREDIT[decision]
    _credit_both(
        complaint.entry,
        kind,
        value,
        actor,
        f"door-complaint:{complaint.id}",
        f"入户投诉（{complaint.type}）{COMPLAINT_STATUS_NAMES[decision]}",
    )


DOOR_COMPLAINTS = ComplaintKind(
    name=DoorComplaint.COMPLAINT_KIND,
    model=DoorComplaint,
    station_code=lambda: null(),
    station_of=lambda complaint: None,
    worker_of=lambda complaint: complaint.entry.worker_id,
    decided=complaint_decided,
)


def door_complaint_for_operator(complaint_id: int) -> DoorComplaint:
    complaint = db.session.scalar(
        select(DoorComplaint)
        .where(DoorComplaint.id == complaint_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if complaint is None:
        raise NotFound(_("No complaint %(id)s.", id=complaint_id))
    return complaint


def door_complaints(status: str | None, page: int, per_page: int) -> Page:
    """Every door complaint, oldest first (the nearest its deadline), with its trail."""
    query = select(DoorComplaint).options(selectinload(DoorComplaint.events))
    if status:
        query = query.where(DoorComplaint.status == status)
    return paginate(query.order_by(DoorComplaint.id), page, per_page)


def entries_of_resident(resident: User, page: int, per_page: int) -> Page:
    """The resident's door entries, latest first, with their workers, ratings and complaints
    loaded for the whole page at once."""
    query = (
        select(DoorEntry)
        .where(DoorEntry.resident_id == resident.id)
        .options(
            masked_worker(selectinload(DoorEntry.worker)),
            selectinload(DoorEntry.rating),
            selectinload(DoorEntry.complaints).selectinload(DoorComplaint.events),
        )
        .order_by(DoorEntry.id.desc())
    )
    return paginate(query, page, per_page)


def refusal_detail(entry: DoorEntry) -> str:
    """What the resident reads when the code at the door is not green: booking's warning, with
    the hotline to call as there is no station behind this hire."""
    return _(
        "%(worker)s's 安心码 is %(colour)s: do not open the door, and call %(hotline)s.",
        worker=mask_name(entry.worker.name),
        colour=COLOUR_NAMES[entry.colour],
        hotline=current_app.config["PLATFORM_HOTLINE"],
    )
