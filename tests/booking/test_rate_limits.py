"""A script cannot flood a station with bookings or complaints: each resident is limited."""

import pytest


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
