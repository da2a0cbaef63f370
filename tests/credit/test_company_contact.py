"""A company's contact is a person and, often, their own mobile: the public grade list shows the
name masked and the number only once the company marks it as its business's, while operators and
the company's own admin see both as entered."""

import pytest

from tests.factories import STATION_A, new_credit_code

CONTACT = {"contact_name": "李建国", "contact_phone": "13912345678"}


def shown(client, company, headers=None):
    """(contact_name, contact_phone) of the company in its detail and in the list, as this caller sees them."""
    detail = client.get(f"/api/v1/companies/{company['id']}", headers=headers).json
    listed = next(c for c in client.get("/api/v1/companies", headers=headers).json["items"] if c["id"] == company["id"])
    assert (listed["contact_name"], listed["contact_phone"]) == (detail["contact_name"], detail["contact_phone"])
    return detail["contact_name"], detail["contact_phone"]


@pytest.fixture
def public_callers(login, make_company):
    other = make_company()
    return {
        "anonymous": None,
        "a resident": login(),
        "station staff": login("station_staff", station_code=STATION_A),
        "another company's admin": login("company_admin", company_id=other["id"]),
    }


def test_the_public_sees_the_contact_masked_and_no_unpublished_number(make_company, client, public_callers):
    company = make_company(**CONTACT)
    assert company["contact_phone_public"] is False
    body = client.get("/api/v1/companies").get_data(as_text=True)
    assert "李建国" not in body and "13912345678" not in body
    for who, headers in public_callers.items():
        assert shown(client, company, headers) == ("李*国", None), who


def test_a_number_marked_public_is_published_and_the_name_still_masked(make_company, client, public_callers):
    company = make_company(**CONTACT, contact_phone_public=True)
    for who, headers in public_callers.items():
        assert shown(client, company, headers) == ("李*国", "13912345678"), who


def test_operators_and_the_companys_own_admin_see_the_contact_as_entered(make_company, client, operator, login):
    company = make_company(**CONTACT)
    admin = login("company_admin", company_id=company["id"])
    assert shown(client, company, operator) == ("李建国", "13912345678")
    assert shown(client, company, admin) == ("李建国", "13912345678")


def test_the_companys_admin_publishes_its_number_and_can_withdraw_it(make_company, client, login):
    company = make_company(**CONTACT)
    admin = login("company_admin", company_id=company["id"])
    url = f"/api/v1/companies/{company['id']}"
    published = client.patch(url, json={"contact_phone_public": True}, headers=admin)
    assert published.status_code == 200 and published.json["contact_phone_public"] is True
    assert shown(client, company) == ("李*国", "13912345678")
    changed = client.patch(url, json={"contact_phone": "020-83000000", "contact_phone_public": False}, headers=admin)
    assert changed.status_code == 200
    assert shown(client, company) == ("李*国", None)
    assert shown(client, company, admin) == ("李建国", "020-83000000")


def test_only_operators_and_the_companys_own_admin_change_the_contact(make_company, client, login, public_callers):
    company = make_company(**CONTACT)
    url = f"/api/v1/companies/{company['id']}"
    statuses = {
        who: client.patch(url, json={"contact_phone_public": True}, headers=headers).status_code
        for who, headers in public_callers.items()
    }
    assert statuses == {"anonymous": 401, "a resident": 403, "station staff": 403, "another company's admin": 403}
    assert shown(client, company) == ("李*国", None)


def test_the_ledger_keeps_that_the_contact_changed_but_not_the_contact(make_company, client, operator, isolated):
    company = make_company(**CONTACT)
    client.patch(
        f"/api/v1/companies/{company['id']}",
        json={"contact_phone": "13800000000", "contact_phone_public": True},
        headers=operator,
    )
    before, after = isolated.exec_driver_sql(
        f"SELECT before, after FROM credit_events WHERE company_id = {company['id']} AND reason = 'contact updated'"
    ).one()
    assert "13912345678" not in str(before) and "13800000000" not in str(after)
    assert "contact_phone_public" in str(after)


def test_an_import_publishes_a_number_only_where_the_file_marks_it(cli, client, tmp_path):
    code = new_credit_code()
    marked = tmp_path / "marked.csv"
    marked.write_text(
        "name,credit_code,district_code,contact_name,contact_phone,contact_phone_public\n"
        f"广州好家政有限公司,{code},440106,王经理,020-12345678,true\n",
        encoding="utf-8",
    )
    assert cli("credit", "import-companies", str(marked)).exit_code == 0
    company = client.get("/api/v1/companies").json["items"][0]
    assert (company["contact_name"], company["contact_phone"]) == ("王*理", "020-12345678")
    unmarked = tmp_path / "unmarked.csv"
    unmarked.write_text(
        f"name,credit_code,district_code,contact_name,contact_phone\n广州好家政有限公司,{code},440106,王经理,020-87654321\n",
        encoding="utf-8",
    )
    assert "updated: 1" in cli("credit", "import-companies", str(unmarked)).output
    assert client.get("/api/v1/companies").json["items"][0]["contact_phone"] == "020-87654321"
