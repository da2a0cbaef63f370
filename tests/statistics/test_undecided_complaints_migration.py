"""Migrating a database with complaints: the complaint statistics' indexes of the complaints the
rollup does not hold yet (the undecided by filing time, the decided unanswered by response
deadline) come with 0045 and go with its downgrade, the complaints untouched, and come back up
again. On both backends."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.factories import empty_database_url

BEFORE, AT = "0044_workers_by_name_and_stars", "0045_undecided_complaints"
INDEXES = {"ix_booking_complaints_undecided", "ix_booking_complaints_decided_unanswered"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    return empty_database_url(request.param, tmp_path, "undecided_complaints")


def indexes() -> set[str | None]:
    return {index["name"] for index in sa.inspect(db.engine).get_indexes("booking_complaints")} & INDEXES


def test_the_undecided_complaints_indexes_come_and_go_with_the_migration(database_url):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        try:
            upgrade(revision=BEFORE)
            assert indexes() == set()
            upgrade(revision=AT)
            assert indexes() == INDEXES
            downgrade(revision=BEFORE)
            assert indexes() == set()
            upgrade(revision=AT)
            assert indexes() == INDEXES
        finally:
            db.session.remove()
            db.engine.dispose()
