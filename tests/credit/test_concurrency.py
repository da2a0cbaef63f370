"""Two operators changing one certificate at the same moment: exactly one of them succeeds.

This test commits for real (two transactions must see each other), so it cleans up after itself
instead of using the rolled-back `isolated` connection."""

import threading
import time

from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict
from app.extensions import db
from credit import certificates
from credit.models import Certificate, CreditEvent, Worker, WorkerCheck
from tests.factories import make_issued_worker


def issued_worker_id(app) -> int:
    with app.app_context():
        worker = make_issued_worker("并发测试")
        db.session.commit()
        return worker.id


def test_of_two_operators_suspending_at_once_exactly_one_succeeds(app):
    worker_id = issued_worker_id(app)
    first_has_read, first_committed = threading.Event(), threading.Event()
    outcomes = {}

    def operator(name, before_write, when_done=lambda: None):
        with app.app_context():
            try:
                certificate = certificates.locked_certificate(db.session.get(Worker, worker_id))
                before_write()
                certificates.change_standing(certificate, "suspend", None, f"suspended by {name}")
                db.session.commit()
                outcomes[name] = "suspended"
            except (Conflict, StaleDataError, OperationalError) as refusal:
                # PostgreSQL: the row lock made the second wait and see `suspended` (409).
                # SQLite: its stale snapshot cannot write (busy or version mismatch).
                db.session.rollback()
                outcomes[name] = refusal.problem_code if isinstance(refusal, Conflict) else type(refusal).__name__
            finally:
                when_done()

    def first_waits_for_the_second_to_start():
        first_has_read.set()
        time.sleep(0.3)  # the second operator is now blocked on the row lock, or has read the old state

    second = threading.Thread(target=operator, args=("second", lambda: first_committed.wait(5)))
    first = threading.Thread(target=operator, args=("first", first_waits_for_the_second_to_start, first_committed.set))
    try:
        first.start()
        first_has_read.wait(5)
        second.start()
        first.join(10)
        second.join(10)
        assert outcomes["first"] == "suspended"
        assert outcomes["second"] != "suspended"
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            assert outcomes["second"] == "status_conflict"
        with app.app_context():
            suspensions = db.session.scalar(
                select(func.count()).where(
                    CreditEvent.worker_id == worker_id, CreditEvent.reason.like("suspended by %")
                )
            )
            assert suspensions == 1
    finally:
        with app.app_context():
            db.session.execute(delete(CreditEvent).where(CreditEvent.worker_id == worker_id))
            db.session.execute(delete(WorkerCheck).where(WorkerCheck.worker_id == worker_id))
            db.session.execute(delete(Certificate).where(Certificate.worker_id == worker_id))
            db.session.execute(delete(Worker).where(Worker.id == worker_id))
            db.session.commit()
