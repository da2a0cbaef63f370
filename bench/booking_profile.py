"""Where one booking's time goes: books cleaning slots through the app with one client (no HTTP
server, no load), then prints the mean time of each step of booking creation and of each SQL
statement inside the database driver (docs/performance.md).

    PYTHONPATH=. APP_ENV=development BOOKING_RATE_LIMIT=100000000/minute \
        DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_bench \
        .venv/bin/python bench/booking_profile.py 500

Run it against a database `make bench` prepared (stations, offers); it adds a resident of its own
and the bookings it makes.
"""

import functools
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from datetime import time as clock

from sqlalchemy import event, select
from sqlalchemy.orm import Session

import accounts.auth
from accounts.models import User
from accounts.services import start_session
from app import create_app
from app.clock import BEIJING
from app.extensions import db
from app.privacy import blind_index
from booking import bookings, one_statement
from booking.models import StationOffer
from booking.schemas import BookingSchema

WARM_UP = 50
PHONE = "13700000001"
# (module, function, label): the steps of POST /api/v1/bookings on PostgreSQL, in the order they
# run; the ORM path's (SQLite, or a request refused before the write) are not timed.
STEPS = [
    (accounts.auth, "find_session", "log-in: session and roles"),
    (one_statement, "offer_as_read", "the offer as this process read it"),
    (bookings, "_placement_in", "booking window and slot start"),
    (one_statement, "book", "book_place(): the write in one statement"),
    (BookingSchema, "dump", "response serialisation"),
    (Session, "commit", "commit"),
]


def timed_steps(totals: dict) -> None:
    for owner, name, label in STEPS:
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


def main(count: int) -> None:
    app = create_app({"LOG_LEVEL": "WARNING"})
    with app.app_context():
        resident = User(openid=f"profile-{uuid.uuid4().hex}", phone=PHONE, phone_hash=blind_index(PHONE))
        db.session.add(resident)
        db.session.flush()
        headers = {"Authorization": f"Bearer {start_session(resident)}"}
        stations = db.session.scalars(
            select(StationOffer.station_code).where(StationOffer.service_code == "cleaning")
        ).all()
        db.session.commit()
        engine = db.engine
    client = app.test_client()

    def book() -> tuple[int, float]:
        day = datetime.now(BEIJING).date() + timedelta(days=random.randint(1, 6))
        body = {
            "station_code": random.choice(stations),
            "service_code": "cleaning",
            "starts_at": datetime.combine(day, clock(random.choice([8, 10, 12, 14, 16])), BEIJING).isoformat(),
            "address": "天河区天河路 1 号",
            "location": {"lat": 23.13, "lng": 113.32},
            "contact_name": "压测",
        }
        started = time.perf_counter()
        response = client.post("/api/v1/bookings", json=body, headers=headers | {"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code in (201, 409), response.json  # 409: a full slot
        return response.status_code, time.perf_counter() - started

    for _ in range(WARM_UP):
        book()
    totals, statements = defaultdict(float), []
    timed_steps(totals)
    record_statements(engine, statements)
    durations, per_request, created = [], [], 0
    for _ in range(count):
        before = len(statements)
        status, duration = book()
        created += status == 201
        durations.append(duration)
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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
