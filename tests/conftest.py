"""Test fixtures: the app on each database backend, created once per session; every test runs
inside a transaction that is rolled back, so tests never see each other's writes."""

import os
import tempfile

import pytest
from sqlalchemy import orm

from app.extensions import db
from tests.factories import POSTGRES_URL, bearer, build_app, make_user, recreate_postgres_database, the_runs_clock

# Fixtures more than one folder uses; builders and constants are in tests/factories.py.
pytest_plugins = [
    "tests.plugins.credit",
    "tests.plugins.booking",
    "tests.plugins.wechat",
    "tests.plugins.verification",
    "tests.plugins.storage",
    "tests.plugins.training",
    "tests.plugins.feed",
    "tests.plugins.statistics",
]


def pytest_configure(config):
    """The suite runs as APP_ENV=test whatever the shell says: without it an app starts as
    production and refuses to run without production's settings. Tests of another environment
    say so in their app's settings."""
    os.environ["APP_ENV"] = "test"
    # Files uploaded by any app of the run land in a folder of the run's own, not in instance/.
    os.environ["STORAGE_LOCAL_PATH"] = tempfile.mkdtemp(prefix="yangcheng-files-")


@pytest.fixture
def hold_the_day():
    """Whether a test's clock is held in the day the run began (tests/faults, whose servers run in
    processes of their own with the real clock, say no)."""
    return True


@pytest.fixture(autouse=True)
def beijing_noon(hold_the_day):
    """Each test runs at noon in Beijing of the day the run began, plus the time the run has taken
    so far, the clock ticking on: "today", "tomorrow" and a certificate's expiry mean the same
    in the first test and the last, even when the run crosses midnight. time-machine moves this
    process's clock only (threads included), not the database's or another process's, and no
    code here asks those for the time."""
    if not hold_the_day:
        yield
        return
    with the_runs_clock():
        yield


@pytest.fixture(scope="session", params=["postgis", "spatialite"])
def app(request, tmp_path_factory):
    with the_runs_clock():  # the stations it imports are stamped no later than any test's clock
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

    def log_in(role=None, **scope):
        with app.app_context():
            return bearer(make_user(role, **scope))

    return log_in


@pytest.fixture
def count_statements(app):
    """`with count_statements() as statements:` ... `len(statements)`: the SQL statements the app
    sent meanwhile (savepoint bookkeeping aside), to prove a list costs the same at 1 row and at 50."""
    from tests.factories import statements_on

    def counting():
        with app.app_context():
            engine = db.engine
        return statements_on(engine, keep=lambda statement: "SAVEPOINT" not in statement.upper())

    return counting
