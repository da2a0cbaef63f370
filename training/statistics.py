"""What operators count (the article's 班次 and 人次): classes, enrolments and attendances by month,
district, course and kind; pass rates per exam and per class; each trainer's classes. A class
counts in the month (Beijing time) of its first session, an online class in the month it opened.
Grouped counts come from one query each; the grouping by month is done here, the same way on
both databases."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import Integer, func, select

from app.clock import in_beijing
from app.extensions import db
from training.models import (
    COMPLETED,
    ENROLLED,
    Attempt,
    Attendance,
    ClassSession,
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


def _month(training_class: TrainingClass) -> str:
    first = training_class.sessions[0].starts_at if training_class.sessions else training_class.created_at
    return in_beijing(first).strftime("%Y-%m")


def statistics(month_from: str | None = None, month_to: str | None = None) -> Statistics:
    classes = [
        c
        for c in db.session.scalars(select(TrainingClass).order_by(TrainingClass.id))
        if (month_from is None or _month(c) >= month_from) and (month_to is None or _month(c) <= month_to)
    ]
    attended = dict(
        db.session.execute(
            select(ClassSession.class_id, func.count())
            .join(Attendance, Attendance.session_id == ClassSession.id)
            .group_by(ClassSession.class_id)
        ).all()
    )
    by_status: dict[tuple[int, str], int] = {
        (class_id, status): count
        for class_id, status, count in db.session.execute(
            select(Enrolment.class_id, Enrolment.status, func.count()).group_by(Enrolment.class_id, Enrolment.status)
        ).all()
    }
    groups: dict[tuple[str, str | None, int, str, str, str], Counter] = defaultdict(Counter)
    trainers: dict[str, Counter] = defaultdict(Counter)
    for c in classes:
        key = (_month(c), c.district_code, c.course_id, c.course.title, c.course.kind, c.mode)
        groups[key].update(
            classes=1,
            enrolments=by_status.get((c.id, ENROLLED), 0) + by_status.get((c.id, COMPLETED), 0),
            completions=by_status.get((c.id, COMPLETED), 0),
            attendances=attended.get(c.id, 0),
        )
        if c.trainer_name:
            trainers[c.trainer_name].update(classes=1, attendances=attended.get(c.id, 0))
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
        class_pass_rates=_class_pass_rates(classes),
        trainers=[TrainerCount(name, c["classes"], c["attendances"]) for name, c in sorted(trainers.items())],
    )


def _exam_pass_rates() -> list[PassRate]:
    """Per exam: the workers who sat it, and those who passed (at any attempt)."""
    rows = db.session.execute(
        select(Exam, func.count(func.distinct(Attempt.worker_id)))
        .join(Attempt, Attempt.exam_id == Exam.id)
        .where(Attempt.submitted_at.is_not(None))
        .group_by(Exam.id)
        .order_by(Exam.id)
    ).all()
    passed = dict(
        db.session.execute(
            select(Attempt.exam_id, func.count(func.distinct(Attempt.worker_id)))
            .where(Attempt.passed.is_(True))
            .group_by(Attempt.exam_id)
        ).all()
    )
    return [
        PassRate(exam.id, None, exam.course_id, exam.course.title, sat, passed.get(exam.id, 0)) for exam, sat in rows
    ]


def _class_pass_rates(classes: list[TrainingClass]) -> list[PassRate]:
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
            rates.append(PassRate(None, c.id, c.course_id, c.course.title, len(sat), sum(sat)))
    return rates
