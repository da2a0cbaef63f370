"""Migrating a database whose job has already rolled the training figures up: each exam's counts
start as those of the results recorded before the mark (the job adds those since), a worker once
however many attempts, as passed if any passed; going back drops them, and up again fills them
again."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

BEFORE = "0035_training_rollup"
ROWS = (
    "INSERT INTO training_courses (id, title, service_types, kind, purpose, required_hours, pass_mark,"
    " created_at) VALUES (1, '保洁', '[]', 'theory', 'pre_job', 8, 60, '2026-01-01 00:00:00+00:00')",
    "INSERT INTO training_exams (id, course_id, rules, checklist, duration_minutes, max_attempts,"
    " retake_wait_hours, updated_at) VALUES (1, 1, '[]', '[]', 30, 3, 0, '2026-01-01 00:00:00+00:00')",
    "INSERT INTO workers (id, name, id_number, id_number_hash, service_types, skills, years_of_experience,"
    " rating_count, upheld_complaints, created_at, updated_at) VALUES"
    + ", ".join(
        f" ({n}, '工{n}', 'x', 'h{n}', '[]', '[]', 0, 0, 0, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')"
        for n in (1, 2, 3)
    ),
    # Worker 1 failed, then passed; worker 2 failed; worker 3 passed after the mark (the job's).
    "INSERT INTO training_attempts (exam_id, worker_id, paper, answers, started_at, deadline, submitted_at,"
    " recorded_at, score, passed) VALUES"
    + ", ".join(
        f" (1, {worker}, '[]', '{{}}', '{at}', '{at}', '{at}', '{at}', {score}, {passed})"
        for worker, at, score, passed in (
            (1, "2026-05-01 02:00:00+00:00", 20, 0),
            (1, "2026-05-02 02:00:00+00:00", 90, 1),
            (2, "2026-05-03 02:00:00+00:00", 20, 0),
            (3, "2026-07-01 02:00:00+00:00", 90, 1),
        )
    ),
    "INSERT INTO statistics_rollup_marks (name, through) VALUES ('training', '2026-06-01 00:00:00+00:00')",
)


def counts() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.text("SELECT exam_id, sat, passed FROM training_exam_counts"))]


def test_each_exams_counts_start_as_those_recorded_before_the_rollups_mark(tmp_path):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision=BEFORE)
        for statement in ROWS:
            db.session.execute(sa.text(statement))
        db.session.commit()

        upgrade()
        assert counts() == [(1, 2, 1)]
        db.session.commit()

        downgrade(revision=BEFORE)
        assert "training_exam_counts" not in sa.inspect(db.engine).get_table_names()
        upgrade()
        assert counts() == [(1, 2, 1)]


def test_before_the_job_first_ran_the_counts_start_empty(tmp_path):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.sqlite3'}"})
    with app.app_context():
        upgrade(revision=BEFORE)
        for statement in ROWS[:-1]:
            db.session.execute(sa.text(statement))
        db.session.commit()
        upgrade()
        assert counts() == []
