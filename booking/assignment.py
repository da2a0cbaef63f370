"""Who serves a booking: the rules a worker must meet, the workers staff could assign, the
assignment itself (the database refuses a double booking), and the service's start and end."""

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, load_only

from accounts.models import User
from app.clock import today_in_beijing
from app.errors import Conflict, Invalid
from app.extensions import db
from app.i18n import _
from app.privacy import mask_name
from booking import bookings, notifications
from booking.bookings import free_worker, transition
from booking.models import ASSIGNABLE_LISTED, ASSIGNED, BLOCK_MINUTES, BOOKING_STATES, Booking, WorkerTimeBlock
from credit.certificates import GREEN, colour
from credit.models import ISSUED, Company, Worker
from credit.recommendation import WORKERS_BEST_FIRST, offering, recommendable_workers
from credit.registry import found_by

# What the rules and the answer read of a worker: never the encrypted ID number or phone.
ASSIGNMENT_COLUMNS = (
    Worker.name,
    Worker.stars,
    Worker.photo_url,
    Worker.company_id,
    Worker.service_types,
    Worker.listed_until,
)


def worker_to_assign(worker_id: int) -> Worker | None:
    return db.session.get(
        Worker, worker_id, options=[load_only(*ASSIGNMENT_COLUMNS), joinedload(Worker.company).load_only(Company.name)]
    )


def assignment_problems(booking: Booking, worker: Worker) -> dict[str, list[str]]:
    """Why this worker may not serve this booking: an issued certificate whose colour is green
    (credit's rules), and the service among the worker's service types."""
    problems = []
    certificate, today = worker.certificate, today_in_beijing()
    if worker.listed_until is not None and worker.listed_until >= today:
        problems.append(_("on the 失信名单 until %(day)s", day=worker.listed_until.isoformat()))
    elif certificate.state != ISSUED or colour(certificate, today) != GREEN:
        problems.append(_("the certificate is not issued and green (state %(state)s)", state=certificate.state))
    if booking.service_code not in (worker.service_types or []):
        problems.append(_("does not offer %(service)s", service=booking.service.name))
    return {"worker_id": problems} if problems else {}


def _time_blocks(booking: Booking, worker_id: int) -> list[WorkerTimeBlock]:
    blocks, moment = [], booking.starts_at
    while moment < booking.ends_at:
        blocks.append(WorkerTimeBlock(worker_id=worker_id, starts_at=moment, booking_id=booking.id))
        moment += timedelta(minutes=BLOCK_MINUTES)
    return blocks


def _reserve_time(booking: Booking, worker_id: int) -> bool:
    """The worker's half hours for the booking, or False when another booking holds any of them."""
    try:
        with db.session.begin_nested():
            db.session.add_all(_time_blocks(booking, worker_id))
    except IntegrityError:
        return False
    return True


def assign(booking: Booking, worker: Worker, actor: User) -> Booking:
    """Assigns (or reassigns) a certified worker. The worker's half-hour blocks are inserted under
    a primary key, so of two overlapping assignments, however simultaneous, one fails."""
    BOOKING_STATES.target(booking.status, "assign")
    problems = assignment_problems(booking, worker)
    if problems:
        raise Invalid(
            _(
                "%(worker)s cannot be assigned: %(problems)s",
                worker=mask_name(worker.name),
                problems="; ".join(problems["worker_id"]),
            ),
            code="worker_not_assignable",
            errors=problems,
        )
    previous = booking.worker_id
    free_worker(booking)
    if not _reserve_time(booking, worker.id):
        raise Conflict(
            _("%(worker)s already has a booking at this time.", worker=mask_name(worker.name)),
            code="worker_double_booked",
            errors={"worker_id": [_("double-booked: another booking overlaps this time")]},
        ) from None
    booking.worker_id, booking.worker = worker.id, worker
    transition(booking, "assign", actor, details={"worker_id": worker.id, "previous_worker_id": previous})
    notifications.booking_assigned(booking, worker)
    return booking


def reschedule(booking: Booking, starts_at: datetime, actor: User, reason: str | None) -> Booking:
    """已改约 (bookings.reschedule), keeping the assigned worker when they may still serve it and
    are free at the new time: the booking stays theirs (assigned). Otherwise it is pending again,
    without a worker, for the station to confirm and assign."""
    worker = booking.worker if booking.status == ASSIGNED else None
    bookings.reschedule(booking, starts_at, actor, reason)
    if worker is None or assignment_problems(booking, worker) or not _reserve_time(booking, worker.id):
        return booking
    booking.worker_id, booking.worker = worker.id, worker
    return transition(booking, "keep_worker", actor, details={"worker_id": worker.id})


def assignable_workers(booking: Booking, search: str | None = None, limit: int = ASSIGNABLE_LISTED) -> list[Worker]:
    """The workers staff could assign to this booking now, best first (credit.recommendation: most
    stars, then the higher score, then the id), the first `limit` of them: the same rules as
    `assign` (issued and green, offering the service), recommendable, and free for the booking's
    whole time. `search` (part of a name, or a certificate number in full) finds the others. Time
    held by this booking itself does not count, so its worker is listed for a reassignment. Every
    rule is a condition of the one query, which walks ix_workers_best_first and stops at `limit`."""
    BOOKING_STATES.target(booking.status, "assign")
    busy = exists().where(
        WorkerTimeBlock.worker_id == Worker.id,
        WorkerTimeBlock.starts_at >= booking.starts_at,
        WorkerTimeBlock.starts_at < booking.ends_at,
        WorkerTimeBlock.booking_id.is_distinct_from(booking.id),  # an engagement's time is busy too
    )
    query = (
        recommendable_workers(select(Worker), today_in_beijing())
        .options(
            load_only(*ASSIGNMENT_COLUMNS),
            contains_eager(Worker.certificate),
            joinedload(Worker.company).load_only(Company.name),
        )
        .where(offering(booking.service_code), ~busy)
    )
    if search:
        query = query.where(found_by(search))
    recommendable = db.session.scalars(query.order_by(*WORKERS_BEST_FIRST).limit(limit))
    return [worker for worker in recommendable if not assignment_problems(booking, worker)]


def start(booking: Booking, actor: User) -> Booking:
    """The service starts only with a worker whose 安心碼 is green today: a worker who turned red or
    yellow since the assignment does not enter a home."""
    BOOKING_STATES.target(booking.status, "start")
    certificate = booking.worker.certificate
    if colour(certificate, today_in_beijing()) != GREEN:
        raise Conflict(
            _(
                "%(worker)s's 安心码 is not green (certificate %(state)s): assign another worker.",
                worker=mask_name(booking.worker.name),
                state=certificate.state,
            ),
            code="worker_not_green",
            errors={"worker_id": [_("the certificate is %(state)s, not issued and green", state=certificate.state)]},
        )
    return transition(booking, "start", actor)


def withdraw_worker(worker: Worker, *, actor: User | None, reason: str) -> None:
    """A worker whose certificate was suspended, revoked or expired serves none of the bookings
    they are assigned to and have not started: each goes back to its station to assign again
    (已接单, waiting for a worker), its time freed, the reason in its history. Connected to
    credit's `certificate_withdrawn` signal, so it happens in the transaction of the change."""
    assigned = db.session.scalars(
        select(Booking)
        .where(Booking.worker_id == worker.id, Booking.status == ASSIGNED)
        .order_by(Booking.id)
        .with_for_update(of=Booking)
    )
    for booking in assigned:
        free_worker(booking)
        transition(
            booking,
            "withdraw_worker",
            actor,
            reason=f"服务人员安心服务证已{reason}，请重新派单",
            details={"worker_id": worker.id},
        )


def complete(booking: Booking, actor: User) -> Booking:
    transition(booking, "complete", actor)
    notifications.followup_survey(booking)
    return booking
