"""Only a receiving platform's own key pulls the feed: no key, a wrong or revoked key and every
user's session are 401s with their own codes; the CLI makes and revokes keys; bad input is a 422
naming its field; every pull is on record."""

import pytest
from sqlalchemy import select

from app.extensions import db
from feed.models import FeedClient, FeedPull
from tests.plugins.feed import FEED_PATH


def refused(response, code: str) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("ApiKey")


def test_without_a_key_the_feed_is_refused(client):
    refused(client.get(FEED_PATH), "api_key_missing")
    refused(client.get(FEED_PATH, headers={"Authorization": "ApiKey "}), "api_key_missing")


def test_a_wrong_key_is_refused(client, feed_key):
    refused(client.get(FEED_PATH, headers={"Authorization": "ApiKey not-the-key"}), "api_key_invalid")
    refused(client.get(FEED_PATH, headers={"Authorization": feed_key["Authorization"] + "x"}), "api_key_invalid")


@pytest.mark.parametrize("role", [None, "station_staff", "company_admin", "operator"])
def test_a_users_session_does_not_pull_the_feed(client, login, make_company, role):
    scope: dict[str, str | int] = {}
    if role == "station_staff":
        scope["station_code"] = "440103001000"
    if role == "company_admin":
        scope["company_id"] = make_company()["id"]
    headers = login(role, **scope)
    refused(client.get(FEED_PATH, headers=headers), "api_key_missing")
    token = headers["Authorization"].split(" ", 1)[1]
    refused(client.get(FEED_PATH, headers={"Authorization": f"ApiKey {token}"}), "api_key_invalid")


def test_the_key_is_checked_before_the_query(client):
    refused(client.get(FEED_PATH, query_string={"limit": "many"}), "api_key_missing")


def test_add_client_prints_the_key_once_and_revoke_client_stops_it_at_once(app, client, cli):
    result = cli("feed", "add-client", "省信用平台")
    assert result.exit_code == 0, result.output
    key = result.output.rsplit(" ", 1)[1].strip()
    headers = {"Authorization": f"ApiKey {key}"}
    assert client.get(FEED_PATH, headers=headers).status_code == 200
    with app.app_context():
        stored = db.session.scalars(select(FeedClient).where(FeedClient.name == "省信用平台")).one()
        assert key not in (stored.key_hash, stored.name)
    assert cli("feed", "add-client", "省信用平台").exit_code != 0
    result = cli("feed", "revoke-client", "省信用平台")
    assert result.exit_code == 0, result.output
    refused(client.get(FEED_PATH, headers=headers), "api_key_revoked")
    assert cli("feed", "revoke-client", "无此平台").exit_code != 0


def test_every_pull_is_on_record_with_what_was_asked_and_what_was_given(app, client, feed_key):
    first = client.get(FEED_PATH, query_string={"since": "2026-11-01T00:00:00+08:00", "limit": 5}, headers=feed_key)
    second = client.get(
        FEED_PATH, query_string={"cursor": first.json["next_cursor"], "format": "csv"}, headers=feed_key
    )
    assert first.status_code == second.status_code == 200
    with app.app_context():
        pulls = list(db.session.scalars(select(FeedPull).order_by(FeedPull.id)))
        assert [pull.parameters for pull in pulls] == [
            {"since": "2026-11-01T00:00:00+08:00", "limit": "5"},
            {"cursor": first.json["next_cursor"], "format": "csv"},
        ]
        assert [pull.next_cursor for pull in pulls] == [first.json["next_cursor"], second.headers["Feed-Next-Cursor"]]
        assert {pull.client.name for pull in pulls} == {"市公共信用信息平台"}
        assert all(pull.record_count == 0 and pull.pulled_at is not None for pull in pulls)


def test_a_refused_pull_writes_nothing(app, client):
    client.get(FEED_PATH, headers={"Authorization": "ApiKey wrong"})
    with app.app_context():
        assert db.session.scalars(select(FeedPull)).all() == []


@pytest.mark.parametrize(
    "query, field",
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-11-01T08:00:00"}, "since"),  # no offset: which 08:00?
        ({"cursor": "v1.bm90LWEtY3Vyc29y"}, "cursor"),
        ({"cursor": "v0.W10"}, "cursor"),
        ({"cursor": "v1." + "A" * 300}, "cursor"),
        ({"cursor": "v1.WzEsMiwieCJd"}, "cursor"),  # [1,2,"x"]: a since that is no moment
        ({"limit": "1001"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"format": "xml"}, "format"),
        ({"since": "2026-11-01T08:00:00+08:00", "cursor": "v1.WzAsMCxudWxsXQ"}, "cursor"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, feed_key, query, field):
    response = client.get(FEED_PATH, query_string=query, headers=feed_key)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert list(response.json["errors"]) == [field]
