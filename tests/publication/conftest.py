"""Publication's tests book, complain and follow up through booking, from the catalogue and
default hours seeded once per backend as `flask booking defaults` would."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def books_from_the_catalogue(catalogue):
    """Every test here books from the catalogue (tests/plugins/booking.py)."""


@pytest.fixture
def publish(client, operator):
    """publish(kind, body) -> response of POST /publications/<kind> as an operator."""
    return lambda kind, body, headers=None: client.post(
        f"/api/v1/publications/{kind}", json=body, headers=headers or operator
    )


@pytest.fixture
def company_event(client, operator):
    """company_event(company, kind, value=1) records a fact on the company's ledger."""

    def post(company, kind, value=1):
        response = client.post(
            f"/api/v1/companies/{company['id']}/credit-events",
            json={"kind": kind, "value": value, "reason": "测试"},
            headers=operator,
        )
        assert response.status_code == 201, response.json
        return response.json

    return post


@pytest.fixture
def graded_company(make_company, company_event, client):
    """graded_company(strength, management, **fields): a company whose assessments lift its grade
    (100 and 100: 3A under the placeholder scoring), with its grade as the API shows it."""

    def make(strength=100, management=100, **fields):
        company = make_company(**fields)
        company_event(company, "strength_assessment", strength)
        company_event(company, "management_assessment", management)
        return client.get(f"/api/v1/companies/{company['id']}").json

    return make
