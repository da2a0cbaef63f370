"""What any client, friendly or not, gets at the HTTP level: body rules, security headers, no CORS."""

import re

import pytest


@pytest.fixture
def operator(login):
    return login("operator")


def test_a_form_body_where_json_is_expected_is_a_415(client, operator):
    response = client.post("/api/v1/companies", data={"name": "x"}, headers=operator)
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert "application/json" in response.json["detail"]


def test_a_body_larger_than_the_limit_is_a_413(app, client, operator):
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/api/v1/companies", data=huge, content_type="application/json", headers=operator)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_malformed_json_is_a_400_not_a_500(client, operator):
    response = client.post("/api/v1/companies", data="{not json", content_type="application/json", headers=operator)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_the_api_ui_runs_without_inline_scripts_and_cannot_be_framed(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    scripts = re.findall(r"<script[^>]*>", response.get_data(as_text=True))
    assert scripts and all("src=" in tag for tag in scripts)
    assert client.get(re.search(r'src="([^"]*swagger-init.js)"', response.get_data(as_text=True))[1]).status_code == 200


def test_the_scan_page_keeps_its_own_stricter_policy(client):
    response = client.get("/q/not-a-token")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_json_answers_are_not_sniffed_as_anything_else(client):
    assert client.get("/api/v1/stations").headers["X-Content-Type-Options"] == "nosniff"


def test_no_other_website_is_allowed_to_call_the_api_from_a_browser(client):
    preflight = client.options(
        "/api/v1/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    answer = client.get("/api/v1/stations", headers={"Origin": "https://evil.example"})
    for response in (preflight, answer):
        assert not any(name.lower().startswith("access-control-allow") for name in response.headers.keys())


def test_a_json_body_takes_numbers_and_flags_as_json_types_not_text(client, operator):
    response = client.post(
        "/api/v1/workers/1/certificate/exam", json={"score": "90", "passed": "yes"}, headers=operator
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"score", "passed"}


def test_query_strings_are_text_and_still_read_as_numbers(client):
    assert client.get("/api/v1/stations", query_string={"page": "2", "per_page": "5"}).json["page"] == 2


def test_a_nul_character_in_a_query_or_body_is_a_422_naming_the_field(client, operator):
    query = client.get("/api/v1/role-grants", query_string={"station_code": "\x00"}, headers=operator)
    assert query.status_code == 422 and list(query.json["errors"]) == ["station_code"]
    body = client.post(
        "/api/v1/companies",
        json={"name": "好\x00帮手", "credit_code": "x", "district_code": "440106"},
        headers=operator,
    )
    assert body.status_code == 422 and "name" in body.json["errors"]


def test_a_nul_character_in_a_path_names_nothing(client):
    assert client.get("/api/v1/stations/44010300100%00").status_code == 404
    assert client.get("/api/v1/scan/abc%00def").status_code == 404


def test_a_nul_character_in_a_header_read_as_an_argument_is_a_422_naming_it(client, operator):
    answer = client.post("/api/v1/bookings", json={}, headers=operator | {"Idempotency-Key": "key\x00-0001"})
    assert answer.status_code == 422 and answer.json["code"] == "nul_character"
    assert list(answer.json["errors"]) == ["Idempotency-Key"]
