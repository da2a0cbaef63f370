"""The scan tells the resident at the door why a code is not green and what to do, on the page
and in the JSON alike, and a phone that scanned too often is never taken for a fake code."""

import itertools
import json
import re
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from credit.certificates import GREEN, REASON_CODES, RED, YELLOW, colour, reasons
from credit.models import STATES, SUSPENDED
from tests.factories import REDIS_URL, YESTERDAY, token_of

HOTLINE = "12345"


@pytest.fixture
def scanned(client):
    """scanned(worker) -> (the JSON profile, the page's HTML), both of one worker's 安心码."""

    def scan(worker):
        token = token_of(worker)
        answer, page = client.get(f"/api/v1/scan/{token}"), client.get(f"/q/{token}")
        assert answer.status_code == 200 and page.status_code == 200
        return answer.json, page.get_data(as_text=True)

    return scan


def highlighted_rows(page: str) -> list[str]:
    """The labels of the profile rows the page marks as at fault."""
    return re.findall(r'<dt class="fault">([^<]+)</dt>', page)


def set_certificate(isolated, worker, **columns):
    """Data as an import or an old record may hold it, which no API step produces."""
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    isolated.execute(
        text(f"UPDATE certificates SET {assignments} WHERE worker_id = :worker_id"),
        columns | {"worker_id": worker["id"]},
    )


def test_a_green_scan_says_come_in_and_compare_the_photo(make_issued, scanned):
    profile, page = scanned(make_issued())
    assert profile["colour"] == "green" and profile["reasons"] == []
    assert "可放心入户" in profile["advice"] and "照片" in profile["advice"]
    assert "绿码 · 可放心入户" in page and "核对来人与照片" in page
    assert highlighted_rows(page) == []


def test_an_expired_health_certificate_is_named_and_its_row_highlighted(make_issued, client, operator, scanned):
    worker = make_issued()
    client.put(
        f"/api/v1/workers/{worker['id']}/certificate/health-certificate",
        json={"valid_until": YESTERDAY},
        headers=operator,
    )
    profile, page = scanned(worker)
    assert profile["colour"] == "yellow" and profile["state_name"] == "有效"
    assert profile["reasons"] == [
        {
            "code": "health_certificate_expired",
            "field": "health_certificate_valid_until",
            "message": f"健康证有效期至 {YESTERDAY}，已过期。",
        }
    ]
    assert "请先核实" in profile["advice"] and "联系服务站" in profile["advice"]
    assert profile["hotline"] == HOTLINE
    assert "黄码 · 请先核实" in page and f"健康证有效期至 {YESTERDAY}，已过期" in page
    assert highlighted_rows(page) == ["健康证有效期至"]
    assert f'<dd class="fault">{YESTERDAY}（已过期） ⚠</dd>' in page
    assert f'href="tel:{HOTLINE}"' in page


def test_an_expired_certificate_is_named_and_the_certificate_row_highlighted(make_issued, step, scanned):
    worker = make_issued()
    step(worker["id"], "expire")
    profile, page = scanned(worker)
    assert profile["colour"] == "yellow"
    assert [reason["code"] for reason in profile["reasons"]] == ["certificate_expired"]
    assert profile["reasons"][0]["field"] == "state"
    assert "安心服务证已过期" in page and "请先核实" in page
    assert highlighted_rows(page) == ["安心服务证"]


@pytest.mark.parametrize(
    "action, code, words",
    [("suspend", "certificate_suspended", "已被暂停"), ("revoke", "certificate_revoked", "已被吊销")],
)
def test_a_red_scan_says_do_not_open_and_gives_the_hotline(make_issued, step, scanned, action, code, words):
    worker = make_issued()
    step(worker["id"], action, {"reason": "严重投诉调查中"})
    profile, page = scanned(worker)
    assert profile["colour"] == "red"
    assert [reason["code"] for reason in profile["reasons"]] == [code]
    assert profile["advice"].startswith("请勿开门") and "联系服务站" in profile["advice"]
    assert profile["hotline"] == HOTLINE
    assert "红码 · 请勿开门" in page and words in page
    assert "请勿开门，请联系服务站。 服务热线" in page and f'href="tel:{HOTLINE}"' in page
    assert highlighted_rows(page) == ["安心服务证"]


def test_an_unverified_identity_is_named_and_its_row_highlighted(make_issued, isolated, scanned):
    worker = make_issued()
    set_certificate(isolated, worker, identity_verified_on=None)
    profile, page = scanned(worker)
    assert profile["colour"] == "yellow"
    assert profile["reasons"] == [
        {"code": "identity_not_verified", "field": "identity_verified", "message": "尚未完成人证合一核验。"}
    ]
    assert highlighted_rows(page) == ["人证合一"]


def test_a_missing_health_certificate_is_named_and_its_row_highlighted(make_issued, isolated, scanned):
    worker = make_issued()
    set_certificate(isolated, worker, health_certificate_valid_until=None)
    profile, page = scanned(worker)
    assert profile["colour"] == "yellow"
    assert [reason["code"] for reason in profile["reasons"]] == ["health_certificate_missing"]
    assert highlighted_rows(page) == ["健康证有效期至"] and "（已过期）" not in page


def test_every_reason_is_listed_worst_first(make_issued, client, operator, step, scanned):
    worker = make_issued()
    client.put(
        f"/api/v1/workers/{worker['id']}/certificate/health-certificate",
        json={"valid_until": YESTERDAY},
        headers=operator,
    )
    step(worker["id"], "suspend", {"reason": "严重投诉调查中"})
    profile, page = scanned(worker)
    assert profile["colour"] == "red"
    assert [reason["code"] for reason in profile["reasons"]] == ["certificate_suspended", "health_certificate_expired"]
    assert highlighted_rows(page) == ["安心服务证", "健康证有效期至"]


def test_a_deployment_names_its_own_hotline(app, make_issued, isolated):
    worker = make_issued()
    own = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PLATFORM_HOTLINE": "020-83000000",
        }
    )
    try:
        profile = json.loads(own.test_client().get(f"/api/v1/scan/{token_of(worker)}").data)
        assert profile["hotline"] == "020-83000000"
    finally:
        with own.app_context():
            db.engine.dispose()


# A clear background check and a policy in force, on the day of the test below and after.
CHECKS_IN_ORDER = {
    "criminal_record_result": "clear",
    "criminal_record_checked_on": date(2026, 1, 1),
    "criminal_record_valid_until": date(2026, 12, 31),
    "insurance_result": "in_force",
    "insurance_valid_from": date(2026, 1, 1),
    "insurance_valid_until": date(2026, 12, 31),
}


@pytest.mark.parametrize(
    "state, identity_verified, health",
    list(itertools.product(STATES, (True, False), ("valid", "expired", "missing"))),
)
def test_the_colour_is_the_worst_of_its_reasons_and_green_only_without_any(state, identity_verified, health):
    today = date(2026, 6, 1)
    certificate = SimpleNamespace(
        state=state,
        identity_verified_on=today if identity_verified else None,
        health_certificate_valid_until={"valid": today, "expired": today - timedelta(days=1), "missing": None}[health],
        **CHECKS_IN_ORDER,
        refresher_due_on=None,
        listed_until=None,
    )
    found = reasons(certificate, today)
    assert {reason.code for reason in found} <= set(REASON_CODES)
    expected = (
        RED
        if state in (SUSPENDED, "revoked")
        else GREEN
        if state == "issued" and identity_verified and health == "valid"
        else YELLOW
    )
    assert colour(certificate, today) == expected
    assert (found == []) == (expected == GREEN)
    assert expected == GREEN or any(reason.colour == expected for reason in found)


def test_naming_the_reasons_costs_no_query(make_issued, client, operator, count_statements):
    green, yellow = make_issued(), make_issued()
    client.put(
        f"/api/v1/workers/{yellow['id']}/certificate/health-certificate",
        json={"valid_until": YESTERDAY},
        headers=operator,
    )
    costs = []
    for worker in (green, yellow):
        with count_statements() as statements:
            assert client.get(f"/api/v1/scan/{token_of(worker)}").status_code == 200
        costs.append(len(statements))
    assert costs[0] == costs[1]


# ---------------------------------------------------------------- no profile: a fake code or too many scans


def test_a_code_that_is_not_valid_says_so_and_do_not_open(client):
    answer = client.get("/api/v1/scan/" + "x" * 43)
    problem = json.loads(answer.data)
    assert answer.status_code == 404 and problem["code"] == "not_a_valid_code" and list(problem["errors"]) == ["token"]
    page = client.get("/q/" + "x" * 43)
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "<title>不是有效的安心码 · 羊城家政</title>" in html
    assert '<div class="banner red">不是有效的安心码</div>' in html
    assert "请勿开门" in html and f'href="tel:{HOTLINE}"' in html
    assert "扫码过于频繁" not in html


@pytest.mark.parametrize("redis_url", [None, REDIS_URL], ids=["per process", "with redis"])
def test_too_many_scans_is_a_different_page_from_a_fake_code(app, make_issued, isolated, redis_url):
    worker = make_issued()
    limited = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": redis_url,
            "SCAN_RATE_LIMIT_PER_MINUTE": 1,
        }
    )
    client, busy = limited.test_client(), {"REMOTE_ADDR": f"2001:db8::{uuid.uuid4().hex[:4]}"}
    try:
        assert client.get(f"/q/{token_of(worker)}", environ_base=busy).status_code == 200
        page = client.get(f"/q/{token_of(worker)}", environ_base=busy)
        answer = client.get(f"/api/v1/scan/{token_of(worker)}", environ_base=busy)
        fake = client.get("/q/" + "x" * 43, environ_base={"REMOTE_ADDR": f"2001:db8::{uuid.uuid4().hex[:4]}"})
    finally:
        with limited.app_context():
            db.engine.dispose()
    html, fake_html = page.get_data(as_text=True), fake.get_data(as_text=True)
    assert (page.status_code, fake.status_code) == (429, 404)
    assert answer.status_code == 429 and json.loads(answer.data)["code"] == "too_many_requests"
    seconds = int(page.headers["Retry-After"])
    assert seconds in range(1, 61)
    assert "<title>扫码过于频繁 · 羊城家政</title>" in html
    assert '<div class="banner busy">扫码过于频繁</div>' in html
    assert "这并不表示证件有问题" in html and f"请 {seconds} 秒后重新扫码" in html
    assert "不是有效的安心码" not in html
    assert "这并不表示证件有问题" not in fake_html and "扫码过于频繁" not in fake_html
