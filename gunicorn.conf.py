"""gunicorn settings for every deployment: `gunicorn -c gunicorn.conf.py wsgi:app`.

Overridable from the environment: PORT/BIND, WEB_CONCURRENCY (workers), GUNICORN_TIMEOUT.
"""

import gc
import json
import os
import shutil
import tempfile

from gunicorn import util

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '5000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Requests are short; a worker stuck longer than this is killed and replaced, and the request's
# transaction is rolled back by the database, so nothing half-written stays.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycling a worker now and then (every ~100,000 requests) bounds the memory any slow leak could take.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = 10_000
# The app is created once, in the master, and each worker is forked from it: the code and objects
# every worker holds alike (some 150 MB of a worker's resident memory: modules, the routes' schemas,
# the OpenAPI document) stay in pages they share until one writes to them, rather than one copy each.
preload_app = True
accesslog = None  # the app writes one JSON line per request, with its request id
# What gunicorn refuses before the app sees the request: a request line over this many bytes is a
# 414, more header fields or a longer field than these is a 431 (gunicorn's defaults, said here).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Each worker writes its metrics here and /metrics in any worker reports all of them. Set before
# prometheus_client is imported anywhere: it picks its storage at import time.
metrics_directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="yangcheng-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_directory


def on_starting(server):
    """Numbers from a previous run would be added to this one's."""
    shutil.rmtree(metrics_directory, ignore_errors=True)
    os.makedirs(metrics_directory, exist_ok=True)


def pre_fork(server, worker):
    """The objects made so far go where the collector never looks: a collection in a worker would
    otherwise write to every one of them and so copy every shared page into the worker."""
    gc.freeze()


def post_fork(server, worker):
    from app.database import forget_inherited_connections

    forget_inherited_connections(worker.app.wsgi())


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


# gunicorn's own refusals (a malformed request line, a URI or headers too long) in the API's one
# error shape, application/problem+json, rather than gunicorn's HTML page. gunicorn calls
# util.write_error by name, so replacing it here covers every worker it forks.
GUNICORN_PROBLEM_CODES = {
    400: "bad_request",
    403: "forbidden",
    414: "uri_too_long",
    417: "expectation_failed",
    431: "headers_too_large",
    500: "server_error",
    501: "not_implemented",
}


def write_problem(sock, status_int, reason, mesg):
    body = json.dumps(
        {
            "type": "about:blank",
            "code": GUNICORN_PROBLEM_CODES.get(status_int, "bad_request"),
            "title": reason,
            "status": status_int,
            "detail": mesg or reason,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin1") + body)


util.write_error = write_problem
