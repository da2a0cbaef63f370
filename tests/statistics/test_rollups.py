"""The booking, certificate, complaint and training figures read from the rollups that `flask
statistics roll-up` keeps, and for what changed since it ran from the rows, are the figures counted
from the rows alone (test_figures_match_a_count_by_hand checks those against a count by hand): after
the first run, and after bookings change on old days (a status, a reschedule to another month, a
follow-up, a complaint), old complaints are decided, certificates move and training is recorded (an
enrolment, a completion, an attendance, exam results of old months: a late submission, a worker's
second attempt), both before the job runs again and after; and as time passes a deadline with
nothing written."""

import random
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import delete, func, select

from app.clock import today_in_beijing, utcnow
from app.extensions import db
from app.rollup_marks import RollupMark
from booking.bookings import transition
from booking.models import CANCELLED, COMPLETED, PENDING, Booking, Complaint, FollowUp
from complaints.models import DISMISSED, INVALID, INVALID_SEVERITY
from credit.models import CreditEvent, Worker
from industry_statistics.complaints import PERCENTS, _rank, _ranked
from industry_statistics.models import BookingCounts, CertificateCounts, ComplaintCounts, ComplaintHours
from tests.factories import complaint_about, make_user, plan_nodes, statements_with_parameters
from tests.plugins.statistics import beijing
from tests.statistics.test_figures_match_a_count_by_hand import TIANHE, by_key, nearest_rank, period_of
from training.exams import submit
from training.models import COMPLETED as TRAINING_COMPLETED
from training.models import Attempt, Attendance, ClassSession, Course, Enrolment, Exam, TrainingClass

ROUTES = ("bookings", "certificates", "complaints", "training")
BY_DISTRICT = ("bookings", "certificates", "complaints")
PASS_RATES = "/api/v1/training/statistics"  # each exam's, of its every attempt: the training API's


def periods(generated) -> list[dict]:
    return [
        period_of(generated),  # whole months
        {"from": "2025-02-10", "to": "2025-05-20"},  # parts of months at both ends
        {"from": "2025-03-03", "to": "2025-03-28"},  # within one month
        {"from": "2024-12-01", "to": today_in_beijing().isoformat()},  # to today
    ]


def later(minutes: int):
    """The clock moved on, past the margin the job leaves for transactions still open."""
    return time_machine.travel(utcnow() + timedelta(minutes=minutes), tick=True)


def answered(client, headers, route, query) -> dict:
    """A statistics route's answer (or, given a path, that path's)."""
    path = route if route.startswith("/") else f"/api/v1/statistics/{route}"
    answer = client.get(path, query_string=query, headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def counted_from_the_rows(client, connection, headers, route, query) -> dict:
    """The answer with no rollup to read, the rollup left as it was."""
    savepoint = connection.begin_nested()
    connection.execute(delete(RollupMark))
    try:
        return answered(client, headers, route, query)
    finally:
        savepoint.rollback()


def assert_as_counted_from_the_rows(client, isolated, operator, generated):
    for route in ROUTES:
        for period in periods(generated):
            for query in (period, period | {"district": TIANHE}) if route in BY_DISTRICT else (period,):
                expected = counted_from_the_rows(client, isolated, operator, route, query)
                assert answered(client, operator, route, query) == expected, (route, query)
    expected = counted_from_the_rows(client, isolated, operator, PASS_RATES, {})["exams"]
    assert answered(client, operator, PASS_RATES, {})["exams"] == expected


def rolled_up(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_figures_from_the_rollups_are_those_counted_from_the_rows(client, cli, isolated, operator, generated, app):
    result = cli("statistics", "roll-up")
    assert result.exit_code == 0, result.output
    assert "booking days counted: " in result.output
    assert rolled_up(app, BookingCounts) > 0 and rolled_up(app, CertificateCounts) > 0
    assert rolled_up(app, ComplaintCounts) > 0 and rolled_up(app, ComplaintHours) > 0
    assert_as_counted_from_the_rows(client, isolated, operator, generated)


def test_changes_since_the_job_ran_are_counted_until_it_runs_again(client, cli, isolated, operator, generated, app):
    cli("statistics", "roll-up")
    with later(30):
        cli("statistics", "roll-up")  # the follow-ups the generator just wrote, rolled up
        with app.app_context():
            change_old_bookings_and_certificates()
            record_training()
            db.session.commit()
        assert_as_counted_from_the_rows(client, isolated, operator, generated)

        with later(30):
            again = cli("statistics", "roll-up")
            assert again.exit_code == 0, again.output
            assert "booking days counted: 0 " not in again.output
            assert_as_counted_from_the_rows(client, isolated, operator, generated)

            with later(30):
                idle = cli("statistics", "roll-up")
                assert idle.output.strip() == (
                    "booking days counted: 0  certificate counts changed: 0  complaint months counted: 0"
                    "  training counts changed: 0"
                )


def change_old_bookings_and_certificates() -> None:
    """What staff and residents do to bookings of the generated months, and a certificate's moves,
    now: a booking cancelled, one rescheduled to another month, a follow-up, a complaint."""
    bookings = db.session.scalars(select(Booking).order_by(Booking.id)).all()
    pending = [booking for booking in bookings if booking.status == PENDING]
    transition(pending[0], "cancel", None, "statistics")
    assert pending[0].status == CANCELLED
    moved, old_start = pending[1], pending[1].starts_at
    moved.starts_at = beijing((old_start + timedelta(days=45)).date(), 9)
    transition(moved, "reschedule", None, None, {"from": old_start.isoformat(), "to": moved.starts_at.isoformat()})
    followed = {booking_id for (booking_id,) in db.session.execute(select(FollowUp.booking_id))}
    unfollowed = next(b for b in bookings if b.status == COMPLETED and b.id not in followed)
    db.session.add(
        FollowUp(booking_id=unfollowed.id, caller_id=unfollowed.resident_id, called_at=utcnow(), satisfied=True)
    )
    complained = {booking_id for (booking_id,) in db.session.execute(select(Complaint.booking_id))}
    quiet = next(b for b in bookings if b.id not in complained)
    complaint_about(quiet, text="迟到")
    undecided = db.session.scalars(
        select(Complaint).where(Complaint.decided_at.is_(None)).order_by(Complaint.submitted_at)
    ).all()
    month = undecided[0].submitted_at.month  # every undecided complaint of its month decided now
    for complaint in [c for c in undecided if c.submitted_at.month == month] + [undecided[-1]]:
        complaint.status = complaint.result = DISMISSED
        complaint.accepted_at = complaint.accepted_at or utcnow()
        complaint.decided_at = utcnow()
    latest = db.session.scalars(
        select(CreditEvent).where(CreditEvent.kind == "certificate").order_by(CreditEvent.id.desc())
    ).all()
    last_of: dict[int | None, CreditEvent] = {}
    for event in latest:
        last_of.setdefault(event.worker_id, event)
    valid = [event for event in last_of.values() if (event.after or {}).get("state") == "issued"]
    for event in valid[:2]:
        db.session.add(
            CreditEvent(
                worker_id=event.worker_id,
                employer_id=event.employer_id,
                kind="certificate",
                before={"state": "issued"},
                after={"state": "suspended"},
                created_at=utcnow(),
            )
        )
        db.session.flush()


def test_a_complaint_decided_unanswered_counts_late_once_its_response_deadline_passes(
    client, cli, isolated, operator, generated, app
):
    """Invalidated straight away (无效) before the job ran, with its response deadline after the
    job's mark: nothing is written when the deadline passes, and the figures count it late then."""
    with app.app_context():
        booking = db.session.scalars(select(Booking).order_by(Booking.id).limit(1)).one()
        now = utcnow()
        complaint_about(
            booking,
            type="other",
            text="重复提交",
            status=INVALID,
            result=INVALID,
            severity=INVALID_SEVERITY,
            submitted_at=now - timedelta(hours=1),
            respond_by=now + timedelta(hours=1),
            resolve_by=now + timedelta(days=3),
            decided_at=now - timedelta(minutes=30),
        )
        db.session.commit()
    to_today = {"from": today_in_beijing().replace(day=1).isoformat(), "to": today_in_beijing().isoformat()}
    cli("statistics", "roll-up")
    before = answered(client, operator, "complaints", to_today)
    assert before == counted_from_the_rows(client, isolated, operator, "complaints", to_today)
    with later(90):
        after = answered(client, operator, "complaints", to_today)
        assert after == counted_from_the_rows(client, isolated, operator, "complaints", to_today)
        late = {series["key"]: sum(series["data"]) for series in after["by_month"]["series"]}["answered_late"]
        assert late == 1 + {s["key"]: sum(s["data"]) for s in before["by_month"]["series"]}["answered_late"]
        cli("statistics", "roll-up")
        assert answered(client, operator, "complaints", to_today) == after


def record_training() -> None:
    """Training recorded now: an enrolment made and one completed, an attendance; and results of
    the generated months: a late submission (stamped with its deadline), and a worker who failed
    passing at a second attempt in the same month."""
    enrolled = db.session.scalars(select(Enrolment).where(Enrolment.status == "enrolled").order_by(Enrolment.id)).all()
    class_id = enrolled[0].class_id
    newcomer = db.session.scalar(
        select(Worker.id).where(Worker.id.not_in(select(Enrolment.worker_id).where(Enrolment.class_id == class_id)))
    )
    db.session.add(Enrolment(class_id=class_id, worker_id=newcomer, status="waiting"))
    enrolled[1].status, enrolled[1].completed_on = TRAINING_COMPLETED, today_in_beijing()
    attended = {tuple(row) for row in db.session.execute(select(Attendance.session_id, Attendance.worker_id))}
    missed = next(
        (session.id, enrolment.worker_id)
        for enrolment in enrolled
        for session in db.session.scalars(select(ClassSession).where(ClassSession.class_id == enrolment.class_id))
        if (session.id, enrolment.worker_id) not in attended
    )
    db.session.add(Attendance(session_id=missed[0], worker_id=missed[1], method="qr"))
    failed = db.session.scalars(select(Attempt).where(Attempt.passed.is_(False)).order_by(Attempt.id).limit(1)).one()
    assert failed.submitted_at is not None
    for worker_id, deadline in (
        (newcomer, failed.submitted_at - timedelta(days=1)),
        (failed.worker_id, failed.submitted_at + timedelta(minutes=1)),
    ):
        db.session.add(
            Attempt(
                exam_id=failed.exam_id,
                worker_id=worker_id,
                paper=[],
                started_at=deadline - timedelta(minutes=30),
                deadline=deadline,
                submitted_at=deadline,
                recorded_at=utcnow(),
                score=90,
                passed=True,
            )
        )
    db.session.flush()


@pytest.mark.parametrize("route", ROUTES)
def test_a_figure_read_from_the_rollup_costs_the_same_statements_over_no_rows_as_over_many(
    client, cli, operator, generated, route, count_statements
):
    cli("statistics", "roll-up")
    client.get(f"/api/v1/statistics/{route}", headers=operator)  # the caller's session, read once
    counted = []
    for period in ({"from": "2020-01-01", "to": "2020-06-30"}, period_of(generated)):
        with count_statements() as statements:
            answer = client.get(f"/api/v1/statistics/{route}", query_string=period, headers=operator)
        assert answer.status_code == 200
        counted.append(len(statements))
    assert counted[0] == counted[1] <= 8


def test_a_districts_booking_figures_find_the_days_changed_since_the_job_ran_from_those_changes(
    client, cli, isolated, operator, generated, app
):
    """The days changed since the job ran are found once, from the bookings changed since (each
    by its key), before the district's stations narrow them: not by reading the district's every
    booking of the period to find which changed (a busy station's whole history at city scale)."""
    cli("statistics", "roll-up")
    with later(30):
        cli("statistics", "roll-up")  # the generator's rows, written just now, rolled up
    with later(60):
        with app.app_context():
            first_pending = select(Booking).where(Booking.status == PENDING).order_by(Booking.id).limit(1)
            pending = db.session.scalars(first_pending).one()
            transition(pending, "cancel", None, "statistics")
            db.session.commit()
        with statements_with_parameters(isolated) as sent:
            answered(client, operator, "bookings", period_of(generated) | {"district": TIANHE})
    if isolated.dialect.name != "postgresql":
        return
    reading_changes = [(statement, parameters) for statement, parameters in sent if "changed_in_period" in statement]
    assert len(reading_changes) == 2  # the rollup's rows of those days, and those days counted again
    for statement, parameters in reading_changes:
        found = [
            node
            for node in plan_nodes(isolated, statement, parameters)
            if node.get("Subplan Name") == "CTE changed_in_period"
        ]
        assert found, "the changed days are planned inside the district's scope"
        conditions = [
            " ".join(str(node.get(key, "")) for key in ("Index Cond", "Filter", "Recheck Cond", "Join Filter"))
            for node in subtree(found[0])
        ]
        assert not any("station_code" in condition or "district_code" in condition for condition in conditions)


def subtree(node: dict) -> list[dict]:
    return [node] + [below for child in node.get("Plans", ()) for below in subtree(child)]


def test_a_period_the_rollup_holds_whole_is_read_from_it_without_the_ledger(
    client, cli, operator, generated, count_statements
):
    cli("statistics", "roll-up")
    client.get("/api/v1/statistics/certificates", headers=operator)  # the caller's session, read once
    with count_statements() as statements:
        answer = client.get(
            "/api/v1/statistics/certificates", query_string={"from": "2020-01-01", "to": "2020-06-30"}, headers=operator
        )
    assert answer.status_code == 200
    assert not [statement for statement in statements if "FROM credit_events" in statement]


def test_a_percentile_read_from_the_ranks_around_it_is_that_of_every_complaint():
    """However many complaints were settled before the job ran and since, with hours alike or not:
    the rollup's ranks k - m to k and the m live hours give the nearest rank of them all."""
    rng = random.Random(18)
    for _ in range(3000):
        rolled = sorted(rng.choice([rng.randrange(5), rng.random() * 100]) for _ in range(rng.randrange(40)))
        live = sorted(rng.choice([rng.randrange(5), rng.random() * 100]) for _ in range(rng.randrange(12)))
        if not rolled + live:
            continue
        for percent in PERCENTS:
            k = _rank(percent, len(rolled) + len(live))
            near = {rank: rolled[rank - 1] for rank in range(max(1, k - len(live)), min(len(rolled), k) + 1)}
            assert _ranked(k, len(rolled), near, live) == nearest_rank(rolled + live, percent), (rolled, live, percent)


def test_a_late_submission_closed_after_the_job_ran_counts_in_its_month(
    client, cli, isolated, operator, generated, app
):
    """Closed after its deadline, an attempt is stamped with the deadline: before the job's mark,
    yet recorded after it."""
    with app.app_context():
        enrolment = db.session.scalars(select(Enrolment).order_by(Enrolment.id).limit(1)).one()
        exam = db.session.scalars(select(Exam).order_by(Exam.id).limit(1)).one()
        started = beijing(generated.first_day + timedelta(days=40), 9)
        attempt = Attempt(
            exam_id=exam.id,
            worker_id=enrolment.worker_id,
            paper=[],
            started_at=started,
            deadline=started + timedelta(minutes=30),
        )
        db.session.add(attempt)
        db.session.commit()
        attempt_id = attempt.id
    cli("statistics", "roll-up")
    with later(30):
        with app.app_context():
            submit(db.session.get_one(Attempt, attempt_id), make_user("operator"))
            db.session.commit()
        query = period_of(generated)
        assert answered(client, operator, "training", query) == counted_from_the_rows(
            client, isolated, operator, "training", query
        )


def test_this_month_to_today_reads_the_rollup_and_only_the_training_recorded_since(
    client, cli, operator, generated, app, rows_read
):
    """Enrolments made and attendances this month before the job ran are the rollup's: a figure
    of this month to today reads none of their rows, however many there are, only those since."""
    with app.app_context():
        course_id = db.session.scalars(select(Exam.course_id).order_by(Exam.id).limit(1)).one()
        held = TrainingClass(course_id=course_id, title="本月班", mode="offline", capacity=30, enrolled=0)
        db.session.add(held)
        db.session.flush()
        session = ClassSession(class_id=held.id, starts_at=utcnow(), ends_at=utcnow() + timedelta(hours=3))
        db.session.add(session)
        db.session.flush()
        for worker_id in db.session.scalars(select(Worker.id).order_by(Worker.id).limit(30)):
            db.session.add(Enrolment(class_id=held.id, worker_id=worker_id, status="enrolled"))
            db.session.add(Attendance(session_id=session.id, worker_id=worker_id, method="qr"))
        db.session.commit()
    to_today = {"from": today_in_beijing().replace(day=1).isoformat(), "to": today_in_beijing().isoformat()}
    with later(30):
        cli("statistics", "roll-up")
        with rows_read("training_enrolments", "training_attendances") as read:
            answer = answered(client, operator, "training", to_today)
        assert sum(by_key(answer["by_month"])["enrolments"].values()) >= 30
        assert read() == 0


def test_each_exams_pass_rate_reads_the_rollup_and_only_the_results_recorded_since(
    client, cli, operator, generated, app, rows_read
):
    cli("statistics", "roll-up")
    with later(30):
        with rows_read("training_attempts") as read:
            exams = answered(client, operator, PASS_RATES, {})["exams"]
        assert sum(exam["sat"] for exam in exams) >= 10
        assert read() == 0


def test_a_course_first_recorded_since_the_job_ran_is_shown_under_its_title(
    client, cli, isolated, operator, generated, app
):
    """The rollup's courses come with their titles; a course whose first enrolment and attendance
    were recorded after the job ran is in this month's figures all the same, under its own title,
    and the figures are those counted from the rows."""
    cli("statistics", "roll-up")
    with app.app_context():
        course = Course(title="新开课程", kind="theory", purpose="pre_job", required_hours=8, pass_mark=60)
        db.session.add(course)
        db.session.flush()
        held = TrainingClass(course_id=course.id, title="新课首班", mode="offline", capacity=30, enrolled=0)
        db.session.add(held)
        db.session.flush()
        session = ClassSession(class_id=held.id, starts_at=utcnow(), ends_at=utcnow() + timedelta(hours=3))
        worker_id = db.session.scalars(select(Worker.id).order_by(Worker.id).limit(1)).one()
        db.session.add_all([session, Enrolment(class_id=held.id, worker_id=worker_id, status="enrolled")])
        db.session.flush()
        db.session.add(Attendance(session_id=session.id, worker_id=worker_id, method="qr"))
        db.session.commit()
        course_id = course.id
    to_today = {"from": today_in_beijing().replace(day=1).isoformat(), "to": today_in_beijing().isoformat()}

    answer = answered(client, operator, "training", to_today)

    by_course = answer["by_course"]
    assert by_course["labels"][by_course["keys"].index(str(course_id))] == "新开课程"
    assert by_key(by_course)["enrolments"][str(course_id)] == 1
    assert by_key(by_course)["attendances"][str(course_id)] == 1
    assert answer == counted_from_the_rows(client, isolated, operator, "training", to_today)
