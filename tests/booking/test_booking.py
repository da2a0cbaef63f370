"""A resident books one place with one tap, retries safely, cancels, reschedules and sees their
own bookings; bad input is a problem naming the field, never a 500 or a half-written booking."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from booking.models import Booking, Slot
from tests.factories import STATION_A, booking_body, key_header, slot_start


def places_left(client, starts_at, station=STATION_A, service="cleaning"):
    days = client.get(f"/api/v1/availability?service={service}&station={station}").json["days"]
    return next(s["remaining"] for d in days for s in d["slots"] if s["starts_at"] == starts_at.isoformat())


def test_a_resident_books_a_slot_and_sees_it_pending_in_beijing_time(book, client):
    response, headers = book()
    assert response.status_code == 201
    booking = response.json
    assert booking["status"] == "pending" and booking["status_name"] == "待接单"
    assert booking["starts_at"] == slot_start().isoformat() and booking["starts_at"].endswith("+08:00")
    assert booking["service"]["name"] == "保洁" and booking["station_name"] == "五山街道"
    assert booking["address"] == "天河区五山路 1 号 2 栋 301"
    assert booking["location"]["crs"] == "gcj02"
    assert booking["location"]["lat"] == pytest.approx(23.15888, abs=1e-6)
    mine = client.get("/api/v1/bookings", headers=headers).json
    assert [b["id"] for b in mine["items"]] == [booking["id"]]


def test_the_same_key_and_body_returns_the_same_booking_without_taking_another_place(book, client):
    first, headers = book(key="retry-key-0001")
    before = places_left(client, slot_start())
    again, _ = book(headers=headers, key="retry-key-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert places_left(client, slot_start()) == before
    assert client.get("/api/v1/bookings", headers=headers).json["total"] == 1


def test_the_same_key_with_a_different_body_is_refused_naming_the_header(book):
    _, headers = book(key="retry-key-0002")
    response, _ = book(headers=headers, key="retry-key-0002", notes="请带吸尘器")
    assert response.status_code == 422 and response.json["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json["errors"]


def test_a_key_is_the_residents_own_so_two_residents_may_use_the_same_one(book):
    first, _ = book(key="shared-key-0001")
    second, _ = book(key="shared-key-0001")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json["id"] != second.json["id"]


def test_booking_needs_an_idempotency_key(client, resident):
    response = client.post("/api/v1/bookings", json=booking_body(), headers=resident())
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]


def test_booking_needs_a_login_and_a_bound_phone(client, login):
    assert client.post("/api/v1/bookings", json=booking_body(), headers=key_header()).status_code == 401
    response = client.post("/api/v1/bookings", json=booking_body(), headers=login() | key_header())
    assert response.status_code == 403 and response.json["code"] == "phone_required"
    assert "手机号" in response.json["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "明天上午"}, "starts_at"),
        ({"address": ""}, "address"),
        ({"location": {"lat": 123, "lng": 113.3}}, "location"),
        ({"station_code": "abc"}, "station_code"),
        ({"preferred_worker_id": 0}, "preferred_worker_id"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_booking_input_is_a_422_naming_the_field(book, change, field):
    response, _ = book(**change)
    assert response.status_code == 422
    assert field in response.json["errors"]


@pytest.mark.parametrize(
    ("starts_at", "field_hint"),
    [
        (lambda: slot_start(hour=11), "某个时段的开始时间"),  # between two cleaning slots
        (lambda: slot_start(days_ahead=8), "之间的未来时段"),  # beyond the 7 days
        (lambda: slot_start(days_ahead=-1), "之间的未来时段"),
        (lambda: slot_start(hour=18), "某个时段的开始时间"),  # after closing
    ],
)
def test_a_time_that_is_not_a_bookable_slot_is_a_422_and_books_nothing(book, app, starts_at, field_hint):
    response, _ = book(starts_at=starts_at())
    assert response.status_code == 422
    assert field_hint in response.json["errors"]["starts_at"][0]
    codes = {"某个时段的开始时间": "not_a_slot_start", "之间的未来时段": "outside_booking_window"}
    assert response.json["code"] == codes[field_hint]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_a_service_the_station_does_not_offer_is_a_422(book):
    response, _ = book(service_code="no-such-service")
    assert response.status_code == 422 and response.json["code"] == "not_offered"
    assert "service_code" in response.json["errors"]


def test_a_full_slot_is_a_409_and_leaves_no_booking_behind(book, client, staff, app):
    clerk = staff()
    settings = {"opens_at": "08:00", "closes_at": "18:00", "slot_minutes": 120, "capacity": 1}
    assert client.put(f"/api/v1/stations/{STATION_A}/offers/cleaning", json=settings, headers=clerk).status_code == 200
    first, _ = book()
    second, headers = book()
    assert (first.status_code, second.status_code) == (201, 409)
    assert "starts_at" in second.json["errors"] and second.json["code"] == "slot_full"
    assert client.get("/api/v1/bookings", headers=headers).json["total"] == 0
    with app.app_context():
        assert db.session.scalar(select(Slot.booked)) == 1


def test_cancelling_frees_the_place_at_once(booked, act, client):
    before = places_left(client, slot_start())
    booking, headers = booked()
    assert places_left(client, slot_start()) == before - 1
    response = act(booking["id"], "cancel", headers, {"reason": "临时有事"})
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert places_left(client, slot_start()) == before


def test_rescheduling_moves_the_place_keeps_the_booking_and_its_history(booked, act, client, staff):
    booking, headers = booked()
    assert act(booking["id"], "confirm", staff()).status_code == 200
    old, new = slot_start(), slot_start(days_ahead=2, hour=14)
    old_before, new_before = places_left(client, old), places_left(client, new)
    response = act(booking["id"], "reschedule", headers, {"starts_at": new.isoformat(), "reason": "改到周末"})
    assert response.status_code == 200
    moved = response.json
    assert moved["id"] == booking["id"] and moved["rescheduled"] is True
    assert moved["starts_at"] == new.isoformat() and moved["status"] == "pending"
    assert places_left(client, old) == old_before + 1 and places_left(client, new) == new_before - 1
    history = client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json["events"]
    reschedule = history[-1]
    assert reschedule["action"] == "reschedule" and reschedule["reason"] == "改到周末"
    assert reschedule["from_status"] == "confirmed" and reschedule["to_status"] == "pending"
    assert reschedule["details"]["from"].startswith((old - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))


def test_rescheduling_into_a_full_slot_is_a_409_and_keeps_the_old_place(booked, book, act, client, staff):
    clerk = staff()
    settings = {"opens_at": "08:00", "closes_at": "18:00", "slot_minutes": 120, "capacity": 1}
    client.put(f"/api/v1/stations/{STATION_A}/offers/cleaning", json=settings, headers=clerk)
    booking, headers = booked()
    book(starts_at=slot_start(hour=14))
    response = act(booking["id"], "reschedule", headers, {"starts_at": slot_start(hour=14).isoformat()})
    assert response.status_code == 409
    assert places_left(client, slot_start()) == 0
    assert (
        client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json["starts_at"] == slot_start().isoformat()
    )


def test_a_resident_sees_and_touches_only_their_own_bookings(booked, act, client, resident):
    booking, _ = booked()
    stranger = resident()
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=stranger).status_code == 404
    assert act(booking["id"], "cancel", stranger).status_code == 404
    assert client.get("/api/v1/bookings", headers=stranger).json["total"] == 0


def test_own_bookings_filter_by_status(booked, act, client):
    booking, headers = booked()
    act(booking["id"], "cancel", headers)
    assert client.get("/api/v1/bookings?status=pending", headers=headers).json["total"] == 0
    assert client.get("/api/v1/bookings?status=cancelled", headers=headers).json["total"] == 1
    assert client.get("/api/v1/bookings?status=lost", headers=headers).status_code == 422


def test_the_api_document_shows_the_idempotency_key_and_every_booking_answer(client):
    operation = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/bookings"]["post"]
    header = next(p for p in operation["parameters"] if p["in"] == "header")
    assert (header["name"], header["required"]) == ("Idempotency-Key", True)
    assert {"200", "201", "401", "403", "409", "422"} <= set(operation["responses"])


def test_an_unknown_station_is_a_422_naming_the_station(book):
    response, _ = book(station_code="440106999000")
    assert response.status_code == 422 and response.json["code"] == "unknown_station"
    assert list(response.json["errors"]) == ["station_code"]


@pytest.mark.parametrize(
    "location",
    [
        {"lat": 39.9042, "lng": 116.4074, "crs": "wgs84"},  # Beijing
        {"lat": 22.5431, "lng": 114.0579, "crs": "gcj02"},  # Shenzhen's centre, inside Guangzhou's old box
    ],
)
def test_an_address_outside_guangzhou_is_a_422_naming_the_location(book, client, location):
    response, headers = book(location=location)
    assert response.status_code == 422 and response.json["code"] == "outside_service_area"
    assert list(response.json["errors"]) == ["location"]
    assert client.get("/api/v1/bookings", headers=headers).json["total"] == 0


def test_a_resident_cancels_without_a_body_as_the_document_allows(booked, client):
    booking, headers = booked()
    document = client.get("/api/v1/openapi.json").json
    assert not document["paths"]["/api/v1/bookings/{booking_id}/cancel"]["post"]["requestBody"].get("required")
    response = client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=headers)
    assert response.status_code == 200 and response.json["status"] == "cancelled"
