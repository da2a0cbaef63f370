"""失信 cases made through the API as operators would: one operator opens, the party states their
case, another operator decides. The booking catalogue is seeded once per backend (assignment is
one of the effects tested here)."""

from datetime import datetime, time, timedelta

import pytest

from app.clock import BEIJING, today_in_beijing

CASE = {"category": "forged_certificate", "facts": "提交的健康证经核查系伪造。"}


def noon_in(days: int) -> datetime:
    """Noon in Beijing `days` from today, to travel to."""
    return datetime.combine(today_in_beijing() + timedelta(days=days), time(12), BEIJING)


@pytest.fixture(scope="session", autouse=True)
def books_from_the_catalogue(catalogue):
    """Every test here books from the catalogue (tests/plugins/booking.py)."""


@pytest.fixture
def deciding_operator(login):
    """A second operator: the one who opened a case cannot decide it."""
    return login("operator")


@pytest.fixture
def party(login):
    """party(worker=None, company=None) -> headers of the worker's own account (one per worker), or
    of the company's admin."""
    accounts: dict[int, dict] = {}

    def log_in(worker=None, company=None):
        if worker is not None:
            if worker["id"] not in accounts:
                accounts[worker["id"]] = login("worker", worker_id=worker["id"])
            return accounts[worker["id"]]
        return login("company_admin", company_id=company["id"])

    return log_in


@pytest.fixture
def open_case(client, operator):
    """open_case(measure, days=None, worker=None, company=None, **fields) -> the case."""

    def make(measure, days=None, worker=None, company=None, **fields):
        named = {"worker_id": worker["id"]} if worker is not None else {"company_id": company["id"]}
        body = CASE | named | {"measure": measure} | ({"period_days": days} if days else {}) | fields
        response = client.post("/api/v1/sanctions/cases", json=body, headers=operator)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def decide(client, deciding_operator):
    """decide(case, outcome="uphold", headers=None, **fields) -> the response."""

    def post(case, outcome="uphold", headers=None, **fields):
        return client.post(
            f"/api/v1/sanctions/cases/{case['id']}/decision",
            json={"outcome": outcome, "reason": "经复核，事实清楚"} | fields,
            headers=headers or deciding_operator,
        )

    return post


@pytest.fixture
def state(client):
    """state(case, headers, file=None) -> the response of the party's statement."""

    def post(case, headers, file=None):
        data = {"statement": "证书系中介代办，本人不知情。"} | ({"file": file} if file else {})
        return client.post(
            f"/api/v1/sanctions/cases/{case['id']}/statement",
            data=data,
            content_type="multipart/form-data",
            headers=headers,
        )

    return post


@pytest.fixture
def upheld(open_case, decide, state, party):
    """upheld(measure, days=None, worker=None, company=None) -> the decided case: the party
    stated their case, so it can be decided today."""

    def make(measure, days=None, **named):
        case = open_case(measure, days, **named)
        assert state(case, party(**named)).status_code == 200
        response = decide(case)
        assert response.status_code == 200, response.json
        return response.json

    return make


@pytest.fixture
def look_up(client):
    return lambda **query: client.get("/api/v1/sanctions/look-up", query_string=query)
