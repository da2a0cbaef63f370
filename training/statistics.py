"""What operators count (the article's 班次 and 人次): classes, enrolments and attendances by month,
district, course and kind; pass rates per exam and per class; each trainer's classes. A class
counts in the month (Beijing time) of its first session, an online class in the month it opened.
Grouped counts come from one query each; the grouping by month is done here, the same way on
both databases."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, case, func, select

from app.clock import in_beijing
from app.extensions import db
from training.models import (
    COMPLETED,
    ENROLLED,
    Attempt,
    Attendance,
    ClassSession,
    Course,
    Enrolment,
    Exam,
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
    exam_id: int | None
    class_id: int | None
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
    class_pass_rates: list[PassRate]
    trainers: list[TrainerCount]


@dataclass(frozen=True)
class Overview:
    """What the console's page shows: the classes' counts, the exams' pass rates, the trainers."""

    classes: list[ClassCount]
    exams: list[PassRate]
    trainers: list[TrainerCount]


@dataclass(frozen=True)
class _Class:
    id: int
    course_id: int
    course_title: str
    kind: str
    mode: str
    district_code: str | None
    trainer_name: str | None
    first_at: datetime
    enrolments: int
    completions: int
    attendances: int

    @property
    def month(self) -> str:
        return in_beijing(self.first_at).strftime("%Y-%m")


def statistics(month_from: str | None = None, month_to: str | None = None) -> Statistics:
    classes = _classes(month_from, month_to)
    overview = _overview(classes)
    return Statistics(
        classes=overview.classes,
        exams=overview.exams,
        class_pass_rates=_class_pass_rates(classes),
        trainers=overview.trainers,
    )


def overview(month_from: str | None = None, month_to: str | None = None) -> Overview:
    """statistics() without the pass rates per class, which the page does not show."""
    return _overview(_classes(month_from, month_to))


def _classes(month_from: str | None, month_to: str | None) -> list[_Class]:
    """Each class in the months, with its counts: one grouped query per count, joined, instead of
    every class with its sessions and lessons loaded."""
    first_sessions = (
        select(ClassSession.class_id, func.min(ClassSession.starts_at).label("first_at"))
        .group_by(ClassSession.class_id)
        .subquery()
    )
    enrolled = (
        select(
            Enrolment.class_id,
            func.count().filter(Enrolment.status.in_([ENROLLED, COMPLETED])).label("enrolments"),
            func.count().filter(Enrolment.status == COMPLETED).label("completions"),
        )
        .group_by(Enrolment.class_id)
        .subquery()
    )
    attended = (
        select(ClassSession.class_id, func.count().label("attendances"))
        .join(Attendance, Attendance.session_id == ClassSession.id)
        .group_by(ClassSession.class_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            TrainingClass.id,
            TrainingClass.course_id,
            Course.title,
            Course.kind,
            TrainingClass.mode,
            TrainingClass.district_code,
            TrainingClass.trainer_name,
            func.coalesce(first_sessions.c.first_at, TrainingClass.created_at),
            func.coalesce(enrolled.c.enrolments, 0),
            func.coalesce(enrolled.c.completions, 0),
            func.coalesce(attended.c.attendances, 0),
        )
        .join(Course, Course.id == TrainingClass.course_id)
        .outerjoin(first_sessions, first_sessions.c.class_id == TrainingClass.id)
        .outerjoin(enrolled, enrolled.c.class_id == TrainingClass.id)
        .outerjoin(attended, attended.c.class_id == TrainingClass.id)
        .order_by(TrainingClass.id)
    )
    classes = [_Class(*row) for row in rows]
    return [
        c
        for c in classes
        if (month_from is None or c.month >= month_from) and (month_to is None or c.month <= month_to)
    ]


def _overview(classes: list[_Class]) -> Overview:
    groups: dict[tuple[str, str | None, int, str, str, str], Counter] = defaultdict(Counter)
    trainers: dict[str, Counter] = defaultdict(Counter)
    for c in classes:
        key = (c.month, c.district_code, c.course_id, c.course_title, c.kind, c.mode)
        groups[key].update(classes=1, enrolments=c.enrolments, completions=c.completions, attendances=c.attendances)
        if c.trainer_name:
            trainers[c.trainer_name].update(classes=1, attendances=c.attendances)
    return Overview(
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
    """Per exam: the workers who sat it, and those who passed (at any attempt)."""
    rows = db.session.execute(
        select(
            Exam.id,
            Exam.course_id,
            Course.title,
            func.count(func.distinct(Attempt.worker_id)),
            func.count(func.distinct(case((Attempt.passed.is_(True), Attempt.worker_id)))),
        )
        .join(Course, Course.id == Exam.course_id)
        .join(Attempt, Attempt.exam_id == Exam.id)
        .where(Attempt.submitted_at.is_not(None))
        .group_by(Exam.id, Exam.course_id, Course.title)
        .order_by(Exam.id)
    ).all()
    return [PassRate(exam_id, None, course_id, title, sat, passed) for exam_id, course_id, title, sat, passed in rows]


def _class_pass_rates(classes: list[_Class]) -> list[PassRate]:
    """Per class: of its workers who completed it and sat the course's exam, those who passed."""
    results: dict[tuple[int, int], bool] = {}
    for course_id, worker_id, passed in db.session.execute(
        select(Exam.course_id, Attempt.worker_id, func.max(Attempt.passed.cast(Integer)))
        .join(Attempt, Attempt.exam_id == Exam.id)
        .where(Attempt.submitted_at.is_not(None))
        .group_by(Exam.course_id, Attempt.worker_id)
    ).all():
        results[(course_id, worker_id)] = bool(passed)
    completed: dict[int, list[int]] = defaultdict(list)
    for class_id, worker_id in db.session.execute(
        select(Enrolment.class_id, Enrolment.worker_id).where(Enrolment.status == COMPLETED)
    ).all():
        completed[class_id].append(worker_id)
    rates = []
    for c in classes:
        sat = [results[(c.course_id, w)] for w in completed.get(c.id, []) if (c.course_id, w) in results]
        if sat:
            rates.append(PassRate(None, c.id, c.course_id, c.course_title, len(sat), sum(sat)))
    return rates
