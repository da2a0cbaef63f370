"""The read replica (app/replica.py): the map, the public company list and the statistics read it;
sessions and every other read stay on the primary; a replica that is down, gone or hung costs a
request at most one connect timeout and never an error.

Two databases of this run play the primary and its replica: the replica is a copy of the primary
in which one station and one company are renamed, so an answer shows which database it came from.
"""

import time

import psycopg
import pytest
from sqlalchemy import make_url

from accounts.models import OPERATOR
from app import create_app
from app.extensions import db
from tests.factories import (
    POSTGRES_URL,
    UNLIMITED,
    bearer,
    build_app,
    make_user,
    new_credit_code,
    recreate_postgres_database,
    statements_on,
    the_runs_clock,
)
from tests.faults.blackhole import Blackhole
from tests.faults.servers import free_port

PRIMARY_URL = make_url(POSTGRES_URL).set(database=f"{make_url(POSTGRES_URL).database}_primary")
REPLICA_URL = PRIMARY_URL.set(database=f"{make_url(POSTGRES_URL).database}_replica")
STATION = "440103001000"  # 越秀区's first street, on the first page of the list
ON_THE_REPLICA = "只在副本里的名字"


def admin_connection():
    return psycopg.connect(
        PRIMARY_URL.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False),
        autocommit=True,
    )


@pytest.fixture(scope="module")
def operator_headers():
    """Builds the primary (stations, one company, an operator's session), copies it as the
    replica, and renames the station and the company in the replica only. The operator's session
    exists on both: it is revoked on the replica, so only a primary read lets the operator in."""
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{REPLICA_URL.database}" WITH (FORCE)')
    recreate_postgres_database(PRIMARY_URL.render_as_string(hide_password=False))
    with the_runs_clock():
        primary = build_app(PRIMARY_URL.render_as_string(hide_password=False))
        with primary.app_context():
            headers = bearer(make_user(OPERATOR))
        company = {"name": "主库里的家政服务有限公司", "credit_code": new_credit_code(), "district_code": "440106"}
        assert primary.test_client().post("/api/v1/companies", json=company, headers=headers).status_code == 201
    with primary.app_context():
        db.engine.dispose()
    with admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{REPLICA_URL.database}" TEMPLATE "{PRIMARY_URL.database}"')
    with psycopg.connect(REPLICA_URL.set(drivername="postgresql").render_as_string(hide_password=False)) as replica:
        replica.execute("UPDATE stations SET name = %s WHERE code = %s", (ON_THE_REPLICA, STATION))
        replica.execute("UPDATE companies SET name = %s", (ON_THE_REPLICA,))
        replica.execute("UPDATE auth_sessions SET revoked_at = now()")
    return headers


def app_reading(replica_url=None, **settings):
    app = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": PRIMARY_URL.render_as_string(hide_password=False),
            "DATABASE_REPLICA_URL": replica_url,
            "STATIONS_VERSION_TTL": 0,
            **UNLIMITED,
            **settings,
        }
    )
    return app


def station_name_in_list(client) -> str:
    response = client.get("/api/v1/stations")
    assert response.status_code == 200
    return next(item["name"] for item in response.json["items"] if item["code"] == STATION)


def nearest_name(client) -> str:
    located = client.get(f"/api/v1/stations/{STATION}").json["location"]
    response = client.get(f"/api/v1/stations/nearest?lat={located['lat']}&lng={located['lng']}&limit=1")
    assert response.status_code == 200
    return response.json["items"][0]["name"]


def company_names(client) -> set[str]:
    response = client.get("/api/v1/companies")
    assert response.status_code == 200
    return {item["name"] for item in response.json["items"]}


def test_without_a_replica_every_read_goes_to_the_primary(operator_headers):
    client = app_reading().test_client()

    assert station_name_in_list(client) != ON_THE_REPLICA
    assert nearest_name(client) != ON_THE_REPLICA
    assert company_names(client) == {"主库里的家政服务有限公司"}
    assert client.get("/api/v1/statistics/companies", headers=operator_headers).status_code == 200


def test_the_map_the_company_list_and_the_statistics_read_the_replica(operator_headers):
    app = app_reading(REPLICA_URL.render_as_string(hide_password=False))
    client = app.test_client()

    assert station_name_in_list(client) == ON_THE_REPLICA
    assert nearest_name(client) == ON_THE_REPLICA
    assert company_names(client) == {ON_THE_REPLICA}
    with statements_on(app.extensions["replica"].engine) as on_the_replica:
        # The operator's session is revoked on the replica: a 200 says it was read on the primary.
        assert client.get("/api/v1/statistics/companies", headers=operator_headers).status_code == 200
    assert any("companies" in statement for statement in on_the_replica)
    assert not any("auth_sessions" in statement for statement in on_the_replica)


def test_reads_that_decide_something_stay_on_the_primary(operator_headers):
    client = app_reading(REPLICA_URL.render_as_string(hide_password=False)).test_client()

    assert client.get(f"/api/v1/stations/{STATION}").json["name"] != ON_THE_REPLICA
    assert client.get("/api/v1/me", headers=operator_headers).status_code == 200


def test_a_replica_that_refuses_connections_is_skipped_and_reads_answer_from_the_primary(operator_headers):
    closed_port = free_port()
    app = app_reading(PRIMARY_URL.set(port=closed_port, database="anything").render_as_string(hide_password=False))
    client = app.test_client()

    assert station_name_in_list(client) != ON_THE_REPLICA
    assert app.extensions["replica"].is_skipped()
    assert company_names(client) == {"主库里的家政服务有限公司"}
    assert client.get("/api/v1/statistics/companies", headers=operator_headers).status_code == 200


def test_a_replica_that_goes_away_between_requests_costs_no_error():
    proxy = Blackhole(PRIMARY_URL.port or 5432, PRIMARY_URL.host or "127.0.0.1")
    app = app_reading(REPLICA_URL.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    client = app.test_client()
    assert station_name_in_list(client) == ON_THE_REPLICA  # a pooled connection to the replica now

    proxy.close()

    assert station_name_in_list(client) != ON_THE_REPLICA
    assert app.extensions["replica"].is_skipped()


def test_a_hung_replica_holds_one_request_for_the_connect_timeout_and_the_next_ones_not_at_all():
    proxy = Blackhole(PRIMARY_URL.port or 5432, PRIMARY_URL.host or "127.0.0.1")
    proxy.stop_forwarding()
    app = app_reading(
        REPLICA_URL.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        DATABASE_REPLICA_RETRY_SECONDS=60,
    )
    client = app.test_client()
    try:
        started = time.monotonic()
        assert station_name_in_list(client) != ON_THE_REPLICA
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(5):
            assert company_names(client) == {"主库里的家政服务有限公司"}
        next_five = time.monotonic() - started
    finally:
        proxy.close()

    assert 1.5 < first < 5
    assert next_five < 2
