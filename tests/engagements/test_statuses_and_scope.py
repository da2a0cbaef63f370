"""Every step out of turn is a 409 naming the current status; another station's staff, another
company's admin and another resident see no engagement of theirs (404); bad input is a 422 naming
the field, and nothing is written."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import today_in_beijing
from app.extensions import db
from booking.models import WorkerTimeBlock
from engagements.models import Engagement
from tests.engagements.conftest import engagement_body
from tests.factories import STATION_B


def test_a_step_out_of_turn_is_a_409_naming_the_status(post, requested, staff, maternity_worker):
    engagement, family = requested()
    path = f"/engagements/{engagement['id']}"
    for action, headers, body in (
        ("choose", family, {"candidate_id": 1}),
        ("confirm", family, None),
        ("end-early", family, {"reason": "不需要了"}),
        ("extend", family, {"length": 3, "length_unit": "days"}),
        ("rating", family, {"stars": 5}),
        ("follow-ups", staff(), {"satisfied": True}),
    ):
        response = post(f"{path}/{action}", headers, body)
        assert (response.status_code, response.json["code"], response.json["errors"]) == (
            409,
            "status_conflict",
            {"status": ["requested"]},
        ), action
    assert post(f"{path}/cancel", family, {"reason": "改期"}).json["status"] == "cancelled"
    again = post(f"{path}/proposals", staff(), {"worker_ids": [maternity_worker()["id"]]})
    assert (again.status_code, again.json["errors"]) == (409, {"status": ["cancelled"]})


def test_cancelling_a_chosen_engagement_frees_the_workers_time(client, post, chosen, requested, staff):
    engagement, family, _, worker = chosen(days_ahead=20)
    other, _ = requested(days_ahead=30)
    proposable = f"/api/v1/engagements/{other['id']}/proposable-workers"

    def listed():
        return [w["id"] for w in client.get(proposable, headers=staff()).json["items"]]

    assert worker["id"] not in listed()
    assert post(f"/engagements/{engagement['id']}/cancel", family).json["status"] == "cancelled"
    assert worker["id"] in listed()


def test_others_see_no_engagement_of_theirs(client, post, requested, resident, staff, login, make_company):
    engagement, family = requested()
    path = f"/engagements/{engagement['id']}"
    stranger, other_staff = resident(), staff(STATION_B)
    other_admin = login("company_admin", company_id=make_company()["id"])
    for headers in (stranger, other_staff, other_admin):
        assert client.get(f"/api/v1{path}", headers=headers).status_code == 404
        assert post(f"{path}/cancel", headers).status_code == 404
    assert post(f"{path}/proposals", other_staff, {"worker_ids": [1]}).status_code == 404
    assert post(f"{path}/proposals", stranger, {"worker_ids": [1]}).status_code == 403  # not a handler's role
    # Its own station's staff can read it, but only the family cancels it.
    refused = post(f"{path}/cancel", staff())
    assert (refused.status_code, refused.json["code"]) == (403, "not_the_resident")
    assert client.get("/api/v1/engagement-requests", headers=other_staff).json["total"] == 0
    assert client.get("/api/v1/engagements", headers=stranger).json["total"] == 0
    assert client.get("/api/v1/engagements", headers=family).json["total"] == 1


def test_only_the_chosen_worker_or_her_handlers_confirm_for_her(post, chosen, login, maternity_worker):
    engagement, family, _, worker = chosen()
    signed = {"contract_reference": "HT-1", "contract_signed_on": today_in_beijing().isoformat()}
    another = login("worker", worker_id=maternity_worker()["id"])
    assert post(f"/engagements/{engagement['id']}/worker-confirm", another, signed).status_code == 404
    refused = post(f"/engagements/{engagement['id']}/worker-confirm", family, signed)
    assert (refused.status_code, refused.json["code"]) == (403, "not_the_worker_side")
    own = login("worker", worker_id=worker["id"])
    assert post(f"/engagements/{engagement['id']}/worker-confirm", own, signed).status_code == 200


def count_engagements(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Engagement)) or 0


@pytest.mark.parametrize(
    "changes, field, code",
    [
        (
            {"start_day": (today_in_beijing() + timedelta(days=400)).isoformat()},
            "start_day",
            "outside_engagement_window",
        ),
        ({"start_day": today_in_beijing().isoformat()}, "start_day", "outside_engagement_window"),
        ({"length": 13, "length_unit": "months"}, "length", "engagement_too_long"),
        ({"length": 367}, "length", "invalid_input"),
        ({"service_code": "cleaning"}, "service_code", "invalid_input"),
        ({"live_in": False}, "day_starts_at", "invalid_input"),
        ({"live_in": False, "day_starts_at": "18:00", "day_ends_at": "08:00"}, "day_ends_at", "invalid_input"),
        ({"live_in": False, "day_starts_at": "08:15", "day_ends_at": "12:00"}, "day_starts_at", "invalid_input"),
        ({"company_id": 1}, "station_code", "invalid_input"),
        ({"station_code": "440106999999"}, "station_code", "unknown_station"),
        ({"preferred_worker_id": 2147483000}, "preferred_worker_id", "preferred_worker_not_offering"),
        ({"address": "天河"}, "address", "invalid_input"),
        ({"needs": "好" * 1001}, "needs", "invalid_input"),
    ],
)
def test_a_bad_request_is_a_422_naming_the_field_and_writes_nothing(app, post, resident, changes, field, code):
    before = count_engagements(app)
    response = post("/engagements", resident(), engagement_body(days_ahead=20) | changes)
    assert (response.status_code, response.json["code"]) == (422, code), response.json
    assert field in response.json["errors"]
    assert count_engagements(app) == before


def test_a_resident_without_a_bound_phone_cannot_ask(post, login):
    response = post("/engagements", login(), engagement_body())
    assert (response.status_code, response.json["code"]) == (403, "phone_required")


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_a_signed_worker_whose_certificate_is_withdrawn_goes_back_to_the_candidates(
    app, client, operator, confirmed, action
):
    engagement, family, _, worker = confirmed()
    response = client.post(
        f"/api/v1/workers/{worker['id']}/certificate/{action}", json={"reason": "严重投诉调查中"}, headers=operator
    )
    assert response.status_code == 200, response.json
    again = client.get(f"/api/v1/engagements/{engagement['id']}", headers=family).json
    assert (again["status"], again["worker"], again["resident_confirmed_at"]) == ("proposed", None, None)
    assert again["events"][-1]["action"] == "withdraw_worker"
    with app.app_context():
        held = db.session.scalar(select(func.count()).where(WorkerTimeBlock.worker_id == worker["id"]))
    assert held == 0
