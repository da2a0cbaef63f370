"""At the door the resident confirms entry with the worker's 安心碼; after the service they rate it
and may complain, and the station calls back. Ratings, follow-ups and upheld complaints move the
worker's and the company's credit at once; dismissed and invalid complaints lower nothing."""

from sqlalchemy import select

from app.extensions import db
from booking.models import EntryCheck
from tests.factories import token_of


def stars_and_grade(client, operator, worker):
    worker_view = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json
    company = client.get(f"/api/v1/companies/{worker_view['company_id']}").json
    return worker_view["stars"], worker_view["credit_score"], company["credit_score"]


def test_the_resident_confirms_entry_by_scanning_the_assigned_workers_code(assigned, client):
    booking, headers, _, worker = assigned()
    response = client.post(f"/api/v1/bookings/{booking['id']}/entry", json={"token": token_of(worker)}, headers=headers)
    assert response.status_code == 201
    assert response.json["matched"] is True and response.json["colour"] == "green"
    assert response.json["worker"]["id"] == worker["id"]
    shown = client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json
    assert shown["entry_confirmed_at"] is not None
    assert shown["events"][-1]["action"] == "entry_confirmed"


def test_scanning_the_wrong_worker_is_a_409_naming_both_and_stays_on_record(assigned, green_worker, client, app):
    booking, headers, _, worker = assigned()
    stranger = green_worker(name="李四海")
    response = client.post(
        f"/api/v1/bookings/{booking['id']}/entry", json={"token": token_of(stranger)}, headers=headers
    )
    assert response.status_code == 409
    assert "李*海" in response.json["detail"] and "张*梅" in response.json["detail"]
    assert "token" in response.json["errors"]
    shown = client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json
    assert shown["entry_confirmed_at"] is None
    assert shown["events"][-1]["action"] == "entry_mismatch"
    with app.app_context():
        check = db.session.scalar(select(EntryCheck).where(EntryCheck.booking_id == booking["id"]))
        assert (check.matched, check.scanned_worker_id) == (False, stranger["id"])


def test_entry_needs_an_assigned_booking_and_a_valid_code(booked, assigned, client):
    pending, headers = booked()
    response = client.post(f"/api/v1/bookings/{pending['id']}/entry", json={"token": "x" * 43}, headers=headers)
    assert response.status_code == 409 and response.json["errors"]["status"] == ["pending"]
    booking, headers, _, _ = assigned()
    response = client.post(f"/api/v1/bookings/{booking['id']}/entry", json={"token": "y" * 43}, headers=headers)
    assert response.status_code == 422 and "token" in response.json["errors"]


def test_a_rating_moves_the_workers_stars_and_the_companys_score(completed, client, operator):
    booking, headers, _, worker = completed()
    stars, score, company_score = stars_and_grade(client, operator, worker)
    response = client.post(
        f"/api/v1/bookings/{booking['id']}/rating", json={"stars": 5, "text": "很细心"}, headers=headers
    )
    assert response.status_code == 201
    new_stars, new_score, new_company_score = stars_and_grade(client, operator, worker)
    assert new_stars > stars and new_score > score and new_company_score > company_score
    history = client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]
    assert (history[-1]["kind"], history[-1]["value"], history[-1]["source_ref"]) == (
        "rating",
        5,
        f"booking:{booking['id']}",
    )


def test_a_booking_is_rated_once_and_only_after_completion(completed, assigned, client):
    booking, headers, _, _ = completed()
    url = f"/api/v1/bookings/{booking['id']}/rating"
    assert client.post(url, json={"stars": 4}, headers=headers).status_code == 201
    assert client.post(url, json={"stars": 5}, headers=headers).status_code == 409
    early, early_headers, _, _ = assigned()
    response = client.post(f"/api/v1/bookings/{early['id']}/rating", json={"stars": 5}, headers=early_headers)
    assert response.status_code == 409 and response.json["errors"]["status"] == ["assigned"]
    assert client.post(url, json={"stars": 6}, headers=headers).status_code == 422


def test_an_upheld_complaint_lowers_the_level_and_each_step_records_who_and_when(completed, client, operator, login):
    booking, headers, clerk, worker = completed()
    client.post(f"/api/v1/bookings/{booking['id']}/rating", json={"stars": 5}, headers=headers)
    stars, score, company_score = stars_and_grade(client, operator, worker)
    complaint = client.post(
        f"/api/v1/bookings/{booking['id']}/complaints",
        json={"type": "damage_or_loss", "text": "打碎了花瓶"},
        headers=headers,
    )
    assert complaint.status_code == 201 and complaint.json["status"] == "submitted"
    url = f"/api/v1/complaints/{complaint.json['id']}"
    assert client.post(url + "/uphold", json={}, headers=clerk).json["errors"]["status"] == ["submitted"]
    accepted = client.post(url + "/accept", json={}, headers=clerk).json
    upheld = client.post(url + "/uphold", json={"reason": "核实属实"}, headers=clerk).json
    closed = client.post(url + "/close", json={}, headers=clerk).json
    me = client.get("/api/v1/me", headers=clerk).json["id"]
    assert (accepted["status"], upheld["result"], closed["status"]) == ("accepted", "upheld", "closed")
    assert closed["accepted_by_id"] == closed["decided_by_id"] == closed["closed_by_id"] == me
    assert closed["accepted_at"] and closed["decided_at"] and closed["closed_at"]
    new_stars, new_score, new_company_score = stars_and_grade(client, operator, worker)
    assert new_stars < stars and new_score < score and new_company_score < company_score


def test_dismissed_and_invalid_complaints_lower_nothing(completed, client, operator):
    booking, headers, clerk, worker = completed()
    before = stars_and_grade(client, operator, worker)
    for decision in ("dismiss", "invalidate"):
        complaint = client.post(
            f"/api/v1/bookings/{booking['id']}/complaints",
            json={"type": "attitude", "text": "态度一般"},
            headers=headers,
        ).json
        client.post(f"/api/v1/complaints/{complaint['id']}/accept", json={}, headers=clerk)
        decided = client.post(f"/api/v1/complaints/{complaint['id']}/{decision}", json={}, headers=clerk)
        assert decided.status_code == 200
    assert stars_and_grade(client, operator, worker) == before
    kinds = [e["kind"] for e in client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]]
    assert kinds[-2:] == ["complaint_dismissed", "complaint_invalid"]


def test_complaints_are_handled_by_the_bookings_station_only(completed, client, staff):
    booking, headers, _, _ = completed()
    complaint = client.post(
        f"/api/v1/bookings/{booking['id']}/complaints", json={"type": "other", "text": "其他问题"}, headers=headers
    ).json
    assert (
        client.post(f"/api/v1/complaints/{complaint['id']}/accept", json={}, headers=staff("440106002000")).status_code
        == 404
    )
    assert client.post(f"/api/v1/complaints/{complaint['id']}/accept", json={}, headers=headers).status_code == 403
    listed = client.get(f"/api/v1/stations/{booking['station_code']}/complaints?status=submitted", headers=staff())
    assert [c["id"] for c in listed.json["items"]] == [complaint["id"]]
    bad = client.post(
        f"/api/v1/bookings/{booking['id']}/complaints", json={"type": "noise", "text": "x"}, headers=headers
    )
    assert bad.status_code == 422 and "type" in bad.json["errors"]


def test_the_follow_up_call_is_recorded_once_and_moves_credit(completed, client, operator):
    booking, _, clerk, worker = completed()
    before = stars_and_grade(client, operator, worker)
    url = f"/api/v1/bookings/{booking['id']}/follow-up"
    response = client.post(url, json={"satisfied": False, "notes": "保洁不彻底"}, headers=clerk)
    assert response.status_code == 201
    assert response.json["caller_id"] == client.get("/api/v1/me", headers=clerk).json["id"]
    after = stars_and_grade(client, operator, worker)
    assert after[1] < before[1] and after[2] < before[2]
    assert client.post(url, json={"satisfied": True}, headers=clerk).status_code == 409


def test_a_follow_up_needs_a_completed_booking(assigned, client):
    booking, _, clerk, _ = assigned()
    response = client.post(f"/api/v1/bookings/{booking['id']}/follow-up", json={"satisfied": True}, headers=clerk)
    assert response.status_code == 409 and response.json["errors"]["status"] == ["assigned"]
