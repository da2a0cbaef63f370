"""The development-only login: every role without WeChat, in the embedded default; nowhere else."""

import pytest

from app import create_app
from tests.factories import PRODUCTION_ENVIRONMENT

DEV_LOGIN = "/api/v1/auth/dev-login"


@pytest.fixture(scope="module")
def development_app(app):
    return create_app(
        {"TESTING": True, "APP_ENV": "development", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )


@pytest.mark.parametrize(
    "body, roles",
    [
        ({"role": "resident"}, ["resident"]),
        ({"role": "operator"}, ["operator", "resident"]),
        ({"role": "station_staff", "station_code": "440106001000"}, ["resident", "station_staff"]),
    ],
)
def test_in_development_a_token_for_each_role_needs_no_wechat(development_app, isolated, body, roles):
    client = development_app.test_client()
    response = client.post(DEV_LOGIN, json=body)
    assert response.status_code == 201, response.json
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json['token']}"}).json
    assert me["roles"] == roles
    assert me["has_phone"], "booking needs a bound phone, and binding one needs WeChat"


def test_in_development_the_same_role_and_scope_is_the_same_user(development_app, isolated):
    client = development_app.test_client()
    body = {"role": "station_staff", "station_code": "440106002000"}
    assert client.post(DEV_LOGIN, json=body).json["user_id"] == client.post(DEV_LOGIN, json=body).json["user_id"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"role": "station_staff"}, "station_code"),
        ({"role": "station_staff", "station_code": "440106999999"}, "station_code"),
        ({"role": "company_admin", "company_id": 999999}, "company_id"),
        ({"role": "king"}, "role"),
    ],
)
def test_in_development_a_wrong_scope_is_a_422_naming_it(development_app, isolated, body, field):
    response = development_app.test_client().post(DEV_LOGIN, json=body)
    assert response.status_code == 422 and field in response.json["errors"]


def test_development_documents_the_dev_login(development_app, isolated):
    assert DEV_LOGIN in development_app.test_client().get("/api/v1/openapi.json").json["paths"]


def test_the_test_configuration_has_no_dev_login(client):
    assert client.post(DEV_LOGIN, json={"role": "operator"}).status_code == 404


def test_production_has_no_dev_login_whatever_else_its_environment_says(app, isolated, monkeypatch):
    for name, value in {
        **PRODUCTION_ENVIRONMENT,
        "DEV_LOGIN": "1",
        "ENABLE_DEV_LOGIN": "true",
        "FLASK_DEBUG": "1",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
    }.items():
        monkeypatch.setenv(name, value)
    production = create_app({"TESTING": True})
    assert production.config["APP_ENV"] == "production"
    client = production.test_client()
    assert client.post(DEV_LOGIN, json={"role": "operator"}).status_code == 404
    assert DEV_LOGIN not in client.get("/api/v1/openapi.json").json["paths"]
