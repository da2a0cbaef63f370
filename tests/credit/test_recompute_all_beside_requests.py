"""`flask credit recompute-all` beside an operator's rating, on the real PostgreSQL: a batch
re-stars hundreds of workers in one transaction, a rating re-stars one, and each moves the
workers' counts (migration 0034's triggers). Neither may fail for the other nor undo the other:
the rating answers 201 and keeps its stars, the batch commits, and the counts are those of the rows.
SQLite serialises every write, so only PostgreSQL's row locks can show it.

The order is forced, not hoped for: a third connection holds a row the batch needs next, and lets
go once the other writer has answered or waits on a lock.

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
COMPUTED = 4
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
def made(app):
    """The workers and users a test commits, removed afterwards."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    made: dict[str, list[int]] = {"workers": [], "users": []}
    yield made
    with app.app_context():
        ids, users = made["workers"], made["users"]
        for of_worker in (CreditEvent, WorkerCheck, Certificate):
            db.session.execute(delete(of_worker).where(of_worker.worker_id.in_(ids)))
        db.session.execute(delete(Worker).where(Worker.id.in_(ids)))
        for of_user in (RoleEvent, RoleGrant):
            db.session.execute(delete(of_user).where(of_user.user_id.in_(users)))
        db.session.execute(delete(User).where(User.id.in_(users)))
        db.session.commit()


@pytest.fixture
def issued(app, made):
    """issued(*(stars, birth year)): issued workers, women, with those stars and birth years
    stored, committed."""

    def make(*stored: tuple[int, int]) -> list[int]:
        with app.app_context():
            workers = [make_issued_worker(f"工{index}") for index, _ in enumerate(stored)]
            db.session.flush()
            for worker, (stars, birth_year) in zip(workers, stored, strict=True):
                db.session.execute(
                    update(Worker)
                    .where(Worker.id == worker.id)
                    .values(gender="female", birth_year=birth_year, stars=stars)
                )
                made["workers"].append(worker.id)
            db.session.commit()
            return [worker.id for worker in workers]

    return make


@pytest.fixture
def committed_operator(app, made) -> dict:
    """An operator's headers, the user committed."""
    with app.app_context():
        user = make_user("operator")
        made["users"].append(user.id)
        return bearer(user)


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


def test_a_rating_during_recompute_all_answers_keeps_its_stars_and_the_batch_commits(app, issued, committed_operator):
    """The batch waits for its second worker's row; the third worker is rated meanwhile. The batch
    then finds that worker's figures newer than its run's and leaves them."""
    first, second, rated = issued((FIRST_STORED, 1980), (SECOND_STORED, 1980), (RATED_STORED, 1980))
    outcomes: dict[str, object] = {}
    rated_done = threading.Event()

    def rating():
        response = app.test_client().post(
            f"/api/v1/workers/{rated}/credit-events",
            json={"kind": "rating", "value": 5, "reason": "服务很好"},
            headers=committed_operator,
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
        batch_thread = batch_in_a_thread(app, outcomes)
        batch_thread.start()
        until(lambda: waiting_on(watcher, gate_pid))  # the batch has locked the first, waits for the second
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
        stars = dict(
            db.session.execute(select(Worker.id, Worker.stars).where(Worker.id.in_([first, second, rated]))).all()
        )
    assert stars == {first: COMPUTED, second: COMPUTED, rated: 5}  # the rating's stars, not the run's older ones
    assert the_counts(app) == counted_from_the_rows(app)


def batch_in_a_thread(app, outcomes: dict, batch_size: int = 500) -> threading.Thread:
    def batch():
        with app.app_context():
            try:
                outcomes["batch"] = recompute_all(lambda line: None, batch_size)
            except OperationalError as failure:  # a deadlock found
                db.session.rollback()
                outcomes["batch"] = failure

    return threading.Thread(target=batch)


def test_a_writer_taking_counts_out_of_key_order_beside_the_batch_commits_and_so_does_the_batch(app, issued):
    """A transaction may move a worker's counts twice (a move of company, then a new level), the
    second time to a group before the first in key order. Moving its counts, the batch takes them
    in key order: it waits for the second group of its re-starred worker (★5 of 1980), which the
    writer holds, holding the first (★4 of 1980), which the writer then wants. The batch lets go
    of what it took after a short wait and takes them again once the writer has committed. (A batch
    of one worker: the batch locks its workers before it writes them, so the written worker is in
    the next batch.)"""
    (restarred,) = issued((COMPUTED + 1, 1980))  # the batch moves it from ★5 to ★4
    (written,) = issued((COMPUTED, 1990))  # as computed: the batch leaves it alone
    outcomes: dict[str, object] = {}
    with app.app_context():
        writer, watcher = db.engine.connect(), db.engine.connect()
    try:
        writer_pid = writer.scalar(text("SELECT pg_backend_pid()"))
        move = text("UPDATE workers SET birth_year = :year, stars = :stars WHERE id = :id")
        writer.execute(move, {"year": 1980, "stars": COMPUTED + 1, "id": written})  # takes ★5 of 1980
        batch_thread = batch_in_a_thread(app, outcomes, batch_size=1)
        batch_thread.start()
        until(lambda: waiting_on(watcher, writer_pid))  # the batch holds ★4 of 1980 and waits for ★5
        writer.execute(move, {"year": 1980, "stars": COMPUTED, "id": written})  # wants ★4 of 1980
        writer.commit()
        batch_thread.join(60)
    finally:
        writer.close()
        watcher.close()

    assert not isinstance(outcomes["batch"], Exception), outcomes["batch"]
    with app.app_context():
        assert db.session.get_one(Worker, restarred).stars == COMPUTED
    assert the_counts(app) == counted_from_the_rows(app)
