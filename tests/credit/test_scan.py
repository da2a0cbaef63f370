"""A resident scans the 安心碼 on a worker's card and sees a live, masked profile with a colour."""

import io
import re
import uuid

import pytest
import segno
import zxingcpp
from PIL import Image
from sqlalchemy import text

from app import create_app
from app.clock import today_in_beijing
from app.extensions import db
from app.redis import redis_client
from credit import scanning
from credit.schemas import ScanSchema
from tests.factories import NEXT_YEAR, REDIS_URL, YESTERDAY, new_id_number, token_of


@pytest.fixture
def scan(client):
    return lambda token: client.get(f"/api/v1/scan/{token}")


def test_an_issued_worker_with_valid_papers_scans_green_with_a_masked_profile(make_company, make_issued, scan, client):
    company = make_company(name="羊城好帮手家政服务有限公司")
    id_number = new_id_number()
    worker = make_issued(name="张秀梅", id_number=id_number, phone="13812345678", company_id=company["id"])
    response = scan(token_of(worker))
    assert response.status_code == 200
    profile = response.json
    assert profile["colour"] == "green"
    assert profile["name"] == "张*梅"
    assert profile["state"] == "issued" and profile["state_name"] == "有效"
    assert profile["certificate_number"] == worker["certificate"]["number"]
    assert profile["photo_url"] == "https://example.org/photos/1.jpg"
    assert profile["service_types"] == [{"code": "childcare", "name": "育婴"}, {"code": "cleaning", "name": "保洁"}]
    assert profile["identity_verified"] and profile["training_passed"] and profile["exam_passed"]
    assert profile["health_certificate_valid_until"] == NEXT_YEAR
    assert profile["stars"] in range(1, 6)
    assert (profile["rating_count"], profile["rating_mean"], profile["complaint_count"]) == (0, None, 0)
    grade_now = client.get(f"/api/v1/companies/{company['id']}").json["grade"]
    assert profile["company"] == {"name": "羊城好帮手家政服务有限公司", "grade": grade_now}
    assert profile["updated_at"].endswith("+08:00"), "the resident reads Beijing time, offset given"
    body = response.get_data(as_text=True)
    assert id_number not in body and id_number[-4:] not in body and "13812345678" not in body and "5678" not in body
    assert response.headers["Cache-Control"] == "no-store"


def test_a_suspended_workers_scan_shows_red_and_says_suspended(make_issued, step, scan, client):
    worker = make_issued()
    step(worker["id"], "suspend", {"reason": "严重投诉调查中"})
    assert scan(token_of(worker)).json["colour"] == "red"
    page = client.get(f"/q/{token_of(worker)}").get_data(as_text=True)
    assert "红码" in page and "暂停" in page


def test_a_revoked_workers_scan_shows_red_and_says_revoked(make_issued, step, scan):
    worker = make_issued()
    step(worker["id"], "revoke", {"reason": "失信"})
    profile = scan(token_of(worker)).json
    assert (profile["colour"], profile["state_name"]) == ("red", "已吊销")


def test_an_expired_health_certificate_turns_the_scan_yellow_and_a_new_one_green(make_issued, client, operator, scan):
    worker = make_issued()
    url = f"/api/v1/workers/{worker['id']}/certificate/health-certificate"
    client.put(url, json={"valid_until": YESTERDAY}, headers=operator)
    assert scan(token_of(worker)).json["colour"] == "yellow"
    client.put(url, json={"valid_until": NEXT_YEAR}, headers=operator)
    assert scan(token_of(worker)).json["colour"] == "green"


def test_an_expired_certificate_scans_yellow(make_issued, step, scan):
    worker = make_issued()
    step(worker["id"], "expire")
    assert scan(token_of(worker)).json["colour"] == "yellow"


def test_stars_and_rating_summary_follow_employer_events_in_real_time(make_issued, client, operator, scan):
    worker = make_issued()
    before = scan(token_of(worker)).json
    url = f"/api/v1/workers/{worker['id']}/credit-events"
    for kind, value in [("complaint_upheld", 1), ("complaint_upheld", 1), ("rating", 1), ("complaint_dismissed", 1)]:
        assert (
            client.post(url, json={"kind": kind, "value": value, "reason": "测试"}, headers=operator).status_code == 201
        )
    after = scan(token_of(worker)).json
    assert (after["rating_count"], after["rating_mean"], after["complaint_count"]) == (1, 1.0, 2)
    assert after["stars"] < before["stars"]


def test_an_unknown_token_is_a_plain_404(scan, client):
    response = scan("x" * 43)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    page = client.get("/q/" + "x" * 43)
    assert page.status_code == 404
    assert "不是有效的安心码" in page.get_data(as_text=True)


def test_a_rotated_code_stops_working_at_once_and_the_new_one_works(make_issued, step, scan):
    worker = make_issued()
    old = token_of(worker)
    rotated = step(worker["id"], "rotate-code", {"reason": "证件遗失"})
    assert rotated.status_code == 200
    new = token_of(rotated.json)
    assert new != old
    assert scan(old).status_code == 404
    assert scan(new).status_code == 200


def test_the_token_is_unguessable(make_issued):
    token = token_of(make_issued())
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 random bytes = 256 bits


def test_an_applicant_has_no_code_yet(make_applicant, step, client, operator):
    worker = make_applicant()
    assert worker["certificate"]["scan_url"] is None
    assert step(worker["id"], "rotate-code").status_code == 422
    assert client.get(f"/api/v1/workers/{worker['id']}/certificate/qr.png", headers=operator).status_code == 404


def test_the_profile_disappears_once_the_authorisation_is_withdrawn(make_issued, step, scan):
    worker = make_issued()
    assert step(worker["id"], "withdraw-authorisation", {"reason": "本人撤回授权"}).status_code == 200
    assert scan(token_of(worker)).status_code == 404


def test_the_page_is_chinese_html_without_any_script(make_issued, client):
    worker = make_issued(name="欧阳娜娜")
    response = client.get(f"/q/{token_of(worker)}", headers={"User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert '<html lang="zh-CN">' in page
    assert "欧**娜" in page and "欧阳娜娜" not in page
    assert "绿码" in page and worker["certificate"]["number"] in page
    assert "<script" not in page.lower()
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_answer_is_what_the_documented_schema_writes_for_every_kind_of_profile(
    app, make_company, make_issued, step, client, isolated
):
    company = make_company()
    green = make_issued(company_id=company["id"])
    red = make_issued(checks=[])
    step(red["id"], "suspend", {"reason": "严重投诉调查中"})
    isolated.execute(
        text("UPDATE certificates SET refresher_due_on = :due WHERE worker_id = :id"),
        {"due": YESTERDAY, "id": red["id"]},
    )
    for worker in (green, red):
        answer = client.get(f"/api/v1/scan/{token_of(worker)}").json
        with app.test_request_context():
            row = scanning.find_scannable(token_of(worker))
            documented = ScanSchema().dump(scanning.scan_profile(row, today_in_beijing()))
        assert answer == documented
        assert ScanSchema().validate(answer) == {}
    assert answer["company"] is None and answer["refresher_due_on"] == YESTERDAY and answer["reasons"]


def test_every_scan_is_logged_with_a_coarse_client_and_no_address(make_issued, client, isolated):
    worker = make_issued()
    client.get(
        f"/q/{token_of(worker)}",
        headers={"User-Agent": "Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    client.get(f"/api/v1/scan/{token_of(worker)}", headers={"User-Agent": "curl/8.0"})
    client.get("/api/v1/scan/unknown-token")
    scans = "SELECT channel, client, viewer FROM scan_logs WHERE channel IN ('page', 'api', 'wxa') ORDER BY id"
    rows = isolated.exec_driver_sql(scans).all()
    assert [tuple(r) for r in rows] == [("page", "wechat", "anonymous"), ("api", "other", "anonymous")]
    columns = isolated.exec_driver_sql("SELECT * FROM scan_logs").keys()
    assert set(columns) == {"id", "certificate_id", "scanned_at", "channel", "client", "viewer"}


@pytest.mark.parametrize("kind, mimetype", [("png", "image/png"), ("svg", "image/svg+xml")])
def test_the_qr_image_decodes_to_the_public_scan_url(make_issued, client, operator, kind, mimetype):
    worker = make_issued()
    response = client.get(f"/api/v1/workers/{worker['id']}/certificate/qr.{kind}", headers=operator)
    assert response.status_code == 200 and response.mimetype == mimetype
    url = f"http://127.0.0.1:5000/q/{token_of(worker)}"
    if kind == "png":  # decoded by an independent reader
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
        assert [code.text for code in decoded] == [url]
    else:  # no SVG rasteriser here: compare with the symbol segno draws for that URL
        expected = io.BytesIO()
        segno.make(url, error="m").save(expected, kind="svg", scale=10, border=4)
        assert response.data == expected.getvalue()


def test_a_company_admin_prints_codes_only_for_its_own_workers(make_company, make_issued, client, login):
    mine, theirs = make_company(), make_company()
    admin = login("company_admin", company_id=mine["id"])
    own, other = make_issued(company_id=mine["id"]), make_issued(company_id=theirs["id"])
    assert client.get(f"/api/v1/workers/{own['id']}/certificate/qr.svg", headers=admin).status_code == 200
    assert client.get(f"/api/v1/workers/{other['id']}/certificate/qr.svg", headers=admin).status_code == 404


def test_scans_are_rate_limited_per_client_when_redis_is_configured(app, make_issued, isolated):
    worker = make_issued()
    limited = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": REDIS_URL,
            "SCAN_RATE_LIMIT_PER_MINUTE": 2,
        }
    )
    client = limited.test_client()
    # Fresh client addresses, so counts left in Redis by an earlier run within the minute do not matter.
    busy, other = f"2001:db8::{uuid.uuid4().hex[:4]}", f"2001:db8::{uuid.uuid4().hex[:4]}:1"
    statuses = [
        client.get(f"/api/v1/scan/{token_of(worker)}", environ_base={"REMOTE_ADDR": busy}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    refused = client.get(f"/q/{token_of(worker)}", environ_base={"REMOTE_ADDR": busy})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) in range(1, 61)
    assert client.get(f"/api/v1/scan/{token_of(worker)}", environ_base={"REMOTE_ADDR": other}).status_code == 200
    with limited.app_context():
        keys = [key.decode() for key in redis_client().keys("scan-rate:*")]
        assert keys and not any("2001:db8" in key for key in keys)
        db.engine.dispose()


def test_scans_are_rate_limited_per_process_without_redis(app, make_issued, isolated):
    worker = make_issued()
    limited = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SCAN_RATE_LIMIT_PER_MINUTE": 2,
        }
    )
    client = limited.test_client()
    statuses = [client.get(f"/api/v1/scan/{token_of(worker)}").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get(f"/q/{token_of(worker)}")
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert int(refused.headers["Retry-After"]) in range(1, 61)
    with limited.app_context():
        db.engine.dispose()
