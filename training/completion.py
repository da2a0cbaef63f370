"""What finishing a class does: the enrolment is completed, its course's hours go on the credit
ledger, and a pre-job course's completion moves the certificate's training step through credit's
own lifecycle (credit.certificates), which stays the one authority on the certificate. The
manual training step remains for training done elsewhere. Callers commit; these only flush."""

from sqlalchemy import func, select

from accounts.models import User
from app.clock import today_in_beijing
from app.extensions import db
from credit import certificates
from credit.ledger import record_credit_event
from credit.models import DOCUMENTS_CHECKED
from training.models import (
    COMPLETED,
    ENROLMENT_STATES,
    OFFLINE,
    PRE_JOB,
    Attendance,
    ClassSession,
    Enrolment,
    Lesson,
    LessonProgress,
)


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


def complete_if_done(enrolment: Enrolment, actor: User) -> bool:
    if enrolment.status == COMPLETED or not is_done(enrolment):
        return False
    enrolment.status = ENROLMENT_STATES.target(enrolment.status, "complete")
    enrolment.completed_on = today_in_beijing()
    db.session.flush()
    course, worker = enrolment.training_class.course, enrolment.worker
    certificate = certificates.locked_certificate(worker)
    if course.purpose == PRE_JOB and certificate.state == DOCUMENTS_CHECKED:
        # record_training puts the hours on the ledger itself.
        certificates.record_training(certificate, course.required_hours, enrolment.completed_on, actor)
    else:
        record_credit_event(
            worker,
            "training",
            course.required_hours,
            actor,
            source_ref=f"training-enrolment:{enrolment.id}",
            reason=course.title,
        )
    return True
