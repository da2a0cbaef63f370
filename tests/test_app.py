"""What every client sees whatever the endpoint: errors, probes, the API document, configuration."""

import re

import pytest

from app import create_app
from app.clock import in_beijing, today_in_beijing, utcnow
from app.config import ConfigError, load_config
from app.database import forget_inherited_connections
from app.extensions import db
from tests.factories import PRODUCTION_ENVIRONMENT, REDIS_URL, TODAY


def test_an_unknown_route_is_a_json_404(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json == {
        "type": "about:blank",
        "code": "not_found",
        "title": "Not Found",
        "status": 404,
        "detail": response.json["detail"],
    }


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(client):
    response = client.delete("/api/v1/stations")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_healthz_answers_without_touching_anything(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_reports_the_database(client):
    assert client.get("/readyz").json == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_checks_redis_when_one_is_configured(app):
    with_redis = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": REDIS_URL}
    )
    assert with_redis.test_client().get("/readyz").json["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_is_503_when_a_dependency_is_down(app):
    broken = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"] == {"redis": ["unavailable"]}


def test_a_database_outage_is_a_503_not_a_500(app):
    unreachable = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1"}
    )
    response = unreachable.test_client().get("/api/v1/stations")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"]


def test_a_forked_worker_opens_connections_of_its_own_and_leaves_the_parents_open(app):
    """gunicorn forks each worker from the master that loaded the app (post_fork): the worker's
    pools start empty, and a connection the master holds still answers the master."""
    with app.app_context():
        db.engine.dispose()  # a master that connected once: one connection in its pool
        with db.engine.connect() as connection:
            inherited = connection.connection.dbapi_connection
        with db.engine.connect() as connection:
            assert connection.connection.dbapi_connection is inherited  # the pool hands it out again
        forget_inherited_connections(app)
        with db.engine.connect() as connection:
            assert connection.connection.dbapi_connection is not inherited
        assert inherited is not None
        cursor = inherited.cursor()
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_the_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    api_routes = {
        (re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method)
        for path, operations in document["paths"].items()
        for method in operations
        if method != "parameters"
    }
    assert api_routes == documented
    assert "/api/v1/stations/nearest" in document["paths"]
    nearest_parameters = {p["name"]: p for p in document["paths"]["/api/v1/stations/nearest"]["get"]["parameters"]}
    assert nearest_parameters["lat"]["required"] is True
    assert nearest_parameters["lat"]["schema"] == {"type": "number", "minimum": -90, "maximum": 90}


def test_the_browsable_api_docs_load_their_scripts_from_this_server(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/v1/openapi.json" in page
    assert 'src="/api/docs/assets/swagger-ui-bundle.js"' in page
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_without_a_database_url_the_embedded_spatialite_database_is_used(tmp_path):
    config = load_config({"APP_ENV": "development"}, instance_path=tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'yangcheng.sqlite3'}"
    assert config["REDIS_URL"] is None


@pytest.mark.parametrize(
    "missing",
    [
        "DATABASE_URL",
        "SECRET_KEY",
        "DATA_ENCRYPTION_KEY",
        "DATA_HASH_KEY",
        "WECHAT_APPID",
        "WECHAT_SECRET",
        "WECHAT_CALLBACK_TOKEN",
        "PUBLIC_BASE_URL",
    ],
)
def test_production_refuses_to_start_without_its_database_and_secrets(missing):
    environ = dict(PRODUCTION_ENVIRONMENT)
    del environ[missing]
    with pytest.raises(ConfigError, match=missing):
        load_config(environ)


def test_production_starts_with_every_required_setting():
    assert load_config(PRODUCTION_ENVIRONMENT)["APP_ENV"] == "production"


def test_a_deployment_that_forgets_app_env_is_production():
    """So it refuses to start without production's keys, and never serves dev-login or the public
    development keys."""
    with pytest.raises(ConfigError, match="production needs DATA_ENCRYPTION_KEY"):
        load_config({"DATABASE_URL": "postgresql://db/app", "SECRET_KEY": "s3cret"})
    without_app_env = {name: value for name, value in PRODUCTION_ENVIRONMENT.items() if name != "APP_ENV"}
    assert load_config(without_app_env)["APP_ENV"] == "production"


def test_printed_scan_urls_point_at_the_port_the_instance_serves():
    assert load_config({"APP_ENV": "development", "PORT": "8000"})["PUBLIC_BASE_URL"] == "http://127.0.0.1:8000"
    assert load_config({"APP_ENV": "development"})["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"


def test_plain_postgres_urls_use_psycopg_3():
    config = load_config({"APP_ENV": "development", "DATABASE_URL": "postgres://u@db:5432/app"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/app"


def test_every_operation_has_its_own_operation_id_for_generated_clients(client):
    document = client.get("/api/v1/openapi.json").json
    operation_ids = [
        operation.get("operationId")
        for operations in document["paths"].values()
        for method, operation in operations.items()
        if method != "parameters"
    ]
    assert all(operation_ids) and len(set(operation_ids)) == len(operation_ids)
    assert document["paths"]["/api/v1/stations/nearest"]["get"]["operationId"] == "nearestStations"


def test_a_setting_that_does_not_parse_is_named_in_the_error():
    with pytest.raises(ConfigError, match=r"SCAN_LOG_BATCH='abc' \(Not a valid integer\)"):
        load_config({"APP_ENV": "test", "SCAN_LOG_BATCH": "abc"})


def test_every_setting_that_does_not_parse_is_named_at_once():
    with pytest.raises(ConfigError) as refused:
        load_config(
            {
                "APP_ENV": "test",
                "SCAN_LOG_BATCH": "100",
                "WECHAT_TIMEOUT_SECONDS": "slow",
                "INVITE_LIFETIME_HOURS": "3 days",
            }
        )
    assert "WECHAT_TIMEOUT_SECONDS='slow'" in str(refused.value)
    assert "INVITE_LIFETIME_HOURS='3 days'" in str(refused.value)
    assert "SCAN_LOG_BATCH" not in str(refused.value)


def test_numeric_settings_are_read_from_the_environment():
    config = load_config({"APP_ENV": "test", "SCAN_LOG_BATCH": "7", "SCAN_CACHE_SECONDS": "0.5"})
    assert config["SCAN_LOG_BATCH"] == 7 and config["SCAN_CACHE_SECONDS"] == 0.5


def test_a_scan_cache_longer_than_a_second_is_refused():
    """A suspended worker must not scan green for longer than a second, whatever Redis does."""
    with pytest.raises(ConfigError, match=r"SCAN_CACHE_SECONDS='60'"):
        load_config({"APP_ENV": "test", "SCAN_CACHE_SECONDS": "60"})


def test_the_tests_clock_stays_in_the_day_the_run_began():
    """tests/conftest.py holds each test at noon in Beijing (plus the run's time so far), so a run
    that crosses midnight sees one day."""
    assert today_in_beijing() == TODAY
    assert in_beijing(utcnow()).hour >= 12
