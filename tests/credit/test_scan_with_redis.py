"""With Redis (production), scans are served from each process's cache and logged in batches,
yet a change shows on the very next scan and no scan record is lost."""

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.redis import redis_client
from credit import scanning
from credit.models import FILE_CHANNEL, SCAN_LOG_CHANNEL, ScanLog
from credit.scanning import LOG_KEY, VERSION_KEY
from tests.factories import REDIS_URL, token_of

SCAN_LOG_BATCH = 3


@pytest.fixture
def client(app, isolated):
    """Every request of these tests, the operator's included, goes to an app that uses Redis."""
    with_redis = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": REDIS_URL,
            "SCAN_LOG_BATCH": SCAN_LOG_BATCH,
            "SCAN_RATE_LIMIT_PER_MINUTE": 10_000,
        }
    )
    with with_redis.app_context():
        redis_client().delete(VERSION_KEY, LOG_KEY)
    yield with_redis.test_client()
    with with_redis.app_context():
        redis_client().delete(VERSION_KEY, LOG_KEY)
        db.engine.dispose()


def scan(client, worker):
    return client.get(f"/api/v1/scan/{token_of(worker)}")


def logged_scans(client) -> int:
    with client.application.app_context():
        looks_at_the_file = (FILE_CHANNEL, SCAN_LOG_CHANNEL)  # not scans
        return db.session.scalar(select(func.count()).where(ScanLog.channel.not_in(looks_at_the_file)))


def test_a_cached_profile_turns_red_on_the_next_scan_after_a_suspension(make_issued, step, client):
    worker = make_issued()
    assert scan(client, worker).json["colour"] == "green"
    assert scan(client, worker).json["colour"] == "green"  # now from the cache
    step(worker["id"], "suspend", {"reason": "严重投诉调查中"})
    assert scan(client, worker).json["colour"] == "red"


def test_a_repeated_scan_is_answered_from_the_cache_without_a_query(make_issued, client, count_statements):
    worker = make_issued()
    scan(client, worker)
    with count_statements() as statements:
        assert scan(client, worker).json["colour"] == "green"
    assert statements == []


def test_a_full_cache_makes_room_for_a_new_code_and_keeps_the_others(
    make_issued, client, count_statements, monkeypatch
):
    monkeypatch.setattr(scanning, "CACHE_SIZE", 2)
    first, second, third = make_issued(), make_issued(), make_issued()
    for worker in (first, second, third):
        assert scan(client, worker).status_code == 200
    with count_statements() as statements:
        assert scan(client, second).status_code == 200
        assert scan(client, third).status_code == 200
    assert statements == []


def test_a_cached_code_stops_working_at_once_when_rotated(make_issued, step, client):
    worker = make_issued()
    assert scan(client, worker).status_code == 200
    rotated = step(worker["id"], "rotate-code", {"reason": "证件遗失"}).json
    assert scan(client, worker).status_code == 404
    assert scan(client, rotated).status_code == 200


def test_scan_records_wait_in_redis_and_reach_the_database_in_batches(make_issued, client):
    worker = make_issued()
    for _ in range(SCAN_LOG_BATCH - 1):
        scan(client, worker)
    assert logged_scans(client) == 0
    with client.application.app_context():
        assert redis_client().llen(LOG_KEY) == SCAN_LOG_BATCH - 1
    scan(client, worker)
    assert logged_scans(client) == SCAN_LOG_BATCH
    with client.application.app_context():
        assert redis_client().llen(LOG_KEY) == 0


def test_with_redis_unreachable_scans_still_answer_and_are_logged_directly(app, isolated, make_issued):
    worker = make_issued()
    unreachable = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    response = unreachable.test_client().get(f"/api/v1/scan/{token_of(worker)}")
    assert response.status_code == 200 and response.json["colour"] == "green"
    assert logged_scans(unreachable.test_client()) == 1
