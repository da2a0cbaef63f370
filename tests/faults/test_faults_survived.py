"""Failures a city-run service meets, caused for real: Redis dies, PostgreSQL restarts, a
gunicorn worker is killed. The service keeps answering, and nothing acknowledged is lost."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from credit.models import Company, CreditEvent
from tests.factories import bearer, make_user, new_credit_code
from tests.faults.servers import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
NEAREST = "/api/v1/stations/nearest?lat=23.1291&lng=113.2644"


@pytest.fixture(scope="module")
def operator(app_on_private_servers):
    with app_on_private_servers.app_context():
        return bearer(make_user("operator"))


@pytest.fixture(scope="module")
def scan_token(app_on_private_servers):
    demo = app_on_private_servers.test_cli_runner().invoke(args=["credit", "demo"]).output
    return re.search(r"green .*/q/(\S+)", demo)[1]


def new_company():
    return {"name": "故障演练家政服务有限公司", "credit_code": new_credit_code(), "district_code": "440106"}


def assert_nothing_half_written(app, acknowledged_ids):
    """Every company the API acknowledged exists, and every company has its opening ledger event."""
    with app.app_context():
        stored = set(db.session.scalars(select(Company.id)))
        without_event = db.session.scalar(
            select(func.count(Company.id)).where(
                ~select(CreditEvent.id).where(CreditEvent.company_id == Company.id).exists()
            )
        )
        db.session.remove()
    assert set(acknowledged_ids) <= stored
    assert without_event == 0


def test_map_nearest_and_scan_keep_answering_while_redis_is_down(app_on_private_servers, private_redis, scan_token):
    client = app_on_private_servers.test_client()
    paths = ["/api/v1/stations", NEAREST, f"/api/v1/scan/{scan_token}", f"/q/{scan_token}"]
    assert [client.get(path).status_code for path in paths] == [200] * 4

    private_redis.kill()
    try:
        assert [client.get(path).status_code for path in paths] == [200] * 4
        assert client.get("/readyz").status_code == 503
    finally:
        private_redis.start()
    assert [client.get(path).status_code for path in paths] == [200] * 4
    assert client.get("/readyz").status_code == 200


def test_a_database_restart_fails_requests_in_flight_with_503_and_the_pool_recovers(
    app_on_private_servers, private_postgres, operator
):
    app = app_on_private_servers
    statuses, acknowledged, done = [], [], threading.Event()

    def register_companies():
        client = app.test_client()
        while not done.is_set():
            response = client.post("/api/v1/companies", json=new_company(), headers=operator)
            statuses.append(response.status_code)
            if response.status_code == 201:
                acknowledged.append(response.json["id"])

    writers = [threading.Thread(target=register_companies) for _ in range(3)]
    for writer in writers:
        writer.start()
    time.sleep(0.3)
    private_postgres.stop("immediate")
    time.sleep(0.3)
    private_postgres.start()
    time.sleep(0.3)
    done.set()
    for writer in writers:
        writer.join()

    assert set(statuses) == {201, 503}
    assert app.test_client().post("/api/v1/companies", json=new_company(), headers=operator).status_code == 201
    assert_nothing_half_written(app, acknowledged)


def test_killing_a_gunicorn_worker_mid_request_loses_no_acknowledged_write(
    app_on_private_servers, private_postgres, private_redis, operator
):
    port = free_port()
    environment = {
        **os.environ,
        "APP_ENV": "development",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "DATABASE_URL": private_postgres.url,
        "REDIS_URL": private_redis.url,
        "LOG_LEVEL": "WARNING",
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=environment,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base + "/healthz"), "gunicorn")
        acknowledged, refused, done = [], [], threading.Event()

        def register_companies():
            while not done.is_set():
                status, body = _post(base + "/api/v1/companies", new_company(), operator)
                (acknowledged.append(body["id"]) if status == 201 else refused.append(status))

        writers = [threading.Thread(target=register_companies) for _ in range(4)]
        for writer in writers:
            writer.start()
        wait_until(lambda: len(acknowledged) >= 4, "the first acknowledged writes")  # mid-traffic, on a busy host too
        for worker_pid in _children(server.pid):
            os.kill(worker_pid, signal.SIGKILL)
        time.sleep(1.0)
        done.set()
        for writer in writers:
            writer.join()

        assert acknowledged and set(refused) <= {None, 503}
        wait_until(lambda: _post(base + "/api/v1/companies", new_company(), operator)[0] == 201, "a new worker")
        assert_nothing_half_written(app_on_private_servers, acknowledged)
    finally:
        server.terminate()
        server.wait(10)


def _children(pid: int) -> list[int]:
    return [
        int(child) for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    ]


def _answers(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=1).status == 200
    except OSError:
        return False


def _post(url: str, body: dict, headers: dict) -> tuple[int | None, dict | None]:
    """The status and body, or (None, None) when the connection died with the worker."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None
    except (OSError, ConnectionError):
        return None, None
