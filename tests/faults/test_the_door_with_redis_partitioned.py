"""The 安心碼 is what a resident trusts at the door: once an operator's suspension or rotation is
acknowledged, no process shows the old state for more than a second, even when Redis's packets
were dropped while the change was made (so the cached profiles were never told)."""

import time

import pytest

from app.extensions import db
from tests.factories import bearer, build_app, make_issued_worker, make_user

SECOND = 1.0


@pytest.fixture(scope="module")
def two_processes(private_postgres, blackhole):
    """The operator's app process and a resident's, both reaching Redis through the blackhole."""
    return (
        build_app(private_postgres.url, REDIS_URL=blackhole.url),
        build_app(private_postgres.url, REDIS_URL=blackhole.url),
    )


def issued_worker(app) -> tuple[int, str | None]:
    with app.app_context():
        worker = make_issued_worker("张三梅", ["cleaning"])
        db.session.commit()
        return worker.id, worker.certificate.scan_token


def operator_of(app) -> dict:
    with app.app_context():
        return bearer(make_user("operator"))


def scan(app, token):
    response = app.test_client().get(f"/api/v1/scan/{token}")
    return response.json["colour"] if response.status_code == 200 else response.status_code


def scans_within_a_second_of(acknowledged_at: float, app, token, seconds: float = 3.0) -> set:
    """What the resident's process shows from a second after the change on, for a few seconds."""
    time.sleep(max(0.0, acknowledged_at + SECOND - time.monotonic()))
    seen, until = set(), time.monotonic() + seconds
    while time.monotonic() < until:
        seen.add(scan(app, token))
    return seen


def test_a_suspension_made_while_redis_is_partitioned_shows_red_within_a_second(two_processes, blackhole):
    operators_process, residents_process = two_processes
    worker_id, token = issued_worker(operators_process)
    operator = operator_of(operators_process)
    assert scan(residents_process, token) == "green"  # cached in the resident's process

    blackhole.stop_forwarding()
    try:
        response = operators_process.test_client().post(
            f"/api/v1/workers/{worker_id}/certificate/suspend", json={"reason": "严重投诉调查中"}, headers=operator
        )
        assert response.status_code == 200
        acknowledged_at = time.monotonic()
        assert scan(residents_process, token) == "red"
    finally:
        blackhole.resume()

    assert scans_within_a_second_of(acknowledged_at, residents_process, token) == {"red"}


def test_a_code_rotated_while_redis_is_partitioned_stops_working_within_a_second(two_processes, blackhole):
    operators_process, residents_process = two_processes
    worker_id, old_token = issued_worker(operators_process)
    operator = operator_of(operators_process)
    assert scan(residents_process, old_token) == "green"

    blackhole.stop_forwarding()
    try:
        response = operators_process.test_client().post(
            f"/api/v1/workers/{worker_id}/certificate/rotate-code", json={"reason": "卡片遗失"}, headers=operator
        )
        assert response.status_code == 200
        acknowledged_at = time.monotonic()
    finally:
        blackhole.resume()

    assert scans_within_a_second_of(acknowledged_at, residents_process, old_token) == {404}
