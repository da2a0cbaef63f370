"""Finishing a pre-job class moves the applicant's certificate to 已培训 through credit's own
lifecycle, with the course's hours on the credit ledger; any other course's hours go on the
ledger and leave the certificate where it is."""

from datetime import UTC, datetime

import time_machine

from tests.factories import offline_class_body, online_class_body, session_around_now


def certificate_of(client, operator, worker):
    return client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]


def hand_mark(client, operator, session_id, worker):
    return client.post(
        f"/api/v1/training/sessions/{session_id}/attendance",
        json={"worker_id": worker["id"], "reason": "现场签到"},
        headers=operator,
    )


def test_attending_every_session_of_the_pre_job_class_moves_the_certificate(
    client, operator, make_class, make_trainee, enrol
):
    training_class = make_class(offline_class_body(sessions=[session_around_now(), session_around_now(1, 3)]))
    worker = make_trainee()
    enrolment = enrol(training_class, worker).json
    first, second = (session["id"] for session in training_class["sessions"])

    hand_mark(client, operator, first, worker)
    assert certificate_of(client, operator, worker)["state"] == "documents_checked"
    hand_mark(client, operator, second, worker)

    certificate = certificate_of(client, operator, worker)
    assert (certificate["state"], certificate["training_hours"]) == ("trained", 8)
    enrolments = client.get(f"/api/v1/training/workers/{worker['id']}/enrolments", headers=operator).json["items"]
    assert [(e["id"], e["status"]) for e in enrolments] == [(enrolment["id"], "completed")]
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json
    assert "training" in [event["kind"] for event in history["items"]]


def test_finishing_the_online_pre_job_class_moves_the_certificate(client, operator, make_class, make_trainee, enrol):
    training_class = make_class(online_class_body(1))
    worker = make_trainee()
    enrol(training_class, worker)
    lesson = training_class["lessons"][0]["id"]
    url = f"/api/v1/training/lessons/{lesson}"
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        client.post(f"{url}/open", json={"worker_id": worker["id"]}, headers=operator)
        for _ in range(2):
            clock.shift(30)
            progress = client.post(f"{url}/heartbeat", json={"worker_id": worker["id"]}, headers=operator).json
    assert progress["completed_at"] is not None
    assert certificate_of(client, operator, worker)["state"] == "trained"


def test_a_refresher_course_adds_hours_and_leaves_the_certificate(
    client, operator, make_class, make_course, make_issued, enrol
):
    worker = make_issued()
    training_class = make_class(offline_class_body(), course=make_course(purpose="refresher", required_hours=4))
    enrol(training_class, worker)
    hand_mark(client, operator, training_class["sessions"][0]["id"], worker)
    assert certificate_of(client, operator, worker)["state"] == "issued"
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]
    training = [event for event in history if event["kind"] == "training"]
    assert training[-1]["value"] == 4
