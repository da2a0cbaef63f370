"""An upheld complaint against a worker requires, by itself, the refresher (回炉) course marked
required_after_complaint for the service complained of, due TRAINING_REFRESHER_DAYS later: undone
by then, the worker's code scans yellow; completing it turns the code back. Booking and training
know nothing of each other: credit's complaint_upheld signal joins them."""

from datetime import timedelta

import time_machine

from app.clock import today_in_beijing
from app.extensions import db
from credit.ledger import complaint_upheld
from credit.models import Worker
from tests.factories import offline_class_body, session_around_now, token_of


def scan(client, worker):
    return client.get(f"/api/v1/scan/{token_of(worker)}").json


def complain(client, booking, resident, clerk, decision="uphold"):
    """A complaint about the booking, accepted and decided by the station's clerk."""
    complaint = client.post(
        f"/api/v1/bookings/{booking['id']}/complaints",
        json={"type": "damage_or_loss", "text": "打碎了花瓶"},
        headers=resident,
    )
    assert complaint.status_code == 201, complaint.json
    url = f"/api/v1/complaints/{complaint.json['id']}"
    assert client.post(url + "/accept", json={}, headers=clerk).status_code == 200
    decided = client.post(url + f"/{decision}", json={"reason": "核实属实"}, headers=clerk)
    assert decided.status_code == 200, decided.json
    return complaint.json


def refreshers_of(client, operator, worker):
    return client.get(f"/api/v1/training/workers/{worker['id']}/refreshers", headers=operator).json


def test_an_upheld_complaint_requires_the_services_refresher_within_the_configured_days(
    app, client, operator, login, completed, make_course
):
    make_course(purpose="refresher", title="育婴回炉培训", service_types=["childcare"], required_after_complaint=True)
    course = make_course(
        purpose="refresher", title="保洁规范回炉培训", service_types=["cleaning"], required_after_complaint=True
    )
    make_course(purpose="refresher", title="保洁进阶（自选）", service_types=["cleaning"])
    booking, resident, clerk, worker = completed()  # a cleaning visit
    complaint = complain(client, booking, resident, clerk)

    days = app.config["TRAINING_REFRESHER_DAYS"]
    assert days == 30
    [requirement] = refreshers_of(client, operator, worker)
    assert requirement["course"]["id"] == course["id"] and requirement["complaint_id"] == complaint["id"]
    assert requirement["due_on"] == (today_in_beijing() + timedelta(days=days)).isoformat()
    assert requirement["status"] == "open"
    assert scan(client, worker)["colour"] == "green"  # not yet due

    with time_machine.travel(timedelta(days=days + 1)):
        scanned = scan(client, worker)
        assert scanned["colour"] == "yellow"
        assert ("refresher_overdue", "refresher_due_on") in [(r["code"], r["field"]) for r in scanned["reasons"]]
        staff = login("operator")  # a month on: the operator logs in again
        body = offline_class_body(sessions=[session_around_now()])
        training_class = client.post(f"/api/v1/training/courses/{course['id']}/classes", json=body, headers=staff).json
        enrolled = client.post(
            f"/api/v1/training/classes/{training_class['id']}/enrolments",
            json={"worker_id": worker["id"]},
            headers=staff,
        )
        assert enrolled.status_code == 201, enrolled.json
        attended = client.post(
            f"/api/v1/training/sessions/{training_class['sessions'][0]['id']}/attendance",
            json={"worker_id": worker["id"], "reason": "现场签到"},
            headers=staff,
        )
        assert attended.status_code == 201, attended.json
        scanned = scan(client, worker)
        assert [r["status"] for r in refreshers_of(client, staff, worker)] == ["done"]
    assert "refresher_overdue" not in [r["code"] for r in scanned["reasons"]]
    assert scanned["refresher_due_on"] is None


def test_a_dismissed_complaint_or_no_refresher_for_the_service_requires_nothing(
    client, operator, completed, make_course
):
    booking, resident, clerk, worker = completed()
    make_course(purpose="refresher", title="育婴回炉培训", service_types=["childcare"], required_after_complaint=True)
    complain(client, booking, resident, clerk)  # upheld, but no cleaning refresher is marked
    make_course(
        purpose="refresher", title="保洁规范回炉培训", service_types=["cleaning"], required_after_complaint=True
    )
    other, other_resident, other_clerk, other_worker = completed()
    complain(client, other, other_resident, other_clerk, decision="dismiss")
    assert refreshers_of(client, operator, worker) == refreshers_of(client, operator, other_worker) == []


def test_a_complaint_requires_its_refresher_once(app, client, operator, completed, make_course):
    make_course(
        purpose="refresher", title="保洁规范回炉培训", service_types=["cleaning"], required_after_complaint=True
    )
    booking, resident, clerk, worker = completed()
    complaint = complain(client, booking, resident, clerk)
    with app.app_context():
        complaint_upheld.send(
            db.session.get_one(Worker, worker["id"]), complaint_id=complaint["id"], service_code="cleaning", actor=None
        )
        db.session.commit()
    assert len(refreshers_of(client, operator, worker)) == 1
