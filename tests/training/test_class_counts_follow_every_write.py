"""Each class's figures are read from counts the database keeps in the transaction of every write
(migration 0040's triggers), not from its enrolments and attendances: after each write — an
enrolment with a place or on the waiting list, a cancellation of either (the place passing to the
first waiting), attendance marked by hand or by the check-in code, a completion, and rows
changed, deleted or a session moved by SQL — the training statistics and the page of the
month's classes equal the same figures counted from the rows, at once; and the statistics read
none of those rows."""

from collections import Counter

from sqlalchemy import select, text

from app.clock import today_in_beijing
from app.extensions import db
from tests.factories import offline_class_body, online_class_body, session_around_now
from training.models import Attendance, ClassSession, Enrolment

FIGURES = ("enrolled", "waiting", "completed", "cancelled", "attendances")


def counted_from_the_rows(app) -> dict[int, Counter]:
    """{class: {figure: count}} counted in Python from every enrolment and attendance."""
    with app.app_context():
        counts: dict[int, Counter] = {}
        for class_id, status in db.session.execute(select(Enrolment.class_id, Enrolment.status)):
            counts.setdefault(class_id, Counter())[status] += 1
        for (class_id,) in db.session.execute(
            select(ClassSession.class_id).join(Attendance, Attendance.session_id == ClassSession.id)
        ):
            counts.setdefault(class_id, Counter())["attendances"] += 1
    return counts


def assert_figures_are_the_rows(client, operator, app, classes, after):
    rows = counted_from_the_rows(app)
    month = today_in_beijing().strftime("%Y-%m")
    page = client.get("/api/v1/training/statistics/classes", headers=operator)
    assert page.status_code == 200, page.json
    listed = {row["id"]: row for row in page.json["items"]}
    grouped = client.get("/api/v1/training/statistics", query_string={"month_from": month}, headers=operator)
    assert grouped.status_code == 200, grouped.json
    by_course = {row["course_id"]: row for row in grouped.json["classes"]}
    for training_class in classes:
        expected = rows.get(training_class["id"], Counter())
        assert {figure: listed[training_class["id"]][figure] for figure in FIGURES} == {
            figure: expected[figure] for figure in FIGURES
        }, after
        # Each class is of a course of its own: its group is the class.
        row = by_course[training_class["course"]["id"]]
        assert (row["classes"], row["enrolments"], row["completions"], row["attendances"]) == (
            1,
            expected["enrolled"] + expected["completed"],
            expected["completed"],
            expected["attendances"],
        ), after


def test_each_classs_figures_equal_its_rows_after_every_kind_of_write(
    client, operator, app, make_class, make_trainee, enrol
):
    full = make_class(offline_class_body(capacity=2, sessions=[session_around_now(), session_around_now(0.25, 1)]))
    online = make_class(online_class_body(10))
    classes = [full, online]
    first, second = (session["id"] for session in full["sessions"])
    workers = [make_trainee() for _ in range(4)]

    def enrolment_of(worker, training_class):
        with app.app_context():
            return db.session.scalars(
                select(Enrolment.id)
                .where(Enrolment.worker_id == worker["id"], Enrolment.class_id == training_class["id"])
                .order_by(Enrolment.id.desc())
            ).first()

    def enrolled(training_class, worker):
        answer = enrol(training_class, worker)
        assert answer.status_code == 201, answer.json

    def cancel(worker):
        answer = client.post(
            f"/api/v1/training/enrolments/{enrolment_of(worker, full)}/cancel", json={}, headers=operator
        )
        assert answer.status_code == 200, answer.json

    def mark(session_id, worker):
        answer = client.post(
            f"/api/v1/training/sessions/{session_id}/attendance",
            json={"worker_id": worker["id"], "reason": "现场签到"},
            headers=operator,
        )
        assert answer.status_code == 201, answer.json

    def check_in(session_id, worker):
        code = client.get(f"/api/v1/training/sessions/{session_id}/check-in-code", headers=operator).json["code"]
        answer = client.post(
            f"/api/v1/training/sessions/{session_id}/check-in",
            json={"worker_id": worker["id"], "code": code},
            headers=operator,
        )
        assert answer.status_code == 201, answer.json

    def by_sql(statement, **values):
        with app.app_context():
            db.session.execute(text(statement), values)
            db.session.commit()

    writes = [
        ("enrolled with a place", lambda: enrolled(full, workers[0])),
        ("enrolled with the last place", lambda: enrolled(full, workers[1])),
        ("on the waiting list", lambda: enrolled(full, workers[2])),
        ("second on the waiting list", lambda: enrolled(full, workers[3])),
        ("waiting, cancelled", lambda: cancel(workers[3])),
        ("enrolled online", lambda: enrolled(online, workers[0])),
        ("marked present by hand", lambda: mark(first, workers[0])),
        ("checked in by the code", lambda: check_in(first, workers[1])),
        ("present at every session: completed", lambda: mark(second, workers[0])),
        ("enrolled, cancelled: the first waiting promoted", lambda: cancel(workers[1])),
        (
            "an attendance deleted by SQL",
            lambda: by_sql(
                "DELETE FROM training_attendances WHERE session_id = :s AND worker_id = :w", s=first, w=workers[1]["id"]
            ),
        ),
        (
            "a status changed by SQL",
            lambda: by_sql(
                "UPDATE training_enrolments SET status = 'waiting' WHERE id = :e", e=enrolment_of(workers[2], full)
            ),
        ),
        (
            "an enrolment moved to another class by SQL",
            lambda: by_sql(
                "UPDATE training_enrolments SET class_id = :c WHERE id = :e",
                c=online["id"],
                e=enrolment_of(workers[2], full),
            ),
        ),
        (
            "an enrolment deleted by SQL",
            lambda: by_sql("DELETE FROM training_enrolments WHERE id = :e", e=enrolment_of(workers[3], full)),
        ),
        (
            "a session moved to another class by SQL",
            lambda: by_sql("UPDATE training_sessions SET class_id = :c WHERE id = :s", c=online["id"], s=second),
        ),
    ]
    for after, write in writes:
        write()
        assert_figures_are_the_rows(client, operator, app, classes, after)


def test_the_statistics_read_no_enrolment_or_attendance_however_many_there_are(
    client, operator, make_class, make_trainee, enrol, rows_read
):
    training_class = make_class(offline_class_body())
    for worker in [make_trainee() for _ in range(3)]:
        assert enrol(training_class, worker).status_code == 201
        marked = client.post(
            f"/api/v1/training/sessions/{training_class['sessions'][0]['id']}/attendance",
            json={"worker_id": worker["id"], "reason": "现场签到"},
            headers=operator,
        )
        assert marked.status_code == 201, marked.json

    with rows_read("training_enrolments", "training_attendances", "training_sessions") as read:
        counted = client.get("/api/v1/training/statistics", headers=operator)

    assert counted.status_code == 200, counted.json
    assert sum(row["attendances"] for row in counted.json["classes"]) >= 3
    assert read() == 0
