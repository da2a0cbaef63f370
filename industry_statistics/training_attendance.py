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
from functools import cache

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    String,
    bindparam,
    func,
    insert,
    literal,
    null,
    select,
    tuple_,
    union_all,
    update,
)
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
    rolled_up, titles = _rolled_up_and_counted(period)
    for (month, course, what), count in rolled_up.items():
        if count:
            if month is not None:
                by_month[what][f"{month:%Y-%m}"] += count
            if course is not None:
                by_course[what][str(course)] += count

    course_keys = sorted({int(course) for counts in by_course.values() for course in counts})
    untitled = [course for course in course_keys if course not in (titles or {})]
    if titles is None or untitled:
        # Before the job first ran, every course's; after, one that only the rows since the
        # rollup's mark hold (recorded minutes ago).
        titles = (titles or {}) | dict(
            db.session.execute(select(Course.id, Course.title).where(Course.id.in_(untitled))).all()
        )
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


def _rolled_up_and_counted(period: Period) -> tuple[Counter, dict[int, str] | None]:
    """{(month's first day or None, course or None, what): count} in the period, and the titles of
    the rollup's courses (None before the job first ran): the rollup's whole months summed per
    month (course None) and per course (month None) by the database, so that as many rows are
    read at any fill of the months; what was recorded in them since and the period's other days,
    counted from the rows per month and course, under both keys."""
    reaches = rollup_reaches("training")
    if reaches is None:
        return _both_ways(_counted(period.first_day, period.last_day)), None
    months, loose = whole_months_and_loose_days(period, to_today=True)
    counts: Counter = Counter()
    for first, last in loose:
        counts.update(_counted(first, last))
    titles: dict[int, str] = {}
    if months:
        counts.update({key: n for key, n in _changes(reaches, None).items() if key[0] in months})
        rolled_up, titles = _rolled_up(months)
        return _both_ways(counts) + rolled_up, titles
    return _both_ways(counts), titles


def _both_ways(counts: Counter) -> Counter:
    """{(month, course, what): n} as the rollup's sums are keyed: (month, None, what) and (None,
    course, what)."""
    both: Counter = Counter()
    for (month, course, what), n in counts.items():
        both[(month, None, what)] += n
        both[(None, course, what)] += n
    return both


def _first_days(rows) -> Counter:
    """{(month's first day, course, what): count} of (what, YYYY-MM, course, count) rows."""
    return Counter({(date.fromisoformat(f"{month}-01"), course, what): n for what, month, course, n in rows})


def _made_completed_attended(enrolled, completed, attended) -> Counter:
    """The enrolments made, completions and attendances, by month and course, of the rows the
    three conditions select, in one statement."""
    return _first_days(db.session.execute(_made_completed_attended_statement(enrolled, completed, attended)))


def _made_completed_attended_statement(enrolled, completed, attended):
    """The rows are counted per class (attendances per
    session) before the class's course is looked up by its key, once for a class or session
    however many rows it has: a join would hash every class (and session) for the handful of rows
    since the rollup's mark."""
    return union_all(
        _by_month_and_course(
            "enrolments", beijing_month(Enrolment.created_at), Enrolment.class_id, enrolled, _course_of_class
        ),
        _by_month_and_course(
            "completions",
            beijing_month(Enrolment.completed_on),
            Enrolment.class_id,
            completed,
            _course_of_class,
        ),
        _by_month_and_course(
            "attendances", beijing_month(Attendance.at), Attendance.session_id, attended, _course_of_session
        ),
    )


def _course_of_class(class_id):
    return select(TrainingClass.course_id).where(TrainingClass.id == class_id).scalar_subquery()


def _course_of_session(session_id):
    return (
        select(TrainingClass.course_id)
        .join(ClassSession, ClassSession.class_id == TrainingClass.id)
        .where(ClassSession.id == session_id)
        .scalar_subquery()
    )


def _by_month_and_course(what: str, month, per, which, course_of):
    """(what, month, course, count) of the rows `which` selects: counted per month and `per` (a
    class or session) first, then each one's course read by `course_of`."""
    counted = (
        select(month.label("month"), per.label("per"), func.count().label("n"))
        .where(*which)
        .group_by(month, per)
        .subquery()
    )
    with_course = select(counted.c.month, course_of(counted.c.per).label("course_id"), counted.c.n).subquery()
    return select(
        literal(what), with_course.c.month, with_course.c.course_id, func.sum(with_course.c.n).cast(Integer)
    ).group_by(with_course.c.month, with_course.c.course_id)


def _exam_results(*which) -> dict[tuple[date, int, int], bool]:
    """{(month's first day, course, worker): passed} of the submitted attempts `which` selects:
    a worker passed in a month if any attempt then passed."""
    return _by_month_course_and_worker(db.session.execute(_exam_results_statement(*which)))


def _by_month_course_and_worker(rows) -> dict[tuple[date, int, int], bool]:
    return {(date.fromisoformat(f"{m}-01"), course, worker): bool(passed) for m, course, worker, passed in rows}


def _exam_results_statement(*which):
    month = beijing_month(Attempt.submitted_at)
    return (
        select(month, Exam.course_id, Attempt.worker_id, func.max(Attempt.passed.cast(Integer)))
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.submitted_at.is_not(None), *which)
        .group_by(month, Exam.course_id, Attempt.worker_id)
    )


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
    end = until if until is not None else utcnow()
    parameters = {"end": end, "end_day": in_beijing(end).date()}
    if since is not None:
        parameters |= {"since": since, "since_day": in_beijing(since).date()}
    made_completed_attended, exam_results = _change_statements(since is not None, until is not None)
    counts = _first_days(db.session.execute(made_completed_attended, parameters))
    results = _by_month_course_and_worker(db.session.execute(exam_results, parameters))
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


@cache
def _change_statements(since: bool, until: bool):
    """_changes's two statements for bounds of this shape, built once (every figure reads the
    live part): from `since` (bound "since", its Beijing day "since_day") if there is one, to
    "end" (its day "end_day"), until it if it is the job's `until`, through it if it is now."""
    made: list[ColumnElement[bool]] = []
    completed: list[ColumnElement[bool]] = []
    attended: list[ColumnElement[bool]] = []
    recorded: list[ColumnElement[bool]] = [Attempt.recorded_at.is_not(None)]
    if since:
        moment: BindParameter[datetime] = bindparam("since")
        day: BindParameter[date] = bindparam("since_day")
        made.append(Enrolment.created_at >= moment)
        completed.append(Enrolment.completed_on >= day)
        attended.append(Attendance.at >= moment)
        recorded.append(Attempt.recorded_at >= moment)
    end: BindParameter[datetime] = bindparam("end")
    end_day: BindParameter[date] = bindparam("end_day")
    if until:
        made.append(Enrolment.created_at < end)
        completed.append(Enrolment.completed_on < end_day)
        attended.append(Attendance.at < end)
        recorded.append(Attempt.recorded_at < end)
    else:
        made.append(Enrolment.created_at <= end)
        completed.append(Enrolment.completed_on <= end_day)
        attended.append(Attendance.at <= end)
        recorded.append(Attempt.recorded_at <= end)
    return _made_completed_attended_statement(made, completed, attended), _exam_results_statement(*recorded)


def _rolled_up(months: list[date]) -> tuple[Counter, dict[int, str]]:
    """The rollup's counts of the months, summed per month and per course in one statement (at
    most five rows a month and five a course, however many courses each month holds), and the
    titles of those courses."""
    counts: Counter = Counter()
    titles: dict[int, str] = {}
    for month, course, title, what, n in db.session.execute(_rolled_up_statement(), {"months": months}):
        counts[(month, course, what)] += n
        if course is not None:
            titles[course] = title
    return counts, titles


@cache
def _rolled_up_statement():
    in_months = TrainingCounts.first_day.in_(bindparam("months", expanding=True))
    total = func.sum(TrainingCounts.count)
    per_month = (
        select(TrainingCounts.first_day, null().cast(Integer), null().cast(String), TrainingCounts.what, total)
        .where(in_months)
        .group_by(TrainingCounts.first_day, TrainingCounts.what)
    )
    summed = (
        select(TrainingCounts.course_id, TrainingCounts.what, total.label("n"))
        .where(in_months)
        .group_by(TrainingCounts.course_id, TrainingCounts.what)
        .subquery()
    )
    # Summed before the titles are joined: grouped by a title, the rows would be sorted by text.
    per_course = select(null().cast(Date), summed.c.course_id, Course.title, summed.c.what, summed.c.n).join(
        Course, Course.id == summed.c.course_id
    )
    return union_all(per_month, per_course)


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
