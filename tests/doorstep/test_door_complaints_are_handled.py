"""A complaint after a door entry is handled as a booking's is, by the same statuses, severities
and deadlines; no station is behind the hire, so operators handle it (station staff cannot), and
only an upheld one lowers the worker's level."""

from datetime import timedelta

import pytest
import time_machine

from tests.factories import STATION_A, token_of


@pytest.fixture
def door_complaint(client):
    def make(entry, headers, kind=None, text="阿姨打碎了碗不承认"):
        body = {"text": text} | ({"type": kind} if kind else {})
        response = client.post(f"/api/v1/door-entries/{entry['id']}/complaints", json=body, headers=headers)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def handle(client):
    return lambda complaint, action, headers, body=None: client.post(
        f"/api/v1/door-complaints/{complaint['id']}/{action}", json=body or {}, headers=headers
    )


def test_a_door_complaint_is_filed_ordinary_by_default_and_serious_when_it_is_theft(entered, door_complaint):
    entry, headers, _ = entered()
    ordinary = door_complaint(entry, headers)
    assert (ordinary["type"], ordinary["severity"], ordinary["status"]) == ("other", "ordinary", "submitted")
    serious = door_complaint(entry, headers, "theft", "丢了现金")
    assert (serious["severity"], serious["respond_by"] is not None) == ("serious", True)
    assert [event["action"] for event in serious["events"]] == ["filed", "escalated"]


def test_operators_handle_a_door_complaint_and_an_upheld_one_lowers_the_level(
    entered, door_complaint, handle, operator, client
):
    entry, headers, worker = entered()
    complaint = door_complaint(entry, headers, "damage_or_loss")
    listed = client.get("/api/v1/door-complaints", headers=operator, query_string={"status": "submitted"}).json
    assert [c["id"] for c in listed["items"]] == [complaint["id"]]
    before = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["credit_score"]
    assert handle(complaint, "uphold", operator).json["errors"] == {"status": ["submitted"]}
    assert handle(complaint, "accept", operator).json["status"] == "accepted"
    upheld = handle(complaint, "uphold", operator, {"reason": "核实属实"}).json
    assert (upheld["status"], upheld["result"], upheld["result_reason"]) == ("upheld", "upheld", "核实属实")
    assert handle(complaint, "close", operator).json["status"] == "closed"
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["credit_score"] < before
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]
    assert [e["kind"] for e in history][-2:] == ["door_complaint", "complaint_upheld"]


def test_only_operators_handle_door_complaints(entered, door_complaint, handle, staff, client):
    entry, headers, _ = entered()
    complaint = door_complaint(entry, headers)
    assert handle(complaint, "accept", staff()).status_code == 403
    assert handle(complaint, "accept", headers).status_code == 403
    assert client.get("/api/v1/door-complaints", headers=staff()).status_code == 403


def test_an_unknown_door_complaint_is_a_404_and_an_unknown_type_a_422(entered, handle, operator, client):
    entry, headers, _ = entered()
    assert handle({"id": 999999}, "accept", operator).status_code == 404
    response = client.post(
        f"/api/v1/door-entries/{entry['id']}/complaints", json={"text": "x", "type": "nonsense"}, headers=headers
    )
    assert response.status_code == 422 and "type" in response.json["errors"]


def test_an_overdue_door_complaint_is_due_for_operators_not_for_a_station(
    entered, door_complaint, operator, staff, client
):
    entry, headers, _ = entered()
    complaint = door_complaint(entry, headers)
    with time_machine.travel(timedelta(hours=25)):
        due = client.get("/api/v1/complaints/due", headers=operator).json
        station_due = client.get(f"/api/v1/stations/{STATION_A}/complaints/due", headers=staff()).json
    assert [(row["kind"], row["id"], row["station_code"]) for row in due["items"]] == [("door", complaint["id"], None)]
    assert station_due["total"] == 0


def test_a_serious_door_complaint_triaged_suspends_the_worker_when_configured(
    app, entered, door_complaint, handle, operator, client, monkeypatch
):
    monkeypatch.setitem(app.config, "COMPLAINT_SERIOUS_SUSPENDS", True)
    entry, headers, worker = entered()
    complaint = door_complaint(entry, headers)
    assert handle(complaint, "accept", operator, {"severity": "serious"}).status_code == 200
    assert client.get(f"/api/v1/scan/{token_of(worker)}").json["colour"] == "red"
