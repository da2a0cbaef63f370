"""A complaint is handled as its weight asks: theft, safety and abuse are serious (严重) from the
first minute, with two hours to be accepted and three days to be decided, and operators hear of
them at once; others are ordinary (一般: a day and a week) until staff triage them; an invalid one
(无效) owes nothing more. Complaints past their deadline are listed for staff and operators, and
the escalation job tells operators once per deadline. A serious triage suspends the worker
pending review when COMPLAINT_SERIOUS_SUSPENDS is on: their 安心码 scans red at once."""

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from complaints.models import ComplaintEscalation
from tests.factories import STATION_A, plan_nodes, statements_with_parameters, token_of
from wechat.models import SubscribeMessage


@pytest.fixture
def complain(client):
    """complain(booking, headers, type="attitude") -> the answer of POST /bookings/<id>/complaints."""
    return lambda booking, headers, kind="attitude", text="服务人员态度不好": client.post(
        f"/api/v1/bookings/{booking['id']}/complaints", json={"type": kind, "text": text}, headers=headers
    )


@pytest.fixture
def handle(client):
    return lambda complaint, action, headers, body=None: client.post(
        f"/api/v1/complaints/{complaint['id']}/{action}", json=body or {}, headers=headers
    )


@pytest.fixture
def kinds_sent_to(app, client):
    """kinds_sent_to(headers) -> the kinds of subscribe message queued for that user, oldest first."""

    def read(headers):
        user_id = client.get("/api/v1/me", headers=headers).json["id"]
        with app.app_context():
            return list(
                db.session.scalars(
                    select(SubscribeMessage.kind)
                    .where(SubscribeMessage.user_id == user_id)
                    .order_by(SubscribeMessage.id)
                )
            )

    return read


def hours_between(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)) / timedelta(hours=1)


def test_a_theft_complaint_is_serious_at_once_with_short_deadlines_and_reaches_operators(
    assigned, complain, operator, kinds_sent_to
):
    booking, headers, clerk, _ = assigned()
    response = complain(booking, headers, "theft", "家里少了一条金项链")
    assert response.status_code == 201, response.json
    complaint = response.json
    assert (complaint["severity"], complaint["severity_name"], complaint["type_name"]) == ("serious", "严重", "偷窃")
    assert hours_between(complaint["respond_by"], complaint["submitted_at"]) == 2
    assert hours_between(complaint["resolve_by"], complaint["submitted_at"]) == 72
    assert [event["action"] for event in complaint["events"]] == ["filed", "escalated"]
    assert kinds_sent_to(operator) == ["complaint_escalated"]
    assert kinds_sent_to(clerk) == ["complaint_received"]


def test_an_ordinary_complaint_has_a_day_to_be_accepted_and_a_week_to_be_decided(
    booked, complain, operator, kinds_sent_to
):
    booking, headers = booked()
    complaint = complain(booking, headers, "lateness", "迟到了一个小时").json
    assert complaint["severity"] == "ordinary"
    assert hours_between(complaint["respond_by"], complaint["submitted_at"]) == 24
    assert hours_between(complaint["resolve_by"], complaint["submitted_at"]) == 7 * 24
    assert kinds_sent_to(operator) == []


def test_the_deadlines_are_those_configured(app, booked, complain, monkeypatch):
    monkeypatch.setitem(app.config, "COMPLAINT_DEADLINE_HOURS", {"ordinary": (4, 48), "serious": (1, 24)})
    booking, headers = booked()
    complaint = complain(booking, headers, "attitude").json
    assert hours_between(complaint["respond_by"], complaint["submitted_at"]) == 4
    assert hours_between(complaint["resolve_by"], complaint["submitted_at"]) == 48


def test_staff_triage_a_complaint_as_serious_and_its_deadlines_follow_from_the_filing(
    assigned, complain, handle, operator, kinds_sent_to
):
    booking, headers, clerk, _ = assigned()
    complaint = complain(booking, headers, "other", "工作人员推搡老人").json
    accepted = handle(complaint, "accept", clerk, {"severity": "serious", "reason": "涉及老人人身安全"})
    assert accepted.status_code == 200, accepted.json
    shown = accepted.json
    assert (shown["status"], shown["severity"]) == ("accepted", "serious")
    assert hours_between(shown["resolve_by"], shown["submitted_at"]) == 72
    accept_event = shown["events"][1]
    assert (accept_event["action"], accept_event["details"]) == ("accept", {"severity": ["ordinary", "serious"]})
    assert accept_event["actor_id"] == shown["accepted_by_id"]
    assert kinds_sent_to(operator) == ["complaint_escalated"]


def test_a_complaint_found_invalid_at_triage_owes_nothing_more(booked, complain, handle, staff, client):
    booking, headers = booked()
    clerk = staff()
    complaint = complain(booking, headers).json
    invalid = handle(complaint, "invalidate", clerk, {"reason": "重复投诉"}).json
    assert (invalid["status"], invalid["severity"], invalid["severity_name"]) == ("invalid", "invalid", "无效")
    with time_machine.travel(timedelta(days=10)):
        due = client.get(f"/api/v1/stations/{STATION_A}/complaints/due", headers=clerk).json
    assert due["total"] == 0


def test_a_step_its_status_does_not_allow_is_a_409_naming_the_status_and_sends_nothing(
    assigned, complain, handle, operator, kinds_sent_to
):
    booking, headers, clerk, _ = assigned()
    complaint = complain(booking, headers).json
    refused = handle(complaint, "uphold", clerk)
    assert refused.status_code == 409
    assert (refused.json["code"], refused.json["errors"]) == ("status_conflict", {"status": ["submitted"]})
    assert handle(complaint, "close", clerk).status_code == 409
    assert kinds_sent_to(operator) == []


@pytest.mark.parametrize("severity", ["invalid", "critical", "", None])
def test_a_triage_severity_must_be_ordinary_or_serious(booked, complain, handle, staff, severity):
    booking, headers = booked()
    complaint = complain(booking, headers).json
    response = handle(complaint, "accept", staff(), {"severity": severity})
    assert response.status_code == 422
    assert "severity" in response.json["errors"]


def test_an_unknown_complaint_type_is_refused_naming_the_field(booked, complain):
    booking, headers = booked()
    response = complain(booking, headers, "murder")
    assert response.status_code == 422 and "type" in response.json["errors"]


def test_a_serious_triage_suspends_the_worker_when_configured_and_the_code_scans_red(
    app, assigned, complain, handle, client, operator, monkeypatch
):
    monkeypatch.setitem(app.config, "COMPLAINT_SERIOUS_SUSPENDS", True)
    booking, headers, clerk, worker = assigned()
    complaint = complain(booking, headers, "safety", "做饭时忘关燃气").json
    assert client.get(f"/api/v1/scan/{token_of(worker)}").json["colour"] == "green"  # filing alone suspends no one
    accepted = handle(complaint, "accept", clerk).json
    assert [event["action"] for event in accepted["events"]] == ["filed", "escalated", "accept", "worker_suspended"]
    assert client.get(f"/api/v1/scan/{token_of(worker)}").json["colour"] == "red"
    state = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]["state"]
    assert state == "suspended"


def test_without_the_setting_a_serious_triage_suspends_no_one(assigned, complain, handle, client):
    booking, headers, clerk, worker = assigned()
    complaint = complain(booking, headers, "abuse", "辱骂孩子").json
    assert handle(complaint, "accept", clerk).status_code == 200
    assert client.get(f"/api/v1/scan/{token_of(worker)}").json["colour"] == "green"


def test_complaints_past_their_deadline_are_listed_for_the_stations_staff_and_operators(
    booked, complain, handle, staff, operator, client
):
    booking, headers = booked()
    clerk, code = staff(), STATION_A
    late = complain(booking, headers).json
    answered = complain(booking, headers).json
    handle(answered, "accept", clerk)
    url = f"/api/v1/stations/{code}/complaints/due"
    assert client.get(url, headers=clerk).json["total"] == 0
    assert client.get(url, headers=clerk, query_string={"within_hours": 25}).json["total"] == 1
    with time_machine.travel(timedelta(hours=25)):
        due = client.get(url, headers=clerk).json
        everywhere = client.get("/api/v1/complaints/due", headers=operator).json
    [row] = due["items"]
    assert (row["kind"], row["id"], row["status"], row["overdue"]) == ("booking", late["id"], "submitted", True)
    assert row["due_at"] == late["respond_by"] and row["station_code"] == code
    assert "text" not in row and "submitted_by_id" not in row
    assert [r["id"] for r in everywhere["items"]] == [late["id"]]
    with time_machine.travel(timedelta(days=8)):
        # the accepted one is now past its week for a decision, the most overdue first
        assert [r["id"] for r in client.get(url, headers=clerk).json["items"]] == [late["id"], answered["id"]]


def test_the_due_lists_read_only_the_complaints_past_their_deadline(
    booked, complain, handle, staff, operator, client, isolated
):
    """Each open complaint is found by the deadline it waits on (a submitted one its response, an
    accepted one its decision) from the open complaints' index: the city's and the station's
    lists read no open complaint that is not due, however many wait within their deadlines."""
    booking, headers = booked()
    clerk = staff()
    late = complain(booking, headers).json
    for _ in range(3):  # accepted within their week: their response deadline passes, not the one they wait on
        handle(complain(booking, headers).json, "accept", clerk)
    with time_machine.travel(timedelta(hours=25)), statements_with_parameters(isolated) as sent:
        city = client.get("/api/v1/complaints/due", headers=operator).json
        station = client.get(f"/api/v1/stations/{STATION_A}/complaints/due", headers=clerk).json
    assert [row["id"] for row in city["items"]] == [row["id"] for row in station["items"]] == [late["id"]]
    assert city["total"] == station["total"] == 1
    if isolated.dialect.name != "postgresql":
        return
    scans = [
        node
        for statement, parameters in sent
        if "FROM booking_complaints" in statement
        for node in plan_nodes(isolated, statement, parameters)
        if node.get("Relation Name") == "booking_complaints"
    ]
    assert scans and all(node.get("Rows Removed by Filter", 0) == 0 for node in scans), scans


def test_the_escalation_job_tells_operators_once_per_passed_deadline(
    app, booked, complain, operator, login, cli, kinds_sent_to
):
    booking, headers = booked()
    complaint = complain(booking, headers).json
    another_operator = login("operator")
    assert cli("complaints", "escalate").output.strip() == "0 escalation(s) made."
    with time_machine.travel(timedelta(hours=25)):
        assert cli("complaints", "escalate").output.strip() == "1 escalation(s) made."
        assert cli("complaints", "escalate").output.strip() == "0 escalation(s) made."
    assert kinds_sent_to(operator) == kinds_sent_to(another_operator) == ["complaint_escalated"]
    with app.app_context():
        [escalation] = db.session.scalars(select(ComplaintEscalation))
        assert (escalation.complaint_id, escalation.reason, escalation.operators_alerted) == (
            complaint["id"],
            "response_overdue",
            2,
        )


def test_an_accepted_complaint_past_its_decision_deadline_is_escalated_again(
    booked, complain, handle, staff, operator, cli, kinds_sent_to
):
    booking, headers = booked()
    complaint = complain(booking, headers).json
    with time_machine.travel(timedelta(hours=25)):
        cli("complaints", "escalate")
        handle(complaint, "accept", staff())
    with time_machine.travel(timedelta(days=8)):
        assert cli("complaints", "escalate").output.strip() == "1 escalation(s) made."
    assert kinds_sent_to(operator) == ["complaint_escalated", "complaint_escalated"]


def test_the_due_list_is_for_the_stations_own_staff(booked, staff, login, client):
    booking, _ = booked()
    url = f"/api/v1/stations/{STATION_A}/complaints/due"
    assert client.get(url, headers=staff("440106002000")).status_code == 403
    assert client.get(url, headers=login()).status_code == 403
    assert client.get("/api/v1/complaints/due", headers=staff()).status_code == 403
    assert client.get("/api/v1/stations/440106999999/complaints/due", headers=login("operator")).status_code == 404
    assert client.get(url, query_string={"within_hours": -1}, headers=staff()).status_code == 422


def test_escalation_messages_leave_only_once_the_escalation_is_committed(
    app, booked, complain, operator, cli, monkeypatch
):
    from complaints.escalation import escalate_due

    monkeypatch.setitem(app.config, "WECHAT_TEMPLATES", {"complaint_escalated": "template-escalated"})
    submitted: list[int] = []
    monkeypatch.setattr("wechat.messages.submit", lambda message_id, delay=0.0: submitted.append(message_id))
    booking, headers = booked()
    complain(booking, headers)
    with time_machine.travel(timedelta(hours=25)):
        with app.app_context():
            assert escalate_due() == 1
            assert submitted == []
            db.session.rollback()
            assert db.session.scalars(select(ComplaintEscalation)).all() == []
        assert submitted == []
        cli("complaints", "escalate")
    assert len(submitted) == 1
