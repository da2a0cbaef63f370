"""Fault tests run the app against private servers they can break."""

import pytest

from tests.factories import build_app
from tests.faults.servers import PrivatePostgres, PrivateRedis


@pytest.fixture
def hold_the_day():
    """The app under test runs in servers of its own with the real clock: so does the test."""
    return False


@pytest.fixture(scope="module")
def private_postgres():
    server = PrivatePostgres()
    yield server
    server.remove()


@pytest.fixture(scope="module")
def private_redis():
    server = PrivateRedis()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def app_on_private_servers(private_postgres, private_redis):
    """The app with its database and Redis both on servers this module may stop."""
    return build_app(private_postgres.url, REDIS_URL=private_redis.url)
