"""gunicorn settings for every deployment: `gunicorn -c gunicorn.conf.py wsgi:app`.

Overridable from the environment: PORT/BIND, WEB_CONCURRENCY (workers), GUNICORN_TIMEOUT.
"""

import os
import shutil
import tempfile

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
accesslog = None  # the app writes one JSON line per request, with its request id

# Each worker writes its metrics here and /metrics in any worker reports all of them. Set before
# prometheus_client is imported anywhere: it picks its storage at import time.
metrics_directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="yangcheng-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_directory


def on_starting(server):
    """Numbers from a previous run would be added to this one's."""
    shutil.rmtree(metrics_directory, ignore_errors=True)
    os.makedirs(metrics_directory, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
