"""Station staff book for someone who phones or walks in: the caller's name and phone are kept
encrypted and shown masked, their consent is on record, and the staff member holds the booking
(may move or cancel it) until the resident claims it in the mini-program with the same phone,
bound through WeChat; a held booking cannot be rated."""

import pytest
from sqlalchemy import select

from app.extensions import db
from booking.models import BookingCaller
from tests.factories import STATION_A, booking_body, key_header

URL = f"/api/v1/stations/{STATION_A}/bookings"
CALLER = {"caller_name": "陈伯", "caller_phone": "13912345678", "channel": "phone", "consent": True}


def on_behalf_body(**fields):
    body = booking_body() | CALLER | fields
    body.pop("station_code", None)
    return body


@pytest.fixture
def book_for(client):
    def make(headers, key=None, **fields):
        return client.post(URL, json=on_behalf_body(**fields), headers=headers | key_header(key))

    return make


def test_staff_book_for_a_caller_whose_name_and_phone_are_shown_masked(book_for, staff, client):
    clerk = staff()
    response = book_for(clerk)
    assert response.status_code == 201, response.json
    booking = response.json
    assert booking["status"] == "pending" and booking["station_code"] == STATION_A
    assert (booking["caller"]["name"], booking["caller"]["phone"]) == ("陈*", "139****5678")
    assert booking["caller"]["consent_at"] and booking["caller"]["claimed_at"] is None
    listed = client.get(URL, headers=clerk).json["items"]
    assert [(b["id"], b["caller"]["phone"]) for b in listed] == [(booking["id"], "139****5678")]
    assert "13912345678" not in str(listed) and "陈伯" not in str(listed)


def test_the_callers_name_and_phone_are_encrypted_at_rest(book_for, staff, isolated):
    book_for(staff())
    name, phone = isolated.exec_driver_sql("SELECT name, phone FROM booking_callers").one()
    assert "陈伯".encode() not in bytes(name) and b"13912345678" not in bytes(phone)


def test_the_resident_claims_the_booking_by_the_same_bound_phone(book_for, staff, login, client):
    booking = book_for(staff()).json
    stranger = login(phone="13800000001")
    assert client.post("/api/v1/bookings/claim", headers=stranger).json == {"items": [], "total": 0}
    resident = login(phone=CALLER["caller_phone"])
    claimed = client.post("/api/v1/bookings/claim", headers=resident).json
    assert [b["id"] for b in claimed["items"]] == [booking["id"]] and claimed["items"][0]["caller"]["claimed_at"]
    assert client.post("/api/v1/bookings/claim", headers=resident).json["total"] == 0
    mine = client.get("/api/v1/bookings", headers=resident).json["items"]
    assert [b["id"] for b in mine] == [booking["id"]]
    detail = client.get(f"/api/v1/bookings/{booking['id']}", headers=resident).json
    assert [e["action"] for e in detail["events"]] == ["create", "claimed"]
    assert client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=resident).status_code == 200


def test_claiming_without_a_bound_phone_is_a_409(login, client):
    response = client.post("/api/v1/bookings/claim", headers=login())
    assert (response.status_code, response.json["code"]) == (409, "phone_not_bound")


def test_a_held_booking_tells_its_holder_nothing_but_the_stations_new_booking(book_for, staff, app):
    from wechat.models import SubscribeMessage

    clerk = staff()
    book_for(clerk)
    with app.app_context():
        kinds = list(db.session.scalars(select(SubscribeMessage.kind)))
    assert kinds == ["station_booking"]


def test_retrying_with_the_same_key_returns_the_same_booking(book_for, staff, app):
    clerk = staff()
    first = book_for(clerk, key="on-behalf-retry-key")
    again = book_for(clerk, key="on-behalf-retry-key")
    assert (first.status_code, again.status_code) == (201, 200) and first.json["id"] == again.json["id"]
    other_body = book_for(clerk, key="on-behalf-retry-key", caller_name="王婆")
    assert other_body.status_code == 422
    with app.app_context():
        assert len(db.session.scalars(select(BookingCaller)).all()) == 1


@pytest.mark.parametrize(
    "field, value",
    [("consent", False), ("caller_phone", "12345"), ("caller_name", ""), ("channel", "email"), ("consent", None)],
)
def test_a_booking_on_behalf_needs_consent_a_mobile_a_name_and_a_channel(book_for, staff, app, field, value):
    response = book_for(staff(), **{field: value})
    assert response.status_code == 422 and field in response.json["errors"]
    with app.app_context():
        assert db.session.scalars(select(BookingCaller)).all() == []


def test_only_the_stations_staff_book_on_its_behalf(book_for, staff, login):
    assert book_for(staff("440106002000")).status_code == 403
    assert book_for(login()).status_code == 403
    assert book_for(login("operator")).status_code == 201


def test_the_holder_may_move_a_held_booking_but_not_rate_it(book_for, staff, client):
    from tests.factories import slot_start

    clerk = staff()
    booking = book_for(clerk).json
    moved = client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"starts_at": slot_start(hour=14).isoformat()},
        headers=clerk,
    )
    assert moved.status_code == 200, moved.json
    rated = client.post(f"/api/v1/bookings/{booking['id']}/rating", json={"stars": 5}, headers=clerk)
    assert (rated.status_code, rated.json["code"]) == (409, "held_for_a_caller")
