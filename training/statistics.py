"""What operators count (the article's 班次 and 人次): classes, enrolments and attendances by month,
district, course and kind; pass rates per exam; each trainer's classes; and, a page at a time, the
classes of a period with their enrolments by status, attendances and pass rate. A class counts in
the month (Beijing time) it begins (`begins_at`): its first session's, an online class's opening. A
class's enrolments by status and attendances are the counts its row keeps (migration 0040's
triggers), so the figures read one row per class of the period, none of their enrolments or
attendances; the grouping by month is done here, the same way on both databases. Each exam's
pass rate is read from the counts `flask statistics roll-up` keeps (ExamCounts) and the results
recorded since, not from every attempt."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import ColumnElement, Integer, bindparam, case, func, insert, select, tuple_, update
from sqlalchemy.orm import aliased

from app.clock import beijing_day_bounds, in_beijing, utcnow
from app.extensions import db
from app.paging import Page
from app.rollup_marks import rollup_reaches
from training.models import (
    COMPLETED,
    Attempt,
    Course,
    Enrolment,
    Exam,
    ExamCounts,
    TrainingClass,
)


@dataclass(frozen=True)
class ClassCount:
    month: str
    district_code: str | None
    course_id: int
    course_title: str
    kind: str
    mode: str
    classes: int
    enrolments: int
    completions: int
    attendances: int


@dataclass(frozen=True)
class PassRate:
    exam_id: int
    course_id: int
    course_title: str
    sat: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return round(self.passed / self.sat, 4) if self.sat else None


@dataclass(frozen=True)
class TrainerCount:
    trainer_name: str
    classes: int
    attendances: int


@dataclass(frozen=True)
class Statistics:
    classes: list[ClassCount]
    exams: list[PassRate]
    trainers: list[TrainerCount]


@dataclass(frozen=True)
class ClassDescription:
    """What a class is, as both the grouped counts and a page of classes describe it."""

    id: int
    course_id: int
    course_title: str
    kind: str
    mode: str
    district_code: str | None
    trainer_name: str | None
    begins_at: datetime

    @property
    def month(self) -> str:
        """The month (Beijing) the class counts in: the one it begins in."""
        return in_beijing(self.begins_at).strftime("%Y-%m")


# The columns of a ClassDescription, in its order.
DESCRIPTION = (
    TrainingClass.id,
    TrainingClass.course_id,
    Course.title,
    Course.kind,
    TrainingClass.mode,
    TrainingClass.district_code,
    TrainingClass.trainer_name,
    TrainingClass.begins_at,
)


@dataclass(frozen=True)
class _Class(ClassDescription):
    enrolments: int
    completions: int
    attendances: int


def statistics(month_from: str | None = None, month_to: str | None = None) -> Statistics:
    """The period's classes grouped, each exam's pass rate (read from the rollup), the trainers."""
    return _grouped(_classes(month_from, month_to))


def _classes(month_from: str | None, month_to: str | None) -> list[_Class]:
    """Each class that begins in the months, with its counts as its row keeps them (migration
    0040's triggers): the period's classes read, none of their enrolments or attendances."""
    in_period: list[ColumnElement[bool]] = []
    if month_from is not None:
        in_period.append(TrainingClass.begins_at >= _month_starts(month_from))
    if month_to is not None:
        in_period.append(TrainingClass.begins_at < beijing_day_bounds(_last_day(month_to))[1])
    rows = db.session.execute(
        select(
            *DESCRIPTION,
            TrainingClass.enrolments_enrolled + TrainingClass.enrolments_completed,
            TrainingClass.enrolments_completed,
            TrainingClass.attendances,
        )
        .join(Course, Course.id == TrainingClass.course_id)
        .where(*in_period)
        .order_by(TrainingClass.id)
    )
    return [_Class(*row) for row in rows]


def _grouped(classes: list[_Class]) -> Statistics:
    groups: dict[tuple[str, str | None, int, str, str, str], Counter] = defaultdict(Counter)
    trainers: dict[str, Counter] = defaultdict(Counter)
    for c in classes:
        key = (c.month, c.district_code, c.course_id, c.course_title, c.kind, c.mode)
        groups[key].update(classes=1, enrolments=c.enrolments, completions=c.completions, attendances=c.attendances)
        if c.trainer_name:
            trainers[c.trainer_name].update(classes=1, attendances=c.attendances)
    return Statistics(
        classes=[
            ClassCount(
                *key,
                classes=counts["classes"],
                enrolments=counts["enrolments"],
                completions=counts["completions"],
                attendances=counts["attendances"],
            )
            for key, counts in sorted(groups.items(), key=lambda item: (item[0][0], item[0][2], item[0][5]))
        ],
        exams=_exam_pass_rates(),
        trainers=[TrainerCount(name, c["classes"], c["attendances"]) for name, c in sorted(trainers.items())],
    )


def _exam_pass_rates() -> list[PassRate]:
    """Per exam: the workers who sat it, and those who passed (at any attempt): the rollup's
    counts of the results recorded before its mark and those the results recorded since add (all
    of them, before the job first ran)."""
    reaches = rollup_reaches("training")
    counts: Counter = Counter()
    if reaches is not None:
        for exam_id, sat, passed in db.session.execute(select(ExamCounts.exam_id, ExamCounts.sat, ExamCounts.passed)):
            counts.update({(exam_id, "sat"): sat, (exam_id, "passed"): passed})
    counts.update(exam_result_changes(reaches, None))
    sat_by = sorted(exam for (exam, what), n in counts.items() if what == "sat" and n)
    rows = db.session.execute(
        select(Exam.id, Exam.course_id, Course.title)
        .join(Course, Course.id == Exam.course_id)
        .where(Exam.id.in_(sat_by))
        .order_by(Exam.id)
    ).all()
    return [
        PassRate(exam_id, course_id, title, counts[(exam_id, "sat")], counts[(exam_id, "passed")])
        for exam_id, course_id, title in rows
    ]


def exam_result_changes(since: datetime | None, until: datetime | None) -> Counter:
    """{(exam, "sat" or "passed"): workers} that the results recorded from `since` (the first) to
    `until` (None: now) add: a worker counts at an exam once, when a result of theirs is first
    recorded, and once as passed, when a passing one first is. Nothing is recorded later than
    now, so no row after it is read."""
    recorded: list[ColumnElement[bool]] = [Attempt.recorded_at.is_not(None)]
    if since is not None:
        recorded.append(Attempt.recorded_at >= since)
    recorded.append(Attempt.recorded_at < until if until is not None else Attempt.recorded_at <= utcnow())
    results = _results(*recorded)
    earlier: dict[tuple[int, int], bool] = {}
    if since is not None and results:
        # The same workers' results at the same exams recorded before: the rollup's already.
        later = aliased(Attempt)
        again = select(later.worker_id, later.exam_id).where(
            later.recorded_at >= since, *([later.recorded_at < until] if until is not None else [])
        )
        earlier = _results(Attempt.recorded_at < since, tuple_(Attempt.worker_id, Attempt.exam_id).in_(again))
    counts: Counter = Counter()
    for (exam_id, worker_id), passed in results.items():
        before = earlier.get((exam_id, worker_id))
        counts[(exam_id, "sat")] += before is None
        counts[(exam_id, "passed")] += passed and not before
    return counts


def _results(*which: ColumnElement[bool]) -> dict[tuple[int, int], bool]:
    """{(exam, worker): passed} of the attempts `which` selects: passed if any of them passed."""
    return {
        (exam_id, worker_id): bool(passed)
        for exam_id, worker_id, passed in db.session.execute(
            select(Attempt.exam_id, Attempt.worker_id, func.max(Attempt.passed.cast(Integer)))
            .where(*which)
            .group_by(Attempt.exam_id, Attempt.worker_id)
        )
    }


def roll_up_exam_counts(since: datetime | None, until: datetime) -> int:
    """Adds what the results recorded from `since` (the first) to `until` add to each exam's
    counts. Returns the counts changed."""
    changes = Counter({key: n for key, n in exam_result_changes(since, until).items() if n})
    if not changes:
        return 0
    exams = {exam_id for exam_id, _ in changes}
    present = {
        exam_id: {"sat": sat, "passed": passed}
        for exam_id, sat, passed in db.session.execute(
            select(ExamCounts.exam_id, ExamCounts.sat, ExamCounts.passed).where(ExamCounts.exam_id.in_(exams))
        )
    }
    rows = [
        {
            "exam_id": exam_id,
            **{what: present.get(exam_id, {}).get(what, 0) + changes[(exam_id, what)] for what in ("sat", "passed")},
        }
        for exam_id in sorted(exams)
    ]
    if changed := [row for row in rows if row["exam_id"] in present]:
        db.session.execute(update(ExamCounts), changed)
    if added := [row for row in rows if row["exam_id"] not in present]:
        db.session.execute(insert(ExamCounts), added)
    return len(changes)


@dataclass(frozen=True)
class ClassFigures(ClassDescription):
    """One class of a period: its enrolments by their status now, its session attendances, and of
    its workers who completed it and sat the course's exam (at any time), those who passed."""

    title: str
    enrolled: int
    waiting: int
    completed: int
    cancelled: int
    attendances: int
    sat: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return round(self.passed / self.sat, 4) if self.sat else None


def class_figures(month_from: str, month_to: str, page: int, per_page: int) -> Page:
    """The classes that begin in the months (their first session, an online class's opening),
    the latest first, a page at a time, each with its figures. The page's classes are read from
    the index by when they begin with the counts their rows keep (migration 0040's triggers), their
    exam results for them alone, through the indexes by class (enrolments) and by worker and exam
    (attempts): a page costs the same however many classes there are, and the count the period's
    classes."""
    in_period = (
        TrainingClass.begins_at >= _month_starts(month_from),
        TrainingClass.begins_at < beijing_day_bounds(_last_day(month_to))[1],
    )
    total = db.session.scalar(select(func.count()).select_from(TrainingClass).where(*in_period)) or 0
    rows = db.session.execute(
        select(
            *DESCRIPTION,
            TrainingClass.title,
            TrainingClass.enrolments_enrolled,
            TrainingClass.enrolments_waiting,
            TrainingClass.enrolments_completed,
            TrainingClass.enrolments_cancelled,
            TrainingClass.attendances,
        )
        .join(Course, Course.id == TrainingClass.course_id)
        .where(*in_period)
        .order_by(TrainingClass.begins_at.desc(), TrainingClass.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    results = _results_of([row[0] for row in rows])
    items = [ClassFigures(*row, *(results[row[0]][figure] for figure in ("sat", "passed"))) for row in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)


def _month_starts(month: str) -> datetime:
    """The UTC moment the month (YYYY-MM) starts in Beijing."""
    return beijing_day_bounds(date.fromisoformat(f"{month}-01"))[0]


def _last_day(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _results_of(class_ids: list[int]) -> defaultdict[int, Counter]:
    """{class: {"sat": workers, "passed": workers}} of the classes' workers who completed them, in
    one statement (none for no class)."""
    results: defaultdict[int, Counter] = defaultdict(Counter)
    if not class_ids:
        return results
    for class_id, passed, workers in db.session.execute(_results_statement(), {"class_ids": class_ids}):
        if passed is not None:
            results[class_id].update(sat=workers, passed=workers if passed else 0)
    return results


@cache
def _results_statement():
    """_results_of's statement, built once (every page of classes reads it)."""
    # Each worker who completed a class: passed (1), failed (0) or not sat (NULL) the course's
    # exam, looked up per worker through the attempts' index by worker and exam (a join would read
    # every attempt).
    result = (
        select(func.max(case((Attempt.passed.is_(True), 1), else_=0)))
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(
            Attempt.worker_id == Enrolment.worker_id,
            Exam.course_id == TrainingClass.course_id,
            Attempt.submitted_at.is_not(None),
        )
        .scalar_subquery()
    )
    completed = (
        select(Enrolment.class_id, result.label("passed"))
        .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
        .where(Enrolment.class_id.in_(bindparam("class_ids", expanding=True)), Enrolment.status == COMPLETED)
        .subquery()
    )
    # Grouped by the result, so that each worker's is looked up once.
    by = (completed.c.class_id, completed.c.passed)
    return select(*by, func.count()).group_by(*by)
