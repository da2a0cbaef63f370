"""A refresher (回炉) course an operator requires by a date: undone by then, the worker's code scans
yellow saying why; completing a class of the course turns it back."""

from datetime import timedelta

import time_machine

from app.clock import today_in_beijing
from tests.factories import offline_class_body, session_around_now, token_of


def scan(client, worker):
    return client.get(f"/api/v1/scan/{token_of(worker)}").json


def require(client, operator, worker, course, days=7):
    due_on = (today_in_beijing() + timedelta(days=days)).isoformat()
    return client.post(
        f"/api/v1/training/workers/{worker['id']}/refreshers",
        json={"course_id": course["id"], "due_on": due_on, "reason": "投诉成立：服务不规范"},
        headers=operator,
    )


def test_a_refresher_not_done_by_its_date_turns_the_code_yellow(client, operator, make_issued, make_course):
    worker = make_issued()
    course = make_course(purpose="refresher", title="规范服务回炉培训")
    required = require(client, operator, worker, course)
    assert required.status_code == 201, required.json
    assert (required.json["status"], required.json["status_name"]) == ("open", "待完成")
    assert scan(client, worker)["colour"] == "green"  # not yet due
    with time_machine.travel(timedelta(days=8)):
        scanned = scan(client, worker)
    assert scanned["colour"] == "yellow"
    assert [(r["code"], r["field"]) for r in scanned["reasons"]] == [("refresher_overdue", "refresher_due_on")]
    assert scanned["refresher_due_on"] == required.json["due_on"]


def test_completing_the_refresher_turns_the_code_back(client, operator, make_issued, make_course, make_class, enrol):
    worker = make_issued()
    course = make_course(purpose="refresher", title="规范服务回炉培训")
    require(client, operator, worker, course)
    with time_machine.travel(timedelta(days=8)):
        assert scan(client, worker)["colour"] == "yellow"
        training_class = make_class(offline_class_body(sessions=[session_around_now()]), course=course)
        enrol(training_class, worker)
        client.post(
            f"/api/v1/training/sessions/{training_class['sessions'][0]['id']}/attendance",
            json={"worker_id": worker["id"], "reason": "现场签到"},
            headers=operator,
        )
        scanned = scan(client, worker)
    assert (scanned["colour"], scanned["refresher_due_on"]) == ("green", None)
    [requirement] = client.get(f"/api/v1/training/workers/{worker['id']}/refreshers", headers=operator).json
    assert requirement["status"] == "done"


def test_only_a_refresher_course_can_be_required(client, operator, make_issued, make_course):
    refused = require(client, operator, make_issued(), make_course())
    assert (refused.status_code, refused.json["code"]) == (422, "not_a_refresher")


def test_only_a_refresher_course_is_required_after_a_complaint(client, operator):
    response = client.post(
        "/api/v1/training/courses",
        json={
            "title": "保洁岗前培训",
            "service_types": ["cleaning"],
            "kind": "theory",
            "purpose": "pre_job",
            "required_hours": 8,
            "pass_mark": 80,
            "required_after_complaint": True,
        },
        headers=operator,
    )
    assert (response.status_code, response.json["code"]) == (422, "not_a_refresher")
    assert list(response.json["errors"]) == ["required_after_complaint"]
