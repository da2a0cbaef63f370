"""A station's desk and its complaints as staff see them in the console: what needs them now,
complaints triaged with their severity and deadlines, booking on behalf of a caller (the API's
refusals beside the fields, the caller shown masked), a no-show once the booking has begun; and
the operators' 投诉督办 with the door complaints they handle."""

import re
from datetime import datetime, timedelta

import time_machine

from tests.factories import STATION_A, booking_body, slot_start, token_of

HTMX = {"HX-Request": "true"}


def complain(api, booking, resident, kind="attitude", text="态度差"):
    answer = api.post(
        f"/api/v1/bookings/{booking['id']}/complaints", headers=resident, json={"type": kind, "text": text}
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def row_of(page: str, complaint_id: int) -> str:
    found = re.search(rf'<tr id="complaint-{complaint_id}".*?</tr>', page, re.S)
    assert found, f"no row of complaint {complaint_id}"
    return found.group(0)


def test_staff_triage_a_complaint_as_serious_and_see_its_shorter_deadline(api, client, console_session, assigned):
    booking, resident, clerk, _ = assigned()
    complaint = complain(api, booking, resident)
    csrf = console_session(client, "station_staff", station_code=STATION_A) | HTMX
    before = row_of(client.get("/console/complaints").get_data(as_text=True), complaint["id"])
    assert 'data-severity="ordinary"' in before and "一般" in before and '<option value="serious"' in before

    accepted = client.post(f"/console/complaints/{complaint['id']}/accept", data={"severity": "serious"}, headers=csrf)
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    shown = client.get(f"/api/v1/stations/{STATION_A}/complaints", headers=clerk).json["items"]
    serious = next(c for c in shown if c["id"] == complaint["id"])
    assert serious["severity"] == "serious" and serious["resolve_by"] < complaint["resolve_by"]
    row = row_of(accepted.get_data(as_text=True), complaint["id"])
    assert 'data-severity="serious"' in row and "严重" in row
    resolve_by = serious["resolve_by"].replace("T", " ")[:16]
    assert f'<span class="waiting-on">办结期限 {resolve_by}</span>' in row and "已超期" not in row

    refused = client.post(f"/console/complaints/{complaint['id']}/accept", data={"severity": "grave"}, headers=csrf)
    assert refused.status_code == 422 and 'id="error-severity"' in refused.get_data(as_text=True)
    with time_machine.travel(timedelta(days=4)):
        console_session(client, "station_staff", station_code=STATION_A)  # the day's session ended long ago
        late = row_of(client.get("/console/complaints").get_data(as_text=True), complaint["id"])
    assert 'data-overdue="true"' in late and "已超期" in late


def test_the_complaint_waiting_on_the_nearest_deadline_comes_first(api, client, console_session, assigned):
    booking, resident, _, _ = assigned()
    ordinary = complain(api, booking, resident)
    serious = complain(api, booking, resident, "safety", "不安全")
    invalid = complain(api, booking, resident, "other", "无关")
    csrf = console_session(client, "station_staff", station_code=STATION_A)
    assert (
        client.post(
            f"/console/complaints/{invalid['id']}/invalidate", data={"reason": "无关"}, headers=csrf
        ).status_code
        == 303
    )
    page = client.get("/console/complaints").get_data(as_text=True)
    order = [int(found) for found in re.findall(r'<tr id="complaint-(\d+)"', page)]
    assert order == [serious["id"], ordinary["id"], invalid["id"]]
    assert 'data-severity="invalid"' in row_of(page, invalid["id"])


def test_the_desk_counts_what_needs_the_clerk_now(client, console_session, booked, login):
    booked()
    booked()
    console_session(client, "station_staff", station_code=STATION_A)
    page = client.get("/console/desk").get_data(as_text=True)
    desk = client.get(f"/api/v1/stations/{STATION_A}/desk", headers=login("station_staff", station_code=STATION_A)).json
    assert desk["unconfirmed"]["total"] == 2
    assert '<strong data-count="unconfirmed">2</strong>' in page
    assert f'<strong data-count="follow_ups_due">{desk["follow_ups_due"]["total"]}</strong>' in page
    assert f'<strong data-count="complaints_due">{desk["complaints_due"]["total"]}</strong>' in page


def test_the_follow_ups_page_lists_a_month_of_completed_bookings(client, console_session, completed):
    done, _, _, _ = completed()
    starts_at = datetime.fromisoformat(done["starts_at"])
    for days, listed in ((29, True), (31, False)):
        with time_machine.travel(starts_at + timedelta(days=days)):
            console_session(client, "station_staff", station_code=STATION_A)
            page = client.get("/console/follow-ups").get_data(as_text=True)
        assert "近 30 天内开始服务" in page
        assert (f'id="booking-{done["id"]}"' in page) is listed


def on_behalf_form(**fields) -> dict:
    body = booking_body()
    point = body["location"]
    return {
        "service_code": body["service_code"],
        "starts_at": slot_start().strftime("%Y-%m-%dT%H:%M"),
        "address": body["address"],
        "lat": str(point["lat"]),
        "lng": str(point["lng"]),
        "caller_name": "陈伯",
        "caller_phone": "13912345678",
        "channel": "phone",
        "consent": "yes",
        "idempotency_key": "console-key-0001",
    } | fields


def test_staff_book_for_a_phone_caller_and_see_them_masked(client, console_session, login):
    csrf = console_session(client, "station_staff", station_code=STATION_A)
    desk = client.get("/console/desk").get_data(as_text=True)
    assert 'name="idempotency_key"' in desk and 'id="consent"' in desk

    refused = client.post("/console/desk/bookings", data=on_behalf_form(consent=""), headers=csrf)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="error-consent">来电人须同意保留其姓名和电话。<' in page
    assert 'value="陈伯"' in page  # what the clerk typed is kept for the second try
    bad_phone = client.post("/console/desk/bookings", data=on_behalf_form(caller_phone="12345"), headers=csrf)
    assert bad_phone.status_code == 422 and 'id="error-caller_phone"' in bad_phone.get_data(as_text=True)

    booked = client.post("/console/desk/bookings", data=on_behalf_form(), headers=csrf)
    assert booked.status_code == 303, booked.get_data(as_text=True)
    again = client.post("/console/desk/bookings", data=on_behalf_form(), headers=csrf)
    assert again.headers["Location"] == booked.headers["Location"]  # the same key books once
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "代客预约：陈* 139****5678（电话）" in page and "13912345678" not in page and "陈伯" not in page
    listed = client.get(
        f"/api/v1/stations/{STATION_A}/bookings", headers=login("station_staff", station_code=STATION_A)
    )
    assert [b["caller"]["phone"] for b in listed.json["items"]] == ["139****5678"]


def test_staff_find_a_worker_to_assign_by_name_on_the_bookings_page(
    client, console_session, booked, act, staff, green_worker
):
    booking, _ = booked()
    assert act(booking["id"], "confirm", staff()).status_code == 200
    found, other = green_worker(name="欧阳秀英"), green_worker(name="陈小红")
    console_session(client, "station_staff", station_code=STATION_A)
    url = f"/console/bookings/{booking['id']}"

    def offered(page: str) -> set[int]:
        return {int(worker_id) for worker_id in re.findall(r'<option value="(\d+)"', page)}

    assert {found["id"], other["id"]} <= offered(client.get(url).get_data(as_text=True))
    searched = client.get(url, query_string={"q": "秀英"}).get_data(as_text=True)
    assert offered(searched) == {found["id"]} and 'name="q" value="秀英"' in searched


def test_the_desk_lists_a_bookings_assignable_workers_once_the_clerk_opens_its_row(
    client, console_session, count_statements, booked, act, staff, green_worker
):
    """The day's page reads no assignable workers, however many bookings wait for one (the same
    statements for one as for three); the row the clerk opens lists them, and so does a row just
    confirmed."""
    worker = green_worker(name="欧阳秀英")
    first, _ = booked(starts_at=slot_start(1, 8))
    assert act(first["id"], "confirm", staff()).status_code == 200
    csrf = console_session(client, "station_staff", station_code=STATION_A)
    desk = f"/console/desk?date={first['starts_at'][:10]}"

    def statements() -> int:
        with count_statements() as sent:
            assert client.get(desk).status_code == 200
        return len(sent)

    alone = statements()
    second, _ = booked(starts_at=slot_start(1, 10))
    assert act(second["id"], "confirm", staff()).status_code == 200
    third, _ = booked(starts_at=slot_start(1, 12))
    confirmed = client.post(f"/console/bookings/{third['id']}/confirm", headers=csrf | HTMX)
    assert f'<option value="{worker["id"]}"' in confirmed.get_data(as_text=True)
    assert statements() == alone
    page = client.get(desk).get_data(as_text=True)
    assert f'<option value="{worker["id"]}"' not in page
    assert page.count("选择服务人员派单") == 3 and f'hx-get="/console/bookings/{first["id"]}/row"' in page
    opened = client.get(f"/console/bookings/{first['id']}/row", headers=HTMX).get_data(as_text=True)
    assert f'<tr id="booking-{first["id"]}"' in opened
    assert f'<option value="{worker["id"]}"' in opened and "选择服务人员派单" not in opened


def test_a_no_show_is_recorded_once_the_booking_has_begun(client, console_session, assigned):
    booking, _, clerk, _ = assigned()
    csrf = console_session(client, "station_staff", station_code=STATION_A)
    url = f"/console/bookings/{booking['id']}"
    assert "记录爽约" not in client.get(url).get_data(as_text=True)  # not begun yet
    with time_machine.travel(timedelta(days=2)):
        csrf = console_session(client, "station_staff", station_code=STATION_A)
        assert "记录爽约" in client.get(url).get_data(as_text=True)
        unnamed = client.post(f"{url}/no-show", data={}, headers=csrf)
        assert unnamed.status_code == 422 and 'id="error-party"' in unnamed.get_data(as_text=True)
        recorded = client.post(f"{url}/no-show", data={"party": "resident", "notes": "敲门无人"}, headers=csrf)
        assert recorded.status_code == 303
        page = client.get(url).get_data(as_text=True)
        assert '<li data-party="resident">雇主不在家，' in page and "敲门无人" in page
        listed = client.get(f"/api/v1/stations/{STATION_A}/no-shows", headers=clerk).json["items"]
        assert [(n["booking_id"], n["party"], n["notes"]) for n in listed] == [(booking["id"], "resident", "敲门无人")]
        twice = client.post(f"{url}/no-show", data={"party": "resident"}, headers=csrf)
        assert twice.status_code == 409 and 'id="error-party"' in twice.get_data(as_text=True)


def test_operators_see_the_complaints_due_and_triage_a_door_complaint(
    api, client, console_session, assigned, resident, green_worker
):
    booking, booker, _, _ = assigned()
    serious = complain(api, booking, booker, "safety", "不安全")
    neighbour, worker = resident(), green_worker()
    entry = api.post("/api/v1/door-entries", json={"token": token_of(worker)}, headers=neighbour).json
    door = api.post(f"/api/v1/door-entries/{entry['id']}/complaints", json={"text": "迟到"}, headers=neighbour).json
    csrf = console_session(client, "operator") | HTMX

    due = client.get("/console/complaints-due?within_hours=48").get_data(as_text=True)
    assert f'id="due-booking-{serious["id"]}" data-severity="serious"' in due
    assert f'id="due-door-{door["id"]}"' in due and "平台" in due
    with time_machine.travel(timedelta(hours=3)):
        overdue = client.get("/console/complaints-due").get_data(as_text=True)
    assert f'id="due-booking-{serious["id"]}" data-severity="serious" data-overdue="true"' in overdue

    listed = row_of(client.get("/console/door-complaints").get_data(as_text=True), door["id"])
    assert "迟到" in listed and "/console/door-complaints/" in listed
    accepted = client.post(f"/console/door-complaints/{door['id']}/accept", data={"severity": "serious"}, headers=csrf)
    assert accepted.status_code == 200 and 'data-severity="serious"' in accepted.get_data(as_text=True)
    invalid = client.post(f"/console/door-complaints/{door['id']}/invalidate", data={"reason": "重复"}, headers=csrf)
    assert 'data-status="invalid"' in invalid.get_data(as_text=True)
    again = client.post(f"/console/door-complaints/{door['id']}/accept", headers=csrf)
    assert again.status_code == 409
