"""What a client sees when gunicorn itself refuses a request, before the app could: the same
problem+json body as every other error, never gunicorn's HTML page."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.servers import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory):
    port = free_port()
    environment = {
        **os.environ,
        "APP_ENV": "test",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'unused.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    environment.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=environment,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: _status(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") == 200, "gunicorn")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(raw)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and b"Connection: close" not in answer:
                    break
    except OSError:
        return 0, {}, b""
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


def _status(port: int, raw: bytes) -> int:
    return _exchange(port, raw)[0]


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
        (
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n",
            431,
            "headers_too_large",
        ),
        (b"G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request"),
    ],
    ids=["uri too long", "header too long", "too many headers", "malformed request line"],
)
def test_a_request_gunicorn_refuses_is_answered_in_problem_json(gunicorn_port, raw, status, code):
    answered, headers, body = _exchange(gunicorn_port, raw)
    assert answered == status
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and problem["code"] == code and problem["detail"]
