"""Who may act for which worker in training: the worker themselves (role worker), the worker's
company admin or an operator; worker_for_caller is the one place that decides it."""

from sqlalchemy import ColumnElement, false, or_, select

from accounts.models import COMPANY_ADMIN, OPERATOR, WORKER, User
from app.access import require_principal
from app.errors import NotFound
from app.extensions import db
from app.i18n import _
from credit import access as credit_access
from credit.models import Worker
from training.models import (
    COMPLETED,
    ENROLLED,
    Attempt,
    ClassSession,
    Course,
    Enrolment,
    Exam,
    Lesson,
    TrainingClass,
)
from training.places import lock_class

# The roles that may call the routes acting for a worker.
ACTING_FOR_A_WORKER = (OPERATOR, COMPANY_ADMIN, WORKER)


def actor() -> User:
    return require_principal().user


def worker_for_caller(worker_id: int) -> Worker:
    """The worker the caller acts for: a worker for themselves, operators for anyone, a company
    admin for its own company's workers; anyone else's worker is a 404."""
    principal = require_principal()
    if principal.has_role(WORKER) and principal.worker_id == worker_id:
        worker = db.session.get(Worker, worker_id)
        if worker is not None:
            return worker
    return credit_access.worker_for_caller(worker_id)


def enrolment_for_caller(enrolment_id: int) -> Enrolment:
    """The enrolment, row-locked (two cancellations at once give its place back once) after its
    class (training.places.lock_class: the order every write of an enrolment's status takes them
    in)."""
    class_id = db.session.scalar(select(Enrolment.class_id).where(Enrolment.id == enrolment_id))
    if class_id is None:
        raise NotFound(_("No enrolment %(id)s.", id=enrolment_id))
    lock_class(class_id)
    enrolment = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .with_for_update(of=Enrolment)
        .execution_options(populate_existing=True)
    )
    if enrolment is None:
        raise NotFound(_("No enrolment %(id)s.", id=enrolment_id))
    try:
        worker_for_caller(enrolment.worker_id)
    except NotFound:
        raise NotFound(_("No enrolment %(id)s.", id=enrolment_id)) from None
    return enrolment


def existing_course(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound(_("No course %(id)s.", id=course_id))
    return course


def existing_class(class_id: int) -> TrainingClass:
    training_class = db.session.get(TrainingClass, class_id)
    if training_class is None:
        raise NotFound(_("No class %(id)s.", id=class_id))
    return training_class


def existing_session(session_id: int) -> ClassSession:
    session = db.session.get(ClassSession, session_id)
    if session is None:
        raise NotFound(_("No session %(id)s.", id=session_id))
    return session


def existing_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(_("No lesson %(id)s.", id=lesson_id))
    return lesson


def lesson_for_reader(lesson_id: int) -> Lesson:
    """The lesson, if its material is for the caller: operators any lesson's; a worker (for
    themselves) and a company admin (for its company's workers) a lesson of a class the worker
    holds a place in or has completed. To anyone else it is a 404."""
    lesson = db.session.get(Lesson, lesson_id)
    principal = require_principal()
    if lesson is not None and not principal.has_role(OPERATOR):
        mine: list[ColumnElement[bool]] = [false()]
        if principal.has_role(WORKER) and principal.worker_id is not None:
            mine.append(Worker.id == principal.worker_id)
        if principal.has_role(COMPANY_ADMIN) and principal.company_id is not None:
            mine.append(Worker.company_id == principal.company_id)
        enrolled = db.session.scalar(
            select(Enrolment.id)
            .join(Worker, Worker.id == Enrolment.worker_id)
            .where(
                Enrolment.class_id == lesson.class_id,
                Enrolment.status.in_((ENROLLED, COMPLETED)),
                or_(*mine),
            )
            .limit(1)
        )
        if enrolled is None:
            lesson = None
    if lesson is None:
        raise NotFound(_("No lesson %(id)s.", id=lesson_id))
    return lesson


def attempt_for_caller(attempt_id: int, *, lock: bool = False) -> Attempt:
    """The attempt, row-locked when it is to be changed, if the caller acts for its worker."""
    statement = select(Attempt).where(Attempt.id == attempt_id)
    if lock:
        statement = statement.with_for_update(of=Attempt).execution_options(populate_existing=True)
    attempt = db.session.scalar(statement)
    if attempt is None:
        raise NotFound(_("No attempt %(id)s.", id=attempt_id))
    try:
        worker_for_caller(attempt.worker_id)
    except NotFound:
        raise NotFound(_("No attempt %(id)s.", id=attempt_id)) from None
    return attempt


def exam_of(course_id: int) -> Exam:
    exam = db.session.scalar(select(Exam).where(Exam.course_id == existing_course(course_id).id))
    if exam is None:
        raise NotFound(_("Course %(id)s has no exam yet.", id=course_id))
    return exam


def existing_exam(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        raise NotFound(_("No exam %(id)s.", id=exam_id))
    return exam
