"""Long and live-in engagements on the console: staff propose candidates from the workers the API
lists as proposable, a refusal is shown beside its field, another station's engagement is none,
the worker's side is confirmed with the e-contract's reference, a follow-up call is recorded; a
company's admin handles the requests made to the company; a booking links to its series."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine

from app.clock import BEIJING, today_in_beijing
from tests.factories import STATION_A, STATION_B, booking_body, key_header, slot_start, token_of


def engagement_body(days_ahead: int = 30, **fields) -> dict:
    """A 26-day live-in 月嫂 engagement asked of station A (or, given company_id, of that company)."""
    destination = {"company_id": fields.pop("company_id")} if "company_id" in fields else {"station_code": STATION_A}
    return (
        destination
        | {
            "service_code": "maternity",
            "start_day": (today_in_beijing() + timedelta(days=days_ahead)).isoformat(),
            "length": 26,
            "length_unit": "days",
            "live_in": True,
            "address": "天河区五山路 1 号 2 栋 301",
            "needs": "顺产，需要照顾产妇和新生儿",
        }
        | fields
    )


@pytest.fixture
def maternity_worker(green_worker):
    """A green worker who offers 月嫂 (maternity)."""
    return lambda **fields: green_worker(**({"service_types": ["maternity", "childcare"]} | fields))


@pytest.fixture
def requested(client, resident):
    """requested(**fields) -> (engagement, resident headers), asked of station A through the API."""

    def make(headers=None, **fields):
        headers = headers or resident()
        answer = client.post("/api/v1/engagements", json=engagement_body(**fields), headers=headers)
        assert answer.status_code == 201, answer.json
        return answer.json, headers

    return make


def form(csrf: dict, **fields) -> dict:
    return {"csrf_token": csrf["X-CSRF-Token"]} | fields


def checkbox_ids(page: str) -> list[int]:
    return [int(value) for value in re.findall(r'name="worker_ids" value="(\d+)"', page)]


def test_staff_propose_two_candidates_from_the_apis_proposable_workers(
    client, console_session, requested, maternity_worker, green_worker, staff
):
    engagement, family = requested()
    first, second, cleaner = maternity_worker(), maternity_worker(), green_worker(service_types=["cleaning"])
    csrf = console_session(client, "station_staff", station_code=STATION_A)

    listing = client.get("/console/engagements?status=requested").get_data(as_text=True)
    assert f'id="engagement-{engagement["id"]}"' in listing and "待推荐" in listing
    page = client.get(f"/console/engagements/{engagement['id']}").get_data(as_text=True)
    assert "天河区五山路 1 号 2 栋 301" in page and "住家（全天）" in page
    assert "顺产" not in page and "暂不显示" in page  # the needs, as the API, only once WeChat's check passed them
    api = client.get(f"/api/v1/engagements/{engagement['id']}/proposable-workers", headers=staff()).json
    assert checkbox_ids(page) == [worker["id"] for worker in api["items"]]  # the API's list, in its order
    assert {first["id"], second["id"]} <= set(checkbox_ids(page)) and cleaner["id"] not in checkbox_ids(page)
    assert "最多还可推荐 5 人" in page

    sent = client.post(
        f"/console/engagements/{engagement['id']}/proposals",
        data=form(csrf, worker_ids=[str(first["id"]), str(second["id"])]),
    )
    assert sent.status_code == 303
    shown = client.get(f"/api/v1/engagements/{engagement['id']}", headers=family).json
    assert shown["status"] == "proposed"
    assert [c["worker"]["id"] for c in shown["candidates"]] == [first["id"], second["id"]]
    page = client.get(f"/console/engagements/{engagement['id']}").get_data(as_text=True)
    assert page.count('id="candidate-') == 2 and "最多还可推荐 3 人" in page
    assert first["id"] not in checkbox_ids(page)  # proposed once, not offered again


def test_a_proposal_the_api_refuses_is_shown_beside_the_field(
    app, client, console_session, requested, maternity_worker, monkeypatch
):
    monkeypatch.setitem(app.config, "ENGAGEMENT_MAX_CANDIDATES", 1)
    engagement, _ = requested()
    workers = [maternity_worker()["id"], maternity_worker()["id"]]
    csrf = console_session(client, "station_staff", station_code=STATION_A)
    path = f"/console/engagements/{engagement['id']}/proposals"

    too_many = client.post(path, data=form(csrf, worker_ids=[str(w) for w in workers]))
    page = too_many.get_data(as_text=True)
    assert too_many.status_code == 409
    assert '<p class="problem" role="alert">每项长期服务最多推荐 1 位候选人。</p>' in page
    assert re.search(r'id="error-worker_ids">已推荐 0 人，最多共 1 人。<', page)
    nothing = client.post(path, data=form(csrf))
    assert nothing.status_code == 422 and 'id="error-worker_ids"' in nothing.get_data(as_text=True)
    assert client.get(f"/console/engagements/{engagement['id']}").get_data(as_text=True).count('id="candidate-') == 0


def test_another_stations_engagement_is_not_reachable_by_its_url(
    client, console_session, requested, maternity_worker, make_company
):
    engagement, _ = requested()
    worker = maternity_worker()
    csrf = console_session(client, "station_staff", station_code=STATION_B)
    assert f'id="engagement-{engagement["id"]}"' not in client.get("/console/engagements").get_data(as_text=True)
    assert client.get(f"/console/engagements/{engagement['id']}").status_code == 404
    refused = client.post(
        f"/console/engagements/{engagement['id']}/proposals", data=form(csrf, worker_ids=str(worker["id"]))
    )
    assert refused.status_code == 404 and "没有" in refused.get_data(as_text=True)
    client.delete_cookie("yc_console", path="/console")
    console_session(client, "company_admin", company_id=make_company()["id"])
    assert client.get(f"/console/engagements/{engagement['id']}").status_code == 404


def test_a_company_admin_proposes_the_companys_own_workers_for_a_request_made_to_it(
    client, console_session, requested, maternity_worker, make_company
):
    company = make_company()["id"]
    engagement, family = requested(company_id=company)
    own, other = maternity_worker(company_id=company), maternity_worker()
    csrf = console_session(client, "company_admin", company_id=company)
    assert "长期服务" in client.get("/console/engagements").get_data(as_text=True)
    page = client.get(f"/console/engagements/{engagement['id']}").get_data(as_text=True)
    assert checkbox_ids(page) == [own["id"]] and other["id"] not in checkbox_ids(page)
    sent = client.post(f"/console/engagements/{engagement['id']}/proposals", data=form(csrf, worker_ids=str(own["id"])))
    assert sent.status_code == 303
    assert client.get(f"/api/v1/engagements/{engagement['id']}", headers=family).json["status"] == "proposed"


def chosen_by_the_family(client, staff, requested, worker, **fields):
    engagement, family = requested(**fields)
    proposed = client.post(
        f"/api/v1/engagements/{engagement['id']}/proposals", json={"worker_ids": [worker["id"]]}, headers=staff()
    )
    candidate = proposed.json["candidates"][0]["id"]
    chosen = client.post(
        f"/api/v1/engagements/{engagement['id']}/choose", json={"candidate_id": candidate}, headers=family
    )
    assert chosen.status_code == 200, chosen.json
    return engagement, family


def test_staff_confirm_the_workers_side_with_the_e_contracts_reference(
    client, console_session, requested, maternity_worker, staff
):
    engagement, family = chosen_by_the_family(client, staff, requested, maternity_worker())
    csrf = console_session(client, "station_staff", station_code=STATION_A)
    page = client.get(f"/console/engagements/{engagement['id']}").get_data(as_text=True)
    assert "代服务人员确认" in page and "居民已选定" in page
    path = f"/console/engagements/{engagement['id']}/worker-confirm"
    missing = client.post(path, data=form(csrf, contract_signed_on=today_in_beijing().isoformat()))
    assert missing.status_code == 422 and 'id="error-contract_reference"' in missing.get_data(as_text=True)

    assert client.post(f"/api/v1/engagements/{engagement['id']}/confirm", headers=family).status_code == 200
    signed = form(csrf, contract_reference="HT-2026-0042", contract_signed_on=today_in_beijing().isoformat())
    assert client.post(path, data=signed).status_code == 303
    shown = client.get(f"/api/v1/engagements/{engagement['id']}", headers=family).json
    assert (shown["status"], shown["contract_reference"]) == ("confirmed", "HT-2026-0042")
    page = client.get(f"/console/engagements/{engagement['id']}").get_data(as_text=True)
    assert "电子合同 HT-2026-0042" in page and "代服务人员确认" not in page


def noon(days_ahead: int) -> datetime:
    return datetime.combine(today_in_beijing() + timedelta(days=days_ahead), time(12), BEIJING)


def test_a_follow_up_call_due_after_the_end_is_recorded_from_the_list(
    client, console_session, requested, maternity_worker, staff
):
    worker = maternity_worker()
    engagement, family = chosen_by_the_family(client, staff, requested, worker, days_ahead=1, length=1)
    path = f"/api/v1/engagements/{engagement['id']}"
    assert client.post(f"{path}/confirm", headers=family).status_code == 200
    signed = {"contract_reference": "HT-1", "contract_signed_on": today_in_beijing().isoformat()}
    assert client.post(f"{path}/worker-confirm", json=signed, headers=staff()).status_code == 200
    with time_machine.travel(noon(1), tick=True):
        assert client.post(f"{path}/start", json={"token": token_of(worker)}, headers=family).status_code == 201
        assert client.post(f"{path}/end", json={"token": token_of(worker)}, headers=family).status_code == 201
        csrf = console_session(client, "station_staff", station_code=STATION_A)
        due = client.get("/console/engagements/follow-ups").get_data(as_text=True)
        assert f'id="due-{engagement["id"]}"' in due and "已下户" in due

        target = f"/console/engagements/{engagement['id']}/follow-ups"
        unanswered = client.post(target, data=form(csrf, notes="未接通", **{"from": "due"}))
        page = unanswered.get_data(as_text=True)
        assert (
            unanswered.status_code == 422 and 'id="error-satisfied"' in page and f'id="due-{engagement["id"]}"' in page
        )
        recorded = client.post(target, data=form(csrf, satisfied="true", notes="产妇恢复很好", **{"from": "due"}))
        assert recorded.status_code == 303
        assert f'id="due-{engagement["id"]}"' not in client.get("/console/engagements/follow-ups").get_data(
            as_text=True
        )
        assert client.get("/api/v1/engagement-follow-ups", headers=staff()).json["total"] == 0
        events = client.get(path, headers=family).json["events"]
        assert events[-1]["action"] == "follow_up" and events[-1]["details"] == {"satisfied": True}


def test_a_booking_of_a_series_links_to_its_dates_booked_and_not(client, console_session, resident):
    family = resident()
    body = booking_body(slot_start(), count=3, every_days=7)
    made = client.post("/api/v1/series", json=body, headers=family | key_header())
    assert made.status_code == 201, made.json
    series = made.json
    first = series["occurrences"][0]["booking"]["id"]
    console_session(client, "station_staff", station_code=STATION_A)
    page = client.get(f"/console/bookings/{first}").get_data(as_text=True)
    assert f'href="/console/series/{series["id"]}"' in page
    shown = client.get(f"/console/series/{series['id']}").get_data(as_text=True)
    assert shown.count('data-outcome="booked"') == series["booked"] == 3 and "每 7 天一次，共 3 次" in shown
    client.delete_cookie("yc_console", path="/console")
    console_session(client, "station_staff", station_code=STATION_B)
    assert client.get(f"/console/series/{series['id']}").status_code == 404
