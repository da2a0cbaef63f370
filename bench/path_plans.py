"""What one of the city bench's paths costs at one scale, statement by statement, without leaving
a trace: `python bench/path_plans.py feed|follow-ups|desk|complaints-due|dashboard [--times 200]`
against DATABASE_URL (a scale database). Everything runs in one transaction that is rolled back at
the end (the feed client, the station clerk's or operator's web session, every request's commit
only a savepoint), with the inputs and headers bench/city.py builds: random feed cursors and a few
`since=` first pages; the busiest station's follow-ups, or its desk on random days (-60..+7, the
same days at every scale); 投诉督办; the dashboard for random periods and districts. It prints each
distinct statement's plan (auto_explain: rows, buffers hit and read), statements per request, rows
per page, then the median of `--times` requests without auto_explain and how PostgreSQL planned
their prepared statements (generic: once for every value; custom: anew on each call).
Each `--try "SQL"` runs first in the same transaction (an index to try; CREATE INDEX is
transactional)."""

import argparse
import logging
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("APP_ENV", "development")

from city import SAMPLE, feed_paths, random_periods
from sqlalchemy import event, orm

from accounts.models import OPERATOR, STATION_STAFF, User
from accounts.services import grant_role
from accounts.web_sessions import start_web_session
from app import create_app
from app.extensions import db
from console.web import SESSION_COOKIE
from feed.clients import add_client

BUFFERS = re.compile(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?")
AUTO_EXPLAIN = (
    "LOAD 'auto_explain'",
    "SET LOCAL auto_explain.log_analyze = on",
    "SET LOCAL auto_explain.log_buffers = on",
    "SET LOCAL auto_explain.log_nested_statements = on",
    "SET LOCAL client_min_messages = log",
)


class Raw:
    """bench.city's helpers take a psycopg connection; this hands them the transaction's."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, query, parameters=()):
        return self.connection.exec_driver_sql(query.replace("%s", "%(p)s"), {"p": parameters[0]} if parameters else {})


def spread(values: list) -> str:
    return f"median {statistics.median(values)} (min {min(values)}, max {max(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", choices=("feed", "follow-ups", "desk", "complaints-due", "dashboard"))
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--plans", type=int, default=3, help="requests whose plans are printed in full")
    parser.add_argument("--try", dest="tried", action="append", default=[])
    parser.add_argument("--query", default="", help="complaints-due: its query string (?within_hours=168&per_page=10)")
    arguments = parser.parse_args()
    app = create_app()
    logging.getLogger("yangcheng.access").disabled = True  # a line per request would bury the plans
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    # A plain Session, as tests/conftest.py's: Flask-SQLAlchemy's own would ignore `bind`.
    plain = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    db.session = orm.scoped_session(plain)  # type: ignore[arg-type]
    try:
        for statement in arguments.tried:
            started = time.perf_counter()
            connection.exec_driver_sql(statement)
            print(f"{statement[:100]}: {time.perf_counter() - started:.1f} s")
        with app.app_context():
            if arguments.path == "feed":
                _client, key = add_client(f"bench-plans-{time.time_ns()}")
                paths = feed_paths(Raw(connection))
                paths = paths[: arguments.times - arguments.times // 10] + paths[-(arguments.times // 10) :]
                headers = {"Authorization": f"ApiKey {key}"}
                cookie = None
            elif arguments.path in ("complaints-due", "dashboard"):
                user = User(openid=f"bench-plans-{time.time_ns()}")
                db.session.add(user)
                db.session.flush()
                grant_role(user, OPERATOR)
                cookie = start_web_session(user)
                headers = {}
                if arguments.path == "complaints-due":
                    paths = [f"/console/complaints-due{arguments.query}"] * arguments.times
                else:
                    listed = connection.exec_driver_sql("SELECT DISTINCT district_code FROM companies")
                    districts = [row[0] for row in listed]
                    periods = random_periods()  # as bench/city.py's console_paths
                    queries = [
                        f"?{periods[i]}&district={districts[i % len(districts)]}" if periods[i] else ""
                        for i in range(SAMPLE)
                    ]
                    paths = [f"/console/dashboard{query}" for query in queries][: arguments.times]
            else:
                station = connection.exec_driver_sql(
                    "SELECT station_code FROM bookings GROUP BY station_code ORDER BY count(*) DESC LIMIT 1"
                ).scalar_one()
                user = User(openid=f"bench-plans-{time.time_ns()}")
                db.session.add(user)
                db.session.flush()
                grant_role(user, STATION_STAFF, station_code=station)
                cookie = start_web_session(user)
                if arguments.path == "desk":  # bench/city.py's random days
                    rng = random.Random(18)  # the same days at every scale
                    days = [date.today() + timedelta(days=rng.randint(-60, 7)) for _ in range(arguments.times)]
                    paths = [f"/console/desk?date={day.isoformat()}" for day in days]
                else:
                    paths = ["/console/follow-ups"] * arguments.times
                headers = {}
                print(f"station {station}")
            db.session.commit()
        client = app.test_client()
        if cookie:
            client.set_cookie(SESSION_COOKIE, cookie, path="/console")
        sent: list[str] = []
        event.listen(connection, "before_cursor_execute", lambda *a: sent.append(a[2]))
        plans: list[str] = []
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.add_notice_handler(lambda notice: plans.append(notice.message_primary))
        for statement in AUTO_EXPLAIN:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql("SET LOCAL auto_explain.log_min_duration = 0")
        per_request, hits, reads, rows, sizes = [], [], [], [], []
        explained = paths[:50] + paths[-10:] if arguments.path == "feed" else paths[:60]
        # The feed's first pages from `since` apart from every other page, in the counts.
        kinds = [("since" if "since=" in path else "page") for path in explained]
        for i, path in enumerate(explained):
            sent.clear()
            plans.clear()
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
            statements = [s for s in sent if "SAVEPOINT" not in s.upper()]
            per_request.append(len(statements))
            sizes.append(len(response.data))
            hit = read = 0
            for plan in plans:
                match = BUFFERS.search(plan)
                if match:
                    hit, read = hit + int(match.group(1) or 0), read + int(match.group(2) or 0)
            hits.append(hit)
            reads.append(read)
            if arguments.path == "feed":
                body = response.get_json()
                assert body is not None
                rows.append(len(body["records"]))
            elif arguments.path == "complaints-due":
                rows.append(response.text.count('<tr id="due-'))
            else:
                rows.append(response.text.count('id="booking-'))
            if i == len(explained) - 1:  # warm: each statement's time and what it is
                print("last request:", " | ".join(plan.splitlines()[0] + plan.splitlines()[1][11:60] for plan in plans))
            if i < arguments.plans or (arguments.path == "feed" and 50 <= i < 50 + arguments.plans):
                print(f"--- {path} ({len(statements)} statements)")
                for plan in plans:
                    print(plan)
        connection.exec_driver_sql("SET LOCAL auto_explain.log_min_duration = -1")
        print(f"statements per request: {Counter(per_request)}")
        for kind in sorted(set(kinds)):
            of = [i for i, k in enumerate(kinds) if k == kind]
            print(
                f"{kind}: buffers hit {spread([hits[i] for i in of])}, read {spread([reads[i] for i in of])};"
                f" rows per page {spread([rows[i] for i in of])}; bytes {spread([sizes[i] for i in of])}"
            )
        took: dict[str, list[float]] = {}
        in_database: list[float] = []
        event.listen(connection, "before_cursor_execute", lambda *a: in_database.append(-time.perf_counter()))
        event.listen(connection, "after_cursor_execute", lambda *a: in_database.append(time.perf_counter()))
        waited = []
        planned = (
            "SELECT COALESCE(SUM(generic_plans), 0), COALESCE(SUM(custom_plans), 0) FROM pg_prepared_statements"
            " WHERE statement NOT ILIKE '%%savepoint%%'"
        )
        generic_before, custom_before = connection.exec_driver_sql(planned).one()
        for path in (paths * 2)[: arguments.times]:
            in_database.clear()
            started = time.perf_counter()
            client.get(path, headers=headers)
            kind = "since" if "since=" in path else "page"
            took.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            waited.append(sum(in_database) * 1000)
        every = [t for times in took.values() for t in times]
        print(f"{len(every)} requests: median {statistics.median(every):.2f} ms", end="")
        print("".join(f"; {kind} ({len(t)}) {statistics.median(t):.2f} ms" for kind, t in took.items()), end="")
        print(f"; in statements {statistics.median(waited):.2f} ms", end="")
        generic, custom = connection.exec_driver_sql(planned).one()
        print(f"; plans {generic - generic_before} generic, {custom - custom_before} custom")
        for statement, custom_plans in connection.exec_driver_sql(
            "SELECT statement, custom_plans FROM pg_prepared_statements WHERE custom_plans > 0"
            " AND statement NOT ILIKE '%%savepoint%%' ORDER BY custom_plans DESC LIMIT 8"
        ):
            print(f"  planned anew {custom_plans}×: {' '.join(statement.split())[:160]}")
    finally:
        db.session.remove()
        transaction.rollback()
        connection.close()


if __name__ == "__main__":
    main()
