"""Refresher (回炉) courses required of a worker by a date. The earliest open requirement's date
is written to the certificate through credit's own function (set_refresher_due): credit knows a
date, not training, and past it the code scans yellow with that reason. Completing a class of the
course (or an imported result for it) fulfils the requirement. An upheld complaint against a
worker requires, by itself, the refresher course marked `required_after_complaint` for the
service complained of (credit's `complaint_upheld` signal, in the complaint's transaction).
Callers commit; these only flush."""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from accounts.models import User
from app.clock import today_in_beijing
from app.errors import Invalid
from app.extensions import db
from app.i18n import _
from credit import certificates
from credit.models import Worker
from training.models import DONE, OPEN, REFRESHER, Course, RefresherRequirement


def require(
    worker: Worker, course: Course, due_on: date, reason: str, actor: User | None, complaint_id: int | None = None
) -> RefresherRequirement:
    if course.purpose != REFRESHER:
        raise Invalid(_("Only a refresher course can be required."), code="not_a_refresher", field="course_id")
    requirement = RefresherRequirement(
        worker_id=worker.id,
        course_id=course.id,
        due_on=due_on,
        reason=reason,
        status=OPEN,
        required_by_id=actor.id if actor is not None else None,
        complaint_id=complaint_id,
    )
    db.session.add(requirement)
    db.session.flush()
    _follow(worker, actor, f"refresher required: {course.title} ({reason})")
    return requirement


def require_after_complaint(worker: Worker, *, complaint_id: int, service_code: str, actor: User | None) -> None:
    """Receives credit's `complaint_upheld`: the refresher course for the service complained of
    (the oldest marked required_after_complaint), due TRAINING_REFRESHER_DAYS after today, once
    per complaint. No such course: nothing is required."""
    if db.session.scalar(select(RefresherRequirement.id).where(RefresherRequirement.complaint_id == complaint_id)):
        return
    candidates = db.session.scalars(
        select(Course).where(Course.purpose == REFRESHER, Course.required_after_complaint.is_(True)).order_by(Course.id)
    )
    course = next((course for course in candidates if service_code in course.service_types), None)
    if course is None:
        return
    due_on = today_in_beijing() + timedelta(days=current_app.config["TRAINING_REFRESHER_DAYS"])
    require(worker, course, due_on, f"投诉 {complaint_id} 成立", actor, complaint_id=complaint_id)


def fulfil(worker: Worker, course: Course, on: date, actor: User | None) -> None:
    """The worker's open requirements of this course are done."""
    open_ones = list(
        db.session.scalars(
            select(RefresherRequirement).where(
                RefresherRequirement.worker_id == worker.id,
                RefresherRequirement.course_id == course.id,
                RefresherRequirement.status == OPEN,
            )
        )
    )
    if not open_ones:
        return
    for requirement in open_ones:
        requirement.status, requirement.done_on = DONE, on
    db.session.flush()
    _follow(worker, actor, f"refresher done: {course.title}")


def _follow(worker: Worker, actor: User | None, reason: str) -> None:
    """The certificate's refresher date follows the earliest open requirement."""
    earliest = db.session.scalar(
        select(RefresherRequirement.due_on)
        .where(RefresherRequirement.worker_id == worker.id, RefresherRequirement.status == OPEN)
        .order_by(RefresherRequirement.due_on)
        .limit(1)
    )
    certificates.set_refresher_due(certificates.locked_certificate(worker), earliest, actor, reason)


def of_worker(worker: Worker) -> list[RefresherRequirement]:
    return list(
        db.session.scalars(
            select(RefresherRequirement)
            .where(RefresherRequirement.worker_id == worker.id)
            .order_by(RefresherRequirement.due_on, RefresherRequirement.id)
        )
    )
