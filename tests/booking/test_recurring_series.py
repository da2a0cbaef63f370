"""A resident books a weekly cleaning for three months in one request: every date that has a
place is booked, each one not booked says why, the same request sent again books nothing more,
one date or the rest of the series can be cancelled, and a date moved stays in its series."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.factories import STATION_A, booking_body, key_header, slot_start
from wechat.models import SubscribeMessage


def series_body(first=None, count=13, every_days=7, **fields) -> dict:
    return booking_body(first or slot_start(), count=count, every_days=every_days, **fields)


@pytest.fixture
def book_series(client, resident):
    """book_series(headers=None, key=None, **body) -> (response, resident headers)."""

    def make(headers=None, key=None, **body):
        headers = headers or resident()
        response = client.post("/api/v1/series", json=series_body(**body), headers=headers | key_header(key))
        return response, headers

    return make


def outcomes(series: dict) -> list[str]:
    return [occurrence["outcome"] for occurrence in series["occurrences"]]


def test_a_weekly_cleaning_for_three_months_books_thirteen_dates_beyond_the_week(book_series, client):
    response, headers = book_series()
    assert response.status_code == 201, response.json
    series = response.json
    assert (series["status"], series["count"], series["every_days"], series["booked"]) == ("active", 13, 7, 13)
    assert outcomes(series) == ["booked"] * 13
    starts = [occurrence["booking"]["starts_at"] for occurrence in series["occurrences"]]
    assert starts[0] == slot_start().isoformat() and starts[12] == slot_start(1 + 12 * 7).isoformat()
    assert {o["booking"]["status"] for o in series["occurrences"]} == {"pending"}
    mine = client.get("/api/v1/bookings", query_string={"per_page": 50}, headers=headers).json
    assert mine["total"] == 13
    assert series["events"][0]["action"] == "create"
    assert series["events"][0]["details"] == {"booked": 13, "not_booked": {}}


def test_the_resident_is_told_once_that_the_series_was_received(app, book_series, client):
    response, headers = book_series(count=4)
    user_id = client.get("/api/v1/me", headers=headers).json["id"]
    with app.app_context():
        sent = db.session.scalars(select(SubscribeMessage).where(SubscribeMessage.user_id == user_id)).all()
        assert [(m.kind, m.data["time2"]) for m in sent] == [
            ("booking_received", slot_start().strftime("%Y-%m-%d %H:%M"))
        ]


def test_dates_that_cannot_be_booked_say_why_and_the_others_are_booked(
    app, book, book_series, client, operator, monkeypatch
):
    for _ in range(3):  # the first date's slot is full
        assert book()[0].status_code == 201
    closed = (slot_start(15)).date().isoformat()
    response = client.put(
        f"/api/v1/stations/{STATION_A}/closed-days/{closed}", json={"reason": "盘点"}, headers=operator
    )
    assert response.status_code == 200
    monkeypatch.setitem(app.config, "SERIES_HORIZON_DAYS", 30)
    response, _ = book_series(count=6)
    assert response.status_code == 201, response.json
    assert outcomes(response.json) == [
        "slot_full",
        "booked",
        "station_closed",
        "booked",
        "booked",
        "beyond_series_horizon",
    ]
    assert [o["booking"] is None for o in response.json["occurrences"]] == [True, False, True, False, False, True]
    assert response.json["events"][0]["details"] == {
        "booked": 3,
        "not_booked": {"slot_full": 1, "station_closed": 1, "beyond_series_horizon": 1},
    }


def test_a_date_when_the_preferred_worker_is_busy_is_not_booked(book_series, booked, act, staff, green_worker):
    worker = green_worker()
    other, _ = booked(starts_at=slot_start(1))
    clerk = staff()
    assert act(other["id"], "confirm", clerk).status_code == 200
    assert act(other["id"], "assign", clerk, {"worker_id": worker["id"]}).status_code == 200
    response, _ = book_series(count=3, preferred_worker_id=worker["id"])
    assert outcomes(response.json) == ["preferred_worker_busy", "booked", "booked"]
    assert {o["booking"]["preferred_worker_id"] for o in response.json["occurrences"][1:]} == {worker["id"]}


def test_the_same_series_request_sent_again_books_nothing_more(book_series, client):
    first, headers = book_series(key="series-retry-key", count=3)
    again, _ = book_series(headers=headers, key="series-retry-key", count=3)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert client.get("/api/v1/bookings", headers=headers).json["total"] == 3
    other, _ = book_series(headers=headers, key="series-retry-key", count=4)
    assert (other.status_code, other.json["code"]) == (422, "idempotency_key_reused")


def test_cancelling_one_date_leaves_the_others_booked(book_series, client):
    response, headers = book_series(count=3)
    second = response.json["occurrences"][1]["booking"]["id"]
    assert client.post(f"/api/v1/bookings/{second}/cancel", json={}, headers=headers).status_code == 200
    series = client.get(f"/api/v1/series/{response.json['id']}", headers=headers).json
    assert [o["booking"]["status"] for o in series["occurrences"]] == ["pending", "cancelled", "pending"]
    assert series["status"] == "active"


def test_cancelling_the_rest_cancels_the_dates_from_then_and_ends_the_series(book_series, client):
    response, headers = book_series(count=5)
    series_id = response.json["id"]
    from_third = slot_start(15).isoformat()
    cancelled = client.post(
        f"/api/v1/series/{series_id}/cancel", json={"from": from_third, "reason": "搬家"}, headers=headers
    )
    assert cancelled.status_code == 200, cancelled.json
    assert [o["booking"]["status"] for o in cancelled.json["occurrences"]] == ["pending", "pending"] + ["cancelled"] * 3
    assert cancelled.json["status"] == "cancelled"
    assert cancelled.json["events"][-1]["action"] == "cancel_rest"
    again = client.post(f"/api/v1/series/{series_id}/cancel", json={}, headers=headers)
    assert (again.status_code, again.json["code"], again.json["errors"]) == (
        409,
        "status_conflict",
        {"status": ["cancelled"]},
    )


def test_a_date_moved_to_another_day_beyond_the_week_stays_in_its_series(book_series, client):
    response, headers = book_series(count=3)
    third = response.json["occurrences"][2]["booking"]["id"]
    moved = client.post(
        f"/api/v1/bookings/{third}/reschedule", json={"starts_at": slot_start(16, 14).isoformat()}, headers=headers
    )
    assert moved.status_code == 200, moved.json
    series = client.get(f"/api/v1/series/{response.json['id']}", headers=headers).json
    assert series["occurrences"][2]["booking"]["id"] == third
    assert series["occurrences"][2]["booking"]["starts_at"] == slot_start(16, 14).isoformat()
    assert series["occurrences"][2]["planned_starts_at"] == slot_start(15).isoformat()


def test_a_single_booking_still_cannot_move_beyond_the_week(booked, client):
    booking, headers = booked()
    moved = client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule", json={"starts_at": slot_start(16).isoformat()}, headers=headers
    )
    assert (moved.status_code, moved.json["code"]) == (422, "outside_booking_window")


def test_the_station_reads_a_series_and_another_resident_does_not_find_it(book_series, client, staff, resident):
    response, _ = book_series(count=2)
    path = f"/api/v1/series/{response.json['id']}"
    assert client.get(path, headers=staff()).status_code == 200
    assert client.get(path, headers=resident()).status_code == 404
    assert client.get(path, headers=staff("440106002000")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"count": 0}, "count", "invalid_input"),
        ({"count": 14}, "count", "too_many_occurrences"),
        ({"every_days": 0}, "every_days", "invalid_input"),
        ({"first": slot_start(8)}, "starts_at", "outside_booking_window"),
        ({"first": slot_start(1, 9)}, "starts_at", "not_a_slot_start"),
        ({"service_code": "ironing"}, "service_code", "not_offered"),
        ({"location": {"lat": 39.9, "lng": 116.4}}, "location", "outside_service_area"),
    ],
)
def test_a_series_request_that_cannot_be_booked_names_the_field_and_books_nothing(
    book_series, client, body, field, code
):
    response, headers = book_series(**body)
    assert response.status_code == 422, response.json
    assert (response.json["code"], list(response.json["errors"])) == (code, [field])
    assert client.get("/api/v1/bookings", headers=headers).json["total"] == 0


def test_a_resident_without_a_phone_cannot_book_a_series(client, login):
    response = client.post("/api/v1/series", json=series_body(), headers=login() | key_header())
    assert (response.status_code, response.json["code"]) == (403, "phone_required")


def test_the_horizon_is_three_months_by_default(app):
    assert app.config["SERIES_HORIZON_DAYS"] == 92 and app.config["SERIES_MAX_OCCURRENCES"] == 13
    assert slot_start(1 + 12 * 7).date() - slot_start(0).date() < timedelta(days=92)
