"""Test fixtures: the app on each database backend, created once per session; every test runs
inside a transaction that is rolled back, so tests never see each other's writes."""

import csv
import os
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import orm
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from stations.importer import StationImportReport, import_stations, validate_station_rows

STATIONS_CSV = Path(__file__).resolve().parent.parent / "stations" / "data" / "gz_streets.csv"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


# Every test client calls from 127.0.0.1: the shared apps lift the limits, which the rate-limit
# tests set on apps of their own.
UNLIMITED = {"SCAN_RATE_LIMIT_PER_MINUTE": 1_000_000, "LOGIN_RATE_LIMIT": "1000000/minute",
             "BOOKING_RATE_LIMIT": "1000000/minute", "COMPLAINT_RATE_LIMIT": "1000000/minute"}


def recreate_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{target.database}"')


def load_stations(path: Path) -> StationImportReport:
    with path.open(encoding="utf-8-sig") as csv_file:
        valid, rejected = validate_station_rows(csv.DictReader(csv_file))
    assert not rejected
    report = import_stations(valid, StationImportReport())
    db.session.commit()
    return report


def build_app(database_url: str, **settings):
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": database_url,
                      "STATIONS_VERSION_TTL": 0, **UNLIMITED, **settings})
    with app.app_context():
        upgrade()  # the migrations themselves are under test on both backends
        load_stations(STATIONS_CSV)
    return app


@pytest.fixture(scope="session", params=["postgis", "spatialite"])
def app(request, tmp_path_factory):
    if request.param == "postgis":
        recreate_postgres_database(POSTGRES_URL)
        application = build_app(POSTGRES_URL)
    else:
        application = build_app(f"sqlite:///{tmp_path_factory.mktemp('spatialite') / 'test.sqlite3'}")
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def isolated(app):
    """Binds the session to one connection whose transaction is rolled back after the test;
    commits inside the app only release a savepoint. No app context stays pushed, so each request
    gets its own, as in production."""
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    shared_session = db.session
    # A plain Session: Flask-SQLAlchemy's own would ignore `bind` and pick the engine.
    db.session = orm.scoped_session(orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    try:
        yield connection
    finally:
        db.session.remove()
        db.session = shared_session
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app, isolated):
    return app.test_client()


@pytest.fixture
def cli(app, isolated):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.fixture
def login(app, isolated):
    """login(role=None, station_code=..., company_id=..., phone=...) -> Authorization headers of a
    new user holding that role (every user is also a resident)."""
    from tests.factories import bearer, make_user

    def log_in(role=None, **scope):
        with app.app_context():
            return bearer(make_user(role, **scope))

    return log_in


@pytest.fixture
def count_statements(app):
    """`with count_statements() as statements:` ... `len(statements)`: the SQL statements the app
    sent meanwhile (savepoint bookkeeping aside), to prove a list costs the same at 1 row and at 50."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        with app.app_context():
            engine = db.engine
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            if "SAVEPOINT" not in statement.upper():
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
