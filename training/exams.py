"""Exams: a paper drawn by the exam's rules from the course's question bank (questions and
options shuffled), answered until a deadline the server keeps, scored by the server. Right
answers leave the server only with a submitted attempt. One open attempt per worker and exam;
retakes limited in number and spaced by a wait. Passing a pre-job course's exam moves the
certificate's exam step through credit's lifecycle. Callers commit; these functions only flush."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.clock import utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.i18n import _
from credit.models import Worker
from training.completion import record_score
from training.models import COMPLETED, PRACTICAL, TRUE_FALSE, Attempt, Course, Enrolment, Exam, Question, TrainingClass


class Drawable(Protocol):
    id: int
    tags: list[str]
    difficulty: int
    kind: str
    options: list[str]


def matches(question: Drawable, rule: dict) -> bool:
    return (rule.get("tag") is None or rule["tag"] in question.tags) and (
        rule.get("difficulty") is None or question.difficulty == rule["difficulty"]
    )


def draw_paper(bank: Sequence[Drawable], rules: list[dict], rng: random.Random) -> list[dict]:
    """`count` questions for each rule in turn, none twice, in a shuffled order, each with its
    options in a shuffled order (true/false keeps 对 before 错). A bank short of a rule's
    questions is a 409 naming the rule."""
    picked: list[Drawable] = []
    for index, rule in enumerate(rules):
        taken = {question.id for question in picked}
        candidates = [question for question in bank if question.id not in taken and matches(question, rule)]
        if len(candidates) < rule["count"]:
            raise Conflict(
                _(
                    "The question bank has %(found)s questions for rule %(index)s, which needs %(count)s.",
                    found=len(candidates),
                    index=index + 1,
                    count=rule["count"],
                ),
                code="question_bank_short",
                field=f"rules.{index}",
            )
        picked += rng.sample(candidates, rule["count"])
    rng.shuffle(picked)
    return [
        {
            "question_id": question.id,
            "order": list(range(len(question.options)))
            if question.kind == TRUE_FALSE
            else rng.sample(range(len(question.options)), len(question.options)),
        }
        for question in picked
    ]


def set_exam(course: Course, data: dict) -> Exam:
    """A theory course's exam is drawn by rules, a practical one's scored against a checklist."""
    needed, other = ("checklist", "rules") if course.kind == PRACTICAL else ("rules", "checklist")
    if not data.get(needed):
        raise Invalid(
            _("A %(kind)s course's exam needs its %(needed)s.", kind=course.kind, needed=needed),
            code="exam_settings_for_kind",
            field=needed,
        )
    if data.get(other):
        raise Invalid(
            _("A %(kind)s course's exam has no %(other)s.", kind=course.kind, other=other),
            code="exam_settings_for_kind",
            field=other,
        )
    data = data | {other: []}
    exam = db.session.scalar(select(Exam).where(Exam.course_id == course.id))
    if exam is None:
        exam = Exam(course_id=course.id)
        db.session.add(exam)
    for name, value in data.items():
        setattr(exam, name, value)
    exam.updated_at = utcnow()
    db.session.flush()
    return exam


def add_question(course: Course, data: dict) -> Question:
    check_question(data)
    question = Question(course_id=course.id, **data)
    db.session.add(question)
    db.session.flush()
    return question


def check_question(data: dict) -> None:
    """The answer's shape fits the kind: one right option for single choice and true/false, one
    or more for multiple choice, every index an option's."""
    options, answer = data["options"], sorted(set(data["answer"]))
    if data["kind"] == TRUE_FALSE and len(options) != 2:
        raise Invalid(_("A true/false question has two options."), code="true_false_options", field="options")
    if any(index >= len(options) for index in answer):
        raise Invalid(
            _("An answer names an option the question does not have."), code="answer_not_an_option", field="answer"
        )
    if data["kind"] != "multiple" and len(answer) != 1:
        raise Invalid(_("This kind of question has exactly one right option."), code="one_right_option", field="answer")
    data["answer"] = answer


# ---------------------------------------------------------------- attempts


def start_attempt(exam: Exam, worker: Worker, actor: User, rng: random.Random | None = None) -> Attempt:
    if exam.course.kind == PRACTICAL:
        raise Conflict(
            _("A practical exam is scored by its examiner, not sat on a paper."), code="practical_exam", field="exam_id"
        )
    _close_if_past_deadline(exam, worker, actor)
    _check_may_sit(exam, worker)
    bank = list(db.session.scalars(select(Question).where(Question.course_id == exam.course_id)))
    now = utcnow()
    attempt = Attempt(
        exam_id=exam.id,
        worker_id=worker.id,
        paper=draw_paper(bank, exam.rules, rng or random.SystemRandom()),
        answers={},
        started_at=now,
        deadline=now + timedelta(minutes=exam.duration_minutes),
        started_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        raise _attempt_open() from None
    return attempt


def score_practical(exam: Exam, worker: Worker, examiner_name: str, points: list[int], actor: User) -> Attempt:
    """A practical exam, scored by a named examiner against the exam's checklist: points per item,
    each at most the item's; the score is the share of all points, out of 100."""
    if exam.course.kind != PRACTICAL:
        raise Conflict(_("Only a practical exam is scored by an examiner."), code="not_practical", field="exam_id")
    _check_may_sit(exam, worker)
    if len(points) != len(exam.checklist):
        raise Invalid(
            _("Give points for each of the %(count)s checklist items.", count=len(exam.checklist)),
            code="checklist_points",
            field="points",
        )
    for index, (given, item) in enumerate(zip(points, exam.checklist, strict=True)):
        if given > item["points"]:
            raise Invalid(
                _("Item %(index)s is worth at most %(points)s points.", index=index + 1, points=item["points"]),
                code="checklist_points",
                field=f"points.{index}",
            )
    now, score = utcnow(), round(100 * sum(points) / sum(item["points"] for item in exam.checklist))
    attempt = Attempt(
        exam_id=exam.id,
        worker_id=worker.id,
        paper=[],
        answers={},
        started_at=now,
        deadline=now,
        submitted_at=now,
        score=score,
        passed=score >= exam.course.pass_mark,
        started_by_id=actor.id,
        examiner_name=examiner_name,
        checklist_points=points,
    )
    db.session.add(attempt)
    db.session.flush()
    _record_result(attempt, actor)
    return attempt


def _attempt_open() -> Conflict:
    return Conflict(
        _("This worker has an attempt at this exam open: finish it first."), code="attempt_open", field="worker_id"
    )


def _close_if_past_deadline(exam: Exam, worker: Worker, actor: User) -> None:
    open_attempt = db.session.scalar(
        select(Attempt).where(
            Attempt.exam_id == exam.id, Attempt.worker_id == worker.id, Attempt.submitted_at.is_(None)
        )
    )
    if open_attempt is None:
        return
    if utcnow() <= open_attempt.deadline:
        raise _attempt_open()
    submit(open_attempt, actor)


def _check_may_sit(exam: Exam, worker: Worker) -> None:
    completed = db.session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
        .where(
            TrainingClass.course_id == exam.course_id, Enrolment.worker_id == worker.id, Enrolment.status == COMPLETED
        )
    )
    if not completed:
        raise Conflict(
            _("Worker %(id)s has not completed a class of this course.", id=worker.id),
            code="course_not_completed",
            field="worker_id",
        )
    sat = list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.exam_id == exam.id, Attempt.worker_id == worker.id, Attempt.submitted_at.is_not(None))
            .order_by(Attempt.submitted_at)
        )
    )
    if any(attempt.passed for attempt in sat):
        raise Conflict(_("Worker %(id)s has passed this exam.", id=worker.id), code="already_passed", field="worker_id")
    if len(sat) >= exam.max_attempts:
        raise Conflict(
            _("No attempts left: this exam may be sat %(count)s times.", count=exam.max_attempts),
            code="no_attempts_left",
            field="worker_id",
        )
    last_submitted = sat[-1].submitted_at if sat else None
    if last_submitted is not None and utcnow() < last_submitted + timedelta(hours=exam.retake_wait_hours):
        raise Conflict(
            _("A retake is allowed %(hours)s hours after the last attempt.", hours=exam.retake_wait_hours),
            code="retake_too_soon",
            field="worker_id",
        )


def _open(attempt: Attempt) -> None:
    if attempt.submitted_at is not None:
        raise Conflict(_("This attempt has been submitted."), code="attempt_submitted", field="attempt_id")
    if utcnow() > attempt.deadline:
        raise Conflict(
            _("The deadline of this attempt has passed: answers are no longer taken."),
            code="deadline_passed",
            field="attempt_id",
        )


def answer(attempt: Attempt, question_id: int, choices: list[int]) -> Attempt:
    """Records the shown option indices chosen for one question of the paper, until the deadline."""
    _open(attempt)
    entry = next((entry for entry in attempt.paper if entry["question_id"] == question_id), None)
    if entry is None:
        raise Invalid(_("This question is not on this paper."), code="not_on_paper", field="question_id")
    if any(choice >= len(entry["order"]) for choice in choices):
        raise Invalid(_("A choice names an option the question does not have."), code="not_an_option", field="choices")
    attempt.answers = attempt.answers | {str(question_id): sorted(set(choices))}
    db.session.flush()
    return attempt


def submit(attempt: Attempt, actor: User) -> Attempt:
    """Scores the attempt (answers given before the deadline; a late submission still closes it)."""
    if attempt.submitted_at is not None:
        raise Conflict(_("This attempt has been submitted."), code="attempt_submitted", field="attempt_id")
    questions = _questions_of(attempt)
    right = sum(
        1
        for entry in attempt.paper
        if sorted(entry["order"][shown] for shown in attempt.answers.get(str(entry["question_id"]), []))
        == questions[entry["question_id"]].answer
    )
    now = utcnow()
    attempt.submitted_at, attempt.recorded_at = min(now, attempt.deadline), now
    attempt.score = round(100 * right / len(attempt.paper)) if attempt.paper else 0
    attempt.passed = attempt.score >= attempt.exam.course.pass_mark
    db.session.flush()
    _record_result(attempt, actor)
    return attempt


def _record_result(attempt: Attempt, actor: User) -> None:
    worker = db.session.get_one(Worker, attempt.worker_id)
    record_score(worker, attempt.exam.course, attempt.score or 0, actor, f"training-attempt:{attempt.id}")


def _questions_of(attempt: Attempt) -> dict[int, Question]:
    ids = [entry["question_id"] for entry in attempt.paper]
    return {question.id: question for question in db.session.scalars(select(Question).where(Question.id.in_(ids)))}


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the paper shows it: options in the shown order; `right` (shown indices) only
    once the attempt is submitted."""

    question_id: int
    kind: str
    text: str
    options: list[str]
    chosen: list[int]
    right: list[int] | None


@dataclass(frozen=True)
class AttemptView:
    attempt: Attempt
    questions: list[ShownQuestion]


def view(attempt: Attempt) -> AttemptView:
    questions = _questions_of(attempt)
    shown = []
    for entry in attempt.paper:
        question, order = questions[entry["question_id"]], entry["order"]
        right = None
        if attempt.submitted_at is not None:
            right = sorted(position for position, stored in enumerate(order) if stored in question.answer)
        shown.append(
            ShownQuestion(
                question_id=question.id,
                kind=question.kind,
                text=question.text,
                options=[question.options[stored] for stored in order],
                chosen=attempt.answers.get(str(question.id), []),
                right=right,
            )
        )
    return AttemptView(attempt, shown)
