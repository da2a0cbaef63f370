"""What an operator reads: request ids, one log line per request, metrics per route."""

import json
import logging
import re
import time

from app.extensions import db
from app.observability import JsonLogFormatter
from tests.factories import make_user
from wechat.messages import queue_subscribe_message


def test_every_answer_carries_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] and first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_the_load_balancers_request_id_is_kept_when_it_is_plain(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.9"}).headers["X-Request-ID"] == "lb-7f3a.9"


def test_a_request_id_that_could_forge_log_lines_is_replaced(client):
    forged = 'x", "level": "ERROR'
    assert re.fullmatch(
        "[0-9a-f]{32}", client.get("/healthz", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
    )


def test_each_request_logs_its_route_template_never_the_token_in_its_path(client, caplog):
    with caplog.at_level(logging.INFO, logger="yangcheng.access"):
        started = time.perf_counter()
        response = client.get("/q/some-secret-scan-token")
        took_ms = (time.perf_counter() - started) * 1000
    line = JsonLogFormatter().format(caplog.records[-1])
    entry = json.loads(line)
    assert entry["route"] == "/q/<string:token>" and entry["status"] == response.status_code
    assert 0 < entry["duration_ms"] <= took_ms + 0.01  # this request's own time, rounded to 0.01 ms
    assert "some-secret-scan-token" not in line


def sample(text: str, series: str) -> float:
    """The value of one series (`name{labels}`) in a Prometheus text page; 0 if it is not there yet."""
    return next((float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(series + " ")), 0.0)


def test_metrics_count_requests_per_route_and_status(client):
    nearest = 'http_requests_total{method="GET",route="/api/v1/stations/nearest",status="200"}'
    scan_page = 'http_requests_total{method="GET",route="/q/<string:token>",status="404"}'
    timed = 'http_request_duration_seconds_count{method="GET",route="/api/v1/stations/nearest"}'
    before = client.get("/metrics").get_data(as_text=True)
    assert client.get("/api/v1/stations/nearest?lat=23.13&lng=113.26").status_code == 200
    assert client.get("/q/another-secret-token").status_code == 404
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.mimetype == "text/plain"
    text = metrics.get_data(as_text=True)
    assert sample(text, nearest) == sample(before, nearest) + 1
    assert sample(text, scan_page) == sample(before, scan_page) + 1
    assert sample(text, timed) == sample(before, timed) + 1
    assert "another-secret-token" not in text


def test_metrics_show_subscribe_messages_waiting_to_be_sent(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_TEMPLATES", {"booking_reminder": "TPL-reminder"})

    def waiting():
        text = client.get("/metrics").get_data(as_text=True)
        return float(
            next(line for line in text.splitlines() if line.startswith('subscribe_messages{status="queued"}')).split()[
                -1
            ]
        )

    def failed():
        return sample(client.get("/metrics").get_data(as_text=True), 'subscribe_messages{status="failed"}')

    before, failed_before = waiting(), failed()
    with app.app_context():
        queue_subscribe_message(make_user().id, "booking_reminder", {"thing1": "保洁"})
        db.session.commit()
    assert waiting() == before + 1
    assert 'subscribe_messages{status="failed"}' in client.get("/metrics").get_data(as_text=True)
    assert failed() == failed_before


def production_app(app, **settings):
    from app import create_app

    return create_app(
        {"TESTING": True, "APP_ENV": "production", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
        | settings
    )


def test_in_production_metrics_are_not_served_to_residents(app):
    assert production_app(app).test_client().get("/metrics").status_code == 404


def test_in_production_metrics_answer_the_scraper_that_sends_the_token(app):
    client = production_app(app, METRICS_TOKEN="scrape-me").test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    scraped = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert scraped.status_code == 200 and "http_requests_total" in scraped.get_data(as_text=True)
