"""The training figures' two pages at a city's scale, in process and read-only: `python
bench/training_pages.py [--times 200] [--explain] [--profile]` against DATABASE_URL (one of
bench/scale.py's databases) serves the operators' /console/training/statistics and GET
/api/v1/statistics/training with the city bench's random periods (bench/city.py's) through the
app, without HTTP, and prints each page's statements per request, median milliseconds and the
app's own CPU milliseconds (the rest is PostgreSQL and the wait for it). Everything runs in one
transaction that is rolled back: the operator it signs in as and each request's commit (a
savepoint) leave nothing behind. With --explain, every statement of one request of each page is
logged by auto_explain first (its plan, rows and buffers), as bench/pages.py does for a worker's
credit."""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("APP_ENV", "development")

import city  # the bench's random periods
from pages import AUTO_EXPLAIN, BUFFERS
from sqlalchemy import event, orm, text

from accounts.models import OPERATOR
from accounts.services import start_session
from accounts.web_sessions import start_web_session
from app import create_app
from app.extensions import db
from console.web import SESSION_COOKIE
from tests.factories import make_user

TWO_YEARS = f"month_from={city.months_back(23):%Y-%m}&month_to={city.months_back(0):%Y-%m}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile each page's requests")
    arguments = parser.parse_args()
    app = create_app()
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    shared_session = db.session
    # A plain Session bound to the one connection, as tests/conftest.py's `isolated` binds it.
    db.session = orm.scoped_session(orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))  # type: ignore[arg-type]
    try:
        with app.app_context():
            user = make_user(OPERATOR)
            bearer, web = start_session(user), start_web_session(user)
            db.session.commit()
        client = app.test_client()
        client.set_cookie(SESSION_COOKIE, web)
        periods = city.random_periods()[: arguments.times]
        pages = {
            "console: training figures": (["/console/training/statistics"], {}),
            # Two years: a full page of classes and every course at 0.01 too (this month holds none there).
            "console: training figures, two years": ([f"/console/training/statistics?{TWO_YEARS}"], {}),
            "statistics: training": (
                [f"/api/v1/statistics/training{'?' + p if p else ''}" for p in periods],
                {"Authorization": f"Bearer {bearer}"},
            ),
        }
        sent: list[str] = []
        event.listen(
            connection,
            "before_cursor_execute",
            lambda _c, _cur, statement, *_a: sent.append(statement) if "SAVEPOINT" not in statement else None,
        )
        if arguments.explain:
            explain(connection, client, pages)
        for name, (paths, headers) in pages.items():
            measure(client, name, paths, headers, sent, arguments)
    finally:
        db.session.remove()
        db.session = shared_session
        outer.rollback()
        connection.close()


def measure(client, name: str, paths: list[str], headers: dict, sent: list[str], arguments) -> None:
    """The page's statements a request, its median wall time and the app's CPU time over
    `arguments.times` requests (under cProfile with --profile, its top functions printed)."""
    for path in paths[:20]:  # warm: the plans cached, the pages read once
        assert client.get(path, headers=headers).status_code == 200, path
    took, cpu, counts = [], [], []
    profiler = cProfile.Profile() if arguments.profile else None
    for i in range(arguments.times):
        path = paths[i % len(paths)]
        sent.clear()
        started, used = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        response = client.get(path, headers=headers)
        if profiler:
            profiler.disable()
        took.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(sent))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    print(
        f"{name}: {statistics.median(counts):g} statements a request ({min(counts)}–{max(counts)}),"
        f" median {statistics.median(took):.2f} ms (p90 {statistics.quantiles(took, n=10)[-1]:.2f}),"
        f" the app's CPU {statistics.median(cpu):.2f} ms"
    )


def explain(connection, client, pages) -> None:
    """Each page's statements with their plans, as auto_explain logs them in one request."""
    plans: list[str] = []
    driver = connection.connection.driver_connection
    driver.add_notice_handler(lambda notice: plans.append(notice.message_primary))
    for statement in AUTO_EXPLAIN:
        connection.execute(text(statement))
    for name, (paths, headers) in pages.items():
        for path in dict.fromkeys([paths[0], *paths[1:4]]):
            client.get(path, headers=headers)  # warm
            plans.clear()
            client.get(path, headers=headers)
            print(f"==== {name} {path}: {len(plans)} statements")
            for plan in plans:
                match = BUFFERS.search(plan)
                hit, read = (int(match.group(1) or 0), int(match.group(2) or 0)) if match else (0, 0)
                print(f"---- hit={hit} read={read}\n{plan}")
    connection.execute(text("SET LOCAL auto_explain.log_min_duration = -1"))


if __name__ == "__main__":
    main()
