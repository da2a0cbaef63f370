"""The background check (无犯罪记录), the liability insurance (从业责任保险) and the real-name check
(实名认证) as facts of a worker's file: recorded from paper by an operator or asked of the
verification service; what is missing, pending or expired turns the 安心碼 yellow, and says why."""

import json
import time
from datetime import datetime, timedelta
from datetime import time as clock
from unittest.mock import ANY

import pytest
import time_machine
from sqlalchemy import func, select

from app import create_app
from app.clock import BEIJING
from app.extensions import db
from credit import certificates
from credit.checks import add_months
from credit.models import Certificate, CreditEvent, WorkerCheck
from credit.scoring import SCORING_FILE, parse_config
from tests.credit.verification_stub import API_KEY, verification_settings
from tests.factories import (
    CLEAR_BACKGROUND_CHECK,
    INSURANCE_IN_FORCE,
    LAST_MONTH,
    NEXT_YEAR,
    STATION_A,
    TODAY,
    UNLIMITED,
    YESTERDAY,
    token_of,
)
from tests.wechat.stub import closed_port_url


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def scanned(client, worker) -> dict:
    return client.get(f"/api/v1/scan/{token_of(worker)}").json


def reason_codes(profile: dict) -> list[str]:
    return [reason["code"] for reason in profile["reasons"]]


# ---------------------------------------------------------------- recorded from paper


def test_an_operator_records_a_clear_check_from_paper_and_the_scan_says_when_it_was_checked(
    make_applicant, make_issued, record_check, client, operator
):
    worker = make_issued(checks=[INSURANCE_IN_FORCE])
    assert scanned(client, worker)["colour"] == "yellow"

    response = record_check(worker["id"], CLEAR_BACKGROUND_CHECK)

    assert response.status_code == 201, response.json
    check = response.json
    assert (check["kind"], check["kind_name"], check["source"]) == ("criminal_record", "无犯罪记录核查", "paper")
    assert (check["reference"], check["checked_on"], check["result"]) == (
        CLEAR_BACKGROUND_CHECK["reference"],
        LAST_MONTH,
        "clear",
    )
    profile = scanned(client, worker)
    assert profile["colour"] == "green" and profile["reasons"] == []
    assert profile["background_check"] == f"无犯罪记录（核查于 {LAST_MONTH}）"
    assert profile["insurance"] == f"保险有效期至 {NEXT_YEAR}"
    certificate = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]
    recheck = (add_months(TODAY - timedelta(days=30), 12) - timedelta(days=1)).isoformat()
    assert (certificate["criminal_record_result"], certificate["criminal_record_valid_until"]) == ("clear", recheck)


def test_the_scan_page_shows_the_results_and_never_the_references(make_issued, client):
    worker = make_issued()
    page = client.get(f"/q/{token_of(worker)}").get_data(as_text=True)
    answer = client.get(f"/api/v1/scan/{token_of(worker)}").get_data(as_text=True)
    assert f"无犯罪记录（核查于 {LAST_MONTH}）" in page and f"保险有效期至 {NEXT_YEAR}" in page
    for reference in (CLEAR_BACKGROUND_CHECK["reference"], INSURANCE_IN_FORCE["reference"]):
        assert reference not in page and reference not in answer


def test_a_new_check_is_added_to_the_file_and_the_older_one_stays(make_issued, record_check, client, operator):
    worker = make_issued()
    renewed = INSURANCE_IN_FORCE | {"reference": "PICC-ZR-2027-0002", "checked_on": YESTERDAY, "valid_until": days(700)}
    assert record_check(worker["id"], renewed).status_code == 201
    listed = client.get(f"/api/v1/workers/{worker['id']}/checks", headers=operator).json
    assert listed["total"] == 3
    assert [c["reference"] for c in listed["items"] if c["kind"] == "insurance"] == [
        "PICC-ZR-2027-0002",
        INSURANCE_IN_FORCE["reference"],
    ]
    assert scanned(client, worker)["insurance"] == f"保险有效期至 {days(700)}"


def test_each_recorded_check_is_on_the_ledger_without_its_reference(make_issued, client, operator):
    worker = make_issued()
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]
    recorded = [event for event in history if (event["source_ref"] or "").startswith("check:")]
    assert [event["after"] for event in recorded] == [
        {
            "criminal_record_result": "clear",
            "criminal_record_checked_on": LAST_MONTH,
            "criminal_record_valid_until": ANY,
        },
        {"insurance_result": "in_force", "insurance_valid_from": LAST_MONTH, "insurance_valid_until": NEXT_YEAR},
    ]
    assert all(CLEAR_BACKGROUND_CHECK["reference"] not in str(event) for event in history)


@pytest.mark.parametrize(
    "body, field",
    [
        (CLEAR_BACKGROUND_CHECK | {"result": "in_force"}, "result"),
        (INSURANCE_IN_FORCE | {"result": "clear"}, "result"),
        ({k: v for k, v in INSURANCE_IN_FORCE.items() if k != "valid_until"}, "valid_until"),
        (INSURANCE_IN_FORCE | {"valid_from": NEXT_YEAR, "valid_until": LAST_MONTH}, "valid_until"),
        (CLEAR_BACKGROUND_CHECK | {"checked_on": days(1)}, "checked_on"),
        (CLEAR_BACKGROUND_CHECK | {"kind": "driving_licence"}, "kind"),
        (CLEAR_BACKGROUND_CHECK | {"reference": ""}, "reference"),
        ({k: v for k, v in CLEAR_BACKGROUND_CHECK.items() if k != "reference"}, "reference"),
    ],
)
def test_a_check_that_does_not_add_up_is_refused_naming_the_field_and_nothing_is_written(
    make_issued, record_check, client, isolated, body, field
):
    worker = make_issued(checks=[])
    response = record_check(worker["id"], body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert isolated.execute(select(func.count()).select_from(WorkerCheck)).scalar() == 0


def test_a_company_admin_reads_its_own_workers_checks_but_records_none(
    make_company, make_issued, record_check, client, login
):
    own, other = make_company(), make_company()
    worker = make_issued(company_id=own["id"])
    strangers = make_issued(company_id=other["id"])
    admin = login("company_admin", company_id=own["id"])
    assert client.get(f"/api/v1/workers/{worker['id']}/checks", headers=admin).json["total"] == 2
    assert client.get(f"/api/v1/workers/{strangers['id']}/checks", headers=admin).status_code == 404
    assert record_check(worker["id"], CLEAR_BACKGROUND_CHECK, headers=admin).status_code == 403


CALLERS = {
    "anonymous": lambda login: {},
    "a resident": lambda login: login(),
    "station staff": lambda login: login("station_staff", station_code=STATION_A),
    "an operator": lambda login: login("operator"),
}


@pytest.mark.parametrize("caller, status", list(zip(CALLERS, (401, 403, 403, 200), strict=True)))
def test_who_may_read_a_workers_checks(make_issued, client, login, caller, status):
    worker = make_issued()
    response = client.get(f"/api/v1/workers/{worker['id']}/checks", headers=CALLERS[caller](login))
    assert response.status_code == status


# ---------------------------------------------------------------- the colour and its reasons


@pytest.mark.parametrize(
    "checks, colour, codes",
    [
        ([INSURANCE_IN_FORCE], "yellow", ["criminal_record_missing"]),
        ([INSURANCE_IN_FORCE, CLEAR_BACKGROUND_CHECK | {"result": "pending"}], "yellow", ["criminal_record_pending"]),
        ([INSURANCE_IN_FORCE, CLEAR_BACKGROUND_CHECK | {"result": "record_found"}], "red", ["criminal_record_found"]),
        ([CLEAR_BACKGROUND_CHECK], "yellow", ["insurance_missing"]),
        ([CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE | {"result": "pending"}], "yellow", ["insurance_pending"]),
        ([CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE | {"result": "not_insured"}], "yellow", ["insurance_missing"]),
        (
            [CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE | {"valid_from": LAST_MONTH, "valid_until": YESTERDAY}],
            "yellow",
            ["insurance_expired"],
        ),
        (
            [CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE | {"valid_from": days(3), "valid_until": NEXT_YEAR}],
            "yellow",
            ["insurance_not_started"],
        ),
        ([], "yellow", ["criminal_record_missing", "insurance_missing"]),
    ],
)
def test_each_missing_pending_or_expired_check_is_a_named_reason(make_issued, client, checks, colour, codes):
    profile = scanned(client, make_issued(checks=checks))
    assert (profile["colour"], reason_codes(profile)) == (colour, codes)


def test_a_background_check_is_due_again_after_the_configured_months(make_issued, client):
    checked_on = add_months(TODAY, -12)  # a year ago today: due again today
    worker = make_issued(checks=[INSURANCE_IN_FORCE, CLEAR_BACKGROUND_CHECK | {"checked_on": checked_on.isoformat()}])
    profile = scanned(client, worker)
    assert (profile["colour"], reason_codes(profile)) == ("yellow", ["criminal_record_expired"])
    assert f"无犯罪记录核查于 {checked_on}，已到复查期" in profile["reasons"][0]["message"]
    page = client.get(f"/q/{token_of(worker)}").get_data(as_text=True)
    assert "（需重新核查）" in page and '<dt class="fault">背景核查</dt>' in page


def test_the_last_day_of_a_policy_is_green_until_midnight_in_beijing(make_issued, client):
    worker = make_issued(checks=[CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE | {"valid_until": TODAY.isoformat()}])
    with time_machine.travel(datetime.combine(TODAY, clock(23, 59, 59), BEIJING).timestamp(), tick=False):
        assert scanned(client, worker)["colour"] == "green"
    with time_machine.travel(
        datetime.combine(TODAY + timedelta(days=1), clock(0, 0, 1), BEIJING).timestamp(), tick=False
    ):
        assert reason_codes(scanned(client, worker)) == ["insurance_expired"]


def test_a_lapsed_policy_shows_on_the_very_next_scan(make_issued, record_check, client):
    worker = make_issued()
    assert scanned(client, worker)["colour"] == "green"  # now cached by this process
    assert record_check(worker["id"], INSURANCE_IN_FORCE | {"result": "not_insured"}).status_code == 201
    assert reason_codes(scanned(client, worker)) == ["insurance_missing"]


def test_a_criminal_record_found_stays_red_with_its_other_reasons_after_it(make_issued, client):
    worker = make_issued(checks=[CLEAR_BACKGROUND_CHECK | {"result": "record_found"}])
    assert reason_codes(scanned(client, worker)) == ["criminal_record_found", "insurance_missing"]


def test_what_green_requires_is_read_from_the_configuration(monkeypatch, make_issued, client):
    lenient = parse_config(
        SCORING_FILE.read_text(encoding="utf-8").replace(
            'green_requires = ["identity", "health_certificate", "criminal_record", "insurance"]',
            'green_requires = ["identity", "health_certificate", "criminal_record"]',
        )
    )
    monkeypatch.setattr(certificates, "current_config", lambda: lenient)
    assert scanned(client, make_issued(checks=[CLEAR_BACKGROUND_CHECK]))["colour"] == "green"


@pytest.mark.parametrize(
    "edit, problem",
    [
        (('"criminal_record", "insurance"]', '"criminal_record", "insurence"]'), "unknown items"),
        (("criminal_record_recheck_months = 12", "criminal_record_recheck_months = 0"), "whole number of months"),
    ],
)
def test_a_colour_rule_that_does_not_parse_stops_the_start(edit, problem):
    with pytest.raises(ValueError, match=problem):
        parse_config(SCORING_FILE.read_text(encoding="utf-8").replace(*edit))


def test_months_are_added_as_on_a_calendar():
    from datetime import date

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 2), 12) == date(2027, 12, 2)
    assert add_months(date(2026, 3, 15), -12) == date(2025, 3, 15)


# ---------------------------------------------------------------- the verification service


@pytest.fixture(scope="session")
def verifying_app(app, verification_stub):
    """Another app on the test database whose verification service is the stub."""
    application = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            **UNLIMITED,
            **verification_settings(verification_stub),
        }
    )
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def verify(verifying_app, isolated, operator):
    api = verifying_app.test_client()
    return lambda worker, kind, headers=None: api.post(
        f"/api/v1/workers/{worker['id']}/checks/verification", json={"kind": kind}, headers=headers or operator
    )


def nothing_written(isolated) -> bool:
    checks = isolated.execute(select(func.count()).select_from(WorkerCheck)).scalar()
    events = isolated.execute(select(func.count()).where(CreditEvent.source_ref.like("check:%"))).scalar()
    return checks == 0 and events == 0


def test_the_service_answers_a_clear_check_and_it_is_recorded_as_the_services(
    make_issued, verify, verification_stub, client
):
    worker = make_issued(name="张秀梅", checks=[INSURANCE_IN_FORCE])
    response = verify(worker, "criminal_record")
    assert response.status_code == 201, response.json
    assert (response.json["source"], response.json["result"], response.json["reference"]) == (
        "service",
        "clear",
        "GA-2026-000123",
    )
    assert response.json["checked_on"] == TODAY.isoformat()  # the service named no date
    [(path, headers, body)] = verification_stub.requests
    assert path == "checks/criminal-record" and headers["Authorization"] == f"Bearer {API_KEY}"
    assert body["name"] == "张秀梅" and len(body["id_number"]) == 18
    assert scanned(client, worker)["background_check"] == f"无犯罪记录（核查于 {TODAY}）"


def test_the_service_checks_insurance_and_real_name_the_same_way(make_issued, verify, verification_stub, client):
    worker = make_issued(checks=[CLEAR_BACKGROUND_CHECK])
    insured = verify(worker, "insurance").json
    assert (insured["result"], insured["valid_until"]) == ("in_force", "2099-12-31")
    assert scanned(client, worker)["colour"] == "green"
    assert verify(worker, "identity").json["result"] == "verified"
    assert [path for path, _, _ in verification_stub.requests] == ["checks/insurance", "checks/identity"]


def test_a_negative_answer_is_recorded_as_such(make_issued, verify, verification_stub, client, operator):
    worker = make_issued(checks=[INSURANCE_IN_FORCE])
    verification_stub.answer("criminal_record", result="record_found")
    response = verify(worker, "criminal_record")
    assert response.status_code == 201 and response.json["result"] == "record_found"
    assert scanned(client, worker)["colour"] == "red"
    verification_stub.answer("identity", result="mismatch")
    assert verify(worker, "identity").json["result"] == "mismatch"
    listed = client.get(f"/api/v1/workers/{worker['id']}/checks", headers=operator).json["items"]
    assert [(c["kind"], c["result"]) for c in listed][:2] == [
        ("identity", "mismatch"),
        ("criminal_record", "record_found"),
    ]


def test_a_slow_service_is_a_503_within_the_timeout_and_nothing_is_written(
    make_issued, verify, verification_stub, isolated
):
    worker = make_issued(checks=[])
    verification_stub.hang()
    started = time.monotonic()
    response = verify(worker, "criminal_record")
    assert time.monotonic() - started < 3
    assert response.status_code == 503 and response.json["code"] == "verification_unavailable"
    assert nothing_written(isolated)


@pytest.mark.parametrize(
    "status, body",
    [
        (500, '{"error": "internal"}'),
        (200, '{"result": "probably fine"}'),
        (200, "<html>maintenance</html>"),
        (200, '{"result": "in_force"}'),  # a policy in force without its dates
    ],
)
def test_a_failing_service_is_a_503_and_nothing_is_written(
    make_issued, verify, verification_stub, isolated, status, body
):
    worker = make_issued(checks=[])
    verification_stub.fail("insurance", status, body)
    response = verify(worker, "insurance")
    assert response.status_code == 503 and response.json["code"] == "verification_failed"
    assert nothing_written(isolated)


def test_a_service_that_is_down_is_a_503_and_nothing_is_written(app, make_issued, operator, isolated):
    down = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "VERIFICATION_API_BASE_URL": closed_port_url(),
            "VERIFICATION_API_KEY": API_KEY,
        }
    )
    worker = make_issued(checks=[])
    try:
        response = down.test_client().post(
            f"/api/v1/workers/{worker['id']}/checks/verification", json={"kind": "identity"}, headers=operator
        )
    finally:
        with down.app_context():
            db.engine.dispose()
    assert response.status_code == 503 and json.loads(response.data)["code"] == "verification_unavailable"
    assert "Retry-After" in response.headers
    assert nothing_written(isolated)


def test_without_a_configured_service_asking_it_is_a_clear_503(make_issued, client, operator, isolated):
    worker = make_issued(checks=[])
    response = client.post(
        f"/api/v1/workers/{worker['id']}/checks/verification", json={"kind": "criminal_record"}, headers=operator
    )
    assert response.status_code == 503 and response.json["code"] == "verification_not_configured"
    assert "Retry-After" not in response.headers
    assert nothing_written(isolated)
    certificate = isolated.execute(select(Certificate.criminal_record_result)).scalars().all()
    assert certificate == [None]
