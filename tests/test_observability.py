"""What an operator reads: request ids, one log line per request, metrics per route."""

import json
import logging

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
    assert client.get("/healthz", headers={"X-Request-ID": forged}).headers["X-Request-ID"] != forged


def test_each_request_logs_its_route_template_never_the_token_in_its_path(client, caplog):
    with caplog.at_level(logging.INFO, logger="yangcheng.access"):
        response = client.get("/q/some-secret-scan-token")
    line = JsonLogFormatter().format(caplog.records[-1])
    entry = json.loads(line)
    assert entry["route"] == "/q/<string:token>" and entry["status"] == response.status_code
    assert entry["duration_ms"] >= 0
    assert "some-secret-scan-token" not in line


def test_metrics_count_requests_per_route_and_status(client):
    client.get("/api/v1/stations/nearest?lat=23.13&lng=113.26")
    client.get("/q/another-secret-token")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.mimetype == "text/plain"
    text = metrics.get_data(as_text=True)
    assert 'http_requests_total{method="GET",route="/api/v1/stations/nearest",status="200"}' in text
    assert 'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/stations/nearest"}' in text
    assert "another-secret-token" not in text


def test_metrics_show_subscribe_messages_waiting_to_be_sent(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_TEMPLATES", {"booking_reminder": "TPL-reminder"})
    def waiting():
        text = client.get("/metrics").get_data(as_text=True)
        return float(next(line for line in text.splitlines() if line.startswith('subscribe_messages{status="queued"}')).split()[-1])

    before = waiting()
    with app.app_context():
        queue_subscribe_message(make_user().id, "booking_reminder", {"thing1": "保洁"})
        db.session.commit()
    assert waiting() == before + 1
    assert 'subscribe_messages{status="failed"}' in client.get("/metrics").get_data(as_text=True)
