"""`flask credit recompute-all` beside an operator's rating, on the real PostgreSQL: a batch
re-stars hundreds of workers in one transaction, a rating re-stars one, and each moves the
workers' counts (migration 0034's triggers). Neither may fail for the other: the rating answers
201, the batch commits, and the counts are those of the rows. SQLite serialises every write, so
only PostgreSQL's row locks can show it.

The order is forced, not hoped for: a third connection holds the row of the batch's second
worker, so the batch stops there, having re-starred its first; the rating is sent then, and the
third connection lets go once the rating has answered or waits on a lock. Before the batch
deferred its counts, it held its first worker's counts (★4, ★5) while the rating held ★1 and
wanted ★5, and then wanted ★1 for its second worker: PostgreSQL aborted one of them (a 503).

Commits for real, so it does not use the rolled-back `isolated` connection and cleans up."""

import threading
import time

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import OperationalError

from accounts.models import RoleEvent, RoleGrant, User
from app.extensions import db
from credit.models import Certificate, CreditEvent, Worker, WorkerCheck
from credit.recomputing import recompute_all
from industry_statistics.models import WorkerCounts
from tests.factories import bearer, make_issued_worker, make_user

# A worker issued with an empty ledger is computed at ★4, one rated 5 at ★5.
FIRST_STORED, SECOND_STORED, RATED_STORED = 5, 1, 1


def the_counts(app) -> dict[tuple, int]:
    with app.app_context():
        counts = db.session.execute(
            select(
                WorkerCounts.district,
                WorkerCounts.gender,
                WorkerCounts.birth_year,
                WorkerCounts.stars,
                WorkerCounts.workers,
            )
        )
        return {tuple(key): workers for *key, workers in counts if workers}


def counted_from_the_rows(app) -> dict[tuple, int]:
    with app.app_context():
        rows = db.session.execute(
            text(
                "SELECT COALESCE(companies.district_code, 'none'), COALESCE(workers.gender, 'unknown'), "
                "COALESCE(workers.birth_year, 0), COALESCE(workers.stars, 0), count(*) FROM workers "
                "LEFT JOIN companies ON companies.id = workers.company_id GROUP BY 1, 2, 3, 4"
            )
        )
        return {tuple(key): workers for *key, workers in rows}


@pytest.fixture
def three_workers(app):
    """Three issued workers of one gender and birth year, their stars stored as FIRST_STORED,
    SECOND_STORED and RATED_STORED, and an operator; all removed afterwards."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    with app.app_context():
        workers = [make_issued_worker(name) for name in ("甲", "乙", "丙")]
        db.session.flush()
        ids = [worker.id for worker in workers]
        for worker_id, stars in zip(ids, (FIRST_STORED, SECOND_STORED, RATED_STORED), strict=True):
            db.session.execute(
                update(Worker).where(Worker.id == worker_id).values(gender="female", birth_year=1980, stars=stars)
            )
        db.session.commit()
        operator = make_user("operator")
        headers, operator_id = bearer(operator), operator.id
    yield ids, headers
    with app.app_context():
        for model in (CreditEvent, WorkerCheck, Certificate):
            db.session.execute(delete(model).where(model.worker_id.in_(ids)))
        db.session.execute(delete(Worker).where(Worker.id.in_(ids)))
        db.session.execute(delete(RoleEvent).where(RoleEvent.user_id == operator_id))
        db.session.execute(delete(RoleGrant).where(RoleGrant.user_id == operator_id))
        db.session.execute(delete(User).where(User.id == operator_id))
        db.session.commit()


def waiting_on(connection, pid: int) -> list[int]:
    """The backends waiting on a lock `pid` holds (each asked in a transaction of its own: one
    transaction reads the activity as it was when it first asked)."""
    found = list(
        connection.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"), {"pid": pid}
        )
    )
    connection.rollback()
    return found


def until(condition, tries: int = 2000) -> None:
    """Asks every 10 ms (the test's clock is held by time-machine, not the sleeps)."""
    for _ in range(tries):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("timed out")


def test_a_rating_during_recompute_all_answers_and_the_batch_commits(app, three_workers):
    (first, second, rated), operator = three_workers
    outcomes: dict[str, object] = {}
    rated_done = threading.Event()

    def batch():
        with app.app_context():
            try:
                outcomes["batch"] = recompute_all(lambda line: None)
            except OperationalError as failure:  # a deadlock found
                db.session.rollback()
                outcomes["batch"] = failure

    def rating():
        response = app.test_client().post(
            f"/api/v1/workers/{rated}/credit-events",
            json={"kind": "rating", "value": 5, "reason": "服务很好"},
            headers=operator,
        )
        outcomes["rating"] = (response.status_code, (response.json or {}).get("code"))
        rated_done.set()

    with app.app_context():
        gate = db.engine.connect()
    try:
        gate.execute(text("SELECT id FROM workers WHERE id = :id FOR UPDATE"), {"id": second})
        gate_pid = gate.scalar(text("SELECT pg_backend_pid()"))
        with app.app_context():
            watcher = db.engine.connect()
        batch_thread = threading.Thread(target=batch)
        batch_thread.start()
        until(lambda: waiting_on(watcher, gate_pid))  # the batch has re-starred the first, waits for the second
        (batch_pid,) = waiting_on(watcher, gate_pid)
        rating_thread = threading.Thread(target=rating)
        rating_thread.start()
        until(lambda: rated_done.is_set() or waiting_on(watcher, batch_pid))
        gate.rollback()
        rating_thread.join(30)
        batch_thread.join(60)
        watcher.close()
    finally:
        gate.close()

    assert outcomes["rating"] == (201, None)
    assert not isinstance(outcomes["batch"], Exception), outcomes["batch"]
    with app.app_context():
        stars = dict(db.session.execute(select(Worker.id, Worker.stars).where(Worker.id.in_([first, second]))).all())
    assert stars == {first: 4, second: 4}
    assert the_counts(app) == counted_from_the_rows(app)
