"""What finishing a class does: the enrolment is completed, its course's hours go on the credit
ledger, and a pre-job course's completion moves the certificate's training step through credit's
own lifecycle (credit.certificates), which stays the one authority on the certificate. The
manual training step remains for training done elsewhere. Callers commit; these only flush."""

from datetime import date

from sqlalchemy import func, select

from accounts.models import User
from app.clock import today_in_beijing
from app.extensions import db
from credit import certificates
from credit.ledger import record_credit_event
from credit.models import DOCUMENTS_CHECKED, TRAINED, Worker
from training import refreshers
from training.models import (
    COMPLETED,
    ENROLMENT_STATES,
    OFFLINE,
    PRE_JOB,
    Attendance,
    ClassSession,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
)
from training.places import lock_class


def is_done(enrolment: Enrolment) -> bool:
    """Offline: present at every session; online: every lesson's minutes spent."""
    training_class = enrolment.training_class
    if training_class.mode == OFFLINE:
        attended = db.session.scalar(
            select(func.count())
            .select_from(Attendance)
            .join(ClassSession, ClassSession.id == Attendance.session_id)
            .where(ClassSession.class_id == training_class.id, Attendance.worker_id == enrolment.worker_id)
        )
        return attended == len(training_class.sessions)
    finished = db.session.scalar(
        select(func.count())
        .select_from(LessonProgress)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(
            Lesson.class_id == training_class.id,
            LessonProgress.worker_id == enrolment.worker_id,
            LessonProgress.completed_at.is_not(None),
        )
    )
    return finished == len(training_class.lessons)


def complete_if_done(enrolment: Enrolment, actor: User | None) -> bool:
    if enrolment.status == COMPLETED or not is_done(enrolment):
        return False
    lock_class(enrolment.class_id)
    enrolment.status = ENROLMENT_STATES.target(enrolment.status, "complete")
    enrolment.completed_on = today_in_beijing()
    db.session.flush()
    record_hours(
        enrolment.worker,
        enrolment.training_class.course,
        enrolment.completed_on,
        actor,
        f"training-enrolment:{enrolment.id}",
    )
    return True


def record_hours(
    worker: Worker, course: Course, on: date, actor: User | None, source_ref: str, hours: int | None = None
) -> None:
    """The hours (the course's, unless told) on the ledger; for a pre-job course whose applicant's
    next step is training, through the certificate's training step (which puts them on the
    ledger itself)."""
    hours = course.required_hours if hours is None else hours
    refreshers.fulfil(worker, course, on, actor)
    certificate = certificates.locked_certificate(worker)
    if course.purpose == PRE_JOB and certificate.state == DOCUMENTS_CHECKED:
        certificates.record_training(certificate, hours, on, actor)
    else:
        record_credit_event(worker, "training", hours, actor, source_ref=source_ref, reason=course.title)


def record_score(worker: Worker, course: Course, score: int, actor: User | None, source_ref: str) -> bool:
    """An exam score on the ledger, passed at the course's pass mark; for a pre-job course whose
    applicant's next step is the exam, through the certificate's exam step. Whether it passed."""
    passed = score >= course.pass_mark
    certificate = certificates.locked_certificate(worker)
    if course.purpose == PRE_JOB and certificate.state == TRAINED:
        # record_exam puts the score on the ledger itself, passed or not.
        certificates.record_exam(certificate, score, passed, actor)
    else:
        reason = f"{course.title} {'passed' if passed else 'failed'}"
        record_credit_event(worker, "exam", score, actor, source_ref=source_ref, reason=reason)
    return passed
