"""One company at a time: the employment ends (by the company or the worker), another company
registers the same worker, who accepts; the record, certificate, 安心碼 and ledger stay the
same, each event keeping the company it happened under, and the old company loses the file."""

import pytest

from tests.factories import token_of

BREACH = {"kind": "breach", "reason": "失信记录"}


@pytest.fixture
def hired(make_company, make_issued, login):
    """An issued worker of company A, their account, A's admin and company B's admin."""

    def make():
        first, second = make_company(), make_company(name="穗城家政服务有限公司")
        worker = make_issued(company_id=first["id"])
        return (
            worker,
            login("worker", worker_id=worker["id"]),
            login("company_admin", company_id=first["id"]),
            login("company_admin", company_id=second["id"]),
            first,
            second,
        )

    return make


def register(client, worker, headers, id_number):
    return client.post("/api/v1/workers", json={"name": worker["name"], "id_number": id_number}, headers=headers)


def test_a_worker_changes_company_keeping_their_file_code_and_ledger(client, hired, operator):
    worker, own, old_admin, new_admin, first, second = hired()
    id_number = client.get("/api/v1/me/worker", headers=own).json["worker"]["id_number"]
    event = client.post(f"/api/v1/workers/{worker['id']}/credit-events", json=BREACH, headers=operator).json
    assert event["employer_id"] == first["id"]

    refused = register(client, worker, new_admin, id_number)
    assert (refused.status_code, refused.json["code"]) == (409, "duplicate_id_number"), "employed by A still"
    ended = client.post(
        f"/api/v1/workers/{worker['id']}/employment/end", json={"reason": "合同到期"}, headers=old_admin
    )
    assert ended.status_code == 200, ended.json
    assert (ended.json["company_id"], ended.json["ended_by_role"]) == (first["id"], "company_admin")

    offered = register(client, worker, new_admin, id_number)
    assert offered.status_code == 202, offered.json
    assert (offered.json["worker_id"], offered.json["company"]["name"]) == (worker["id"], second["name"])
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=new_admin).status_code == 404, "not accepted yet"
    pending = client.get("/api/v1/me/worker/offers", headers=own).json["items"]
    assert [offer["id"] for offer in pending] == [offered.json["id"]]
    accepted = client.post(f"/api/v1/me/worker/offers/{offered.json['id']}/accept", headers=own)
    assert accepted.json["status"] == "accepted"

    now = client.get(f"/api/v1/workers/{worker['id']}", headers=new_admin).json
    assert (now["id"], now["company_id"]) == (worker["id"], second["id"])
    assert now["certificate"]["number"] == worker["certificate"]["number"]
    assert token_of(now) == token_of(worker)
    scanned = client.get(f"/api/v1/scan/{token_of(worker)}").json
    assert scanned["company"]["name"] == second["name"]
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]
    breach = next(item for item in history if item["id"] == event["id"])
    assert breach["employer_id"] == first["id"], "the event keeps the company it happened under"
    assert history[-1]["employer_id"] == second["id"]
    employments = client.get("/api/v1/me/worker", headers=own).json["employments"]
    assert [(e["company_id"], e["ended_at"] is None, e["end_reason"]) for e in employments] == [
        (first["id"], False, "合同到期"),
        (second["id"], True, None),
    ]


def test_the_old_company_loses_the_file_when_the_employment_ends(client, hired):
    worker, own, old_admin, _, _, _ = hired()
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=old_admin).status_code == 200
    left = client.post("/api/v1/me/worker/employment/end", json={"reason": "换工作"}, headers=own)
    assert (left.status_code, left.json["ended_by_role"]) == (200, "worker")
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=old_admin).status_code == 404
    assert client.get(f"/api/v1/workers/{worker['id']}/certificate/qr.png", headers=old_admin).status_code == 404
    listed = client.get("/api/v1/workers", headers=old_admin).json
    assert worker["id"] not in {item["id"] for item in listed["items"]}
    again = client.post("/api/v1/me/worker/employment/end", json={}, headers=own)
    assert (again.status_code, again.json["code"]) == (409, "not_employed")


def test_a_worker_who_declines_stays_with_no_company(client, hired):
    worker, own, old_admin, new_admin, _, _ = hired()
    id_number = client.get("/api/v1/me/worker", headers=own).json["worker"]["id_number"]
    client.post(f"/api/v1/workers/{worker['id']}/employment/end", json={}, headers=old_admin)
    offer = register(client, worker, new_admin, id_number).json
    assert register(client, worker, new_admin, id_number).json["id"] == offer["id"], "the same open offer"
    declined = client.post(f"/api/v1/me/worker/offers/{offer['id']}/decline", headers=own)
    assert declined.json["status"] == "declined"
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=new_admin).status_code == 404
    twice = client.post(f"/api/v1/me/worker/offers/{offer['id']}/accept", headers=own)
    assert (twice.status_code, twice.json["code"]) == (409, "status_conflict")


def test_only_the_worker_it_is_for_decides_an_offer(client, hired, login, make_applicant):
    worker, own, old_admin, new_admin, _, _ = hired()
    id_number = client.get("/api/v1/me/worker", headers=own).json["worker"]["id_number"]
    client.post(f"/api/v1/workers/{worker['id']}/employment/end", json={}, headers=old_admin)
    offer = register(client, worker, new_admin, id_number).json
    stranger = login("worker", worker_id=make_applicant()["id"])
    assert client.post(f"/api/v1/me/worker/offers/{offer['id']}/accept", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/me/worker/offers/{offer['id']}/accept", headers=new_admin).status_code == 403


def test_another_company_cannot_end_a_workers_employment(client, hired):
    worker, _, _, new_admin, _, _ = hired()
    assert client.post(f"/api/v1/workers/{worker['id']}/employment/end", json={}, headers=new_admin).status_code == 404
