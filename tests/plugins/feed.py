"""The public-credit feed: a receiving platform's key, and pulls that commit for real.

On PostgreSQL the feed serves only records of transactions older than the oldest one running, and
a test inside the rolled-back connection is one such running transaction: its records are never
served to itself. Pulling tests therefore commit (`committed_feed`), and remove what they made."""

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from credit.models import Company, Worker
from feed.clients import add_client
from feed.models import FeedClient, FeedPull, FeedRecord

FEED_PATH = "/api/v1/public-credit/v1/records"


@pytest.fixture
def feed_key(app, isolated):
    """Authorization headers of a new receiving platform, in the test's rolled-back transaction."""
    with app.app_context():
        _client, key = add_client("市公共信用信息平台")
        db.session.commit()
    return {"Authorization": f"ApiKey {key}"}


@pytest.fixture
def committed_feed(app):
    """A test whose writes commit for real: yields `made`, into which it puts the ids of the workers
    and companies it made (`made["workers"]`, `made["companies"]`); afterwards the feed's rows, those
    workers and companies and every row naming them are deleted."""
    with app.app_context():
        before = {model: db.session.scalar(select(func.max(model.id))) or 0 for model in (FeedPull, FeedClient)}
        records_before = db.session.scalar(select(func.max(FeedRecord.id))) or 0
    made: dict[str, list[int]] = {"workers": [], "companies": []}
    yield made
    with app.app_context():
        db.session.execute(delete(FeedRecord).where(FeedRecord.id > records_before))
        for model, last in before.items():
            db.session.execute(delete(model).where(model.id > last))
        for table in reversed(db.metadata.sorted_tables):
            for column, ids in (
                ("worker_id", made["workers"]),
                ("company_id", made["companies"]),
                ("employer_id", made["companies"]),
            ):
                if column in table.c and ids and table.name not in ("workers", "companies"):
                    db.session.execute(delete(table).where(table.c[column].in_(ids)))
        db.session.execute(delete(Worker).where(Worker.id.in_(made["workers"])))
        db.session.execute(delete(Company).where(Company.id.in_(made["companies"])))
        db.session.commit()


@pytest.fixture
def committed_key(app, committed_feed):
    with app.app_context():
        _client, key = add_client("市公共信用信息平台")
        db.session.commit()
    return {"Authorization": f"ApiKey {key}"}
