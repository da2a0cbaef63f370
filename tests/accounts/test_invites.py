"""Staff binding: an operator invites, the person redeems after logging in; every grant and
removal of a role is on the audit trail."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import RoleEvent, StaffInvite
from app.clock import utcnow
from app.extensions import db
from tests.factories import new_credit_code

STATION = "440106001000"
OTHER_STATION = "440106002000"


@pytest.fixture
def operator(login):
    return login("operator")


@pytest.fixture
def invite(client, operator):
    def make(role="station_staff", **body):
        scope = {"station_code": STATION} if role == "station_staff" else {}
        response = client.post("/api/v1/invites", json={"role": role} | scope | body, headers=operator)
        assert response.status_code == 201, response.json
        return response.json

    return make


def redeem(client, code, headers):
    return client.post("/api/v1/invites/redeem", json={"code": code}, headers=headers)


def test_a_station_invite_makes_whoever_redeems_it_that_stations_staff(client, invite, login):
    offer = invite(note="林小姐 前台")
    assert offer["state"] == "pending" and len(offer["code"]) >= 16
    clerk = login()
    response = redeem(client, offer["code"], clerk)
    assert response.status_code == 200
    assert response.json["roles"] == ["resident", "station_staff"]
    assert client.get("/api/v1/me", headers=clerk).json["grants"] == [
        {"role": "station_staff", "station_code": STATION, "company_id": None, "worker_id": None}
    ]


def test_an_invite_works_once(client, invite, login):
    code = invite()["code"]
    assert redeem(client, code, login()).status_code == 200
    second = redeem(client, code, login())
    assert second.status_code == 409 and "redeemed" in second.json["errors"]["code"][0]


def test_an_expired_invite_is_refused(app, client, invite, login):
    offer = invite()
    with app.app_context():
        db.session.get(StaffInvite, offer["id"]).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = redeem(client, offer["code"], login())
    assert response.status_code == 409 and "expired" in response.json["errors"]["code"][0]


def test_a_revoked_invite_is_refused_and_revoking_twice_changes_nothing(client, invite, operator, login):
    offer = invite()
    assert client.delete(f"/api/v1/invites/{offer['id']}", headers=operator).status_code == 204
    assert client.delete(f"/api/v1/invites/{offer['id']}", headers=operator).status_code == 204
    response = redeem(client, offer["code"], login())
    assert response.status_code == 409 and "revoked" in response.json["errors"]["code"][0]


def test_a_redeemed_invite_cannot_be_revoked(client, invite, operator, login):
    offer = invite()
    redeem(client, offer["code"], login())
    response = client.delete(f"/api/v1/invites/{offer['id']}", headers=operator)
    assert response.status_code == 409 and response.json["code"] == "invite_redeemed"
    unknown = client.delete("/api/v1/invites/999999", headers=operator)
    assert unknown.status_code == 404 and unknown.json["code"] == "unknown_invite"


def test_redeeming_needs_a_login(client, invite):
    assert redeem(client, invite()["code"], {}).status_code == 401


def test_an_unknown_code_is_404(client, login):
    response = redeem(client, "no-such-invite-code", login())
    assert response.status_code == 404 and "code" in response.json["errors"]


def test_a_clerk_of_one_station_cannot_take_a_second_station(client, invite, login):
    clerk = login("station_staff", station_code=OTHER_STATION)
    response = redeem(client, invite()["code"], clerk)
    assert response.status_code == 409 and OTHER_STATION in response.json["errors"]["code"][0]


def test_company_and_operator_invites(client, invite, login):
    company = client.post(
        "/api/v1/companies",
        headers=login("operator"),
        json={"name": "羊城好帮手家政服务有限公司", "credit_code": new_credit_code(), "district_code": "440106"},
    ).json
    admin = login()
    redeem(client, invite(role="company_admin", company_id=company["id"])["code"], admin)
    assert client.get("/api/v1/me", headers=admin).json["roles"] == ["company_admin", "resident"]
    colleague = login()
    redeem(client, invite(role="operator")["code"], colleague)
    assert "operator" in client.get("/api/v1/me", headers=colleague).json["roles"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"role": "station_staff"}, "station_code"),
        ({"role": "station_staff", "station_code": STATION, "company_id": 1}, "company_id"),
        ({"role": "company_admin"}, "company_id"),
        ({"role": "operator", "station_code": STATION}, "station_code"),
        ({"role": "resident"}, "role"),
        ({"role": "station_staff", "station_code": "440106999999"}, "station_code"),
        ({"role": "company_admin", "company_id": 999999}, "company_id"),
        ({"role": "operator", "valid_for_hours": 0}, "valid_for_hours"),
    ],
)
def test_an_invite_must_name_exactly_its_roles_scope(client, operator, body, field):
    response = client.post("/api/v1/invites", json=body, headers=operator)
    assert response.status_code == 422 and field in response.json["errors"]


def test_only_operators_invite_list_and_revoke(client, invite, login):
    offer = invite()
    for headers in (login(), login("station_staff", station_code=STATION), login("company_admin", company_id=1)):
        assert client.post("/api/v1/invites", json={"role": "operator"}, headers=headers).status_code == 403
        assert client.get("/api/v1/invites", headers=headers).status_code == 403
        assert client.delete(f"/api/v1/invites/{offer['id']}", headers=headers).status_code == 403
    assert client.post("/api/v1/invites", json={"role": "operator"}).status_code == 401


def test_operators_list_invites_by_state_without_their_codes(client, invite, operator, login):
    used, waiting = invite(), invite()
    redeem(client, used["code"], login())
    pending = client.get("/api/v1/invites?state=pending", headers=operator).json["items"]
    assert [(i["id"], i["code"]) for i in pending] == [(waiting["id"], None)]
    assert [i["id"] for i in client.get("/api/v1/invites?state=redeemed", headers=operator).json["items"]] == [
        used["id"]
    ]
    assert client.get("/api/v1/invites?state=lost", headers=operator).status_code == 422


def test_the_database_keeps_only_a_hash_of_the_invite_code(client, invite, isolated):
    code = invite()["code"]
    assert code not in isolated.exec_driver_sql("SELECT code_hash FROM staff_invites").scalar_one()


def test_an_operator_removes_a_role_at_once(client, invite, operator, login):
    clerk = login()
    redeem(client, invite()["code"], clerk)
    [grant] = client.get(f"/api/v1/role-grants?station_code={STATION}", headers=operator).json["items"]
    assert client.delete(f"/api/v1/role-grants/{grant['id']}?reason=离职", headers=operator).status_code == 204
    assert client.get("/api/v1/me", headers=clerk).json["roles"] == ["resident"]
    again = client.delete(f"/api/v1/role-grants/{grant['id']}", headers=operator)
    assert again.status_code == 409 and again.json["code"] == "grant_removed"
    assert again.json["detail"] == f"角色授权 {grant['id']} 已被撤销。"
    unknown = client.delete("/api/v1/role-grants/999999", headers=operator)
    assert unknown.status_code == 404 and unknown.json["code"] == "unknown_grant"
    assert client.delete(f"/api/v1/role-grants/{grant['id']}", headers=clerk).status_code == 403


def test_every_grant_and_removal_is_on_the_audit_trail(client, invite, operator, login):
    offer = invite()
    clerk = login()
    clerk_id = client.get("/api/v1/me", headers=clerk).json["id"]
    redeem(client, offer["code"], clerk)
    [grant] = client.get(f"/api/v1/role-grants?user_id={clerk_id}", headers=operator).json["items"]
    client.delete(f"/api/v1/role-grants/{grant['id']}?reason=离职", headers=operator)
    trail = client.get(f"/api/v1/role-events?user_id={clerk_id}", headers=operator).json["items"]
    operator_id = client.get("/api/v1/me", headers=operator).json["id"]
    assert [(e["action"], e["role"], e["station_code"], e["actor_id"], e["invite_id"], e["reason"]) for e in trail] == [
        ("removed", "station_staff", STATION, operator_id, None, "离职"),
        ("granted", "station_staff", STATION, operator_id, offer["id"], "invite redeemed"),
    ]
    assert all(e["created_at"] for e in trail)
    first = client.get(f"/api/v1/role-events?user_id={clerk_id}&limit=1", headers=operator).json
    assert first["items"] == trail[:1] and (first["total"], first["page"], first["per_page"]) == (2, 1, 1)
    second = client.get(f"/api/v1/role-events?user_id={clerk_id}&per_page=1&page=2", headers=operator).json
    assert second["items"] == trail[1:]


def test_the_audit_trail_cannot_be_rewritten(app, client, invite, login):
    redeem(client, invite()["code"], login())
    with app.app_context():
        event = db.session.scalars(select(RoleEvent)).first()
        event.reason = "rewritten"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
