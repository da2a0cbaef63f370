"""A Redis that stops answering (its packets dropped) costs each process one short wait, then the
paths that work without Redis, until it answers again: no request waits on Redis meanwhile.
Nearest keeps at least half its throughput; the scan runs as fast as it does with no Redis at all
(it then logs each scan straight to the database rather than lose the record)."""

import time

import pytest
from redis import RedisError

from app.extensions import db
from tests.factories import build_app, make_issued_worker

NEAREST = "/api/v1/stations/nearest?lat=23.1391&lng=113.3261"


@pytest.fixture(scope="module")
def app_behind_blackhole(private_postgres, blackhole):
    return build_app(private_postgres.url, REDIS_URL=blackhole.url, REDIS_RETRY_SECONDS=30.0)


def requests_per_second(client, path, seconds=2.0) -> float:
    assert client.get(path).status_code == 200  # once before the clock starts: the one short wait
    done, until = 0, time.monotonic() + seconds
    while time.monotonic() < until:
        assert client.get(path).status_code == 200
        done += 1
    return done / seconds


@pytest.fixture(scope="module")
def scan_path(app_behind_blackhole):
    with app_behind_blackhole.app_context():
        worker = make_issued_worker("陈小兰", ["cleaning"])
        db.session.commit()
        return f"/api/v1/scan/{worker.certificate.scan_token}"


def while_hung(blackhole, measure):
    blackhole.stop_forwarding()
    try:
        return measure()
    finally:
        blackhole.resume()


def test_nearest_keeps_at_least_half_its_throughput_while_redis_is_hung(app_behind_blackhole, blackhole):
    client = app_behind_blackhole.test_client()
    healthy = requests_per_second(client, NEAREST)
    hung = while_hung(blackhole, lambda: requests_per_second(client, NEAREST))
    assert hung >= healthy / 2, (healthy, hung)


def test_the_scan_runs_as_without_redis_while_redis_is_hung(
    private_postgres, app_behind_blackhole, blackhole, scan_path
):
    without_redis = build_app(private_postgres.url).test_client()
    degraded = requests_per_second(without_redis, scan_path)
    hung = while_hung(blackhole, lambda: requests_per_second(app_behind_blackhole.test_client(), scan_path))
    assert hung >= degraded / 2, (degraded, hung)


def test_once_redis_answers_again_the_process_uses_it_again(private_postgres, blackhole):
    app = build_app(private_postgres.url, REDIS_URL=blackhole.url, REDIS_RETRY_SECONDS=0.2)
    with app.app_context():
        redis = app.extensions["redis"]
        blackhole.stop_forwarding()
        try:
            with pytest.raises(RedisError):
                redis.ping()
            started = time.monotonic()
            with pytest.raises(RedisError):
                redis.ping()
            assert time.monotonic() - started < 0.05  # skipped at once, not waited for
        finally:
            blackhole.resume()
        time.sleep(0.25)
        assert redis.ping() is True
