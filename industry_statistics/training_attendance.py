"""Training by month (Beijing) and by course: enrolments made (人次, whatever became of them),
completions (结业, by the day completed), session attendances, and of the workers who sat a
course's exam in the month, those who passed it (a worker counts once per course and month, as
passed if any attempt passed). Online lessons are not sessions and count in completions only."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Integer, Select, func, select

from app.extensions import db
from app.i18n import lazy_gettext
from industry_statistics.charts import Chart, chart, rates
from industry_statistics.periods import Period, beijing_month
from training.models import Attempt, Attendance, ClassSession, Course, Enrolment, Exam, TrainingClass

COUNTS = {
    "enrolments": lazy_gettext("enrolments"),
    "completions": lazy_gettext("completions"),
    "attendances": lazy_gettext("attendances"),
    "sat": lazy_gettext("sat the exam"),
    "passed": lazy_gettext("passed the exam"),
}


@dataclass(frozen=True)
class TrainingFigures:
    period: Period
    by_month: Chart
    by_course: Chart


def training_figures(period: Period) -> TrainingFigures:
    in_period = {
        "enrolments": select(beijing_month(Enrolment.created_at).label("month"), TrainingClass.course_id)
        .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
        .where(Enrolment.created_at >= period.starts_at, Enrolment.created_at < period.ends_at),
        "completions": select(beijing_month(Enrolment.completed_on).label("month"), TrainingClass.course_id)
        .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
        .where(Enrolment.completed_on >= period.first_day, Enrolment.completed_on <= period.last_day),
        "attendances": select(beijing_month(Attendance.at).label("month"), TrainingClass.course_id)
        .join(ClassSession, ClassSession.id == Attendance.session_id)
        .join(TrainingClass, TrainingClass.id == ClassSession.class_id)
        .where(Attendance.at >= period.starts_at, Attendance.at < period.ends_at),
    }
    by_month = {name: _count(query, "month") for name, query in in_period.items()}
    by_course = {name: _count(query, "course_id") for name, query in in_period.items()}
    by_month["sat"], by_month["passed"] = _exam_results(period, "month")
    by_course["sat"], by_course["passed"] = _exam_results(period, "course_id")

    course_keys = sorted(set().union(*by_course.values()))
    titles = dict(db.session.execute(select(Course.id, Course.title).where(Course.id.in_(course_keys))).all())
    months = period.months
    return TrainingFigures(
        period=period,
        by_month=_chart(by_month, months, months),
        by_course=_chart(
            {name: {str(course): n for course, n in counts.items()} for name, counts in by_course.items()},
            [str(course) for course in course_keys],
            [titles[course] for course in course_keys],
        ),
    )


def _chart(counts: Mapping[str, Mapping], keys: list[str], labels: list[str]) -> Chart:
    return chart(
        keys,
        labels,
        [(name, label, counts[name]) for name, label in COUNTS.items()]
        + [
            (
                "pass_rate",
                lazy_gettext("pass rate"),
                dict.fromkeys(keys) | rates(counts["passed"], counts["sat"]),
            )
        ],
    )


def _count(query: Select, by: str) -> Counter:
    rows = query.subquery()
    return Counter(dict(db.session.execute(select(rows.c[by], func.count()).group_by(rows.c[by])).all()))


def _exam_results(period: Period, by: str) -> tuple[Counter, Counter]:
    """The workers who sat a course's exam, and of them those who passed, by month or course."""
    per_worker = (
        select(
            beijing_month(Attempt.submitted_at).label("month"),
            Exam.course_id,
            Attempt.worker_id,
            Attempt.passed.cast(Integer).label("passed"),
        )
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.submitted_at >= period.starts_at, Attempt.submitted_at < period.ends_at)
        .subquery()
    )
    groups = [per_worker.c.course_id, per_worker.c.worker_id] + ([per_worker.c.month] if by == "month" else [])
    workers = select(*groups, func.max(per_worker.c.passed).label("passed")).group_by(*groups).subquery()
    sat: Counter = Counter()
    passed: Counter = Counter()
    for key, count, passes in db.session.execute(
        select(workers.c[by], func.count(), func.sum(workers.c.passed)).group_by(workers.c[by])
    ):
        sat[key], passed[key] = count, int(passes or 0)
    return sat, passed
