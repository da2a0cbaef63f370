"""A body no client would send (nested thousands deep, a number of thousands of digits) is
refused as bad input, naming the body or the field, on every endpoint that reads one; never a 500."""

import json

import pytest

from app import create_app
from tests.factories import booking_body, key_header, signed

DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
HUGE_INTEGER = "1" + "0" * 5000


@pytest.fixture(scope="module")
def development_app(app):
    return create_app(
        {"TESTING": True, "APP_ENV": "development", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )


def post_json(client, path, text, headers=None):
    return client.post(path, data=text, content_type="application/json", headers=headers or {})


@pytest.fixture
def endpoints(development_app, api, resident):
    """(client, path, headers) of public endpoints that read a JSON body."""
    headers = resident() | key_header()
    return {
        "dev-login": (development_app.test_client(), "/api/v1/auth/dev-login", {}),
        "wechat login": (api, "/api/v1/auth/wechat/login", {}),
        "bookings": (api, "/api/v1/bookings", headers),
    }


@pytest.mark.parametrize("endpoint", ["dev-login", "wechat login", "bookings"])
@pytest.mark.parametrize(
    "body", [DEEP_ARRAY, DEEP_OBJECT, '{"a":' * 50 + "1" + "}" * 50], ids=["array", "object", "50"]
)
def test_a_body_nested_too_deep_is_a_400_naming_the_body(endpoints, endpoint, body):
    client, path, headers = endpoints[endpoint]
    response = post_json(client, path, body, headers)
    assert response.status_code == 400, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "json_too_deep"
    assert list(response.json["errors"]) == ["_body"]


def test_a_body_nested_as_deep_as_a_real_one_is_read(endpoints):
    client, path, headers = endpoints["dev-login"]
    response = post_json(client, path, '{"role": "resident", "x": [[{"y": [1]}]]}', headers)
    assert response.status_code == 422 and list(response.json["errors"]) == ["x"]  # unknown, not unreadable


@pytest.mark.parametrize(
    "endpoint, field, text",
    [
        ("dev-login", "role", f'{{"role": {HUGE_INTEGER}}}'),
        ("dev-login", "company_id", f'{{"role": "company_admin", "company_id": {HUGE_INTEGER}}}'),
        ("wechat login", "code", f'{{"code": -{HUGE_INTEGER}}}'),
    ],
)
def test_an_integer_of_thousands_of_digits_is_a_422_naming_its_field(endpoints, endpoint, field, text):
    client, path, headers = endpoints[endpoint]
    response = post_json(client, path, text, headers)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]


@pytest.mark.parametrize("field", ["preferred_worker_id", "location"])
def test_a_booking_with_an_integer_of_thousands_of_digits_is_a_422_naming_its_field(endpoints, field):
    client, path, headers = endpoints["bookings"]
    others = json.dumps({name: value for name, value in booking_body().items() if name != field})
    value = HUGE_INTEGER if field == "preferred_worker_id" else f'{{"lat": {HUGE_INTEGER}, "lng": 113.3}}'
    response = post_json(client, path, others[:-1] + f', "{field}": {value}}}', headers)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]


@pytest.mark.parametrize("body", [DEEP_OBJECT, '{"a":' * 50 + "1" + "}" * 50], ids=["5000", "50"])
def test_a_wechat_push_nested_too_deep_is_a_400(api, body):
    response = api.post("/api/v1/wechat/callback", query_string=signed(), data=body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["code"] == "json_too_deep"


# ---- the public-credit feed (a GET whose query is its input; tests/feed/test_access.py has the rest)
FEED_RECORDS = "/api/v1/public-credit/v1/records"


@pytest.mark.parametrize(
    "query, field",
    [
        ({"since": HUGE_INTEGER}, "since"),
        ({"since": "2026-13-45T99:00:00+08:00"}, "since"),
        ({"cursor": "v1." + "\u4e2d" * 150}, "cursor"),
        ({"cursor": "v1.WzEsMSwxXQ"}, "cursor"),  # [1,1,1]: a since that is not text
        ({"cursor": "v1.WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCwxLG51bGxd"}, "cursor"),  # an id past bigint
        ({"limit": HUGE_INTEGER}, "limit"),
    ],
)
def test_a_feed_query_it_cannot_read_is_a_422_naming_its_field(client, feed_key, query, field):
    response = client.get(FEED_RECORDS, query_string=query, headers=feed_key)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert list(response.json["errors"]) == [field]
