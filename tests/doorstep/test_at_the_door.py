"""确认入户 after any scan: a household that let a worker in, whether the hire went through a
company or was direct, records the entry from what wx.scanCode gave, and may then rate the visit
once and complain, within DOOR_RATING_DAYS. A worker whose code is not green is refused at the
door, and the refusal stays on record."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from app.extensions import db
from credit.models import Certificate, CreditEvent
from doorstep.models import DoorEntry
from tests.factories import token_of
from wechat.codes import worker_scene


def scene_of(app, worker) -> str:
    with app.app_context():
        certificate = db.session.scalars(select(Certificate).where(Certificate.worker_id == worker["id"])).one()
        return worker_scene(certificate)


def company_ledger(app, company_id) -> list[tuple[str, float, str | None]]:
    with app.app_context():
        events = db.session.scalars(
            select(CreditEvent).where(CreditEvent.company_id == company_id).order_by(CreditEvent.id)
        )
        return [(e.kind, e.value, e.source_ref) for e in events]


def history(client, operator, worker) -> list[dict]:
    return client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"]


@pytest.mark.parametrize("form", ["the QR's URL", "the bare token", "the mini-program scene", "an encoded page path"])
def test_a_resident_records_the_worker_at_the_door_from_any_form_the_scan_gives(
    app, enter, resident, green_worker, form
):
    worker = green_worker()
    token, scene = token_of(worker), scene_of(app, worker)
    scanned = {
        "the QR's URL": f"{app.config['PUBLIC_BASE_URL']}/q/{token}",
        "the bare token": token,
        "the mini-program scene": scene,
        "an encoded page path": quote(f"pages/scan/index?scene={scene}", safe=""),
    }[form]
    response = enter(resident(), scanned)
    assert response.status_code == 201, response.json
    entry = response.json
    assert (entry["colour"], entry["admitted"], entry["rating"], entry["complaints"]) == ("green", True, None, [])
    assert entry["worker"]["id"] == worker["id"] and entry["worker"]["name"] == "张*梅"
    scanned_at = datetime.fromisoformat(entry["scanned_at"])
    assert scanned_at.utcoffset() == timedelta(hours=8)
    assert datetime.fromisoformat(entry["feedback_until"]) - scanned_at == timedelta(days=30)


@pytest.mark.parametrize("scanned", ["https://example.com/some/other/page", "一张名片", "w12.zz"])
def test_anything_but_a_workers_code_is_refused_saying_what_was_expected(enter, resident, scanned):
    response = enter(resident(), scanned)
    assert response.status_code == 422
    assert response.json["code"] == "not_a_scan" and "token" in response.json["errors"]


def test_a_worker_whose_code_is_not_green_is_refused_at_the_door_and_the_refusal_stays_on_record(
    app, client, enter, resident, green_worker, step
):
    worker = green_worker()
    assert step(worker["id"], "suspend", {"reason": "投诉核查中"}).status_code == 200
    headers = resident()
    response = enter(headers, token_of(worker))
    assert response.status_code == 409 and response.json["code"] == "worker_not_green"
    assert "张*梅" in response.json["detail"] and "12345" in response.json["detail"]
    assert "do not open the door" in response.json["detail"] or "请勿开门" in response.json["detail"]
    assert "token" in response.json["errors"]
    [listed] = client.get("/api/v1/door-entries", headers=headers).json["items"]
    assert (listed["worker"]["id"], listed["colour"], listed["admitted"]) == (worker["id"], "red", False)
    refused = client.post(f"/api/v1/door-entries/{listed['id']}/rating", json={"stars": 1}, headers=headers)
    assert refused.status_code == 409 and refused.json["code"] == "entry_refused"
    with app.app_context():
        assert db.session.scalar(select(DoorEntry.admitted).where(DoorEntry.id == listed["id"])) is False


def test_an_entry_is_rated_once_and_the_stars_go_on_the_workers_and_companys_ledger_as_door_rating(
    app, client, entered, operator
):
    entry, headers, worker = entered()
    before = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json
    url = f"/api/v1/door-entries/{entry['id']}/rating"
    rated = client.post(url, json={"stars": 5}, headers=headers)
    assert rated.status_code == 201, rated.json
    assert (rated.json["entry_id"], rated.json["stars"]) == (entry["id"], 5)
    again = client.post(url, json={"stars": 1}, headers=headers)
    assert again.status_code == 409 and again.json["code"] == "already_rated"
    last = history(client, operator, worker)[-1]
    assert (last["kind"], last["value"], last["source_ref"]) == ("door_rating", 5, f"door-entry:{entry['id']}")
    assert company_ledger(app, worker["company_id"])[-1] == ("door_rating", 5, f"door-entry:{entry['id']}")
    after = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json
    assert after["credit_score"] > before["credit_score"]
    assert [e["kind"] for e in history(client, operator, worker)].count("door_rating") == 1
    shown = client.get(f"/api/v1/scan/{token_of(worker)}").json
    assert (shown["rating_count"], shown["rating_mean"]) == (1, 5)  # the public summary counts any hire's rating


def test_a_resident_cannot_rate_a_worker_they_never_let_in(client, entered, resident):
    entry, _, _ = entered()
    stranger = resident()
    for entry_id in (entry["id"], entry["id"] + 1000):
        response = client.post(f"/api/v1/door-entries/{entry_id}/rating", json={"stars": 1}, headers=stranger)
        assert response.status_code == 404 and response.json["code"] == "unknown_door_entry"
        complaint = client.post(f"/api/v1/door-entries/{entry_id}/complaints", json={"text": "差"}, headers=stranger)
        assert complaint.status_code == 404 and complaint.json["code"] == "unknown_door_entry"


def scanned_ago(app, entry, age: timedelta) -> None:
    with app.app_context():
        db.session.scalars(select(DoorEntry).where(DoorEntry.id == entry["id"])).one().scanned_at = (
            datetime.now(UTC) - age
        )
        db.session.commit()


def test_after_the_rating_period_neither_a_rating_nor_a_complaint_is_taken(app, client, entered):
    days = timedelta(days=app.config["DOOR_RATING_DAYS"])
    entry, headers, _ = entered()
    scanned_ago(app, entry, days - timedelta(minutes=1))
    assert (
        client.post(f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 4}, headers=headers).status_code == 201
    )
    late, headers, _ = entered()
    scanned_ago(app, late, days + timedelta(minutes=1))
    rated = client.post(f"/api/v1/door-entries/{late['id']}/rating", json={"stars": 4}, headers=headers)
    complained = client.post(f"/api/v1/door-entries/{late['id']}/complaints", json={"text": "迟到"}, headers=headers)
    assert rated.status_code == complained.status_code == 409
    assert rated.json["code"] == complained.json["code"] == "feedback_period_over"
    assert "feedback_until" in rated.json["errors"]


def test_complaints_go_on_both_ledgers_as_door_complaint_and_lower_nothing_before_anyone_looked_into_them(
    app, client, entered, operator
):
    entry, headers, worker = entered()
    before = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json
    url = f"/api/v1/door-entries/{entry['id']}/complaints"
    first = client.post(url, json={"text": "迟到一小时"}, headers=headers)
    second = client.post(url, json={"text": "打碎了杯子"}, headers=headers)
    assert first.status_code == second.status_code == 201
    ref = f"door-complaint:{first.json['id']}"
    assert ("door_complaint", 1, ref) in [
        (e["kind"], e["value"], e["source_ref"]) for e in history(client, operator, worker)
    ]
    assert ("door_complaint", 1, ref) in company_ledger(app, worker["company_id"])
    after = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json
    assert (after["stars"], after["credit_score"]) == (before["stars"], before["credit_score"])
    [listed] = client.get("/api/v1/door-entries", headers=headers).json["items"]
    assert [c["id"] for c in listed["complaints"]] == [first.json["id"], second.json["id"]]


def test_a_rating_is_checked_like_any_input(client, entered):
    entry, headers, _ = entered()
    url = f"/api/v1/door-entries/{entry['id']}/rating"
    assert client.post(url, json={"stars": 6}, headers=headers).status_code == 422
    too_long = client.post(url, json={"stars": 5, "text": "好" * 501}, headers=headers)
    assert too_long.status_code == 422 and "text" in too_long.json["errors"]
    empty = client.post(f"/api/v1/door-entries/{entry['id']}/complaints", json={"text": "  "}, headers=headers)
    assert empty.status_code == 422 and "text" in empty.json["errors"]


def test_a_resident_lists_their_own_entries_latest_first_in_pages(client, entered, resident, green_worker):
    headers = resident()
    made = [entered(headers=headers)[0]["id"] for _ in range(3)]
    entered()  # someone else's
    page = client.get("/api/v1/door-entries?per_page=2", headers=headers).json
    assert (page["total"], page["page"], page["per_page"]) == (3, 1, 2)
    assert [e["id"] for e in page["items"]] == made[::-1][:2]
    rest = client.get("/api/v1/door-entries?per_page=2&page=2", headers=headers).json
    assert [e["id"] for e in rest["items"]] == made[:1]
    assert client.get("/api/v1/door-entries").status_code == 401


@pytest.fixture
def limits(app, monkeypatch):
    app.extensions["rate_limiters"]["local"].storage.reset()
    monkeypatch.setitem(app.config, "DOOR_ENTRY_RATE_LIMIT", "2/hour")
    monkeypatch.setitem(app.config, "COMPLAINT_RATE_LIMIT", "1/hour")


def test_a_resident_recording_entries_too_often_gets_429_and_others_still_can(
    limits, enter, resident, green_worker, step
):
    red = green_worker()
    step(red["id"], "revoke", {"reason": "失信"})
    headers, green = resident(), green_worker()
    statuses = [enter(headers, token_of(red)).status_code, enter(headers, token_of(green)).status_code]
    assert statuses == [409, 201]  # a refusal is recorded, so it counts
    refused = enter(headers, token_of(green))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert enter(resident(), token_of(green)).status_code == 201


def test_a_resident_complaining_too_often_about_door_entries_gets_429(limits, client, entered):
    entry, headers, _ = entered()
    url = f"/api/v1/door-entries/{entry['id']}/complaints"
    statuses = [client.post(url, json={"text": "态度差"}, headers=headers).status_code for _ in range(2)]
    assert statuses == [201, 429]


def test_a_page_of_entries_costs_the_same_statements_at_1_and_at_10_entries(
    client, count_statements, entered, resident, green_worker
):
    headers = resident()

    def listed() -> tuple[int, int]:
        with count_statements() as statements:
            page = client.get("/api/v1/door-entries", headers=headers).json
        return len(statements), len(page["items"])

    def let_in_and_rate() -> None:
        entry, _, _ = entered(headers=headers, worker=green_worker())  # each of another worker and company
        client.post(f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 4, "text": "好"}, headers=headers)
        client.post(f"/api/v1/door-entries/{entry['id']}/complaints", json={"text": "慢"}, headers=headers)

    let_in_and_rate()
    at_one = listed()
    for _ in range(9):
        let_in_and_rate()
    at_ten = listed()
    assert (at_one[1], at_ten[1]) == (1, 10)
    assert at_ten[0] == at_one[0]
