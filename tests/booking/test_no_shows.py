"""爽约: once an assigned booking's time has begun, the station's staff record that the resident
was not there or that the worker did not come, with who and when. A worker's no-show lowers
their level and their company's; a resident's is on no ledger and only staff read it."""

from datetime import timedelta

import pytest
import time_machine

from tests.factories import STATION_A

AFTER_THE_START = timedelta(days=2)


@pytest.fixture
def no_show(client):
    return lambda booking, headers, party, notes=None: client.post(
        f"/api/v1/bookings/{booking['id']}/no-show", json={"party": party, "notes": notes}, headers=headers
    )


def test_a_workers_no_show_is_recorded_with_who_and_when_and_lowers_their_level(assigned, no_show, client, operator):
    booking, _, clerk, worker = assigned()
    before = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["credit_score"]
    with time_machine.travel(AFTER_THE_START):
        response = no_show(booking, clerk, "worker", "电话联系不上")
    assert response.status_code == 201, response.json
    recorded = response.json
    me = client.get("/api/v1/me", headers=clerk).json["id"]
    assert (recorded["party_name"], recorded["worker_id"], recorded["recorded_by_id"]) == (
        "服务人员未到",
        worker["id"],
        me,
    )
    assert recorded["recorded_at"]
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["credit_score"] < before
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]
    assert history[-1]["kind"] == "no_show"


def test_a_residents_no_show_is_on_no_ledger_and_read_by_the_stations_staff_only(
    assigned, no_show, client, operator, staff
):
    booking, headers, clerk, worker = assigned()
    history_before = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["total"]
    events_before = client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json["events"]
    with time_machine.travel(AFTER_THE_START):
        assert no_show(booking, clerk, "resident").status_code == 201
    url = f"/api/v1/stations/{STATION_A}/no-shows"
    listed = client.get(url, headers=clerk, query_string={"party": "resident"}).json
    assert [(row["booking_id"], row["party"]) for row in listed["items"]] == [(booking["id"], "resident")]
    assert client.get(url, headers=headers).status_code == 403
    assert client.get(url, headers=staff("440106002000")).status_code == 403
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json["events"] == events_before
    assert client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["total"] == history_before


def test_a_no_show_before_the_booking_begins_or_twice_is_refused(assigned, no_show):
    booking, _, clerk, _ = assigned()
    early = no_show(booking, clerk, "worker")
    assert (early.status_code, early.json["code"]) == (409, "booking_not_begun")
    with time_machine.travel(AFTER_THE_START):
        assert no_show(booking, clerk, "worker").status_code == 201
        again = no_show(booking, clerk, "worker")
        assert (again.status_code, again.json["code"]) == (409, "no_show_recorded")
        assert no_show(booking, clerk, "resident").status_code == 201


def test_a_booking_without_a_worker_takes_no_no_show(booked, no_show, staff):
    booking, _ = booked()
    with time_machine.travel(AFTER_THE_START):
        refused = no_show(booking, staff(), "worker")
    assert (refused.status_code, refused.json["errors"]) == (409, {"status": ["pending"]})


@pytest.mark.parametrize("party", ["nobody", "", None])
def test_the_absent_party_must_be_the_resident_or_the_worker(assigned, no_show, party):
    booking, _, clerk, _ = assigned()
    response = no_show(booking, clerk, party)
    assert response.status_code == 422 and "party" in response.json["errors"]


def test_only_the_bookings_station_records_a_no_show(assigned, no_show, staff):
    booking, headers, _, _ = assigned()
    with time_machine.travel(AFTER_THE_START):
        assert no_show(booking, staff("440106002000"), "worker").status_code == 404
        assert no_show(booking, headers, "worker").status_code == 403
