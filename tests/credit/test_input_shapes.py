"""Identifiers and phone numbers as people paste them (a trailing newline, spaces, lower case)
are stored in their one standard form, in the API and the CSV import alike; a value that still
does not have the shape, or is longer than its column, is a 422 naming the field."""

import pytest

from app.privacy import blind_index
from credit.identifiers import credit_code_check_character
from tests.factories import new_credit_code, new_id_number

COMPANY_HEADER = "name,credit_code,district_code,contact_name,contact_phone"


def spaced_lower_case(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, 18, 4)).lower()


@pytest.mark.parametrize("typed", [" 13812345678\n", "13812345678\n", "\t13812345678 "])
def test_a_phone_with_whitespace_around_it_is_stored_as_the_number_and_found_by_it(
    app, make_applicant, isolated, typed
):
    assert make_applicant(phone=typed)["phone"] == "138****5678"
    with app.app_context():
        assert isolated.exec_driver_sql("SELECT phone_hash FROM workers").scalar_one() == blind_index("13812345678")


@pytest.mark.parametrize("typed", ["1381234\n5678", "13812345678\n1", "138123456789", "138１２３４５６７８"])
def test_a_phone_with_anything_inside_or_after_it_is_a_422_naming_it(client, operator, typed):
    response = client.post(
        "/api/v1/workers", json={"name": "李四", "id_number": new_id_number(), "phone": typed}, headers=operator
    )
    assert response.status_code == 422 and list(response.json["errors"]) == ["phone"]


def test_a_credit_code_in_lower_case_with_spaces_and_a_newline_is_stored_in_capitals(make_company):
    code = new_credit_code()
    assert make_company(credit_code=spaced_lower_case(code) + "\n")["credit_code"] == code


def test_a_credit_code_with_a_letter_the_standard_leaves_out_is_a_422(client, operator):
    first17 = "91350100M000100YO"  # O is not in GB 32100's alphabet, even in lower case
    body = {"name": "好家政", "credit_code": first17.lower() + "3", "district_code": "440106"}
    response = client.post("/api/v1/companies", json=body, headers=operator)
    assert response.status_code == 422 and list(response.json["errors"]) == ["credit_code"]


def test_a_company_phone_with_a_trailing_newline_is_stored_without_it(make_company):
    assert make_company(contact_phone="020-12345678\n")["contact_phone"] == "020-12345678"


def test_an_id_number_in_full_width_digits_is_a_422_naming_it(client, operator):
    full_width = new_id_number().translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post("/api/v1/workers", json={"name": "李四", "id_number": full_width}, headers=operator)
    assert response.status_code == 422 and list(response.json["errors"]) == ["id_number"]


def test_an_id_number_with_a_newline_after_it_is_stored_without_it(make_applicant, client, operator):
    id_number = new_id_number()
    make_applicant(id_number=id_number + "\n")
    again = client.post("/api/v1/workers", json={"name": "李四", "id_number": id_number}, headers=operator)
    assert again.status_code == 409, "the look-up hash is the number's own"


@pytest.mark.parametrize(
    "field, value",
    [
        ("photo_url", "https://example.org/" + "p" * 300),
        ("name", "张" * 33),
        ("phone", "13812345678" + "\n" * 30 + "1"),
    ],
)
def test_a_worker_field_longer_than_its_column_is_a_422_naming_it(client, operator, field, value):
    body = {"name": "李四", "id_number": new_id_number(), field: value}
    response = client.post("/api/v1/workers", json=body, headers=operator)
    assert response.status_code == 422 and list(response.json["errors"]) == [field]


def test_the_csv_import_stores_a_lower_case_spaced_credit_code_in_capitals(cli, client, tmp_path):
    code = new_credit_code()
    path = tmp_path / "c.csv"
    path.write_text(f'{COMPANY_HEADER}\n广州好家政有限公司,"{spaced_lower_case(code)}",440106,,\n', encoding="utf-8")
    result = cli("credit", "import-companies", str(path))
    assert result.exit_code == 0, result.output
    assert [c["credit_code"] for c in client.get("/api/v1/companies").json["items"]] == [code]


def test_a_credit_code_check_character_is_computed_over_the_capitals(make_company):
    first17 = "91440101ma5cxxxx1"
    code = first17.upper() + credit_code_check_character(first17.upper())
    assert make_company(credit_code=first17 + code[-1].lower())["credit_code"] == code
