"""The workers' counts (migration 0034's triggers, read by industry_statistics) deferred to the
end of a transaction that writes many workers, so that it cannot deadlock with a request.

Each trigger moves the counts of one row, in key order. A transaction writing many workers
would take count rows worker by worker, in no order of their keys, and hold them while it takes
the next workers' rows: a rating holding one of those and wanting one already taken made a
cycle, and PostgreSQL aborted one of the two. Deferred (migration 0036), the triggers add the
moves up in temporary tables of the session's own, and the counts are moved once, after every
worker's row is written, in key order: the one order every writer of the counts takes them in,
so no cycle can close through them. SQLite has one writer at a time: its triggers count at once.
The lists of workers read their total from the same counts (workers_on_file)."""

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.extensions import db

# Each count table and its key, in the order the triggers write them.
COUNTS = {
    "statistics_worker_counts": "district, gender, birth_year, stars",
    "statistics_worker_service_counts": "district, gender, service",
}
# How long moving the counts waits for a row a request holds before letting go of those it took
# and trying again: below PostgreSQL's deadlock_timeout (1 s), so that neither side is ever the
# one found in a deadlock (a request that moves counts twice in one transaction may take them out
# of key order). After ATTEMPTS (some 5 s of requests holding the same rows) the error is raised
# and the transaction rolled back: a job's run is resumable.
LOCK_WAIT = "100ms"
ATTEMPTS = 50


def workers_on_file() -> int:
    """Every worker, from the counts the triggers keep (each worker in one group of
    statistics_worker_counts): a sum over a few thousand groups (2,520 at 100,000 workers, 0.3 ms)
    where counting the workers reads all of them (49 ms). Exact as of the last commit; a
    transaction that deferred its counts reads them moved only after its block."""
    return db.session.scalar(text("SELECT COALESCE(SUM(workers), 0) FROM statistics_worker_counts")) or 0


@contextmanager
def worker_counts_deferred() -> Iterator[None]:
    """The workers written in the block move the counts once, at its end (flushed first), each
    count row waited for in key order. The caller commits at once after the block, or rolls the
    whole transaction back if the block raised."""
    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    for table in COUNTS:
        db.session.execute(text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table}_moves (LIKE {table} INCLUDING INDEXES)"))
    db.session.execute(text("SELECT set_config('statistics.defer_worker_counts', 'on', true)"))
    yield
    db.session.flush()
    db.session.execute(text("SELECT set_config('statistics.defer_worker_counts', 'off', true)"))
    _move_the_counts()


def _move_the_counts() -> None:
    before = db.session.scalar(text("SELECT current_setting('lock_timeout')"))
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with db.session.begin_nested():
                db.session.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": LOCK_WAIT})
                for table, key in COUNTS.items():
                    db.session.execute(
                        text(
                            f"INSERT INTO {table} SELECT * FROM {table}_moves WHERE workers <> 0 ORDER BY {key} "
                            f"ON CONFLICT ({key}) DO UPDATE SET workers = {table}.workers + excluded.workers"
                        )
                    )
            break
        except OperationalError as error:
            if not isinstance(error.orig, psycopg.errors.LockNotAvailable) or attempt == ATTEMPTS:
                raise
    db.session.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": before})
    for table in COUNTS:
        db.session.execute(text(f"DELETE FROM {table}_moves"))
