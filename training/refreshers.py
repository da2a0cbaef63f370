"""Refresher (回炉) courses required of a worker by a date. The earliest open requirement's date
is written to the certificate through credit's own function (set_refresher_due): credit knows a
date, not training, and past it the code scans yellow with that reason. Completing a class of the
course (or an imported result for it) fulfils the requirement. Callers commit; these only flush."""

from datetime import date

from sqlalchemy import select

from accounts.models import User
from app.errors import Invalid
from app.extensions import db
from app.i18n import _
from credit import certificates
from credit.models import Worker
from training.models import DONE, OPEN, REFRESHER, Course, RefresherRequirement


def require(worker: Worker, course: Course, due_on: date, reason: str, actor: User) -> RefresherRequirement:
    if course.purpose != REFRESHER:
        raise Invalid(_("Only a refresher course can be required."), code="not_a_refresher", field="course_id")
    requirement = RefresherRequirement(
        worker_id=worker.id, course_id=course.id, due_on=due_on, reason=reason, status=OPEN, required_by_id=actor.id
    )
    db.session.add(requirement)
    db.session.flush()
    _follow(worker, actor, f"refresher required: {course.title} ({reason})")
    return requirement


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
