"""A worker's own assignments: today's and the next days', from their worker account."""

from tests.factories import slot_start

ASSIGNMENTS = "/api/v1/me/worker/assignments"


def test_a_worker_lists_their_assignments_of_the_coming_days(client, booked, green_worker, act, staff, login):
    worker = green_worker()
    tomorrow, _ = booked(starts_at=slot_start(1))
    cancelled, resident = booked(starts_at=slot_start(2))
    for booking in (tomorrow, cancelled):
        act(booking["id"], "confirm", staff())
        assert act(booking["id"], "assign", staff(), {"worker_id": worker["id"]}).status_code == 200
    act(cancelled["id"], "cancel", resident, {"reason": "不需要了"})
    headers = login("worker", worker_id=worker["id"])

    mine = client.get(ASSIGNMENTS, headers=headers)
    assert mine.status_code == 200, mine.json
    assert [(b["id"], b["status"], b["address"]) for b in mine.json["items"]] == [
        (tomorrow["id"], "assigned", "天河区五山路 1 号 2 栋 301")
    ]
    assert client.get(ASSIGNMENTS, query_string={"days": 1}, headers=headers).json["total"] == 0, "only today's"
    assert client.get(ASSIGNMENTS, headers=login("worker", worker_id=green_worker()["id"])).json["total"] == 0


def test_only_a_worker_has_assignments_to_list(client, login):
    assert client.get(ASSIGNMENTS).status_code == 401
    assert client.get(ASSIGNMENTS, headers=login("station_staff", station_code="440106001000")).status_code == 403
    assert client.get(ASSIGNMENTS, headers=login(), query_string={"days": 40}).status_code == 403
