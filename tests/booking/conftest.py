"""Builders for the booking tests: the catalogue and default hours (seeded once per backend, as
`flask booking defaults` would), residents with a bound phone, station staff, green workers, and
bookings made and moved through the API."""

import itertools
import uuid
from datetime import datetime, time, timedelta

import pytest

from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from booking.hours import seed_defaults
from tests.credit.conftest import make_applicant, make_company, make_issued, operator, step, token_of  # noqa: F401

STATION_A = "440106001000"  # 五山街道, 天河区
STATION_B = "440106002000"  # 员村街道, 天河区
STATION_A_GCJ02 = {"lat": 23.15888, "lng": 113.34684, "crs": "gcj02"}
_phones = itertools.count(13800000000)


@pytest.fixture(scope="session", autouse=True)
def catalogue(app):
    """Seeded and committed once per backend; tests change it only inside their rolled-back transaction."""
    with app.app_context():
        seed_defaults()
        db.session.commit()


def slot_start(days_ahead: int = 1, hour: int = 10) -> datetime:
    """A cleaning slot (08:00 + n x 2 h, Beijing time) `days_ahead` days from today."""
    return datetime.combine(today_in_beijing() + timedelta(days=days_ahead), time(hour), BEIJING)


def booking_body(starts_at: datetime | str | None = None, **fields) -> dict:
    starts_at = starts_at or slot_start()
    return {"station_code": STATION_A, "service_code": "cleaning",
            "starts_at": starts_at.isoformat() if isinstance(starts_at, datetime) else starts_at, "address": "天河区五山路 1 号 2 栋 301",
            "location": STATION_A_GCJ02, "contact_name": "陈女士"} | fields


def key_header(key: str | None = None) -> dict:
    return {"Idempotency-Key": key or uuid.uuid4().hex}


@pytest.fixture
def resident(login):
    """A new resident with a bound phone."""
    return lambda: login(phone=str(next(_phones)))


@pytest.fixture
def staff(login):
    return lambda station_code=STATION_A: login("station_staff", station_code=station_code)


@pytest.fixture
def book(client, resident):
    """book(headers=None, starts_at=None, **fields) -> (response, resident headers)."""

    def make(headers=None, starts_at=None, key=None, **fields):
        headers = headers or resident()
        response = client.post("/api/v1/bookings", json=booking_body(starts_at, **fields),
                               headers=headers | key_header(key))
        return response, headers

    return make


@pytest.fixture
def booked(book):
    """A pending booking: (booking, resident headers)."""

    def make(**fields):
        response, headers = book(**fields)
        assert response.status_code == 201, response.json
        return response.json, headers

    return make


@pytest.fixture
def green_worker(make_company, make_issued):
    """An issued, green worker of a company who offers 保洁 (and 育婴)."""
    return lambda **fields: make_issued(**({"company_id": make_company()["id"]} | fields))


@pytest.fixture
def act(client):
    """act(booking_id, action, headers, body=None) -> response of POST /bookings/<id>/<action>."""
    return lambda booking_id, action, headers, body=None: client.post(
        f"/api/v1/bookings/{booking_id}/{action}", json=body or {}, headers=headers)


@pytest.fixture
def assigned(booked, act, staff, green_worker):
    """A booking confirmed and assigned to a green worker: (booking, resident headers, staff headers, worker)."""

    def make(worker=None, **fields):
        booking, headers = booked(**fields)
        clerk, worker = staff(), worker or green_worker()
        assert act(booking["id"], "confirm", clerk).status_code == 200
        response = act(booking["id"], "assign", clerk, {"worker_id": worker["id"]})
        assert response.status_code == 200, response.json
        return response.json, headers, clerk, worker

    return make


@pytest.fixture
def completed(assigned, act):
    def make(**fields):
        booking, headers, clerk, worker = assigned(**fields)
        assert act(booking["id"], "start", clerk).status_code == 200
        response = act(booking["id"], "complete", clerk)
        assert response.status_code == 200, response.json
        return response.json, headers, clerk, worker

    return make
