"""Request ids, one JSON log line per request, and Prometheus metrics.

Logs and metrics name a request by its route template (`/q/<string:token>`), never by the raw
path: paths can carry 安心碼 tokens and invite codes, which are secrets.
"""

import hmac
import json
import logging
import os
import re
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from werkzeug.middleware.proxy_fix import ProxyFix

from app.errors import NotFound
from app.i18n import _

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's (or the load balancer's) request id is kept only if it cannot forge log structure.
ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
access_log = logging.getLogger("yangcheng.access")

REQUESTS = Counter("http_requests_total", "Requests answered, by route and status", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer, by route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, with the request id when there is a request."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr, for the log collector; tests keep pytest's own capture."""
    if app.testing:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])


def init_observability(app: Flask) -> None:
    if app.config["TRUSTED_PROXY_COUNT"]:
        # Behind a load balancer the client is the address it appends to X-Forwarded-For.
        count = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.add_url_rule("/metrics", "metrics", _metrics)


def _metrics_allowed() -> bool:
    """/metrics answers the scraper that sends METRICS_TOKEN as a bearer token. Without a token
    configured it answers only outside production: the load balancer routes residents to this
    port, and request counts and queue depths are not theirs to read."""
    expected = current_app.config["METRICS_TOKEN"]
    if not expected:
        return current_app.config["APP_ENV"] != "production"
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), expected.encode())


def _start_request() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if ACCEPTABLE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.request_id
    route = request.url_rule.rule if request.url_rule else "<unmatched>"
    elapsed = time.perf_counter() - g.request_started
    REQUESTS.labels(request.method, route, response.status_code).inc()
    LATENCY.labels(request.method, route).observe(elapsed)
    access_log.info(
        "request",
        extra={
            "fields": {
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 2),
            }
        },
    )
    return response


def add_live_metrics(app: Flask, collect) -> None:
    """Registers `collect()`, which yields metric families read at scrape time (from the
    database, say) rather than counted by each process."""
    app.extensions.setdefault("live_metrics", []).append(collect)


class _LiveMetrics:
    def __init__(self, collectors):
        self.collectors = collectors

    def collect(self):
        for collect in self.collectors:
            yield from collect()


def _metrics() -> Response:
    """Prometheus text format. Under gunicorn every worker writes its counts to
    PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it) and any worker answers for all of them.
    To anyone but the scraper it is a path that does not exist."""
    if not _metrics_allowed():
        raise NotFound(_("No such resource."))
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        from prometheus_client import REGISTRY as counted
    live = CollectorRegistry()
    live.register(_LiveMetrics(current_app.extensions.get("live_metrics", [])))
    return Response(generate_latest(counted) + generate_latest(live), mimetype=CONTENT_TYPE_LATEST)
