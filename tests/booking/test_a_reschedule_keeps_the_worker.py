"""A resident who moves their booking keeps the worker the station assigned when that worker is
free at the new time: the booking stays assigned to them, on record. A worker busy then, or no
longer green, is let go, and the station confirms the new time and assigns again."""

from tests.factories import slot_start


def moved_to(act, booking, headers, hour):
    response = act(booking["id"], "reschedule", headers, {"starts_at": slot_start(hour=hour).isoformat()})
    assert response.status_code == 200, response.json
    return response.json


def test_a_worker_free_at_the_new_time_is_kept_and_the_booking_stays_assigned(assigned, act, client):
    booking, headers, _, worker = assigned()
    moved = moved_to(act, booking, headers, 14)
    assert (moved["status"], moved["worker"]["id"], moved["rescheduled"]) == ("assigned", worker["id"], True)
    events = client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json["events"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events[-2:]] == [
        ("reschedule", "assigned", "pending"),
        ("keep_worker", "pending", "assigned"),
    ]


def test_a_worker_busy_at_the_new_time_is_let_go_and_the_station_confirms_again(assigned, booked, act, staff):
    booking, headers, clerk, worker = assigned()
    other, _ = booked(starts_at=slot_start(hour=14))
    act(other["id"], "confirm", clerk)
    assert act(other["id"], "assign", clerk, {"worker_id": worker["id"]}).status_code == 200
    moved = moved_to(act, booking, headers, 14)
    assert (moved["status"], moved["worker"]) == ("pending", None)


def test_a_worker_no_longer_green_is_not_kept(assigned, act, client, operator):
    booking, headers, _, worker = assigned()
    client.post(f"/api/v1/workers/{worker['id']}/certificate/suspend", json={"reason": "核查"}, headers=operator)
    moved = moved_to(act, booking, headers, 14)
    assert (moved["status"], moved["worker"]) == ("pending", None)


def test_a_kept_workers_old_time_is_free_for_another_booking(assigned, booked, act):
    booking, headers, clerk, worker = assigned()
    moved_to(act, booking, headers, 14)
    other, _ = booked()
    act(other["id"], "confirm", clerk)
    assert act(other["id"], "assign", clerk, {"worker_id": worker["id"]}).status_code == 200
