"""Fault tests run the app against private servers they can break."""

import pytest

from tests.factories import build_app
from tests.faults.blackhole import Blackhole
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
    """The app with its database and Redis both on servers this module may stop. Its Redis breaker
    never skips (REDIS_RETRY_SECONDS=0), so a restarted Redis is used at the next request; the
    breaker has tests of its own (test_a_hung_redis_costs_little.py)."""
    return build_app(private_postgres.url, REDIS_URL=private_redis.url, REDIS_RETRY_SECONDS=0)


@pytest.fixture(scope="module")
def blackhole(private_redis):
    """The module's private Redis behind a proxy that can stop forwarding its packets."""
    hole = Blackhole(private_redis.port)
    yield hole
    hole.close()
