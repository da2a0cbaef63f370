"""A family complains about its engagement from the signing on, in service and for 30 days
(ENGAGEMENT_COMPLAINT_DAYS) after it ended; the engagement's handlers (its station's staff, or
its company's admins) handle it as a booking complaint is handled: the same severities and
deadlines, serious ones escalated to operators once committed, the same due lists, and an upheld
one on the worker's and her company's credit ledger."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from credit.models import CreditEvent
from tests.engagements.conftest import engagement_body
from tests.factories import STATION_A, STATION_B, token_of
from wechat.models import SubscribeMessage


def noon(days_ahead: int) -> datetime:
    return datetime.combine(today_in_beijing() + timedelta(days=days_ahead), time(12), BEIJING)


@pytest.fixture
def complain(post):
    """complain(engagement, headers, kind="attitude", text=...) -> the answer of POST .../complaints."""
    return lambda engagement, headers, kind="attitude", text="阿姨态度不好": post(
        f"/engagements/{engagement['id']}/complaints", headers, {"type": kind, "text": text}
    )


@pytest.fixture
def handle(post):
    return lambda complaint, action, headers, body=None: post(
        f"/engagement-complaints/{complaint['id']}/{action}", headers, body
    )


@pytest.fixture
def kinds_sent_to(app, client):
    """The kinds of subscribe message committed for that user, oldest first."""

    def read(headers):
        user_id = client.get("/api/v1/me", headers=headers).json["id"]
        with app.app_context():
            query = select(SubscribeMessage.kind).where(SubscribeMessage.user_id == user_id)
            return [
                kind for kind in db.session.scalars(query.order_by(SubscribeMessage.id)) if kind.startswith("complaint")
            ]

    return read


def test_a_signed_engagement_takes_a_complaint_its_station_is_told_of(confirmed, complain, operator, kinds_sent_to):
    engagement, family, clerk, worker = confirmed()
    response = complain(engagement, family)
    assert response.status_code == 201, response.json
    complaint = response.json
    assert (complaint["engagement_id"], complaint["worker_id"], complaint["status"]) == (
        engagement["id"],
        worker["id"],
        "submitted",
    )
    assert (complaint["severity"], complaint["type_name"]) == ("ordinary", "服务态度")
    # Through WeChat's content check: not reached here, so pending and not shown yet.
    assert (complaint["text_status"], complaint["text"]) == ("pending", None)
    assert [event["action"] for event in complaint["events"]] == ["filed"]
    assert kinds_sent_to(clerk) == ["complaint_received"]
    assert kinds_sent_to(operator) == []


def test_a_serious_triage_reaches_operators_only_once_it_is_committed(
    app, confirmed, complain, handle, operator, kinds_sent_to, monkeypatch
):
    monkeypatch.setitem(app.config, "WECHAT_TEMPLATES", {"complaint_escalated": "template-escalated"})
    submitted: list[int] = []
    monkeypatch.setattr("wechat.messages.submit", lambda message_id, delay=0.0: submitted.append(message_id))
    engagement, family, clerk, _ = confirmed()
    complaint = complain(engagement, family, "service_quality", "孩子身上有淤青").json
    assert submitted == [] and kinds_sent_to(operator) == []
    accepted = handle(complaint, "accept", clerk, {"severity": "serious", "reason": "涉及儿童安全"})
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["severity"] == "serious"
    assert [event["action"] for event in accepted.json["events"]] == ["filed", "accept", "escalated"]
    assert kinds_sent_to(operator) == ["complaint_escalated"]
    assert len(submitted) == 1  # handed to WeChat after the commit, for the one operator


def test_a_theft_complaint_is_serious_at_once(confirmed, complain, operator, kinds_sent_to):
    engagement, family, _, _ = confirmed()
    complaint = complain(engagement, family, "theft", "家里少了金手镯").json
    assert (complaint["severity"], complaint["severity_name"]) == ("serious", "严重")
    assert kinds_sent_to(operator) == ["complaint_escalated"]


def test_an_upheld_complaint_goes_on_the_workers_and_companys_credit_ledger(app, confirmed, complain, handle):
    engagement, family, clerk, worker = confirmed()
    complaint = complain(engagement, family).json
    assert handle(complaint, "accept", clerk).status_code == 200
    upheld = handle(complaint, "uphold", clerk, {"reason": "核实属实"})
    assert (upheld.status_code, upheld.json["result"]) == (200, "upheld"), upheld.json
    with app.app_context():
        events = db.session.scalars(
            select(CreditEvent).where(CreditEvent.source_ref == f"engagement_complaint:{complaint['id']}")
        ).all()
        assert sorted((e.kind, e.value, e.worker_id is not None) for e in events) == [
            ("complaint_upheld", 1, False),
            ("complaint_upheld", 1, True),
        ]
        assert next(e.worker_id for e in events if e.worker_id) == worker["id"]
    closed = handle(complaint, "close", clerk)
    assert closed.json["status"] == "closed"
    again = handle(complaint, "uphold", clerk)
    assert (again.status_code, again.json["code"], again.json["errors"]) == (
        409,
        "status_conflict",
        {"status": ["closed"]},
    )


def test_a_complaint_is_taken_in_service_and_for_the_configured_days_after_the_end(
    app, post, confirmed, complain, monkeypatch
):
    assert app.config["ENGAGEMENT_COMPLAINT_DAYS"] == 30
    monkeypatch.setitem(app.config, "ENGAGEMENT_COMPLAINT_DAYS", 3)  # the family's log-in outlasts it
    engagement, family, _, worker = confirmed(days_ahead=2)
    path = f"/engagements/{engagement['id']}"
    with time_machine.travel(noon(2), tick=True):
        assert post(f"{path}/start", family, {"token": token_of(worker)}).status_code == 201
        assert complain(engagement, family).status_code == 201
    with time_machine.travel(noon(5), tick=True):
        assert post(f"{path}/end-early", family, {"reason": "不需要了"}).status_code == 200
    with time_machine.travel(noon(5 + 2), tick=True):
        assert complain(engagement, family).status_code == 201
    with time_machine.travel(noon(5 + 4), tick=True):
        late = complain(engagement, family)
    assert (late.status_code, late.json["code"]) == (409, "complaint_period_over"), late.json
    assert list(late.json["errors"]) == ["complaints_until"]


def test_an_engagement_not_yet_signed_takes_no_complaint(requested, complain, app, kinds_sent_to, staff):
    engagement, family = requested()
    refused = complain(engagement, family)
    assert (refused.status_code, refused.json["code"], refused.json["errors"]) == (
        409,
        "status_conflict",
        {"status": ["requested"]},
    )
    assert kinds_sent_to(staff()) == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"type": "bribery", "text": "x"}, "type"),
        ({"type": "attitude", "text": ""}, "text"),
        ({"type": "attitude", "text": "长" * 1001}, "text"),
        ({"text": "没有类型"}, "type"),
    ],
)
def test_bad_input_is_refused_naming_the_field(post, confirmed, body, field):
    engagement, family, _, _ = confirmed()
    refused = post(f"/engagements/{engagement['id']}/complaints", family, body)
    assert (refused.status_code, list(refused.json["errors"])) == (422, [field]), refused.json


def test_others_can_neither_file_nor_handle_it(
    client, confirmed, complain, handle, resident, staff, login, make_company
):
    engagement, family, clerk, worker = confirmed()
    stranger = resident()
    assert complain(engagement, stranger).status_code == 404
    refused = complain(engagement, clerk)
    assert (refused.status_code, refused.json["code"]) == (403, "not_the_resident")
    her = login("worker", worker_id=worker["id"])
    assert complain(engagement, her).status_code == 403
    complaint = complain(engagement, family).json
    other_admin = login("company_admin", company_id=make_company()["id"])
    for headers in (staff(STATION_B), other_admin):
        assert handle(complaint, "accept", headers).status_code == 404
        assert client.get("/api/v1/engagement-complaints", headers=headers).json["total"] == 0
    assert handle(complaint, "accept", family).status_code == 403
    assert handle({"id": 999999}, "accept", clerk).status_code == 404
    listed = client.get("/api/v1/engagement-complaints", headers=clerk).json
    assert [item["id"] for item in listed["items"]] == [complaint["id"]]
    own_list = f"/api/v1/engagements/{engagement['id']}/complaints"
    for headers in (family, clerk):
        assert [item["id"] for item in client.get(own_list, headers=headers).json["items"]] == [complaint["id"]]
    not_hers = client.get(own_list, headers=her)
    assert (not_hers.status_code, not_hers.json["code"]) == (403, "not_the_resident_or_handler")
    assert client.get(own_list, headers=stranger).status_code == 404


def test_the_due_lists_include_engagement_complaints(client, confirmed, complain, handle, staff, operator):
    engagement, family, clerk, _ = confirmed()
    late = complain(engagement, family).json
    station_url = f"/api/v1/stations/{STATION_A}/complaints/due"
    with time_machine.travel(timedelta(hours=25)):
        [row] = client.get(station_url, headers=clerk).json["items"]
        everywhere = client.get("/api/v1/complaints/due", headers=operator).json["items"]
        elsewhere = client.get(f"/api/v1/stations/{STATION_B}/complaints/due", headers=operator).json
    assert (row["kind"], row["id"], row["overdue"], row["station_code"]) == ("engagement", late["id"], True, STATION_A)
    assert ("engagement", late["id"]) in [(r["kind"], r["id"]) for r in everywhere]
    assert elsewhere["total"] == 0
    handle(late, "accept", clerk)
    with time_machine.travel(timedelta(hours=25)):
        assert client.get(station_url, headers=clerk).json["total"] == 0  # a week to decide now


def test_a_companys_engagement_is_handled_by_its_admins_and_listed_for_operators(
    client, post, resident, login, make_company, maternity_worker, complain, handle, staff, operator, kinds_sent_to
):
    company = make_company()
    worker = maternity_worker(company_id=company["id"])
    admin = login("company_admin", company_id=company["id"])
    family = resident()
    body = engagement_body(days_ahead=15) | {"company_id": company["id"]}
    del body["station_code"]
    engagement = post("/engagements", family, body).json
    candidate = post(f"/engagements/{engagement['id']}/proposals", admin, {"worker_ids": [worker["id"]]}).json
    post(f"/engagements/{engagement['id']}/choose", family, {"candidate_id": candidate["candidates"][0]["id"]})
    post(f"/engagements/{engagement['id']}/confirm", family)
    signed = {"contract_reference": "HT-2026-0002", "contract_signed_on": today_in_beijing().isoformat()}
    assert post(f"/engagements/{engagement['id']}/worker-confirm", admin, signed).json["status"] == "confirmed"
    complaint = complain(engagement, family).json
    assert kinds_sent_to(admin) == ["complaint_received"] and kinds_sent_to(operator) == []
    assert handle(complaint, "accept", staff()).status_code == 404
    assert handle(complaint, "accept", admin).status_code == 200
    with time_machine.travel(timedelta(days=8)):
        [row] = [
            r for r in client.get("/api/v1/complaints/due", headers=operator).json["items"] if r["kind"] == "engagement"
        ]
        assert (row["id"], row["station_code"]) == (complaint["id"], None)
        assert client.get(f"/api/v1/stations/{STATION_A}/complaints/due", headers=staff()).json["total"] == 0
