"""Engagements made and moved through the API: a resident's request to station A, a 月嫂 who is
green, and an engagement taken as far as a test needs. The booking catalogue is seeded as
`flask booking defaults` would, for the tests where a slot booking meets an engagement."""

from datetime import timedelta

import pytest

from app.clock import today_in_beijing
from tests.factories import STATION_A


@pytest.fixture(scope="session", autouse=True)
def books_from_the_catalogue(catalogue):
    """Every test here books from the catalogue (tests/plugins/booking.py)."""


def engagement_body(days_ahead: int = 30, **fields) -> dict:
    """A 26-day live-in 月嫂 engagement asked of station A, starting `days_ahead` days from today."""
    return {
        "service_code": "maternity",
        "station_code": STATION_A,
        "start_day": (today_in_beijing() + timedelta(days=days_ahead)).isoformat(),
        "length": 26,
        "length_unit": "days",
        "live_in": True,
        "address": "天河区五山路 1 号 2 栋 301",
        "needs": "顺产，需要照顾产妇和新生儿，会做月子餐",
    } | fields


@pytest.fixture
def maternity_worker(green_worker):
    """A green worker who offers 月嫂 (maternity) and 育婴 (childcare)."""
    return lambda **fields: green_worker(**({"service_types": ["maternity", "childcare"]} | fields))


@pytest.fixture
def post(client):
    """post(path, headers, body=None) -> the response of POST /api/v1<path>."""
    return lambda path, headers, body=None: client.post(f"/api/v1{path}", json=body or {}, headers=headers)


@pytest.fixture
def requested(post, resident):
    """A requested engagement: (engagement, resident headers)."""

    def make(headers=None, **fields):
        headers = headers or resident()
        response = post("/engagements", headers, engagement_body(**fields))
        assert response.status_code == 201, response.json
        return response.json, headers

    return make


@pytest.fixture
def chosen(requested, post, staff, maternity_worker):
    """An engagement whose resident chose `worker` among the station's candidates:
    (engagement, resident headers, staff headers, worker)."""

    def make(worker=None, headers=None, **fields):
        engagement, headers = requested(headers=headers, **fields)
        clerk, worker = staff(), worker or maternity_worker()
        proposed = post(f"/engagements/{engagement['id']}/proposals", clerk, {"worker_ids": [worker["id"]]})
        assert proposed.status_code == 200, proposed.json
        candidate = proposed.json["candidates"][0]["id"]
        response = post(f"/engagements/{engagement['id']}/choose", headers, {"candidate_id": candidate})
        assert response.status_code == 200, response.json
        return response.json, headers, clerk, worker

    return make


@pytest.fixture
def confirmed(chosen, post):
    """A signed (confirmed) engagement: both sides confirmed, staff on the worker's behalf."""

    def make(**fields):
        engagement, headers, clerk, worker = chosen(**fields)
        assert post(f"/engagements/{engagement['id']}/confirm", headers).status_code == 200
        signed = {"contract_reference": "HT-2026-0001", "contract_signed_on": today_in_beijing().isoformat()}
        response = post(f"/engagements/{engagement['id']}/worker-confirm", clerk, signed)
        assert response.status_code == 200 and response.json["status"] == "confirmed", response.json
        return response.json, headers, clerk, worker

    return make
