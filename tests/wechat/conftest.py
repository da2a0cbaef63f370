"""The app pointed at the stub WeChat server (tests/wechat/stub.py), once per database backend."""

import hashlib
import uuid

import pytest
import redis

from app import create_app
from tests.conftest import REDIS_URL, UNLIMITED
from tests.credit.conftest import make_applicant, make_company, make_issued, operator, step  # noqa: F401
from tests.wechat.stub import APPID, SECRET, StubWeChat

CALLBACK_TOKEN = "push-token-for-tests"
TEMPLATES = {"booking_received": "TPL-received", "booking_confirmed": "TPL-confirmed",
             "booking_assigned": "TPL-assigned", "booking_reminder": "TPL-reminder",
             "followup_survey": None}  # one kind left unconfigured on purpose


def signed(token=CALLBACK_TOKEN, timestamp="1764000000", nonce="n0nce", **extra) -> dict:
    """The query string of a push from WeChat, signed with `token` as WeChat does."""
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra}


def wechat_settings(stub: StubWeChat, **overrides) -> dict:
    return {"WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET, "WECHAT_API_BASE_URL": stub.url,
            "WECHAT_CALLBACK_TOKEN": CALLBACK_TOKEN, "WECHAT_TEMPLATES": TEMPLATES,
            "WECHAT_TIMEOUT_SECONDS": 2.0, "WECHAT_MESSAGE_BACKOFF_SECONDS": 0, **overrides}


@pytest.fixture(scope="session")
def stub():
    server = StubWeChat()
    yield server
    server.shutdown()


@pytest.fixture(autouse=True)
def fresh_stub(stub):
    stub.reset()
    yield
    stub.release.set()  # nothing stays hung after its test


def make_wechat_app(app, stub, **overrides):
    """Another app on the same test database (so the test's transaction covers it)."""
    return create_app({"TESTING": True, "APP_ENV": "test",
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       **UNLIMITED, **wechat_settings(stub, **overrides)})


@pytest.fixture(scope="session")
def wechat_app(app, stub):
    return make_wechat_app(app, stub)


@pytest.fixture(scope="session")
def redis_wechat_app(app, stub):
    """With Redis: shared token, RQ queue, Redis code cache."""
    return make_wechat_app(app, stub, REDIS_URL=REDIS_URL)


@pytest.fixture
def clean_redis():
    """The test Redis without WeChat tokens, cached codes or queued jobs from earlier tests."""
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter("wechat*"):
        connection.delete(key)
    for key in connection.scan_iter("rq:*"):
        connection.delete(key)
    return connection


@pytest.fixture
def api(wechat_app, isolated):
    return wechat_app.test_client()


@pytest.fixture
def outbox(wechat_app, isolated):
    """The in-process message queue, emptied first; outbox.drain() delivers what is waiting."""
    queue = wechat_app.extensions["wechat_messages"]
    queue.drain()
    return queue


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
