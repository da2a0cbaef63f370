"""A resident waits for a full slot and gets it: in line with a position, offered the first place
that frees (a cancellation, a booking moved away, more places), held for them for a while so
nobody else books it, taken as an ordinary booking; an offer not taken in time goes to the next
in line, by the expire-offers job or when taken too late."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from tests.factories import STATION_A, booking_body, key_header, slot_start
from wechat.models import SubscribeMessage

TAKE_BODY = {k: v for k, v in booking_body().items() if k not in ("station_code", "service_code", "starts_at")}
SLOT = {"station_code": STATION_A, "service_code": "cleaning", "starts_at": slot_start().isoformat()}


@pytest.fixture
def full_slot(booked):
    """The slot of SLOT with its three places booked: the three bookings and their residents."""
    return lambda: [booked() for _ in range(3)]


@pytest.fixture
def wait(client, resident):
    """wait(headers=None, **slot) -> (response, headers) of joining the line."""

    def join(headers=None, **slot):
        headers = headers or resident()
        return client.post("/api/v1/waiting-entries", json=SLOT | slot, headers=headers), headers

    return join


@pytest.fixture
def entry(client):
    return lambda entry_id, headers: client.get(f"/api/v1/waiting-entries/{entry_id}", headers=headers).json


def remaining(client) -> int:
    days = client.get("/api/v1/availability", query_string={"service": "cleaning", "station": STATION_A}).json
    slots = [slot for day in days["days"] for slot in day["slots"] if slot["starts_at"] == slot_start().isoformat()]
    return slots[0]["remaining"]


def test_a_full_slot_can_be_waited_on_in_turn(full_slot, wait):
    full_slot()
    first, headers = wait()
    second, _ = wait()
    assert (first.status_code, second.status_code) == (201, 201), first.json
    assert (first.json["status"], first.json["position"], second.json["position"]) == ("waiting", 1, 2)
    again, _ = wait(headers=headers)
    assert (again.status_code, again.json["id"]) == (200, first.json["id"])


def test_a_slot_with_places_is_booked_not_waited_on(wait):
    response, _ = wait()
    assert (response.status_code, response.json["code"]) == (409, "slot_not_full")


def test_a_resident_booked_in_the_slot_cannot_wait_for_it(full_slot, wait):
    [(_, headers), *_rest] = full_slot()
    response, _ = wait(headers=headers)
    assert (response.status_code, response.json["code"]) == (409, "already_booked")


def test_a_cancellation_offers_the_place_to_the_first_in_line_and_holds_it(app, full_slot, wait, client, entry, book):
    [(booking, owner), *_rest] = full_slot()
    first, headers = wait()
    second, other = wait()
    assert client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=owner).status_code == 200
    offered = entry(first.json["id"], headers)
    assert (offered["status"], offered["position"]) == ("offered", None)
    assert offered["offer_expires_at"] is not None
    assert entry(second.json["id"], other)["position"] == 1
    assert remaining(client) == 0
    response, _ = book()
    assert (response.status_code, response.json["code"]) == (409, "slot_full")
    with app.app_context():
        [message] = db.session.scalars(select(SubscribeMessage).where(SubscribeMessage.kind == "waiting_offer"))
        assert message.data["thing1"] == "保洁" and message.page == f"pages/booking/waiting?id={first.json['id']}"
    assert [e["action"] for e in offered["events"]] == ["join", "offer"]


def test_taking_the_offer_is_an_idempotent_booking_of_the_held_place(full_slot, wait, client, entry):
    [(booking, owner), *_rest] = full_slot()
    first, headers = wait()
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=owner)
    key = key_header()
    taken = client.post(f"/api/v1/waiting-entries/{first.json['id']}/take", json=TAKE_BODY, headers=headers | key)
    assert taken.status_code == 201, taken.json
    assert (taken.json["status"], taken.json["starts_at"]) == ("pending", slot_start().isoformat())
    again = client.post(f"/api/v1/waiting-entries/{first.json['id']}/take", json=TAKE_BODY, headers=headers | key)
    assert (again.status_code, again.json["id"]) == (200, taken.json["id"])
    other_key = client.post(
        f"/api/v1/waiting-entries/{first.json['id']}/take", json=TAKE_BODY, headers=headers | key_header()
    )
    assert (other_key.status_code, other_key.json["code"], other_key.json["errors"]) == (
        409,
        "status_conflict",
        {"status": ["taken"]},
    )
    taken_entry = entry(first.json["id"], headers)
    assert taken_entry["booking_id"] == taken.json["id"]
    assert [(e["action"], e["to_status"]) for e in taken_entry["events"]] == [
        ("join", "waiting"),
        ("offer", "offered"),
        ("take", "taken"),
    ]
    assert remaining(client) == 0
    assert client.get("/api/v1/bookings", headers=headers).json["total"] == 1


def test_only_the_resident_offered_the_place_can_take_it(full_slot, wait, client):
    [(booking, owner), *_rest] = full_slot()
    wait()
    second, other = wait()
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=owner)
    response = client.post(
        f"/api/v1/waiting-entries/{second.json['id']}/take", json=TAKE_BODY, headers=other | key_header()
    )
    assert (response.status_code, response.json["errors"]) == (409, {"status": ["waiting"]})


def test_an_offer_not_taken_in_time_goes_to_the_next_in_line_by_the_job(full_slot, wait, client, entry, cli):
    [(booking, owner), *_rest] = full_slot()
    first, headers = wait()
    second, other = wait()
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=owner)
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=True):
        result = cli("booking", "expire-offers")
        assert result.exit_code == 0, result.output
        assert "1 waiting entr(y/ies) lapsed." in result.output
        assert entry(first.json["id"], headers)["status"] == "lapsed"
        assert entry(second.json["id"], other)["status"] == "offered"
        assert "0 waiting" in cli("booking", "expire-offers").output  # again: nothing more
        assert remaining(client) == 0
    with time_machine.travel(utcnow() + timedelta(minutes=62), tick=True):
        cli("booking", "expire-offers")
        assert entry(second.json["id"], other)["status"] == "lapsed"
        assert remaining(client) == 1  # nobody left in line: the place is free for anyone


def test_an_offer_taken_too_late_lapses_and_goes_to_the_next(full_slot, wait, client, entry):
    [(booking, owner), *_rest] = full_slot()
    first, headers = wait()
    second, other = wait()
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=owner)
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=True):
        late = client.post(
            f"/api/v1/waiting-entries/{first.json['id']}/take", json=TAKE_BODY, headers=headers | key_header()
        )
        assert (late.status_code, late.json["code"]) == (409, "offer_lapsed")
        assert entry(first.json["id"], headers)["status"] == "lapsed"
        assert entry(second.json["id"], other)["status"] == "offered"


def test_leaving_while_offered_passes_the_place_on_and_leaving_twice_is_refused(full_slot, wait, client, entry):
    [(booking, owner), *_rest] = full_slot()
    first, headers = wait()
    second, other = wait()
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=owner)
    left = client.post(f"/api/v1/waiting-entries/{first.json['id']}/leave", headers=headers)
    assert (left.status_code, left.json["status"]) == (200, "left")
    assert entry(second.json["id"], other)["status"] == "offered"
    again = client.post(f"/api/v1/waiting-entries/{first.json['id']}/leave", headers=headers)
    assert (again.status_code, again.json["code"], again.json["errors"]) == (
        409,
        "status_conflict",
        {"status": ["left"]},
    )


def test_a_booking_moved_away_frees_its_place_for_the_line(full_slot, wait, client, entry):
    [(booking, owner), *_rest] = full_slot()
    first, headers = wait()
    moved = client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule", json={"starts_at": slot_start(2).isoformat()}, headers=owner
    )
    assert moved.status_code == 200, moved.json
    assert entry(first.json["id"], headers)["status"] == "offered"


def test_more_places_in_the_slot_go_to_the_line(full_slot, wait, client, entry, staff):
    full_slot()
    first, headers = wait()
    second, other = wait()
    third, last = wait()
    hours = {"opens_at": "08:00", "closes_at": "18:00", "slot_minutes": 120, "capacity": 5}
    assert client.put(f"/api/v1/stations/{STATION_A}/offers/cleaning", json=hours, headers=staff()).status_code == 200
    assert [entry(e.json["id"], h)["status"] for e, h in ((first, headers), (second, other), (third, last))] == [
        "offered",
        "offered",
        "waiting",
    ]


def test_another_residents_entry_is_not_found(full_slot, wait, client, resident):
    full_slot()
    first, _ = wait()
    stranger = resident()
    assert client.get(f"/api/v1/waiting-entries/{first.json['id']}", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/waiting-entries/{first.json['id']}/leave", headers=stranger).status_code == 404


def test_my_waiting_entries_are_listed(full_slot, wait, client):
    full_slot()
    first, headers = wait()
    listed = client.get("/api/v1/waiting-entries", headers=headers).json
    assert (listed["total"], listed["items"][0]["id"], listed["items"][0]["position"]) == (1, first.json["id"], 1)


@pytest.mark.parametrize(
    ("slot", "field", "code"),
    [
        ({"starts_at": slot_start(9).isoformat()}, "starts_at", "outside_booking_window"),
        ({"starts_at": slot_start(1, 9).isoformat()}, "starts_at", "not_a_slot_start"),
        ({"service_code": "ironing"}, "service_code", "not_offered"),
        ({"station_code": "12345"}, "station_code", "invalid_input"),
    ],
)
def test_waiting_for_a_slot_that_is_none_names_the_field(wait, slot, field, code):
    response, _ = wait(**slot)
    assert response.status_code == 422
    assert (response.json["code"], list(response.json["errors"])) == (code, [field])


def test_entries_still_waiting_when_the_slot_begins_lapse(full_slot, wait, entry, cli):
    full_slot()
    first, headers = wait()
    with time_machine.travel(slot_start() + timedelta(minutes=1), tick=True):
        assert "1 waiting entr(y/ies) lapsed." in cli("booking", "expire-offers").output
        assert entry(first.json["id"], headers)["status"] == "lapsed"


def test_a_cancellation_that_is_refused_offers_nothing(app, full_slot, wait, client, entry, staff):
    [(booking, owner), *_rest] = full_slot()
    first, headers = wait()
    refused = client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=staff())
    assert refused.status_code == 403
    assert entry(first.json["id"], headers)["status"] == "waiting"
    with app.app_context():
        assert db.session.scalars(select(SubscribeMessage).where(SubscribeMessage.kind == "waiting_offer")).all() == []
