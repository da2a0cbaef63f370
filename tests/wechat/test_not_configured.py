"""Without WECHAT_APPID and WECHAT_SECRET (always so under `make run`) WeChat is not configured:
the API says so, and nothing is ever sent towards WeChat, wherever its address points."""

import time

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.factories import make_user, make_wechat_app
from wechat.messages import queue_subscribe_message
from wechat.models import SubscribeMessage

STATION = "440106001000"
UNROUTABLE = "http://192.0.2.1/"  # TEST-NET-1: connecting there only ever times out


@pytest.fixture(scope="module")
def unconfigured(app, stub):
    """WeChat's address is the stub's, so anything the app sent would be seen there."""
    return make_wechat_app(app, stub, WECHAT_APPID="", WECHAT_SECRET="")


@pytest.fixture
def api(unconfigured, isolated):
    return unconfigured.test_client()


def assert_not_configured(response):
    assert response.status_code == 503, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "wechat_not_configured"
    assert "本服务器未配置微信" in response.json["detail"]
    assert "Retry-After" not in response.headers  # waiting will not configure it


def test_logging_in_says_wechat_is_not_configured_and_wechat_hears_nothing(api, stub):
    stub.accept_login("login-code-unconfigured", openid="o-unconfigured")
    assert_not_configured(api.post("/api/v1/auth/wechat/login", json={"code": "login-code-unconfigured"}))
    assert stub.requests == []


def test_binding_a_phone_says_wechat_is_not_configured_and_wechat_hears_nothing(api, stub, login):
    stub.accept_phone("phone-code-unconfigured")
    response = api.post("/api/v1/auth/wechat/phone", json={"code": "phone-code-unconfigured"}, headers=login())
    assert_not_configured(response)
    assert stub.requests == []


def test_a_station_code_says_wechat_is_not_configured_and_wechat_hears_nothing(api, stub):
    assert_not_configured(api.get(f"/api/v1/stations/{STATION}/wxacode.png"))
    assert stub.requests == []


def test_a_workers_code_says_wechat_is_not_configured_and_wechat_hears_nothing(api, stub, make_issued, operator):
    worker = make_issued()
    assert_not_configured(api.get(f"/api/v1/workers/{worker['id']}/wxacode.png", headers=operator))
    assert stub.requests == []


def test_the_answer_comes_at_once_whatever_wechats_address(app, stub, isolated):
    """Were anything sent, it would wait the whole timeout for an address that never answers."""
    nowhere = make_wechat_app(
        app, stub, WECHAT_APPID="", WECHAT_SECRET="", WECHAT_API_BASE_URL=UNROUTABLE, WECHAT_TIMEOUT_SECONDS=5.0
    )
    api = nowhere.test_client()
    started = time.monotonic()
    assert_not_configured(api.post("/api/v1/auth/wechat/login", json={"code": "login-code-nowhere"}))
    assert_not_configured(api.get(f"/api/v1/stations/{STATION}/wxacode.png"))
    assert time.monotonic() - started < 1.0


def test_the_default_settings_leave_wechat_unconfigured_and_say_so(client):
    """The test app runs on the defaults: no appid, no secret, WeChat's real address."""
    started = time.monotonic()
    assert_not_configured(client.post("/api/v1/auth/wechat/login", json={"code": "login-code-default"}))
    assert time.monotonic() - started < 1.0


def test_subscribe_messages_are_recorded_as_skipped_and_never_sent(unconfigured, isolated, stub):
    queue = unconfigured.extensions["wechat_messages"]
    with unconfigured.app_context():
        queue_subscribe_message(make_user().id, "booking_received", {"thing1": "日常保洁"})
        db.session.commit()
    assert queue.drain() == 1
    with unconfigured.app_context():
        [message] = db.session.scalars(select(SubscribeMessage)).all()
        assert (message.status, message.attempts, message.sent_at) == ("skipped", 0, None)
        assert message.last_error is not None and "not configured" in message.last_error
    assert stub.requests == []


def test_skipped_messages_are_not_sent_again_by_the_operators_retry(unconfigured, isolated, stub):
    queue = unconfigured.extensions["wechat_messages"]
    with unconfigured.app_context():
        queue_subscribe_message(make_user().id, "booking_reminder", {"thing1": "日常保洁"})
        db.session.commit()
    queue.drain()
    result = unconfigured.test_cli_runner().invoke(args=["wechat", "retry-failed", "--stuck-minutes", "0"])
    assert "0 message(s)" in result.output
    assert stub.requests == []
