"""The resident hears about their booking by WeChat subscribe message: received when they book,
confirmed, assigned (naming the worker, masked, and the worker's stars), a reminder the day
before, and a survey after the service. A refused request sends nothing, and the reminder
goes once however often the cron job runs."""

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.factories import booking_body, key_header, slot_start
from wechat.models import SubscribeMessage


@pytest.fixture
def messages_to(app, client):
    """messages_to(headers) -> [(kind, data, page)] queued for that user, oldest first."""

    def read(headers):
        user_id = client.get("/api/v1/me", headers=headers).json["id"]
        with app.app_context():
            return [
                (m.kind, m.data, m.page)
                for m in db.session.scalars(
                    select(SubscribeMessage).where(SubscribeMessage.user_id == user_id).order_by(SubscribeMessage.id)
                )
            ]

    return read


def kinds(messages) -> list[str]:
    return [kind for kind, _, _ in messages]


def test_a_resident_is_told_the_booking_was_received_with_service_time_and_station(booked, messages_to):
    booking, headers = booked()
    assert messages_to(headers) == [
        (
            "booking_received",
            {
                "thing1": "保洁",
                "time2": slot_start().strftime("%Y-%m-%d %H:%M"),
                "thing3": "五山街道",
                "phrase4": "待接单",
            },
            f"pages/booking/detail?id={booking['id']}",
        )
    ]


def test_retrying_a_booking_with_its_key_does_not_tell_the_resident_twice(book, messages_to):
    first, headers = book(key="retry-message-key")
    again, _ = book(headers=headers, key="retry-message-key")
    assert (first.status_code, again.status_code) == (201, 200)
    assert kinds(messages_to(headers)) == ["booking_received"]


def test_a_refused_booking_request_queues_nothing(book, booked, resident, messages_to):
    for _ in range(3):  # a cleaning slot has three places
        booked()
    headers = resident()
    full, _ = book(headers=headers)
    assert full.status_code == 409
    closed_hours, _ = book(headers=headers, starts_at=slot_start(hour=7))
    assert closed_hours.status_code == 422
    assert messages_to(headers) == []


def test_confirmation_and_assignment_name_the_masked_worker_and_stars(assigned, client, operator, messages_to):
    booking, headers, _, worker = assigned()
    stars = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["stars"]
    assert stars is not None
    [received, confirmed, assigned_message] = messages_to(headers)
    assert (confirmed[0], confirmed[1]["phrase4"]) == ("booking_confirmed", "已接单")
    kind, data, page = assigned_message
    assert kind == "booking_assigned" and page == f"pages/booking/detail?id={booking['id']}"
    assert (data["thing4"], data["thing5"]) == ("张*梅", f"{stars}星")
    assert "张秀梅" not in str(data)


def test_the_survey_follows_completion(completed, messages_to):
    booking, headers, _, _ = completed()
    kind, data, page = messages_to(headers)[-1]
    assert kind == "followup_survey" and page == f"pages/booking/detail?id={booking['id']}"
    assert (data["thing1"], data["time2"]) == ("保洁", slot_start().strftime("%Y-%m-%d %H:%M"))


def test_reminders_go_once_to_tomorrows_confirmed_and_assigned_bookings(booked, assigned, act, staff, cli, messages_to):
    _, assigned_resident, _, _ = assigned()
    confirmed, confirmed_resident = booked(starts_at=slot_start(hour=14))
    act(confirmed["id"], "confirm", staff())
    _, pending_resident = booked(starts_at=slot_start(hour=16))
    later, later_resident = booked(starts_at=slot_start(days_ahead=2))
    act(later["id"], "confirm", staff())

    first_run, second_run = cli("booking", "send-reminders"), cli("booking", "send-reminders")
    assert (first_run.exit_code, second_run.exit_code) == (0, 0)
    assert "2 reminder(s) queued" in first_run.output and "0 reminder(s) queued" in second_run.output
    [(_, assigned_reminder, _)] = [m for m in messages_to(assigned_resident) if m[0] == "booking_reminder"]
    assert assigned_reminder["thing4"].startswith("张*梅（") and assigned_reminder["time2"].endswith("10:00")
    [(_, confirmed_reminder, _)] = [m for m in messages_to(confirmed_resident) if m[0] == "booking_reminder"]
    assert confirmed_reminder["thing4"] == "服务站派单中"
    assert "booking_reminder" not in kinds(messages_to(pending_resident))
    assert "booking_reminder" not in kinds(messages_to(later_resident))


def test_a_booking_rescheduled_after_its_reminder_is_reminded_of_the_new_time(booked, act, staff, cli, messages_to):
    booking, headers = booked()
    clerk = staff()
    act(booking["id"], "confirm", clerk)
    assert "1 reminder(s) queued" in cli("booking", "send-reminders").output
    moved = act(booking["id"], "reschedule", headers, {"starts_at": slot_start(hour=14).isoformat()})
    assert moved.status_code == 200
    act(booking["id"], "confirm", clerk)
    assert "1 reminder(s) queued" in cli("booking", "send-reminders").output
    reminders = [data["time2"][-5:] for kind, data, _ in messages_to(headers) if kind == "booking_reminder"]
    assert reminders == ["10:00", "14:00"]


def test_the_residents_wechat_receives_the_message_once_the_booking_commits(wechat_app, outbox, stub, login):
    api = wechat_app.test_client()
    headers = login(phone="13800009999")
    response = api.post("/api/v1/bookings", json=booking_body(), headers=headers | key_header())
    assert response.status_code == 201
    assert outbox.drain() == 1
    [sent] = stub.sent
    assert sent["template_id"] == "TPL-received"
    assert sent["page"] == f"pages/booking/detail?id={response.json['id']}"
    assert sent["data"]["thing3"] == {"value": "五山街道"}
