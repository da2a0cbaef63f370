"""A script cannot flood a station with bookings or complaints: each resident is limited."""

import pytest
from limits import parse

from app import create_app
from app.extensions import db
from tests.factories import REDIS_URL, booking_body, key_header


@pytest.fixture
def limits(app, monkeypatch):
    # Rolled-back tests can hand a user id out again; its count must not carry over.
    app.extensions["rate_limiters"]["local"].storage.reset()
    monkeypatch.setitem(app.config, "BOOKING_RATE_LIMIT", "2/hour")
    monkeypatch.setitem(app.config, "COMPLAINT_RATE_LIMIT", "1/hour")


def test_a_resident_booking_too_often_gets_429_and_others_still_book(limits, book, resident):
    headers = resident()
    statuses = [book(headers=headers)[0].status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    refused, _ = book(headers=headers)
    assert refused.mimetype == "application/problem+json" and int(refused.headers["Retry-After"]) >= 1
    assert book()[0].status_code == 201


def test_a_resident_complaining_too_often_gets_429(limits, booked, client):
    booking, headers = booked()
    complaint = {"type": "attitude", "text": "服务态度差"}
    first = client.post(f"/api/v1/bookings/{booking['id']}/complaints", json=complaint, headers=headers)
    second = client.post(f"/api/v1/bookings/{booking['id']}/complaints", json=complaint, headers=headers)
    assert (first.status_code, second.status_code) == (201, 429)


def test_retrying_a_booking_with_its_key_does_not_use_up_the_limit(limits, book, resident):
    headers = resident()
    first, _ = book(headers=headers, key="the-same-key-0001")
    replays = [book(headers=headers, key="the-same-key-0001")[0].status_code for _ in range(9)]
    assert (first.status_code, set(replays)) == (201, {200})
    assert book(headers=headers)[0].status_code == 201


def test_refused_bookings_do_not_use_up_the_limit(limits, book, resident):
    headers = resident()
    refusals = [book(headers=headers, station_code="440106999000")[0].status_code for _ in range(5)]
    assert set(refusals) == {422}
    assert [book(headers=headers)[0].status_code for _ in range(3)] == [201, 201, 429]


def test_refused_complaints_do_not_use_up_the_limit(limits, booked, client):
    booking, headers = booked()
    url = f"/api/v1/bookings/{booking['id']}/complaints"
    assert client.post(url, json={"type": "no-such-type", "text": "x"}, headers=headers).status_code == 422
    assert client.post(url, json={"type": "attitude", "text": "服务态度差"}, headers=headers).status_code == 201


def test_with_redis_a_retried_booking_does_not_use_up_the_shared_limit(app, resident, isolated):
    shared = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": REDIS_URL,
            "BOOKING_RATE_LIMIT": "2/hour",
        }
    )
    headers = resident()
    client = shared.test_client()
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me is not None
    with shared.app_context():
        # Rolled-back tests hand user ids out again: a count an earlier run left in Redis must not carry over.
        shared.extensions["rate_limiters"]["shared"].clear(parse("2/hour"), "create_booking", f"user:{me['id']}")
    body = booking_body()
    statuses = [
        client.post("/api/v1/bookings", json=body, headers=headers | key_header("retried-key-01")).status_code
        for _ in range(4)
    ]
    assert statuses == [201, 200, 200, 200]
    assert client.post("/api/v1/bookings", json=booking_body(), headers=headers | key_header()).status_code == 201
    with shared.app_context():
        db.engine.dispose()
