"""Every list of accounts costs the same SQL statements with 1 row as with 50: no query per row."""

import pytest

from accounts.invites import create_invite
from accounts.models import STATION_STAFF, User
from app.extensions import db
from tests.factories import make_user

STATION = "440106001000"


def add_invites(app, count):
    with app.app_context():
        author = make_user("operator")
        for _ in range(count):
            create_invite(STATION_STAFF, db.session.get(User, author.id), 72, station_code=STATION)
        db.session.commit()


def add_clerks(app, count):
    """`count` station staff: as many role grants and role events."""
    with app.app_context():
        for _ in range(count):
            make_user(STATION_STAFF, station_code=STATION)


@pytest.mark.parametrize(
    ("url", "add_rows"),
    [
        ("/api/v1/invites?state=pending", add_invites),
        (f"/api/v1/role-grants?station_code={STATION}", add_clerks),
        ("/api/v1/role-events?per_page=1000", add_clerks),
    ],
)
def test_a_list_costs_the_same_statements_for_1_row_as_for_50(app, client, login, count_statements, url, add_rows):
    operator = login("operator")
    counts = {}
    for rows, more in ((1, 1), (50, 49)):
        add_rows(app, more)
        with count_statements() as statements:
            response = client.get(url, headers=operator)
        assert response.status_code == 200
        counts[rows] = len(statements)
    assert len(response.json["items"]) >= 50
    assert counts[1] == counts[50], counts
