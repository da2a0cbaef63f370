"""Each feed test reads the feed as the receiving platform does, from the first record: it starts
empty. Other tests that commit for real (the access matrix's world, the browser's server) leave
records of their workers behind; they are removed here, on a connection of their own, before the
test's own transaction begins."""

import pytest
from sqlalchemy import delete

from app.extensions import db
from feed.models import FeedPull, FeedRecord


@pytest.fixture(autouse=True)
def empty_feed(app):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(delete(FeedPull))
        connection.execute(delete(FeedRecord))
