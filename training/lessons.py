"""Time on online lessons, counted from the mini-program's heartbeats. A worker has one lesson
open at a time (opening another closes the first). A heartbeat counts the real time since the
previous one, and only while they come at the expected pace (at most twice the configured
interval apart; a longer gap counts nothing, as the lesson was not being followed): beats
faster than real time add no more than the time that passed, and the total is never more than
the wall-clock time since the lesson was opened. Callers commit; these functions only flush."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from accounts.models import User
from app.clock import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from credit.models import Worker
from training.completion import complete_if_done
from training.enrolments import enrolled_in
from training.models import Lesson, LessonProgress, OpenLesson


def open_lesson(lesson: Lesson, worker: Worker) -> LessonProgress:
    enrolled_in(lesson.class_id, worker)
    now = utcnow()
    opened = db.session.get(OpenLesson, worker.id, with_for_update=True)
    if opened is None:
        db.session.add(OpenLesson(worker_id=worker.id, lesson_id=lesson.id, opened_at=now, last_beat_at=now))
    else:
        opened.lesson_id, opened.opened_at, opened.last_beat_at = lesson.id, now, now
    db.session.flush()
    return _progress(lesson, worker)


def heartbeat(lesson: Lesson, worker: Worker, actor: User) -> LessonProgress:
    enrolment = enrolled_in(lesson.class_id, worker)
    opened = db.session.scalar(
        select(OpenLesson).where(OpenLesson.worker_id == worker.id).execution_options(populate_existing=True)
    )
    if opened is None or opened.lesson_id != lesson.id:
        raise Conflict(
            _("Open this lesson first: a worker follows one lesson at a time."),
            code="lesson_not_open",
            field="lesson_id",
        )
    now, seen = utcnow(), opened.last_beat_at
    # Only the heartbeat that moves last_beat_at on from what it read counts the interval, so
    # two beats sent at once count it once.
    moved = db.session.scalar(
        update(OpenLesson)
        .where(OpenLesson.worker_id == worker.id, OpenLesson.last_beat_at == seen)
        .values(last_beat_at=now)
        .returning(OpenLesson.worker_id)
        .execution_options(synchronize_session=False)
    )
    progress = _progress(lesson, worker)
    pace = timedelta(seconds=2 * current_app.config["TRAINING_HEARTBEAT_SECONDS"])
    elapsed = now - seen
    if moved is not None and timedelta(0) < elapsed <= pace:
        progress.counted_seconds += elapsed.total_seconds()
        if progress.completed_at is None and progress.counted_seconds >= lesson.required_minutes * 60:
            progress.completed_at = now
        db.session.flush()
        if progress.completed_at == now:
            complete_if_done(enrolment, actor)
    return progress


def _progress(lesson: Lesson, worker: Worker) -> LessonProgress:
    progress = db.session.get(LessonProgress, (lesson.id, worker.id), with_for_update=True)
    if progress is None:
        progress = LessonProgress(lesson_id=lesson.id, worker_id=worker.id, counted_seconds=0.0)
        db.session.add(progress)
        db.session.flush()
    return progress
