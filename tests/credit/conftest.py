"""Builders for the credit tests: valid identifiers, companies, applicants and issued workers,
all made through the API the way an operator would."""

import itertools
from datetime import date, timedelta

import pytest

from credit.identifiers import credit_code_check_character, id_number_check_character

_sequence = itertools.count(1)
NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()
LAST_MONTH = (date.today() - timedelta(days=30)).isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def new_id_number(birth: str = "19850612") -> str:
    first17 = f"440106{birth}{next(_sequence) % 1000:03d}"
    return first17 + id_number_check_character(first17)


def new_credit_code() -> str:
    first17 = f"91440101MA{next(_sequence):07d}"
    return first17 + credit_code_check_character(first17)


DOCUMENTS = {"id_card_checked": True, "health_certificate_valid_until": NEXT_YEAR,
             "skill_certificate": "育婴员 四级 No.4401-2023-0001", "authorisation_signed_on": LAST_MONTH}


@pytest.fixture
def operator(login):
    return login("operator")


@pytest.fixture
def make_company(client, operator):
    def make(**fields):
        body = {"name": "羊城好帮手家政服务有限公司", "credit_code": new_credit_code(), "district_code": "440106"} | fields
        response = client.post("/api/v1/companies", json=body, headers=operator)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def make_applicant(client, operator):
    def make(headers=None, **fields):
        body = {"name": "张秀梅", "id_number": new_id_number(), "phone": "13812345678",
                "photo_url": "https://example.org/photos/1.jpg", "service_types": ["育婴", "保洁"],
                "skills": ["月嫂"], "years_of_experience": 5} | fields
        response = client.post("/api/v1/workers", json=body, headers=headers or operator)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def step(client, operator):
    """step(worker_id, action, body) -> response of POST .../certificate/<action>."""

    def post(worker_id, action, body=None, headers=None):
        return client.post(f"/api/v1/workers/{worker_id}/certificate/{action}", json=body or {},
                           headers=headers or operator)

    return post


LIFECYCLE_TO_ISSUE = [
    ("documents", DOCUMENTS),
    ("training", {"hours": 40, "trained_on": LAST_MONTH}),
    ("exam", {"score": 86, "passed": True}),
    ("identity", {"matched": True}),
    ("issue", {}),
]


@pytest.fixture
def make_issued(make_applicant, step):
    def make(**fields):
        worker = make_applicant(**fields)
        for action, body in LIFECYCLE_TO_ISSUE:
            response = step(worker["id"], action, body)
            assert response.status_code == 200, (action, response.json)
        return response.json

    return make


def token_of(worker: dict) -> str:
    return worker["certificate"]["scan_url"].rsplit("/", 1)[1]
