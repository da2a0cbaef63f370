"""No over-enrolment, ever: many workers enrolling in the last place of a class at once, really
concurrently against the real database. The requests commit for real (they must see each
other), so this test does not use the rolled-back connection and removes what it made."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from accounts.models import RoleEvent, User
from accounts.services import grant_role, start_session
from app.extensions import db
from credit.models import Certificate, CreditEvent, Worker
from credit.registry import create_worker
from tests.factories import STATION_A, new_id_number
from training.models import ClassSession, Course, Enrolment, TrainingClass

CONCURRENT_REQUESTS = 32


def all_at_once(app, requests) -> list[int]:
    barrier, statuses = threading.Barrier(len(requests)), [0] * len(requests)

    def send(index, path, body, headers):
        client = app.test_client()
        barrier.wait()
        statuses[index] = client.post(path, json=body, headers=headers).status_code

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def an_operator_and_a_course() -> tuple[User, dict, Course]:
    """An operator, their headers and a course, added in the caller's app context (not committed)."""
    operator = User(openid=f"training-race-{uuid.uuid4().hex}")
    db.session.add(operator)
    db.session.flush()
    grant_role(operator, "operator")
    course = Course(
        title="并发测试课程", service_types=[], kind="theory", purpose="refresher", required_hours=1, pass_mark=60
    )
    db.session.add(course)
    db.session.flush()
    return operator, {"Authorization": f"Bearer {start_session(operator)}"}, course


def remove_the_course_workers_and_operator(course_id: int, worker_ids: list[int], operator_id: int) -> None:
    """What a race test committed beside its classes, removed (in the caller's app context)."""
    db.session.execute(delete(Course).where(Course.id == course_id))
    for model in (CreditEvent, Certificate):
        db.session.execute(delete(model).where(model.worker_id.in_(worker_ids)))
    db.session.execute(delete(Worker).where(Worker.id.in_(worker_ids)))
    db.session.execute(delete(RoleEvent).where(RoleEvent.user_id == operator_id))
    db.session.execute(delete(User).where(User.id == operator_id))
    db.session.commit()


def test_32_workers_enrolling_in_the_last_place_at_once_make_exactly_one_enrolment(app):
    with app.app_context():
        operator, headers, course = an_operator_and_a_course()
        training_class = TrainingClass(
            course_id=course.id, title="并发班", mode="offline", station_code=STATION_A, capacity=2, enrolled=1
        )
        db.session.add(training_class)
        db.session.flush()
        starts = datetime.now(UTC) + timedelta(days=3)
        db.session.add(ClassSession(class_id=training_class.id, starts_at=starts, ends_at=starts + timedelta(hours=2)))
        workers = [
            create_worker({"name": "并发学员", "id_number": new_id_number()}, None) for _ in range(CONCURRENT_REQUESTS)
        ]
        db.session.commit()
        operator_id, course_id, class_id = operator.id, course.id, training_class.id
        worker_ids = [worker.id for worker in workers]
    try:
        requests = [
            (f"/api/v1/training/classes/{class_id}/enrolments", {"worker_id": worker_id}, headers)
            for worker_id in worker_ids
        ]
        statuses = all_at_once(app, requests)
        assert statuses == [201] * CONCURRENT_REQUESTS
        with app.app_context():
            counted = dict(
                db.session.execute(
                    select(Enrolment.status, func.count())
                    .where(Enrolment.class_id == class_id)
                    .group_by(Enrolment.status)
                ).all()
            )
            assert counted == {"enrolled": 1, "waiting": CONCURRENT_REQUESTS - 1}
            assert db.session.scalar(select(TrainingClass.enrolled).where(TrainingClass.id == class_id)) == 2
    finally:
        with app.app_context():
            db.session.execute(delete(Enrolment).where(Enrolment.class_id == class_id))
            db.session.execute(delete(ClassSession).where(ClassSession.class_id == class_id))
            db.session.execute(delete(TrainingClass).where(TrainingClass.id == class_id))
            remove_the_course_workers_and_operator(course_id, worker_ids, operator_id)


PAIRS = 12


def test_a_place_given_up_and_the_first_waiting_cancelling_at_once_both_go_through(app):
    """Each write of an enrolment's status moves its class's counts (migration 0040's triggers): a
    cancellation giving up a place takes the class and then the first waiting to promote them,
    while that worker cancelling takes their enrolment and then the class, unless every such
    write takes the class first. Both answer 200, and each class's counts are its rows."""
    with app.app_context():
        operator, headers, course = an_operator_and_a_course()
        classes = [
            TrainingClass(
                course_id=course.id, title="并发班", mode="offline", station_code=STATION_A, capacity=1, enrolled=1
            )
            for _ in range(PAIRS)
        ]
        db.session.add_all(classes)
        db.session.flush()
        workers = [create_worker({"name": "并发学员", "id_number": new_id_number()}, None) for _ in range(2 * PAIRS)]
        pairs = [
            (
                Enrolment(class_id=training_class.id, worker_id=workers[2 * i].id, status="enrolled"),
                Enrolment(class_id=training_class.id, worker_id=workers[2 * i + 1].id, status="waiting"),
            )
            for i, training_class in enumerate(classes)
        ]
        db.session.add_all([enrolment for pair in pairs for enrolment in pair])
        db.session.commit()
        operator_id, course_id = operator.id, course.id
        class_ids = [training_class.id for training_class in classes]
        worker_ids = [worker.id for worker in workers]
        enrolment_ids = [enrolment.id for pair in pairs for enrolment in pair]
    try:
        requests: list[tuple[str, dict, dict]] = [
            (f"/api/v1/training/enrolments/{id_}/cancel", {}, headers) for id_ in enrolment_ids
        ]
        assert all_at_once(app, requests) == [200] * (2 * PAIRS)
        with app.app_context():
            kept = db.session.execute(
                select(
                    TrainingClass.enrolled,
                    TrainingClass.enrolments_enrolled,
                    TrainingClass.enrolments_waiting,
                    TrainingClass.enrolments_cancelled,
                ).where(TrainingClass.id.in_(class_ids))
            ).all()
            assert [tuple(row) for row in kept] == [(0, 0, 0, 2)] * PAIRS
    finally:
        with app.app_context():
            db.session.execute(delete(Enrolment).where(Enrolment.class_id.in_(class_ids)))
            db.session.execute(delete(TrainingClass).where(TrainingClass.id.in_(class_ids)))
            remove_the_course_workers_and_operator(course_id, worker_ids, operator_id)
