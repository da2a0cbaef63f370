"""Companies, applicants and issued workers, all made through the API the way an operator would."""

import pytest

from tests.factories import GREEN_CHECKS, LIFECYCLE_TO_ISSUE, new_credit_code, new_id_number


@pytest.fixture
def operator(login):
    return login("operator")


@pytest.fixture
def make_company(client, operator):
    def make(**fields):
        body = {
            "name": "羊城好帮手家政服务有限公司",
            "credit_code": new_credit_code(),
            "district_code": "440106",
        } | fields
        response = client.post("/api/v1/companies", json=body, headers=operator)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def make_applicant(client, operator):
    def make(headers=None, **fields):
        body = {
            "name": "张秀梅",
            "id_number": new_id_number(),
            "phone": "13812345678",
            "photo_url": "https://example.org/photos/1.jpg",
            "service_types": ["childcare", "cleaning"],
            "skills": ["月嫂"],
            "years_of_experience": 5,
        } | fields
        response = client.post("/api/v1/workers", json=body, headers=headers or operator)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def step(client, operator):
    """step(worker_id, action, body) -> response of POST .../certificate/<action>."""

    def post(worker_id, action, body=None, headers=None):
        return client.post(
            f"/api/v1/workers/{worker_id}/certificate/{action}", json=body or {}, headers=headers or operator
        )

    return post


@pytest.fixture
def record_check(client, operator):
    """record_check(worker_id, body) -> response of POST .../checks (an operator, from paper)."""

    def post(worker_id, body, headers=None):
        return client.post(f"/api/v1/workers/{worker_id}/checks", json=body, headers=headers or operator)

    return post


@pytest.fixture
def make_issued(make_applicant, step, record_check, client, operator):
    """A worker whose 安心碼 scans green: certificate issued, background check clear, insured;
    `checks` replaces the background check and insurance recorded (e.g. checks=[] for none)."""

    def make(checks=None, **fields):
        worker = make_applicant(**fields)
        for action, body in LIFECYCLE_TO_ISSUE:
            response = step(worker["id"], action, body)
            assert response.status_code == 200, (action, response.json)
        for body in GREEN_CHECKS if checks is None else checks:
            response = record_check(worker["id"], body)
            assert response.status_code == 201, response.json
        return client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json

    return make
