"""Migrating a database whose classes already have enrolments and attendances: each class's
counts start as its rows say, whatever its places taken (`enrolled`) say, and move with every
write from then on; going back drops them and their triggers, and up again counts the rows
written meanwhile. On both backends."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.factories import empty_database_url

BEFORE = "0039_staff_pages"
AT = "'2026-01-01 00:00:00+00:00'"
ROWS = (
    "INSERT INTO training_courses (id, title, service_types, kind, purpose, required_hours, pass_mark,"
    f" created_at) VALUES (1, '保洁', '[]', 'theory', 'pre_job', 8, 60, {AT})",
    # Class 1's places taken say 0, written past training.places as a load writes them.
    "INSERT INTO training_classes (id, course_id, title, mode, capacity, enrolled, created_at, begins_at) VALUES"
    f" (1, 1, '线下', 'offline', 30, 0, {AT}, {AT}), (2, 1, '线上', 'online', NULL, 1, {AT}, {AT})",
    "INSERT INTO training_sessions (id, class_id, starts_at, ends_at) VALUES"
    " (1, 1, '2026-03-01 01:00:00+00:00', '2026-03-01 04:00:00+00:00'),"
    " (2, 1, '2026-03-02 01:00:00+00:00', '2026-03-02 04:00:00+00:00')",
    "INSERT INTO workers (id, name, id_number, id_number_hash, service_types, skills, years_of_experience,"
    " rating_count, upheld_complaints, created_at, updated_at) VALUES"
    + ", ".join(f" ({n}, '工{n}', 'x', 'h{n}', '[]', '[]', 0, 0, 0, {AT}, {AT})" for n in (1, 2, 3, 4)),
    "INSERT INTO training_enrolments (class_id, worker_id, status, created_at) VALUES"
    f" (1, 1, 'completed', {AT}), (1, 2, 'enrolled', {AT}), (1, 3, 'waiting', {AT}), (1, 4, 'cancelled', {AT}),"
    f" (2, 1, 'enrolled', {AT})",
    "INSERT INTO training_attendances (session_id, worker_id, method, at) VALUES"
    f" (1, 1, 'qr', {AT}), (2, 1, 'qr', {AT}), (1, 2, 'qr', {AT})",
)
COUNTS = (
    "SELECT id, enrolments_enrolled, enrolments_waiting, enrolments_completed, enrolments_cancelled, attendances"
    " FROM training_classes ORDER BY id"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    return empty_database_url(request.param, tmp_path, "class_counts")


def counts() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.text(COUNTS))]


def test_each_classs_counts_start_as_its_rows_say_and_follow_writes_after_going_back_and_up(database_url):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        try:
            upgrade(revision=BEFORE)
            for statement in ROWS:
                db.session.execute(sa.text(statement))
            db.session.commit()

            upgrade()
            assert counts() == [(1, 1, 1, 1, 1, 3), (2, 1, 0, 0, 0, 0)]
            db.session.execute(sa.text("UPDATE training_enrolments SET status = 'enrolled' WHERE worker_id = 3"))
            db.session.execute(
                sa.text(
                    f"INSERT INTO training_attendances (session_id, worker_id, method, at) VALUES (2, 2, 'qr', {AT})"
                )
            )
            db.session.commit()
            assert counts() == [(1, 2, 0, 1, 1, 4), (2, 1, 0, 0, 0, 0)]
            db.session.commit()

            downgrade(revision=BEFORE)
            columns = {column["name"] for column in sa.inspect(db.engine).get_columns("training_classes")}
            assert not {"enrolments_enrolled", "attendances"} & columns
            # Written while the counts are gone: the rows alone, no trigger left behind to refuse them.
            db.session.execute(
                sa.text(
                    "INSERT INTO training_enrolments (class_id, worker_id, status, created_at)"
                    f" VALUES (2, 2, 'waiting', {AT})"
                )
            )
            db.session.execute(sa.text("DELETE FROM training_attendances WHERE session_id = 1 AND worker_id = 2"))
            db.session.commit()

            upgrade()
            assert counts() == [(1, 2, 0, 1, 1, 3), (2, 1, 1, 0, 0, 0)]
        finally:
            db.session.remove()
            db.engine.dispose()
