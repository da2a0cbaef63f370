"""The stub WeChat server (tests/wechat/stub.py) and apps pointed at it, once per database backend."""

import pytest
import redis

from tests.factories import REDIS_URL, make_wechat_app
from tests.wechat.stub import StubWeChat


@pytest.fixture(scope="session")
def stub():
    server = StubWeChat()
    yield server
    server.shutdown()


@pytest.fixture(autouse=True)
def fresh_stub(request):
    """Every test that talks to the stub starts with it fresh, and leaves nothing hung after it;
    tests that do not use it do not start it."""
    if "stub" not in request.fixturenames:
        yield None
        return
    server = request.getfixturevalue("stub")
    server.reset()
    yield server
    server.release.set()


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
