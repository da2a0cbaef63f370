"""The lists paged by cursor at two scales side by side, in this process: each path's request at
the smaller scale, then at the larger (then the other way round), through the app with the
headers and sessions bench/city.py builds, each scale's app on its own connection inside one
transaction rolled back at the end (its users and sessions are never committed: the scale
databases are read only). For each path and round: the median request, the median time spent in
the database driver, statements per request, and how PostgreSQL planned the path's prepared
statements (generic: once for every value; custom: anew on each call).

    .venv/bin/python bench/paired_pages.py [--scales 0.01 1] [--times 200] [--rounds 2] [--paths workers]

Requests alternate between the scales, so the machine's drift falls on both alike: on two
shared cores a growth read from two runs minutes apart moved ±30 %.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, event, orm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("APP_ENV", "development")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")

import city  # cursor_of, GRADE_RANK: the cursors as the app gives them out
import scale

from accounts.models import OPERATOR, STATION_STAFF
from accounts.services import start_session
from accounts.web_sessions import start_web_session
from app import create_app
from app.extensions import db
from console.web import SESSION_COOKIE
from tests.factories import make_user

PATHS = (
    "workers",
    "certificates",
    "station's bookings",
    "companies",
    "training classes",
    "complaints due",
    "complaints due (a week, 10 rows)",
    "dashboard",
)


@dataclass
class Scale:
    name: str
    app: Flask
    connection: Connection
    session: orm.scoped_session
    paths: dict[str, tuple[FlaskClient, list[str], dict[str, str]]] = field(default_factory=dict)
    driver_seconds: float = 0.0
    statements: int = 0

    def watch_the_driver(self) -> None:
        started: list[float] = []

        def before(*_args) -> None:
            started.append(time.perf_counter())

        def after(_conn, _cursor, statement, *_args) -> None:
            self.driver_seconds += time.perf_counter() - started.pop()
            self.statements += "SAVEPOINT" not in statement.upper()

        event.listen(self.connection, "before_cursor_execute", before)
        event.listen(self.connection, "after_cursor_execute", after)

    def plans(self) -> tuple[int, int]:
        """Generic and custom plans of the statements the connection prepared (savepoints aside)."""
        generic, custom = self.connection.exec_driver_sql(
            "SELECT COALESCE(SUM(generic_plans), 0), COALESCE(SUM(custom_plans), 0) FROM pg_prepared_statements "
            "WHERE statement NOT ILIKE '%%savepoint%%'"
        ).one()
        return int(generic), int(custom)


def opened(value: float, times: int) -> Scale:
    """One scale's app on a connection whose transaction is rolled back at the end, a clerk of the
    busiest station and an operator signed in, and each path's random inputs."""
    url = scale.DATABASE_URL + "_" + format(value, "g").replace(".", "_")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        connection = db.engine.connect()
    connection.begin()
    # A plain Session, as the tests' (tests/conftest.py): Flask-SQLAlchemy's own would ignore `bind`.
    session = orm.scoped_session(orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    db.session = session  # type: ignore[assignment]
    chosen = random.Random(20261204)

    def column(query: str, *parameters) -> list:
        return list(connection.exec_driver_sql(query, parameters or None).fetchall())

    def some(rows: list) -> list:
        return [rows[chosen.randrange(len(rows))] for _ in range(times)]

    ((station,),) = column("SELECT station_code FROM bookings GROUP BY station_code ORDER BY count(*) DESC LIMIT 1")
    workers = column("SELECT id FROM workers")
    issued = column("SELECT worker_id FROM certificates WHERE state = 'issued'")
    bookings = column("SELECT starts_at, id FROM bookings WHERE station_code = %s", station)
    companies = column(f"SELECT {city.GRADE_RANK}, credit_score, id FROM companies")
    classes = column(city.CLASSES_WITH_A_PAGE_AFTER)
    districts = [district for (district,) in column("SELECT DISTINCT district_code FROM companies ORDER BY 1")]
    city.rng.seed(20261202)  # the same periods at each scale, and the city bench's
    periods = city.random_periods()[:times]
    with app.app_context():
        operator, clerk = make_user(OPERATOR), make_user(STATION_STAFF, station_code=station)
        web, staff, api = start_web_session(operator), start_session(clerk), start_session(operator)
        db.session.commit()
    console = app.test_client()
    console.set_cookie(SESSION_COOKIE, web, path="/console")
    client = app.test_client()
    cursor = city.cursor_of
    opened_scale = Scale(str(value), app, connection, session)
    opened_scale.paths = {
        "workers": (console, [f"/console/workers?cursor={cursor('id', 'after', w)}" for (w,) in some(workers)], {}),
        "certificates": (
            console,
            [f"/console/certificates?state=issued&cursor={cursor('id', 'after', w)}" for (w,) in some(issued)],
            {},
        ),
        "station's bookings": (
            client,
            [
                f"/api/v1/stations/{station}/bookings?cursor={cursor('earliest', 'after', at.isoformat(), b)}"
                for at, b in some(bookings)
            ],
            {"Authorization": f"Bearer {staff}"},
        ),
        "companies": (
            client,
            [f"/api/v1/companies?cursor={cursor('grade', 'after', *row)}" for row in some(companies)],
            {"Authorization": f"Bearer {api}"},
        ),
        "training classes": (
            console,
            [f"/console/training/classes?cursor={cursor('newest', 'after', c)}" for (c,) in some(classes)],
            {},
        ),
        "complaints due": (console, ["/console/complaints-due"] * times, {}),
        # 0.01's 12 open complaints are none overdue (1: 10 of 241 open): a page of 10 at both.
        "dashboard": (
            console,
            [
                "/console/dashboard" + (f"?{period}&district={districts[i % len(districts)]}" if period else "")
                for i, period in enumerate(periods)
            ],
            {},
        ),
        "complaints due (a week, 10 rows)": (
            console,
            ["/console/complaints-due?within_hours=168&per_page=10"] * times,
            {},
        ),
    }
    opened_scale.watch_the_driver()
    return opened_scale


def one_request(on: Scale, path: str, i: int) -> tuple[float, float, int]:
    """The request's milliseconds, those in the database driver, and its statements."""
    db.session = on.session
    client, urls, headers = on.paths[path]
    on.driver_seconds, on.statements = 0.0, 0
    started = time.perf_counter()
    response = client.get(urls[i], headers=headers)
    took = time.perf_counter() - started
    assert response.status_code == 200, (urls[i], response.status_code)
    return took * 1000, on.driver_seconds * 1000, on.statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", nargs=2, type=float, default=[0.01, 1])
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--paths", help="only the paths whose name contains this")
    arguments = parser.parse_args()
    logging.getLogger("yangcheng.access").setLevel(logging.WARNING)
    small, large = scales = [opened(value, arguments.times) for value in arguments.scales]
    try:
        for path in PATHS:
            if arguments.paths and arguments.paths not in path:
                continue
            for on in scales:
                for i in range(10):  # caches warmed, statements prepared
                    one_request(on, path, i)
            for _ in range(arguments.rounds):
                before = {on.name: on.plans() for on in scales}
                measured: dict[str, list[tuple[float, float, int]]] = {on.name: [] for on in scales}
                for i in range(arguments.times):
                    for on in scales if i % 2 == 0 else scales[::-1]:
                        measured[on.name].append(one_request(on, path, i))
                shown = []
                for on in scales:
                    runs = measured[on.name]
                    generic, custom = (now - then for now, then in zip(on.plans(), before[on.name], strict=True))
                    shown.append(
                        f"{on.name}: {statistics.median(r[0] for r in runs):.2f} ms"
                        f" (database {statistics.median(r[1] for r in runs):.2f},"
                        f" {statistics.mean(r[2] for r in runs):.1f} statements,"
                        f" plans {generic} generic {custom} custom)"
                    )
                growth = statistics.median(r[0] for r in measured[large.name]) / statistics.median(
                    r[0] for r in measured[small.name]
                )
                print(f"{path:<20} {'   '.join(shown)}   growth {growth:.2f}×", flush=True)
    finally:
        for on in scales:
            on.session.remove()
            on.connection.rollback()
            on.connection.close()


if __name__ == "__main__":
    main()
