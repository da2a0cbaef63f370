"""Enrolment in a class: a place if one is left, the waiting list otherwise; a cancellation gives
the place to the first on the waiting list, who is told by subscribe message. Callers commit;
these functions only flush."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.clock import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from credit.models import Worker
from training.models import (
    CANCELLED,
    ENROLLED,
    ENROLMENT_STATES,
    WAITING,
    Attendance,
    ClassSession,
    Enrolment,
    TrainingClass,
)
from training.notifications import tell_of_place
from training.places import give_back_place, take_place


def enrol(training_class: TrainingClass, worker: Worker, actor: User) -> Enrolment:
    """Enrolled when a place is taken, waiting otherwise. A second active enrolment of the same
    worker in the class is a 409 (the partial unique index decides it, whoever comes first)."""
    if training_class.sessions and training_class.sessions[-1].ends_at <= utcnow():
        raise Conflict(_("This class is over: its last session has ended."), code="class_over", field="class_id")
    if active_enrolment(training_class.id, worker.id) is not None:
        raise _already_enrolled(worker)
    status = ENROLLED if take_place(training_class.id) else WAITING
    enrolment = Enrolment(class_id=training_class.id, worker_id=worker.id, status=status, enrolled_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:
        raise _already_enrolled(worker) from None
    db.session.refresh(training_class)
    return enrolment


def _already_enrolled(worker: Worker) -> Conflict:
    return Conflict(
        _("Worker %(id)s is already enrolled in this class or waiting for a place.", id=worker.id),
        code="already_enrolled",
        field="worker_id",
    )


def active_enrolment(class_id: int, worker_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.class_id == class_id, Enrolment.worker_id == worker_id, Enrolment.status.in_((ENROLLED, WAITING))
        )
    )


def cancel(enrolment: Enrolment, reason: str | None) -> Enrolment:
    """Cancelled; a place it held goes to the first worker waiting, if any. The caller holds the
    enrolment locked after its class (training.access.enrolment_for_caller)."""
    held_a_place = enrolment.status == ENROLLED
    enrolment.status = ENROLMENT_STATES.target(enrolment.status, "cancel")
    enrolment.cancelled_at, enrolment.cancel_reason = utcnow(), reason
    db.session.flush()
    if held_a_place:
        give_back_place(enrolment.class_id)
        _promote_first_waiting(enrolment.class_id)
    db.session.refresh(enrolment.training_class)
    return enrolment


def _promote_first_waiting(class_id: int) -> None:
    first = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.class_id == class_id, Enrolment.status == WAITING)
        .order_by(Enrolment.created_at, Enrolment.id)
        .limit(1)
        .with_for_update(of=Enrolment)
    )
    if first is not None and take_place(class_id):
        first.status = ENROLMENT_STATES.target(first.status, "promote")
        db.session.flush()
        tell_of_place(first)


def enrolled_in(class_id: int, worker: Worker) -> Enrolment:
    """The worker's enrolment holding a place in the class, or a 409 saying there is none."""
    enrolment = active_enrolment(class_id, worker.id)
    if enrolment is None or enrolment.status != ENROLLED:
        raise Conflict(
            _("Worker %(id)s holds no place in this class.", id=worker.id), code="not_enrolled", field="worker_id"
        )
    return enrolment


def enrolments_of_company(company_id: int, status: str | None, page: int, per_page: int) -> Page:
    """A company's workers' enrolments, newest first: what its admin follows on the console."""
    statement = (
        select(Enrolment)
        .join(Worker, Worker.id == Enrolment.worker_id)
        .where(Worker.company_id == company_id)
        .order_by(Enrolment.id.desc())
    )
    if status is not None:
        statement = statement.where(Enrolment.status == status)
    return paginate(statement, page, per_page)


@dataclass(frozen=True)
class RosterLine:
    enrolment: Enrolment
    attended: frozenset[int]  # the ids of the sessions the worker was present at


def roster(training_class: TrainingClass) -> list[RosterLine]:
    """The class's enrolments (the cancelled left out), each with the sessions attended: two
    queries, whatever the class's size."""
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.class_id == training_class.id, Enrolment.status != CANCELLED)
            .order_by(Enrolment.status, Enrolment.created_at, Enrolment.id)
        )
    )
    attended: dict[int, set[int]] = {}
    for worker_id, session_id in db.session.execute(
        select(Attendance.worker_id, Attendance.session_id)
        .join(ClassSession, ClassSession.id == Attendance.session_id)
        .where(ClassSession.class_id == training_class.id)
    ):
        attended.setdefault(worker_id, set()).add(session_id)
    return [RosterLine(e, frozenset(attended.get(e.worker_id, ()))) for e in enrolments]
