"""Training by month (Beijing) and by course: enrolments made (人次, whatever became of them),
completions (结业, by the day completed), session attendances, and of the workers who sat a
course's exam in the month, those who passed it (a worker counts once per course and month, as
passed if any attempt passed). Online lessons are not sessions and count in completions only.

A course's exam figures over the period (by_course's sat and passed) are the months' added up: a
worker who sat in two months counts in both (人次 of months), so that a course's figure is the sum
of its months' and is read from the rollup as they are.

Counted per course and month into the rollup (statistics_training_counts) by `flask statistics
roll-up`. A figure reads it for the period's whole months (and a month it holds up to today)
and counts from the rows what was recorded since the job last ran (enrolments made, completions,
attendances, attempts' results) and the days of the months the period holds only in part, so
that it is exact whenever the job last ran. Rows are only ever added, never changed in what is
counted: an enrolment's month is that it was made in, a completion's its day, an attempt's its
submission's."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Integer, func, insert, literal, select, tuple_, union_all, update
from sqlalchemy.orm import aliased

from app.clock import beijing_day_bounds, in_beijing, utcnow
from app.extensions import db
from app.i18n import lazy_gettext
from app.rollup_marks import rollup_reaches
from industry_statistics.charts import Chart, chart, rates
from industry_statistics.models import TrainingCounts
from industry_statistics.periods import Period, beijing_month, whole_months_and_loose_days
from training.models import Attempt, Attendance, ClassSession, Course, Enrolment, Exam, TrainingClass

COUNTS = {
    "enrolments": lazy_gettext("enrolments"),
    "completions": lazy_gettext("completions"),
    "attendances": lazy_gettext("attendances"),
    "sat": lazy_gettext("sat the exam"),
    "passed": lazy_gettext("passed the exam"),
}
# A course's: the months' workers added up (the module's docstring).
COURSE_COUNTS = COUNTS | {
    "sat": lazy_gettext("sat the exam, each month's added up"),
    "passed": lazy_gettext("passed the exam, each month's added up"),
}


@dataclass(frozen=True)
class TrainingFigures:
    period: Period
    by_month: Chart
    by_course: Chart


def training_figures(period: Period) -> TrainingFigures:
    by_month: dict[str, Counter] = {name: Counter() for name in COUNTS}
    by_course: dict[str, Counter] = {name: Counter() for name in COUNTS}
    for (month, course, what), count in _counts(period).items():
        if count:
            by_month[what][f"{month:%Y-%m}"] += count
            by_course[what][str(course)] += count

    course_keys = sorted({int(course) for counts in by_course.values() for course in counts})
    titles = dict(db.session.execute(select(Course.id, Course.title).where(Course.id.in_(course_keys))).all())
    months = period.months
    return TrainingFigures(
        period=period,
        by_month=_chart(COUNTS, by_month, months, months),
        by_course=_chart(
            COURSE_COUNTS, by_course, [str(course) for course in course_keys], [titles[c] for c in course_keys]
        ),
    )


def _chart(names: Mapping, counts: Mapping[str, Mapping], keys: list[str], labels: list[str]) -> Chart:
    return chart(
        keys,
        labels,
        [(name, label, counts[name]) for name, label in names.items()]
        + [
            (
                "pass_rate",
                lazy_gettext("pass rate"),
                dict.fromkeys(keys) | rates(counts["passed"], counts["sat"]),
            )
        ],
    )


def _counts(period: Period) -> Counter:
    """{(month's first day, course, what): count} in the period: the rollup's of its whole months
    with what was recorded in them since, and those of its other days counted from the rows."""
    reaches = rollup_reaches("training")
    if reaches is None:
        return _counted(period.first_day, period.last_day)
    months, loose = whole_months_and_loose_days(period, to_today=True)
    counts: Counter = Counter()
    for first, last in loose:
        counts.update(_counted(first, last))
    if months:
        counts.update(_rolled_up(months))
        counts.update({key: n for key, n in _changes(reaches, None).items() if key[0] in months})
    return counts


def _first_days(rows) -> Counter:
    """{(month's first day, course, what): count} of (what, YYYY-MM, course, count) rows."""
    return Counter({(date.fromisoformat(f"{month}-01"), course, what): n for what, month, course, n in rows})


def _made_completed_attended(enrolled, completed, attended) -> Counter:
    """The enrolments made, completions and attendances, by month and course, of the rows the
    three conditions select, in one statement."""
    parts = [
        _by_month_and_course(
            "enrolments",
            select(beijing_month(Enrolment.created_at).label("month"), TrainingClass.course_id)
            .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
            .where(*enrolled),
        ),
        _by_month_and_course(
            "completions",
            select(beijing_month(Enrolment.completed_on).label("month"), TrainingClass.course_id)
            .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
            .where(*completed),
        ),
        _by_month_and_course(
            "attendances",
            select(beijing_month(Attendance.at).label("month"), TrainingClass.course_id)
            .join(ClassSession, ClassSession.id == Attendance.session_id)
            .join(TrainingClass, TrainingClass.id == ClassSession.class_id)
            .where(*attended),
        ),
    ]
    return _first_days(db.session.execute(union_all(*parts)))


def _by_month_and_course(what: str, query):
    rows = query.subquery()
    return select(literal(what), rows.c.month, rows.c.course_id, func.count()).group_by(rows.c.month, rows.c.course_id)


def _exam_results(*which) -> dict[tuple[date, int, int], bool]:
    """{(month's first day, course, worker): passed} of the submitted attempts `which` selects:
    a worker passed in a month if any attempt then passed."""
    month = beijing_month(Attempt.submitted_at)
    query = (
        select(month, Exam.course_id, Attempt.worker_id, func.max(Attempt.passed.cast(Integer)))
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.submitted_at.is_not(None), *which)
        .group_by(month, Exam.course_id, Attempt.worker_id)
    )
    return {
        (date.fromisoformat(f"{m}-01"), course, worker): bool(passed)
        for m, course, worker, passed in db.session.execute(query)
    }


def _counted(first: date, last: date) -> Counter:
    """Every count of the days from `first` to `last`, from the rows."""
    starts, ends = beijing_day_bounds(first)[0], beijing_day_bounds(last)[1]
    counts = _made_completed_attended(
        [Enrolment.created_at >= starts, Enrolment.created_at < ends],
        [Enrolment.completed_on >= first, Enrolment.completed_on <= last],
        [Attendance.at >= starts, Attendance.at < ends],
    )
    for (month, course, _worker), passed in _exam_results(
        Attempt.submitted_at >= starts, Attempt.submitted_at < ends
    ).items():
        counts[(month, course, "sat")] += 1
        counts[(month, course, "passed")] += passed
    return counts


def _changes(since: datetime | None, until: datetime | None) -> Counter:
    """What the rows recorded from `since` (the first) to `until` (None: up to now, today's
    completions included) add to the counts: the enrolments made, the completions (by their
    day), the attendances, and the workers who sat or passed in a month for the first time by an
    attempt recorded then. Nothing is recorded later than now, so the rows after it (which only a
    load of made-up data holds) are not read: the live part is what the time since `since` holds."""
    if since is not None and until is not None and since >= until:
        return Counter()  # nothing to add: no statement
    made: list[ColumnElement[bool]] = []
    completed: list[ColumnElement[bool]] = []
    attended: list[ColumnElement[bool]] = []
    recorded: list[ColumnElement[bool]] = [Attempt.recorded_at.is_not(None)]
    if since is not None:
        made.append(Enrolment.created_at >= since)
        completed.append(Enrolment.completed_on >= in_beijing(since).date())
        attended.append(Attendance.at >= since)
        recorded.append(Attempt.recorded_at >= since)
    if until is not None:
        made.append(Enrolment.created_at < until)
        completed.append(Enrolment.completed_on < in_beijing(until).date())
        attended.append(Attendance.at < until)
        recorded.append(Attempt.recorded_at < until)
    else:
        now = utcnow()
        made.append(Enrolment.created_at <= now)
        completed.append(Enrolment.completed_on <= in_beijing(now).date())
        attended.append(Attendance.at <= now)
        recorded.append(Attempt.recorded_at <= now)
    counts = _made_completed_attended(made, completed, attended)
    results = _exam_results(*recorded)
    earlier: dict[tuple[date, int, int], bool] = {}
    if since is not None and results:
        # The same workers' results at the same exams recorded before: the rollup's already.
        later = aliased(Attempt)
        again = select(later.worker_id, later.exam_id).where(
            later.recorded_at >= since, *([later.recorded_at < until] if until is not None else [])
        )
        earlier = _exam_results(Attempt.recorded_at < since, tuple_(Attempt.worker_id, Attempt.exam_id).in_(again))
    for key, passed in results.items():
        month, course, _worker = key
        before = earlier.get(key)
        counts[(month, course, "sat")] += before is None
        counts[(month, course, "passed")] += passed and not before
    return counts


def _rolled_up(months: list[date]) -> Counter:
    query = select(TrainingCounts.first_day, TrainingCounts.course_id, TrainingCounts.what, TrainingCounts.count).where(
        TrainingCounts.first_day.in_(months)
    )
    return Counter({(month, course, what): n for month, course, what, n in db.session.execute(query)})


def roll_up_training(since: datetime | None, until: datetime) -> int:
    """Adds what the rows recorded from `since` (the first) to `until` to the month rows. Returns
    the (month, course, what) counts changed."""
    changes = Counter({key: n for key, n in _changes(since, until).items() if n})
    if not changes:
        return 0
    key = (TrainingCounts.first_day, TrainingCounts.course_id, TrainingCounts.what)
    present = {
        (month, course, what): n
        for month, course, what, n in db.session.execute(
            select(*key, TrainingCounts.count).where(TrainingCounts.first_day.in_({month for month, _, _ in changes}))
        )
    }
    rows = [
        {"first_day": month, "course_id": course, "what": what, "count": n + present.get((month, course, what), 0)}
        for (month, course, what), n in changes.items()
    ]
    if changed := [row for row, found in zip(rows, changes, strict=True) if found in present]:
        db.session.execute(update(TrainingCounts), changed)
    if added := [row for row, found in zip(rows, changes, strict=True) if found not in present]:
        db.session.execute(insert(TrainingCounts), added)
    return len(changes)
