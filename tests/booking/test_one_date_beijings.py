"""Guangzhou's day is Beijing's, whatever zone the host runs in: a health certificate valid until
today is green at 23:59 Beijing time and yellow at 00:01, on the scan and for assignment alike."""

import time
from datetime import datetime, timedelta
from datetime import time as clock

import pytest
import time_machine

from app.clock import BEIJING
from tests.factories import TODAY, token_of

HOSTS = ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"]  # UTC, 16 h behind Beijing, 6 h ahead


@pytest.fixture(params=HOSTS)
def host_zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def at_beijing(day, hour, minute):
    """That moment, as a timestamp: given a zoned datetime, time-machine would also move the
    host's zone to Beijing, and the host's zone is what these tests vary."""
    return time_machine.travel(datetime.combine(day, clock(hour, minute), BEIJING).timestamp(), tick=False)


@pytest.fixture
def valid_until_today(client, operator, green_worker):
    """A green worker whose health certificate is valid until today (Beijing's date)."""
    worker = green_worker()
    response = client.put(
        f"/api/v1/workers/{worker['id']}/certificate/health-certificate",
        json={"valid_until": TODAY.isoformat()},
        headers=operator,
    )
    assert response.status_code == 200, response.json
    return worker


def colour_at_the_door(client, worker):
    return client.get(f"/api/v1/scan/{token_of(worker)}").json["colour"]


def test_on_the_last_day_of_the_health_certificate_the_scan_is_green_until_midnight_beijing(
    host_zone, client, valid_until_today
):
    with at_beijing(TODAY, 23, 59):
        assert colour_at_the_door(client, valid_until_today) == "green"
    with at_beijing(TODAY + timedelta(days=1), 0, 1):
        assert colour_at_the_door(client, valid_until_today) == "yellow"


def test_the_scan_and_the_assignment_agree_just_after_midnight_beijing(
    host_zone, client, booked, act, staff, valid_until_today
):
    booking, _ = booked()
    clerk = staff()
    assert act(booking["id"], "confirm", clerk).status_code == 200
    with at_beijing(TODAY + timedelta(days=1), 0, 1):
        assert colour_at_the_door(client, valid_until_today) == "yellow"
        refused = act(booking["id"], "assign", clerk, {"worker_id": valid_until_today["id"]})
        assert refused.status_code == 422 and refused.json["code"] == "worker_not_assignable"
