"""Migrating a database whose classes were written before they kept when they begin: each offline
class begins at its first session, each online class when it opened, so that the figures count
them in the months they counted in before; going back drops the column."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

BEFORE = "0034_worker_counts"


def test_a_class_written_before_begins_at_its_first_session_or_its_opening(tmp_path):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision=BEFORE)
        for statement in (
            "INSERT INTO training_courses (id, title, service_types, kind, purpose, required_hours, pass_mark,"
            " created_at) VALUES (1, '保洁', '[]', 'theory', 'pre_job', 8, 60, '2026-01-01 00:00:00+00:00')",
            "INSERT INTO training_classes (id, course_id, title, mode, capacity, created_at) VALUES"
            " (1, 1, '线下', 'offline', 30, '2026-01-01 00:00:00+00:00'),"
            " (2, 1, '线上', 'online', NULL, '2026-02-01 00:00:00+00:00')",
            "INSERT INTO training_sessions (class_id, starts_at, ends_at) VALUES"
            " (1, '2026-03-02 01:00:00+00:00', '2026-03-02 04:00:00+00:00'),"
            " (1, '2026-03-01 01:00:00+00:00', '2026-03-01 04:00:00+00:00')",
        ):
            db.session.execute(sa.text(statement))
        db.session.commit()

        upgrade()
        begins: dict[int, object] = dict(
            db.session.execute(sa.text("SELECT id, begins_at FROM training_classes")).all()
        )
        assert {id_: str(at)[:19] for id_, at in begins.items()} == {
            1: "2026-03-01 01:00:00",
            2: "2026-02-01 00:00:00",
        }
        db.session.commit()

        downgrade(revision=BEFORE)
        columns = {column["name"] for column in sa.inspect(db.engine).get_columns("training_classes")}
        assert "begins_at" not in columns
