"""Where one booking's CPU and time go: books cleaning slots through the app in this process (a
WSGI call per request: no HTTP server, no load, no client's work counted), on a database of its
own (docs/performance.md).

    .venv/bin/python bench/booking_profile.py --prepare      # a fresh bench database (run.prepare_database)
    .venv/bin/python bench/booking_profile.py 500            # CPU µs per booking: the app, PostgreSQL
    .venv/bin/python bench/booking_profile.py 500 --steps    # mean time of each step and statement
    .venv/bin/python bench/booking_profile.py 500 --profile  # cProfile of the app's CPU

The database is BENCH_DATABASE_URL's (default run.DATABASE_URL) and Redis BENCH_REDIS_URL's (the
rate limit counts there, as in production); each run adds a resident of its own and the bookings
it makes. The app's CPU is time.process_time() around each WSGI call; PostgreSQL's is the utime +
stime of the app's backends (/proc, the server on this machine) over the run. The request log
is formatted as in production and written to /dev/null. /healthz is measured alike, as the yardstick.
"""

import argparse
import cProfile
import functools
import io
import json
import logging
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The app's code: this checkout's, unless PYTHONPATH names another (to measure another version).
sys.path.append(str(Path(__file__).resolve().parent.parent))
import run  # the bench's environment and database

WARM_UP = 50  # requests, after one booking at each station (its offer read into the process's table)
PHONE = "13700000001"
BLOCK = 10  # bookings, then as many /healthz, in turn
CAPACITY = 100_000
APPLICATION = "booking-profile"  # the app's connections to PostgreSQL
TICK = os.sysconf("SC_CLK_TCK")


def timed_steps(totals: dict) -> None:
    """Wraps each step of POST /api/v1/bookings on PostgreSQL, in the order they run, to add up
    its time; the ORM path's (SQLite, or a request refused before the write) are not timed."""
    import accounts.auth
    from booking import bookings, one_statement
    from booking.schemas import BookingSchema

    steps = [
        (accounts.auth, "find_session", "log-in: session and roles"),
        (one_statement, "offer_as_read", "the offer as this process read it"),
        (bookings, "_placement_in", "booking window and slot start"),
        (one_statement, "book", "book_place(): the write in one statement"),
        (BookingSchema, "dump", "response serialisation"),
        (Session, "commit", "commit"),
    ]
    for owner, name, label in steps:
        function = getattr(owner, name)

        @functools.wraps(function)
        def timed(*args, _function=function, _label=label, **kwargs):
            started = time.perf_counter()
            try:
                return _function(*args, **kwargs)
            finally:
                totals[_label] += time.perf_counter() - started

        setattr(owner, name, timed)


def record_statements(engine, statements: list) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def started(connection, cursor, statement, parameters, context, executemany):
        connection.info["statement_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def finished(connection, cursor, statement, parameters, context, executemany):
        statements.append(
            (" ".join(statement.split())[:70], time.perf_counter() - connection.info["statement_started"])
        )


def count_statements(engine, counts: list) -> None:
    """counts[0]: statements sent, counts[1]: commits (a listener of a microsecond each)."""

    @event.listens_for(engine, "before_cursor_execute")
    def sent(*_args):
        counts[0] += 1

    @event.listens_for(engine, "commit")
    def committed(*_args):
        counts[1] += 1


def backend_cpu_seconds(database_url: str) -> dict[int, float]:
    """utime + stime of each of the app's backends (told by their application_name)."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        pids = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            (APPLICATION,),
        ).fetchall()
    seconds = {}
    for (pid,) in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return seconds


class Bench:
    """The app, a resident of its own with a session, and the stations offering cleaning."""

    def __init__(self):
        from accounts.models import User
        from accounts.services import start_session
        from app import create_app
        from app.extensions import db
        from app.privacy import blind_index
        from booking.models import StationOffer

        self.app = create_app()
        # The request log formatted as in production, written nowhere.
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(open(os.devnull, "w"))
        with self.app.app_context():
            resident = User(openid=f"profile-{uuid.uuid4().hex}", phone=PHONE, phone_hash=blind_index(PHONE))
            db.session.add(resident)
            db.session.flush()
            self.token = start_session(resident)
            self.stations = db.session.scalars(
                select(StationOffer.station_code).where(StationOffer.service_code == "cleaning")
            ).all()
            db.session.commit()
            self.engine = db.engine

    def warm_up(self) -> None:
        for station in random.sample(self.stations, len(self.stations)):
            self.book(self.booking_environ(station))
        for _ in range(WARM_UP):
            self.book(self.booking_environ())

    def booking_environ(self, station: str | None = None) -> dict:
        from app.clock import BEIJING

        day = datetime.now(BEIJING).date() + timedelta(days=random.randint(1, 6))
        body = {
            "station_code": station or random.choice(self.stations),
            "service_code": "cleaning",
            "starts_at": datetime.combine(day, clock(random.choice([8, 10, 12, 14, 16])), BEIJING).isoformat(),
            "address": "天河区天河路 1 号",
            "location": {"lat": 23.13, "lng": 113.32},
            "contact_name": "压测",
        }
        headers = Headers({"Authorization": f"Bearer {self.token}", "Idempotency-Key": uuid.uuid4().hex})
        return EnvironBuilder(path="/api/v1/bookings", method="POST", json=body, headers=headers).get_environ()

    def call(self, environ: dict) -> tuple[str, bytes]:
        """One request through the WSGI app, its status and body read as a server would."""
        answer: list[str] = []

        def start_response(status, headers, exc_info=None):
            answer.append(status)
            return lambda data: None

        body = self.app(environ, start_response)
        try:
            content = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        return answer[0], content

    def book(self, environ: dict) -> int:
        status, content = self.call(environ)
        code = int(status.split()[0])
        assert code in (201, 409), content  # 409: a full slot
        return code

    def cpu_of(self, request, environ: dict) -> float:
        started = time.process_time()
        request(environ)
        return time.process_time() - started


def measure(bench: Bench, count: int, database_url: str) -> dict:
    """CPU µs per booking in the app (median and mean of each request's) and in PostgreSQL (the
    run's total over its bookings), statements and commits per booking; and /healthz's app CPU,
    in turns of BLOCK requests each, so that both see the same load on a shared machine and their
    ratio holds when the machine's speed does not."""
    bench.warm_up()
    health = [EnvironBuilder(path="/healthz").get_environ() for _ in range(count + WARM_UP)]
    for environ in health[:WARM_UP]:
        bench.call(environ)
    counts = [0, 0]
    count_statements(bench.engine, counts)
    environs = [bench.booking_environ() for _ in range(count)]
    statuses, app_cpu, health_cpu = [], [], []
    backend_before = backend_cpu_seconds(database_url)
    for block in range(0, count, BLOCK):
        for environ in environs[block : block + BLOCK]:
            app_cpu.append(bench.cpu_of(lambda environ: statuses.append(bench.book(environ)), environ))
        for environ in health[WARM_UP + block : WARM_UP + block + BLOCK]:
            health_cpu.append(bench.cpu_of(bench.call, environ))
    backend_after = backend_cpu_seconds(database_url)
    backend = sum(seconds - backend_before.get(pid, 0.0) for pid, seconds in backend_after.items())
    return {
        "requests": count,
        "created": statuses.count(201),
        "app_us_median": statistics.median(app_cpu) * 1e6,
        "app_us_mean": statistics.mean(app_cpu) * 1e6,
        "postgres_us_mean": backend / count * 1e6,
        "statements": counts[0] / count,
        "commits": counts[1] / count,
        "healthz_app_us_median": statistics.median(health_cpu) * 1e6,
        "app_in_healthz": statistics.median(app_cpu) / statistics.median(health_cpu),
        "code": str(Path(sys.modules["app"].__file__ or "").parent.parent),
    }


def steps(bench: Bench, count: int) -> None:
    bench.warm_up()
    totals: defaultdict[str, float] = defaultdict(float)
    statements: list[tuple[str, float]] = []
    timed_steps(totals)
    record_statements(bench.engine, statements)
    durations, per_request, created = [], [], 0
    for _ in range(count):
        environ = bench.booking_environ()
        before, started = len(statements), time.perf_counter()
        created += bench.book(environ) == 201
        durations.append(time.perf_counter() - started)
        per_request.append(len(statements) - before)
    print(
        f"{count} requests, {created} bookings made: median {statistics.median(durations) * 1000:.2f} ms, "
        f"{statistics.median(per_request):.0f} statements"
    )
    print("mean ms per request, by step:")
    for label, total in totals.items():
        print(f"  {total / count * 1000:6.2f}  {label}")
    by_statement = defaultdict(list)
    for statement, duration in statements:
        by_statement[statement].append(duration)
    print("statements: times per request x mean ms inside the driver")
    for statement, timings in sorted(by_statement.items(), key=lambda item: -sum(item[1])):
        print(f"  {len(timings) / count:4.2f} x {statistics.mean(timings) * 1000:5.2f}  {statement}")
    print(f"  in the driver per request: {sum(d for _, d in statements) / count * 1000:.2f} ms")


def profile(bench: Bench, count: int, lines: int) -> None:
    """cProfile of `count` bookings' CPU (the profiler's own cost inflates every figure alike),
    also saved in bench/results/booking_profile.pstats."""
    bench.warm_up()
    environs = [bench.booking_environ() for _ in range(count)]
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for environ in environs:
        bench.book(environ)
    profiler.disable()
    run.LOG_FOLDER.mkdir(exist_ok=True)
    profiler.dump_stats(run.LOG_FOLDER / "booking_profile.pstats")  # for `python -m pstats`
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(lines)
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, nargs="?", default=500, help="bookings measured (after a warm-up)")
    parser.add_argument("--prepare", action="store_true", help="make the bench database afresh, then stop")
    parser.add_argument("--steps", action="store_true", help="mean time of each step and statement instead")
    parser.add_argument("--profile", type=int, metavar="LINES", help="cProfile's top LINES functions instead")
    parser.add_argument("--json", action="store_true", help="the figures as one JSON line")
    args = parser.parse_args()
    env = run.bench_environment() | {"LOG_LEVEL": "INFO"}
    if args.prepare:
        run.prepare_database(env, run.DATABASE_URL)
        with psycopg.connect(run.DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")) as connection:
            # Room for every run's bookings: each request books (201), none finds its slot full.
            connection.execute("UPDATE station_offers SET capacity = %s WHERE service_code = 'cleaning'", (CAPACITY,))
        return
    os.environ.update(env | {"DATABASE_URL": f"{run.DATABASE_URL}?application_name={APPLICATION}"})
    # Metrics kept in files as under gunicorn (gunicorn.conf.py), set before prometheus_client loads.
    metrics = tempfile.TemporaryDirectory(prefix="booking-profile-metrics-")
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics.name)
    bench = Bench()
    if args.steps:
        steps(bench, args.count)
    elif args.profile:
        profile(bench, args.count, args.profile)
    else:
        figures = measure(bench, args.count, run.DATABASE_URL)
        if args.json:
            print(json.dumps(figures))
        else:
            print(
                f"{figures['requests']} requests, {figures['created']} bookings made, on "
                f"{urlsplit(run.DATABASE_URL).path.lstrip('/')} by the code in {figures['code']}\n"
                f"  app CPU per booking: median {figures['app_us_median']:.0f} µs, "
                f"mean {figures['app_us_mean']:.0f} µs\n"
                f"  PostgreSQL CPU per booking: {figures['postgres_us_mean']:.0f} µs (mean)\n"
                f"  statements per booking: {figures['statements']:.2f}, commits {figures['commits']:.2f}\n"
                f"  /healthz app CPU: median {figures['healthz_app_us_median']:.0f} µs "
                f"(a booking's app CPU is {figures['app_in_healthz']:.1f} × /healthz's)"
            )


if __name__ == "__main__":
    main()
