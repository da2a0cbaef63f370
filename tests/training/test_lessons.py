"""Time on online lessons counts from heartbeats at the expected pace (every
TRAINING_HEARTBEAT_SECONDS, 30 by default): beats faster than real time add only the time that
passed, a long silence adds nothing, and a worker follows one lesson at a time."""

from datetime import UTC, datetime

import time_machine

from tests.factories import online_class_body


def beat(client, operator, lesson_id, worker, action="heartbeat"):
    return client.post(
        f"/api/v1/training/lessons/{lesson_id}/{action}", json={"worker_id": worker["id"]}, headers=operator
    )


def enrolled_lessons(make_class, make_trainee, enrol, *minutes):
    training_class = make_class(online_class_body(*minutes))
    worker = make_trainee()
    assert enrol(training_class, worker).status_code == 201
    return [lesson["id"] for lesson in training_class["lessons"]], worker


def test_heartbeats_faster_than_real_time_count_no_extra_time(client, operator, make_class, make_trainee, enrol):
    [lesson], worker = enrolled_lessons(make_class, make_trainee, enrol, 30)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        assert beat(client, operator, lesson, worker, "open").json["counted_seconds"] == 0
        for _ in range(20):  # twenty beats in ten seconds, where one every thirty is expected
            clock.shift(0.5)
            progress = beat(client, operator, lesson, worker).json
    assert progress["counted_seconds"] == 10


def test_time_counts_while_beats_come_at_the_expected_pace(client, operator, make_class, make_trainee, enrol):
    [lesson], worker = enrolled_lessons(make_class, make_trainee, enrol, 30)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        beat(client, operator, lesson, worker, "open")
        for _ in range(4):
            clock.shift(30)
            progress = beat(client, operator, lesson, worker).json
    assert progress["counted_seconds"] == 120


def test_a_long_silence_counts_nothing(client, operator, make_class, make_trainee, enrol):
    [lesson], worker = enrolled_lessons(make_class, make_trainee, enrol, 30)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        beat(client, operator, lesson, worker, "open")
        clock.shift(30)
        beat(client, operator, lesson, worker)
        clock.shift(600)  # the phone was put away for ten minutes
        assert beat(client, operator, lesson, worker).json["counted_seconds"] == 30
        clock.shift(30)
        assert beat(client, operator, lesson, worker).json["counted_seconds"] == 60


def test_a_worker_follows_one_lesson_at_a_time(client, operator, make_class, make_trainee, enrol):
    [first, second], worker = enrolled_lessons(make_class, make_trainee, enrol, 10, 10)
    never_opened = beat(client, operator, first, worker)
    assert (never_opened.status_code, never_opened.json["code"]) == (409, "lesson_not_open")
    beat(client, operator, first, worker, "open")
    beat(client, operator, second, worker, "open")
    closed = beat(client, operator, first, worker)
    assert (closed.status_code, closed.json["code"]) == (409, "lesson_not_open")
    assert beat(client, operator, second, worker).status_code == 200


def test_a_worker_not_in_the_class_cannot_open_its_lessons(client, operator, make_class, make_trainee):
    lesson = make_class(online_class_body())["lessons"][0]["id"]
    response = beat(client, operator, lesson, make_trainee(), "open")
    assert (response.status_code, response.json["code"]) == (409, "not_enrolled")
