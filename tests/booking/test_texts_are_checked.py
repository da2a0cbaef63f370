"""A booking's rating and complaint texts pass WeChat's content check (msgSecCheck v2) before the
station or anyone else reads them, as door entries' do; and a visit is rated once, whether the
resident rates the booking or records the worker at the door."""

import pytest

from tests.factories import slot_start, token_of

# The booked visit is today's, as is the resident's scan at the door.
TODAY_AT_FOUR = slot_start(0, 16)


@pytest.fixture
def recheck(wechat_app):
    runner = wechat_app.test_cli_runner()
    return lambda: runner.invoke(args=["wechat", "recheck-texts"])


def test_a_risky_rating_text_is_a_422_naming_the_field(api, stub, completed):
    booking, headers, _, _ = completed()
    stub.judge_text("违禁词", "risky")
    url = f"/api/v1/bookings/{booking['id']}/rating"
    refused = api.post(url, json={"stars": 2, "text": "违禁词"}, headers=headers)
    assert (
        refused.status_code == 422
        and refused.json["code"] == "text_refused"
        and list(refused.json["errors"]) == ["text"]
    )
    assert api.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json["rating"] is None
    passed = api.post(url, json={"stars": 2, "text": "擦得不干净"}, headers=headers)
    assert (passed.status_code, passed.json["text"], passed.json["text_status"]) == (201, "擦得不干净", "pass")


def test_a_risky_complaint_text_is_a_422_naming_the_field(api, stub, completed, staff):
    booking, headers, _, _ = completed()
    stub.judge_text("违禁词", "risky")
    refused = api.post(
        f"/api/v1/bookings/{booking['id']}/complaints", json={"type": "other", "text": "违禁词"}, headers=headers
    )
    assert refused.status_code == 422 and refused.json["code"] == "text_refused" and "text" in refused.json["errors"]
    assert api.get(f"/api/v1/stations/{booking['station_code']}/complaints", headers=staff()).json["total"] == 0


def test_wechat_down_hides_booking_texts_from_the_station_until_the_recheck_passes_them(
    api, stub, completed, staff, recheck
):
    booking, headers, clerk, _ = completed()
    stub.answer_errors("wxa/msg_sec_check", -1, -1)
    rated = api.post(f"/api/v1/bookings/{booking['id']}/rating", json={"stars": 4, "text": "还可以"}, headers=headers)
    complained = api.post(
        f"/api/v1/bookings/{booking['id']}/complaints", json={"type": "lateness", "text": "迟到半小时"}, headers=headers
    )
    assert rated.status_code == complained.status_code == 201
    seen_by_staff = api.get(f"/api/v1/bookings/{booking['id']}", headers=clerk).json["rating"]
    assert (seen_by_staff["stars"], seen_by_staff["text"], seen_by_staff["text_status"]) == (4, None, "pending")
    [listed] = api.get(f"/api/v1/stations/{booking['station_code']}/complaints", headers=staff()).json["items"]
    assert (listed["text"], listed["text_status"]) == (None, "pending")

    assert "2 text(s) shown" in recheck().output
    assert api.get(f"/api/v1/bookings/{booking['id']}", headers=clerk).json["rating"]["text"] == "还可以"
    [listed] = api.get(f"/api/v1/stations/{booking['station_code']}/complaints", headers=staff()).json["items"]
    assert (listed["text"], listed["text_status"]) == ("迟到半小时", "pass")


def test_a_visit_rated_through_the_booking_is_not_rated_again_as_a_door_entry(client, completed):
    booking, headers, _, worker = completed(starts_at=TODAY_AT_FOUR)
    assert (
        client.post(f"/api/v1/bookings/{booking['id']}/rating", json={"stars": 5}, headers=headers).status_code == 201
    )
    entry = client.post("/api/v1/door-entries", json={"token": token_of(worker)}, headers=headers).json
    again = client.post(f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 5}, headers=headers)
    assert again.status_code == 409 and again.json["code"] == "rated_as_booking"


def test_a_visit_rated_as_a_door_entry_is_not_rated_again_through_the_booking(client, completed, operator):
    booking, headers, _, worker = completed(starts_at=TODAY_AT_FOUR)
    entry = client.post("/api/v1/door-entries", json={"token": token_of(worker)}, headers=headers).json
    assert (
        client.post(f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 4}, headers=headers).status_code == 201
    )
    again = client.post(f"/api/v1/bookings/{booking['id']}/rating", json={"stars": 4}, headers=headers)
    assert again.status_code == 409 and again.json["code"] == "rated_as_door_entry"
    kinds = [e["kind"] for e in client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]]
    assert (kinds.count("door_rating"), kinds.count("rating")) == (1, 0)


def test_another_resident_of_the_same_worker_rates_both_ways_independently(client, completed, resident):
    booking, headers, _, worker = completed(starts_at=TODAY_AT_FOUR)
    neighbour = resident()
    entry = client.post("/api/v1/door-entries", json={"token": token_of(worker)}, headers=neighbour).json
    assert (
        client.post(f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 3}, headers=neighbour).status_code
        == 201
    )
    assert (
        client.post(f"/api/v1/bookings/{booking['id']}/rating", json={"stars": 5}, headers=headers).status_code == 201
    )
