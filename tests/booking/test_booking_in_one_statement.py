"""On PostgreSQL a resident's booking is written by one statement (book_place(), migration 0027):
the request reads the log-in's session and sends that one statement, and what the answer and
the messages need comes back with it. SQLite keeps the ORM path; both answer alike. The last
place booked by many at once: tests/booking/test_concurrency.py."""

import pytest

from app.extensions import db
from tests.factories import STATION_A, booking_body, key_header, slot_start


@pytest.fixture
def on_postgresql(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite keeps the ORM path")


@pytest.fixture
def station_names_kept(app, monkeypatch):
    """The station names the answer and the messages show, kept by the process as in production
    (the tests' apps read the stations' version on every request)."""
    monkeypatch.setitem(app.config, "STATIONS_VERSION_TTL", 60)


def test_a_booking_costs_its_session_read_and_one_statement(
    on_postgresql, station_names_kept, client, resident, count_statements
):
    headers = resident()
    first = client.post("/api/v1/bookings", json=booking_body(slot_start(1, 8)), headers=headers | key_header())
    assert first.status_code == 201, first.json  # this process has read the offer now
    with count_statements() as statements:
        response = client.post("/api/v1/bookings", json=booking_body(slot_start(2, 8)), headers=headers | key_header())
    assert response.status_code == 201, response.json
    session_read, *writes = statements
    assert "FROM auth_sessions" in session_read
    assert len(writes) == 1 and "FROM book_place(" in writes[0]
    assert response.json["status_name"] == "待接单" and response.json["station_name"] == "五山街道"


def test_a_retry_with_the_same_key_answers_the_same_booking_and_another_body_is_refused(client, resident):
    headers, key = resident(), key_header()
    made = client.post("/api/v1/bookings", json=booking_body(), headers=headers | key)
    again = client.post("/api/v1/bookings", json=booking_body(), headers=headers | key)
    other = client.post("/api/v1/bookings", json=booking_body(slot_start(2)), headers=headers | key)
    assert (made.status_code, again.status_code) == (201, 200)
    assert again.json == made.json
    assert (other.status_code, other.json["code"]) == (422, "idempotency_key_reused")


def test_a_booking_reads_back_as_it_was_answered_with_its_first_event(client, resident):
    headers = resident()
    made = client.post(
        "/api/v1/bookings", json=booking_body(notes="请带鞋套", contact_name="陈女士"), headers=headers | key_header()
    )
    assert made.status_code == 201, made.json
    detail = client.get(f"/api/v1/bookings/{made.json['id']}", headers=headers).json
    assert {name: detail[name] for name in made.json} == made.json
    assert [(event["action"], event["to_status"]) for event in detail["events"]] == [("create", "pending")]


def test_new_hours_apply_to_the_very_next_booking(client, resident, staff):
    headers, clerk = resident(), staff()
    assert client.post("/api/v1/bookings", json=booking_body(), headers=headers | key_header()).status_code == 201
    hours = {"opens_at": "08:00", "closes_at": "18:00", "slot_minutes": 60, "capacity": 3}
    assert client.put(f"/api/v1/stations/{STATION_A}/offers/cleaning", json=hours, headers=clerk).status_code == 200
    at_ten = client.post("/api/v1/bookings", json=booking_body(slot_start(2, 10)), headers=headers | key_header())
    assert at_ten.status_code == 201, at_ten.json
    assert (at_ten.json["starts_at"][11:16], at_ten.json["ends_at"][11:16]) == ("10:00", "11:00")
    at_nine = client.post("/api/v1/bookings", json=booking_body(slot_start(2, 9)), headers=headers | key_header())
    assert at_nine.status_code == 201, at_nine.json


def test_a_station_that_stops_offering_a_service_takes_no_more_bookings_of_it(client, resident, staff):
    headers, clerk = resident(), staff()
    assert client.post("/api/v1/bookings", json=booking_body(), headers=headers | key_header()).status_code == 201
    hours = {"opens_at": "08:00", "closes_at": "18:00", "slot_minutes": 120, "capacity": 3, "active": False}
    assert client.put(f"/api/v1/stations/{STATION_A}/offers/cleaning", json=hours, headers=clerk).status_code == 200
    refused = client.post("/api/v1/bookings", json=booking_body(slot_start(2)), headers=headers | key_header())
    assert (refused.status_code, refused.json["code"]) == (422, "not_offered")
