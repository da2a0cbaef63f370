"""Attendance at an offline session: the trainer shows a check-in code that changes every minute;
a worker checks in with it while the session runs. An expired, forged or another session's code
is refused, and so is checking in twice. The trainer may mark a worker present by hand, which
records who did it and why."""

from datetime import timedelta

import time_machine

from tests.factories import offline_class_body, session_around_now


def code_of(client, operator, session_id):
    response = client.get(f"/api/v1/training/sessions/{session_id}/check-in-code", headers=operator)
    assert response.status_code == 200, response.json
    return response.json


def check_in(client, operator, session_id, worker, code):
    return client.post(
        f"/api/v1/training/sessions/{session_id}/check-in",
        json={"worker_id": worker["id"], "code": code},
        headers=operator,
    )


def enrolled_session(make_class, make_trainee, enrol, sessions=None):
    training_class = make_class(offline_class_body(sessions=sessions))
    worker = make_trainee()
    assert enrol(training_class, worker).status_code == 201
    return training_class["sessions"][0]["id"], worker


def test_a_worker_checks_in_with_the_code_shown_now(client, operator, make_class, make_trainee, enrol):
    session_id, worker = enrolled_session(make_class, make_trainee, enrol)
    shown = code_of(client, operator, session_id)
    assert shown["valid_until"].endswith("+08:00")
    response = check_in(client, operator, session_id, worker, shown["code"])
    assert response.status_code == 201, response.json
    assert (response.json["method"], response.json["marked_by_id"]) == ("qr", None)


def test_a_code_from_two_minutes_ago_has_expired(client, operator, make_class, make_trainee, enrol):
    session_id, worker = enrolled_session(make_class, make_trainee, enrol)
    code = code_of(client, operator, session_id)["code"]
    with time_machine.travel(timedelta(minutes=2)):
        response = check_in(client, operator, session_id, worker, code)
    assert (response.status_code, response.json["code"], list(response.json["errors"])) == (
        422,
        "check_in_code_expired",
        ["code"],
    )


def test_the_code_of_the_previous_minute_is_still_taken(client, operator, make_class, make_trainee, enrol):
    session_id, worker = enrolled_session(make_class, make_trainee, enrol)
    code = code_of(client, operator, session_id)["code"]
    with time_machine.travel(timedelta(seconds=61)):
        assert check_in(client, operator, session_id, worker, code).status_code == 201


def test_a_forged_code_or_another_sessions_code_is_refused(client, operator, make_class, make_trainee, enrol):
    session_id, worker = enrolled_session(make_class, make_trainee, enrol)
    other_session = make_class(offline_class_body())["sessions"][0]["id"]
    session, minute, signature = code_of(client, operator, session_id)["code"].split(".")
    forged = [
        f"{session}.{minute}.{'0' * len(signature)}",
        f"{session}.{int(minute) + 1}.{signature}",
        code_of(client, operator, other_session)["code"],
        "not-a-code",
    ]
    for code in forged:
        response = check_in(client, operator, session_id, worker, code)
        assert (response.status_code, response.json["code"]) == (422, "check_in_code_invalid"), code


def test_checking_in_twice_is_refused(client, operator, make_class, make_trainee, enrol):
    session_id, worker = enrolled_session(make_class, make_trainee, enrol)
    code = code_of(client, operator, session_id)["code"]
    assert check_in(client, operator, session_id, worker, code).status_code == 201
    replayed = check_in(client, operator, session_id, worker, code)
    assert (replayed.status_code, replayed.json["code"]) == (409, "already_checked_in")


def test_check_in_is_open_only_while_the_session_runs(client, operator, make_class, make_trainee, enrol):
    session_id, worker = enrolled_session(
        make_class, make_trainee, enrol, sessions=[session_around_now(hours_before=-24, hours_after=26)]
    )
    response = check_in(client, operator, session_id, worker, code_of(client, operator, session_id)["code"])
    assert (response.status_code, response.json["code"]) == (409, "session_not_running")


def test_a_worker_without_a_place_cannot_check_in(client, operator, make_class, make_trainee):
    session_id = make_class(offline_class_body())["sessions"][0]["id"]
    response = check_in(client, operator, session_id, make_trainee(), code_of(client, operator, session_id)["code"])
    assert (response.status_code, response.json["code"]) == (409, "not_enrolled")


def test_the_trainer_marks_a_worker_present_by_hand_saying_why(client, login, make_class, make_trainee, enrol):
    trainer = login("operator")
    session_id, worker = enrolled_session(make_class, make_trainee, enrol)
    response = client.post(
        f"/api/v1/training/sessions/{session_id}/attendance",
        json={"worker_id": worker["id"], "reason": "手机没电，现场核对身份证"},
        headers=trainer,
    )
    assert response.status_code == 201, response.json
    me = client.get("/api/v1/me", headers=trainer).json
    assert (response.json["method"], response.json["marked_by_id"], response.json["reason"]) == (
        "by_hand",
        me["id"],
        "手机没电，现场核对身份证",
    )
