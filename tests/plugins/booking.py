"""Residents with a bound phone, station staff, green workers, and bookings made and moved through
the API, from the catalogue (`catalogue`) seeded once per backend."""

import pytest

from app.extensions import db
from booking.hours import seed_defaults
from tests.factories import STATION_A, booking_body, key_header, phones, the_runs_clock


@pytest.fixture(scope="session")
def catalogue(app):
    """The services and default hours, seeded and committed once per backend as `flask booking
    defaults` would, under the run's clock; tests change them only inside their rolled-back
    transaction. The folders whose every test books ask for it by an autouse fixture of their own."""
    with app.app_context(), the_runs_clock():
        seed_defaults()
        db.session.commit()


@pytest.fixture
def resident(login):
    """A new resident with a bound phone."""
    return lambda: login(phone=str(next(phones)))


@pytest.fixture
def staff(login):
    return lambda station_code=STATION_A: login("station_staff", station_code=station_code)


@pytest.fixture
def book(client, resident):
    """book(headers=None, starts_at=None, **fields) -> (response, resident headers)."""

    def make(headers=None, starts_at=None, key=None, **fields):
        headers = headers or resident()
        response = client.post(
            "/api/v1/bookings", json=booking_body(starts_at, **fields), headers=headers | key_header(key)
        )
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
    """An issued, green worker of a company who offers cleaning (保洁) and childcare (育婴)."""
    return lambda **fields: make_issued(**({"company_id": make_company()["id"]} | fields))


@pytest.fixture
def act(client):
    """act(booking_id, action, headers, body=None) -> response of POST /bookings/<id>/<action>."""
    return lambda booking_id, action, headers, body=None: client.post(
        f"/api/v1/bookings/{booking_id}/{action}", json=body or {}, headers=headers
    )


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
