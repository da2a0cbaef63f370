"""What ends soon in workers' files: the company admin sees its own workers', operators see all,
paged and filtered; "soon" is counted in Beijing's days."""

from datetime import timedelta

import pytest

from tests.factories import CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE, TODAY


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


@pytest.fixture
def expiring(client):
    def read(headers, **query):
        response = client.get("/api/v1/expiring-items", query_string=query, headers=headers)
        assert response.status_code == 200, response.json
        return response.json

    return read


@pytest.fixture
def ending(make_issued, client, operator):
    """ending(insurance_in=, health_in=, **worker fields): a green worker whose policy and health
    certificate end that many days from today."""

    def make(insurance_in=400, health_in=400, **fields):
        worker = make_issued(
            checks=[CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE | {"valid_until": days(insurance_in)}], **fields
        )
        response = client.put(
            f"/api/v1/workers/{worker['id']}/certificate/health-certificate",
            json={"valid_until": days(health_in)},
            headers=operator,
        )
        assert response.status_code == 200, response.json
        return worker

    return make


def test_operators_see_what_ends_within_the_configured_days_soonest_first(ending, expiring, operator):
    first = ending(insurance_in=10, name="李小红")
    second = ending(health_in=3)
    ending(insurance_in=31)  # beyond the 30 days configured
    ending(health_in=-1)  # ended already: a reason on the scan, not a reminder

    listed = expiring(operator)

    assert listed["total"] == 2
    assert [(i["worker_id"], i["item"], i["days_left"]) for i in listed["items"]] == [
        (second["id"], "health_certificate", 3),
        (first["id"], "insurance", 10),
    ]
    assert listed["items"][1] | {"worker_id": 0, "company_id": 0} == {
        "worker_id": 0,
        "worker_name": "李小红",
        "company_id": 0,
        "item": "insurance",
        "item_name": "从业责任保险",
        "valid_until": days(10),
        "days_left": 10,
    }


def test_the_list_is_filtered_by_item_and_days_and_paged(ending, expiring, operator):
    ending(insurance_in=10, health_in=20)
    ending(insurance_in=40)
    assert expiring(operator, within_days=60)["total"] == 3
    assert [i["item"] for i in expiring(operator, item="insurance", within_days=60)["items"]] == ["insurance"] * 2
    page = expiring(operator, within_days=60, per_page=2, page=2)
    assert (page["total"], len(page["items"]), page["items"][0]["valid_until"]) == (3, 1, days(40))


def test_a_background_check_ends_on_the_day_before_it_is_due_again(make_issued, expiring, operator):
    from credit.checks import add_months

    checked_on = add_months(TODAY + timedelta(days=5), -12)
    make_issued(checks=[INSURANCE_IN_FORCE, CLEAR_BACKGROUND_CHECK | {"checked_on": checked_on.isoformat()}])
    [item] = expiring(operator)["items"]
    assert (item["item"], item["item_name"], item["days_left"]) == ("criminal_record", "无犯罪记录核查", 4)


def test_a_company_admin_sees_its_own_workers_only(make_company, ending, expiring, login, client):
    own, other = make_company(), make_company()
    mine = ending(insurance_in=5, company_id=own["id"])
    ending(insurance_in=5, company_id=other["id"])
    admin = login("company_admin", company_id=own["id"])
    assert [i["worker_id"] for i in expiring(admin)["items"]] == [mine["id"]]
    response = client.get("/api/v1/expiring-items", query_string={"company_id": other["id"]}, headers=admin)
    assert response.status_code == 403 and response.json["code"] == "own_company_only"


@pytest.mark.parametrize("role, status", [(None, 401), ("resident", 403), ("station_staff", 403)])
def test_nobody_else_may_read_the_list(client, login, role, status):
    headers = {} if role is None else login() if role == "resident" else login(role, station_code="440106001000")
    assert client.get("/api/v1/expiring-items", headers=headers).status_code == status


@pytest.mark.parametrize("query", [{"within_days": -1}, {"within_days": 400}, {"item": "passport"}])
def test_a_bad_filter_is_a_422_naming_it(client, operator, query):
    response = client.get("/api/v1/expiring-items", query_string=query, headers=operator)
    assert response.status_code == 422 and set(query) <= set(response.json["errors"])
