"""The worker's own account: binding to their file by their WeChat phone or by their company's
invite, reading their file unmasked, and seeing who looked at them (which is itself logged)."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from accounts.models import RoleEvent, StaffInvite
from app import create_app
from app.clock import utcnow
from app.extensions import db
from tests.factories import PDF, image_bytes, token_of, upload_part

BIND_PHONE = "/api/v1/auth/worker/bind-phone"
PHONE = "13912345678"


@pytest.fixture
def company_admin(login, make_company):
    def make(company_id=None):
        return login("company_admin", company_id=company_id or make_company()["id"])

    return make


@pytest.fixture
def worker_login(login):
    """Headers of an account bound to the worker (role worker)."""
    return lambda worker: login("worker", worker_id=worker["id"])


def invite_code(client, worker, headers):
    response = client.post(f"/api/v1/workers/{worker['id']}/account-invites", json={}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json["code"]


# ---------------------------------------------------------------- binding by phone


def test_a_worker_whose_wechat_phone_is_on_their_file_binds_by_it(client, login, make_applicant, isolated):
    worker = make_applicant(phone=PHONE)
    me = client.post(BIND_PHONE, headers=(headers := login(phone=PHONE)))
    assert me.status_code == 200, me.json
    assert me.json["roles"] == ["resident", "worker"]
    assert me.json["grants"] == [
        {"role": "worker", "worker_id": worker["id"], "station_code": None, "company_id": None}
    ]
    assert client.get("/api/v1/me/worker", headers=headers).json["worker"]["id"] == worker["id"]
    granted = db.session.scalars(select(RoleEvent).where(RoleEvent.worker_id == worker["id"])).one()
    assert (granted.action, granted.role, granted.reason) == ("granted", "worker", "phone matched the worker's file")


def test_a_phone_on_no_file_binds_nothing(client, login, make_applicant):
    make_applicant(phone=PHONE)
    answer = client.post(BIND_PHONE, headers=(headers := login(phone="13700000001")))
    assert (answer.status_code, answer.json["code"]) == (404, "no_worker_with_this_phone")
    assert client.get("/api/v1/me", headers=headers).json["roles"] == ["resident"]


def test_binding_by_phone_needs_a_phone_bound_through_wechat_first(client, login, make_applicant):
    make_applicant(phone=PHONE)
    answer = client.post(BIND_PHONE, headers=login())
    assert (answer.status_code, answer.json["code"], list(answer.json["errors"])) == (409, "phone_not_bound", ["phone"])


def test_a_file_already_bound_to_an_account_cannot_be_bound_again(client, login, make_applicant):
    make_applicant(phone=PHONE)
    assert client.post(BIND_PHONE, headers=login(phone=PHONE)).status_code == 200
    again = client.post(BIND_PHONE, headers=login(phone=PHONE))
    assert (again.status_code, again.json["code"]) == (409, "worker_already_bound")


def test_a_phone_on_two_files_asks_for_an_invite(client, login, make_applicant):
    make_applicant(phone=PHONE)
    make_applicant(phone=PHONE)
    answer = client.post(BIND_PHONE, headers=login(phone=PHONE))
    assert (answer.status_code, answer.json["code"]) == (409, "phone_matches_several_workers")


# ---------------------------------------------------------------- binding by invite


def test_a_company_admin_invites_their_worker_once(client, login, make_company, make_applicant, company_admin):
    company = make_company()
    admin = company_admin(company["id"])
    worker = make_applicant(company_id=company["id"])
    code = invite_code(client, worker, admin)

    redeemed = client.post("/api/v1/invites/redeem", json={"code": code}, headers=login())
    assert redeemed.status_code == 200, redeemed.json
    assert "worker" in redeemed.json["roles"]
    again = client.post("/api/v1/invites/redeem", json={"code": code}, headers=login())
    assert (again.status_code, again.json["code"]) == (409, "invite_redeemed")


def test_an_expired_worker_invite_binds_nothing(client, login, make_company, make_applicant, company_admin):
    company = make_company()
    worker = make_applicant(company_id=company["id"])
    code = invite_code(client, worker, company_admin(company["id"]))
    db.session.execute(update(StaffInvite).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    answer = client.post("/api/v1/invites/redeem", json={"code": code}, headers=login())
    assert (answer.status_code, answer.json["code"]) == (409, "invite_expired")


def test_a_company_admin_cannot_invite_another_companys_worker(client, make_company, make_applicant, company_admin):
    worker = make_applicant(company_id=make_company()["id"])
    answer = client.post(f"/api/v1/workers/{worker['id']}/account-invites", json={}, headers=company_admin())
    assert answer.status_code == 404


def test_a_companys_invite_is_void_once_the_worker_left_it(client, login, make_company, make_applicant, company_admin):
    company = make_company()
    admin = company_admin(company["id"])
    worker = make_applicant(company_id=company["id"])
    code = invite_code(client, worker, admin)
    assert client.post(f"/api/v1/workers/{worker['id']}/employment/end", json={}, headers=admin).status_code == 200
    answer = client.post("/api/v1/invites/redeem", json={"code": code}, headers=login())
    assert (answer.status_code, answer.json["code"]) == (409, "invite_wrong_company")


@pytest.fixture
def development(app, isolated):
    """A client of the app as `make run` starts it (APP_ENV=development), on the test's database."""
    return create_app(
        {"TESTING": True, "APP_ENV": "development", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    ).test_client()


def test_in_development_dev_login_offers_the_worker_role(development, make_applicant):
    worker = make_applicant()
    login = development.post("/api/v1/auth/dev-login", json={"role": "worker", "worker_id": worker["id"]})
    assert login.status_code == 201, login.json
    own = development.get("/api/v1/me/worker", headers={"Authorization": f"Bearer {login.json['token']}"})
    assert own.json["worker"]["id"] == worker["id"]
    missing = development.post("/api/v1/auth/dev-login", json={"role": "worker"})
    assert (missing.status_code, list(missing.json["errors"])) == (422, ["worker_id"])
    unknown = development.post("/api/v1/auth/dev-login", json={"role": "worker", "worker_id": 999999})
    assert (unknown.status_code, unknown.json["code"]) == (422, "unknown_worker")


# ---------------------------------------------------------------- the file, unmasked to its worker


def test_the_worker_reads_their_own_file_unmasked(client, make_issued, worker_login):
    worker = make_issued(phone=PHONE)
    own = client.get("/api/v1/me/worker", headers=worker_login(worker))
    assert own.status_code == 200, own.json
    assert own.json["worker"]["phone"] == PHONE
    assert "*" not in own.json["worker"]["id_number"] and len(own.json["worker"]["id_number"]) == 18
    assert (own.json["colour"], own.json["reasons"]) == ("green", [])
    assert own.json["worker"]["certificate"]["health_certificate_valid_until"]
    assert own.json["credit"]["level"] == str(own.json["worker"]["stars"])
    assert {d["name"] for d in own.json["credit"]["dimensions"]} >= {"基础信息", "社会评价"}


def test_a_suspended_worker_reads_why_their_code_is_red(client, make_issued, step, worker_login):
    worker = make_issued()
    step(worker["id"], "suspend", {"reason": "投诉核查中"})
    own = client.get("/api/v1/me/worker", headers=worker_login(worker)).json
    assert own["colour"] == "red"
    assert [reason["code"] for reason in own["reasons"]] == ["certificate_suspended"]


def test_only_workers_read_a_workers_own_side(client, login):
    assert client.get("/api/v1/me/worker").status_code == 401
    for role, scope in (("operator", {}), (None, {})):
        assert client.get("/api/v1/me/worker", headers=login(role, **scope)).status_code == 403


def test_a_worker_cannot_read_another_workers_file(client, make_applicant, worker_login):
    mine, theirs = make_applicant(), make_applicant()
    headers = worker_login(mine)
    assert client.get(f"/api/v1/workers/{theirs['id']}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/workers/{theirs['id']}/credit", headers=headers).status_code == 403
    assert client.get("/api/v1/me/worker", headers=headers).json["worker"]["id"] == mine["id"]


# ---------------------------------------------------------------- who looked


def test_the_worker_sees_who_looked_and_their_reading_is_logged(
    client, make_issued, worker_login, operator, login, make_company
):
    company = make_company()
    worker = make_issued(company_id=company["id"])
    client.get(f"/q/{token_of(worker)}")
    client.get(f"/api/v1/scan/{token_of(worker)}", headers=login())
    client.get(f"/api/v1/workers/{worker['id']}", headers=operator)
    client.get(f"/api/v1/workers/{worker['id']}", headers=login("company_admin", company_id=company["id"]))
    headers = worker_login(worker)

    looks = client.get("/api/v1/me/worker/looks", headers=headers).json
    assert [(look["channel"], look["viewer_name"]) for look in looks["items"]] == [
        ("log", "本人"),
        ("file", "企业"),
        ("file", "运营"),
        ("api", "居民"),
        ("page", "未登录"),
        ("file", "运营"),  # the operator who issued the certificate read the file then
    ]
    assert looks["total"] == 6
    again = client.get("/api/v1/me/worker/looks", query_string={"per_page": 2}, headers=headers).json
    assert (again["total"], len(again["items"]), again["items"][0]["viewer"]) == (7, 2, "self")


def test_looks_at_the_documents_and_the_photo_are_listed_among_the_scans_and_paged_as_one_list(
    client, make_issued, worker_login, operator, login, make_company
):
    company = make_company()
    worker = make_issued(company_id=company["id"])
    admin = login("company_admin", company_id=company["id"])
    base = f"/api/v1/workers/{worker['id']}"
    document = client.post(
        f"{base}/documents",
        data={"kind": "id_card_front", "file": upload_part(PDF, "id.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=operator,
    ).json
    photo = {"file": upload_part(image_bytes("JPEG"), "me.jpg")}
    assert client.put(f"{base}/photo", data=photo, content_type="multipart/form-data", headers=admin).status_code == 200
    client.get(f"{base}/documents", headers=admin)
    client.get(f"{base}/documents/{document['id']}/file", headers=operator)
    client.get(f"/api/v1/scan/{token_of(worker)}", headers=login())
    client.get(f"{base}/photo.jpg", headers=admin)
    headers = worker_login(worker)

    looks = client.get("/api/v1/me/worker/looks", headers=headers).json
    assert [(look["what_name"], look["viewer_name"]) for look in looks["items"]] == [
        ("查看记录", "本人"),
        ("照片", "企业"),
        ("扫码", "居民"),
        ("材料", "运营"),
        ("材料", "企业"),
        ("档案", "运营"),  # the operator who issued the certificate read the file then
    ]
    assert looks["total"] == 6
    second = client.get("/api/v1/me/worker/looks", query_string={"per_page": 3, "page": 2}, headers=headers).json
    assert second["total"] == 7, "this reading is one more"
    assert [(look["what"], look["viewer"]) for look in second["items"]] == [
        ("scan", "resident"),
        ("documents", "operator"),
        ("documents", "company"),
    ]
    third = client.get("/api/v1/me/worker/looks", query_string={"per_page": 3, "page": 3}, headers=headers).json
    assert [(look["what"], look["viewer"]) for look in third["items"]] == [
        ("documents", "company"),
        ("file", "operator"),
    ], "each reading is one more, at the head of the list"


def test_an_operator_invites_any_worker_and_the_invite_names_no_company(client, login, operator, make_applicant):
    worker = make_applicant()
    invite = client.post("/api/v1/invites", json={"role": "worker", "worker_id": worker["id"]}, headers=operator)
    assert invite.status_code == 201, invite.json
    assert (invite.json["worker_id"], invite.json["company_id"]) == (worker["id"], None)
    redeemed = client.post("/api/v1/invites/redeem", json={"code": invite.json["code"]}, headers=login())
    assert "worker" in redeemed.json["roles"]
    missing = client.post("/api/v1/invites", json={"role": "worker"}, headers=operator)
    assert (missing.status_code, list(missing.json["errors"])) == (422, ["worker_id"])


def test_an_invite_to_a_file_bound_meanwhile_binds_nothing(client, login, operator, make_applicant):
    worker = make_applicant(phone=PHONE)
    invite = client.post("/api/v1/invites", json={"role": "worker", "worker_id": worker["id"]}, headers=operator)
    assert client.post(BIND_PHONE, headers=login(phone=PHONE)).status_code == 200
    answer = client.post("/api/v1/invites/redeem", json={"code": invite.json["code"]}, headers=login())
    assert (answer.status_code, answer.json["code"]) == (409, "worker_already_bound")
