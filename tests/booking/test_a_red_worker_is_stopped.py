"""A worker whose certificate is suspended, revoked or expired is stopped everywhere at once: the
door, the start of the service and the bookings they were assigned to."""

import pytest
from sqlalchemy import select

from app.extensions import db
from booking.models import EntryCheck
from tests.factories import token_of


def suspend(client, operator, worker, action="suspend"):
    response = client.post(
        f"/api/v1/workers/{worker['id']}/certificate/{action}", json={"reason": "严重投诉调查中"}, headers=operator
    )
    assert response.status_code == 200, response.json


def expire_health_certificate(client, operator, worker):
    response = client.put(
        f"/api/v1/workers/{worker['id']}/certificate/health-certificate",
        json={"valid_until": "2020-01-01"},
        headers=operator,
    )
    assert response.status_code == 200, response.json


def entry(client, booking, headers, worker):
    return client.post(f"/api/v1/bookings/{booking['id']}/entry", json={"token": token_of(worker)}, headers=headers)


def the_check(app, booking):
    with app.app_context():
        return db.session.scalar(select(EntryCheck).where(EntryCheck.booking_id == booking["id"]))


def test_the_resident_is_told_not_to_open_the_door_to_a_suspended_worker(assigned, client, operator, app):
    booking, headers, _, worker = assigned()
    suspend(client, operator, worker)
    response = entry(client, booking, headers, worker)
    assert response.status_code == 409
    assert response.json["code"] == "no_worker_assigned"
    assert "请勿开门" in response.json["detail"] and "联系服务站" in response.json["detail"]
    assert "token" in response.json["errors"]
    check = the_check(app, booking)
    assert (check.matched, check.colour) == (False, "red")
    shown = client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json
    assert shown["entry_confirmed_at"] is None and shown["events"][-1]["action"] == "entry_mismatch"


def test_the_assigned_worker_whose_code_is_not_green_is_refused_at_the_door_on_record(assigned, client, operator, app):
    booking, headers, _, worker = assigned()
    expire_health_certificate(client, operator, worker)
    response = entry(client, booking, headers, worker)
    assert response.status_code == 409
    assert response.json["code"] == "worker_not_green"
    assert "黄码" in response.json["detail"] and "请勿开门" in response.json["detail"]
    check = the_check(app, booking)
    assert (check.matched, check.colour) == (True, "yellow")
    shown = client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json
    assert shown["entry_confirmed_at"] is None and shown["events"][-1]["action"] == "entry_not_green"


@pytest.mark.parametrize("action", ["suspend", "revoke", "expire"])
def test_a_withdrawn_certificate_sends_the_booking_back_to_the_station_to_assign_again(
    assigned, client, operator, staff, action
):
    booking, headers, clerk, worker = assigned()
    suspend(client, operator, worker, action)
    shown = client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json
    assert shown["status"] == "confirmed" and shown["worker"] is None
    assert shown["events"][-1]["action"] == "withdraw_worker"
    assert "重新派单" in shown["events"][-1]["reason"]
    waiting = client.get(f"/api/v1/stations/{shown['station_code']}/bookings?status=confirmed", headers=clerk).json
    assert booking["id"] in [item["id"] for item in waiting["items"]]


def test_the_freed_time_can_be_given_to_another_worker(assigned, client, operator, green_worker):
    booking, _, clerk, worker = assigned()
    suspend(client, operator, worker)
    other = green_worker(name="王小红")
    response = client.post(f"/api/v1/bookings/{booking['id']}/assign", json={"worker_id": other["id"]}, headers=clerk)
    assert response.status_code == 200 and response.json["worker"]["id"] == other["id"]


def test_a_worker_whose_code_turned_yellow_cannot_start_the_service(assigned, client, operator):
    booking, _, clerk, worker = assigned()
    expire_health_certificate(client, operator, worker)
    response = client.post(f"/api/v1/bookings/{booking['id']}/start", headers=clerk)
    assert response.status_code == 409
    assert response.json["code"] == "worker_not_green"
    assert "worker_id" in response.json["errors"]
