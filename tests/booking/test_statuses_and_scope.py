"""The booking lifecycle is one table: each step it allows works, every other step is a 409 naming
the current status, and every step is an audit event with actor and time. Station staff act only
on their own station's bookings."""

import pytest

from booking.models import BOOKING_STATES, STATUS_NAMES
from tests.factories import STATION_B, slot_start

STAFF_ACTIONS = {"confirm": None, "reject": {"reason": "该时段人手不足"}, "start": None, "complete": None}
RESIDENT_ACTIONS = {"cancel": {"reason": "不需要了"}, "reschedule": {"starts_at": slot_start(2, 14).isoformat()}}


def test_the_transition_table_is_the_published_lifecycle():
    assert BOOKING_STATES.transitions == {
        "confirm": {"pending": "confirmed"},
        "reject": {"pending": "rejected", "confirmed": "rejected"},
        "assign": {"confirmed": "assigned", "assigned": "assigned"},
        "start": {"assigned": "in_service"},
        "complete": {"in_service": "completed"},
        "cancel": {"pending": "cancelled", "confirmed": "cancelled", "assigned": "cancelled"},
        "reschedule": {"pending": "pending", "confirmed": "pending", "assigned": "pending"},
        "withdraw_worker": {"assigned": "confirmed"},
        "keep_worker": {"pending": "assigned"},
    }


def test_a_booking_goes_from_pending_to_completed_with_an_audit_event_per_step(completed, client):
    booking, headers, clerk, worker = completed()
    assert booking["status"] == "completed" and booking["status_name"] == "已完成"
    assert booking["worker"]["id"] == worker["id"] and "*" in booking["worker"]["name"]
    events = client.get(f"/api/v1/bookings/{booking['id']}", headers=clerk).json["events"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("create", None, "pending"),
        ("confirm", "pending", "confirmed"),
        ("assign", "confirmed", "assigned"),
        ("start", "assigned", "in_service"),
        ("complete", "in_service", "completed"),
    ]
    me = client.get("/api/v1/me", headers=clerk).json["id"]
    assert all(e["actor_id"] == me for e in events[1:]) and all(e["at"].endswith("+08:00") for e in events)


def _bring_to(status, booked, act, staff, green_worker):
    booking, headers = booked()
    clerk = staff()
    path = {
        "pending": [],
        "confirmed": ["confirm"],
        "assigned": ["confirm", "assign"],
        "in_service": ["confirm", "assign", "start"],
        "completed": ["confirm", "assign", "start", "complete"],
        "cancelled": ["cancel"],
        "rejected": ["reject"],
    }[status]
    for action in path:
        body = {
            "assign": {"worker_id": green_worker()["id"]} if "assign" in path else None,
            "reject": {"reason": "不接"},
        }.get(action)
        actor = headers if action == "cancel" else clerk
        assert act(booking["id"], action, actor, body).status_code == 200, action
    return booking, headers, clerk


@pytest.mark.parametrize("status", list(STATUS_NAMES))
def test_every_step_not_in_the_table_is_a_409_naming_the_current_status(status, booked, act, staff, green_worker):
    booking, headers, clerk = _bring_to(status, booked, act, staff, green_worker)
    worker = green_worker()
    for action, body in [*STAFF_ACTIONS.items(), ("assign", {"worker_id": worker["id"]})]:
        if status not in BOOKING_STATES.transitions[action]:
            response = act(booking["id"], action, clerk, body)
            assert response.status_code == 409, action
            assert response.json["errors"]["status"] == [status]
            assert response.json["code"] == "status_conflict"
            assert STATUS_NAMES[status] in response.json["detail"]
    for action, body in RESIDENT_ACTIONS.items():
        if status not in BOOKING_STATES.transitions[action]:
            response = act(booking["id"], action, headers, body)
            assert response.status_code == 409, action
            assert response.json["errors"]["status"] == [status]


def test_a_rejection_needs_a_reason(booked, act, staff):
    booking, _ = booked()
    response = act(booking["id"], "reject", staff())
    assert response.status_code == 422 and "reason" in response.json["errors"]


def test_staff_of_another_station_cannot_see_or_touch_a_booking(booked, act, staff, client):
    booking, _ = booked()
    other = staff(STATION_B)
    assert act(booking["id"], "confirm", other).status_code == 404
    assert act(booking["id"], "reject", other, {"reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/stations/{booking['station_code']}/bookings", headers=other).status_code == 403
    assert client.get(f"/api/v1/stations/{STATION_B}/bookings", headers=other).json["total"] == 0


def test_a_resident_cannot_act_as_station_staff(booked, act):
    booking, headers = booked()
    assert act(booking["id"], "confirm", headers).status_code == 403
    assert act(booking["id"], "confirm", {}).status_code == 401


def test_staff_list_their_stations_bookings_by_status_and_date(booked, act, staff, client):
    first, _ = booked()
    booked(starts_at=slot_start(days_ahead=3))
    clerk = staff()
    act(first["id"], "confirm", clerk)
    url = f"/api/v1/stations/{first['station_code']}/bookings"
    assert client.get(url, headers=clerk).json["total"] == 2
    assert [b["id"] for b in client.get(url + "?status=confirmed", headers=clerk).json["items"]] == [first["id"]]
    day = slot_start().date().isoformat()
    assert [b["id"] for b in client.get(f"{url}?date={day}", headers=clerk).json["items"]] == [first["id"]]
    assert client.get(url + "?date=tomorrow", headers=clerk).status_code == 422
