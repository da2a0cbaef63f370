"""Issue 16's "done" for engagements: a family books a 26-day live-in 月嫂 after an interview. The
station proposes a free green 月嫂, the family interviews and chooses her, both sides sign, her
time is held for all 26 days, she moves in (上户) and out (下户) with her 安心碼 scanned, the family
rates her and the station calls back, each step in the engagement's history."""

from datetime import datetime, time, timedelta

import time_machine
from sqlalchemy import func, select

from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from booking.models import WorkerTimeBlock
from tests.engagements.conftest import engagement_body
from tests.factories import booking_body, key_header, slot_start, token_of
from wechat.models import SubscribeMessage


def _at(day, hour=9):
    return datetime.combine(day, time(hour), BEIJING)


def held_half_hours(app, worker_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(WorkerTimeBlock.worker_id == worker_id)) or 0


def test_a_family_books_a_26_day_live_in_yuesao_after_an_interview(
    app, client, post, resident, staff, login, maternity_worker, green_worker
):
    family, clerk = resident(), staff()
    yuesao = maternity_worker(name="李秀英", years_of_experience=8, service_types=["maternity", "cleaning"])
    cleaner_only = green_worker()  # green, but offers no 月嫂 service
    account = login("worker", worker_id=yuesao["id"])

    asked = post("/engagements", family, engagement_body(days_ahead=2))
    assert asked.status_code == 201, asked.json
    engagement = asked.json
    assert (engagement["status"], engagement["status_name"], engagement["last_day"]) == (
        "requested",
        "待推荐",
        (today_in_beijing() + timedelta(days=27)).isoformat(),
    )
    path = f"/engagements/{engagement['id']}"

    listed = client.get(f"/api/v1{path}/proposable-workers", headers=clerk).json["items"]
    assert yuesao["id"] in [w["id"] for w in listed] and cleaner_only["id"] not in [w["id"] for w in listed]
    proposed = post(f"{path}/proposals", clerk, {"worker_ids": [yuesao["id"]]}).json
    assert proposed["status"] == "proposed"

    seen = client.get(f"/api/v1{path}", headers=family).json["candidates"][0]
    assert seen["worker"]["name"] == "李*英" and seen["worker"]["years_of_experience"] == 8
    assert seen["worker"]["photo_url"] and "id_number" not in seen["worker"]
    interview = {"candidate_id": seen["id"], "at": _at(today_in_beijing() + timedelta(days=1), 15).isoformat()}
    asked_for = post(f"{path}/interviews", family, interview | {"mode": "video"})
    assert asked_for.status_code == 200 and asked_for.json["interview_mode"] == "video"

    chosen = post(f"{path}/choose", family, {"candidate_id": seen["id"]}).json
    assert chosen["status"] == "chosen" and chosen["worker"]["id"] == yuesao["id"]
    assert held_half_hours(app, yuesao["id"]) == 26 * 48  # every half hour of the 26 days, from the choice on

    assert post(f"{path}/confirm", family).json["status"] == "chosen"  # the worker's side has not signed yet
    signed = post(
        f"{path}/worker-confirm",
        account,
        {"contract_reference": "HT-2026-0001", "contract_signed_on": today_in_beijing().isoformat()},
    ).json
    assert (signed["status"], signed["contract_reference"]) == ("confirmed", "HT-2026-0001")

    # Her time is held in the same rule as slot bookings: a cleaning slot on one of the 26 days
    # cannot have her assigned, nor does the station see her as assignable.
    booking = client.post(
        "/api/v1/bookings", json=booking_body(slot_start(days_ahead=3)), headers=resident() | key_header()
    ).json
    assert client.post(f"/api/v1/bookings/{booking['id']}/confirm", headers=clerk).status_code == 200
    assignable = client.get(f"/api/v1/bookings/{booking['id']}/assignable-workers", headers=clerk).json["items"]
    assert yuesao["id"] not in [w["id"] for w in assignable] and cleaner_only["id"] in [w["id"] for w in assignable]
    refused = client.post(f"/api/v1/bookings/{booking['id']}/assign", json={"worker_id": yuesao["id"]}, headers=clerk)
    assert (refused.status_code, refused.json["code"]) == (409, "worker_double_booked")

    first_day = today_in_beijing() + timedelta(days=2)
    with time_machine.travel(_at(first_day, 9), tick=True):
        wrong = post(f"{path}/start", family, {"token": token_of(cleaner_only)})
        assert (wrong.status_code, wrong.json["code"]) == (409, "wrong_worker")
        started = post(f"{path}/start", family, {"token": token_of(yuesao)})
        assert started.status_code == 201 and started.json["matched"], started.json
        too_soon = post(f"{path}/end", family, {"token": token_of(yuesao)})
        assert (too_soon.status_code, too_soon.json["code"]) == (409, "before_last_day")

    with time_machine.travel(_at(first_day + timedelta(days=25), 17), tick=True):
        ended = post(f"{path}/end", family, {"token": token_of(yuesao)})
        assert ended.status_code == 201, ended.json
        rated = post(f"{path}/rating", family, {"stars": 5, "text": "专业细心，宝宝和妈妈都照顾得很好"})
        assert rated.status_code == 201 and rated.json["period"] == 0
        due = client.get("/api/v1/engagement-follow-ups", headers=clerk).json["items"]
        assert engagement["id"] in [item["engagement"]["id"] for item in due]
        assert post(f"{path}/follow-ups", clerk, {"satisfied": True, "notes": "很满意"}).status_code == 201
        due = client.get("/api/v1/engagement-follow-ups", headers=clerk).json["items"]
        assert engagement["id"] not in [item["engagement"]["id"] for item in due]
        done = client.get(f"/api/v1{path}", headers=family).json

    assert done["status"] == "completed" and done["ratings"][0]["stars"] == 5
    assert held_half_hours(app, yuesao["id"]) < 26 * 48  # the evening she left is free again
    assert [event["action"] for event in done["events"]] == [
        "request",
        "propose",
        "request_interview",
        "choose",
        "resident_confirmed",
        "worker_confirmed",
        "confirm",
        "start_refused",
        "start",
        "complete",
        "rated",
        "follow_up",
    ]
    with app.app_context():
        kinds = set(db.session.scalars(select(SubscribeMessage.kind).where(SubscribeMessage.kind.like("engagement_%"))))
    assert kinds == {
        "engagement_received",
        "engagement_proposed",
        "engagement_interview",
        "engagement_chosen",
        "engagement_confirmed",
    }
