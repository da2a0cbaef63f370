"""Database engine set-up that depends on the backend.

The embedded default is SQLite with the SpatiaLite extension; PostgreSQL + PostGIS needs nothing
beyond the extension being created by the first migration.
"""

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

import psycopg
from flask import current_app, has_request_context, request
from geoalchemy2 import load_spatialite
from psycopg.rows import namedtuple_row
from sqlalchemy import DateTime, Engine, Select, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_AFTER_COMMIT = "after_commit_callbacks"
_AFTER_ROLLBACK = "after_rollback_callbacks"


def after_commit(callback: Callable[[], None], session: Session | None = None) -> None:
    """Runs `callback` once the transaction of `session` (the request's, by default) has
    committed, and never if it rolls back: what leaves the process (a message handed to a queue,
    a new cache version) must describe data that exists. A callback registered twice in one
    transaction runs once."""
    if session is None:
        from app.extensions import db

        session = db.session()
    session.info.setdefault(_AFTER_COMMIT, {})[callback] = None


def after_rollback(callback: Callable[[], None], session: Session | None = None) -> None:
    """Runs `callback` once the transaction of `session` (the request's, by default) ends without
    committing (rolled back, or the session closed with it open), and never if it commits: what
    was put outside the database for a row (a stored file) goes when the row does not come."""
    if session is None:
        from app.extensions import db

        session = db.session()
    session.info.setdefault(_AFTER_ROLLBACK, {})[callback] = None


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_ROLLBACK, None)
    for callback in session.info.pop(_AFTER_COMMIT, {}):
        callback()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


@event.listens_for(Session, "after_transaction_end")
def _run_after_rollback(session: Session, transaction) -> None:
    """Whatever the way a session's outermost transaction ended without its commit (rollback,
    close, a failed flush), the callbacks waiting for a commit are left to run here."""
    if transaction.parent is None:
        for callback in session.info.pop(_AFTER_ROLLBACK, {}):
            callback()


def writes_on_read(view):
    """Marks a GET view that writes (a read kept on record in a table of its own, such as a pull
    of the public-credit feed), so that on SQLite it takes the write lock at once like any write."""
    view.writes_on_read = True
    return view


def _request_writes() -> bool:
    if not has_request_context():
        return False
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return request.method not in READ_ONLY_METHODS or getattr(view, "writes_on_read", False)


def configure_spatial_backend(app, db) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    # geoalchemy2 reads the module path from the environment.
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", app.config["SPATIALITE_LIBRARY_PATH"])

    @event.listens_for(engine, "connect")
    def load_spatial_extension(dbapi_connection, _record):
        # pysqlite's own transaction handling breaks savepoints; SQLAlchemy emits BEGIN instead.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA busy_timeout = 5000")
        # Several gunicorn workers read while one writes.
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.enable_load_extension(True)
        # WGS84 mode loads only the WGS-84 reference systems; the full EPSG set takes seconds.
        load_spatialite(dbapi_connection, init_mode="WGS84")
        dbapi_connection.enable_load_extension(False)

    @event.listens_for(engine, "begin")
    def begin_transaction(connection):
        # A request that writes takes SQLite's write lock at its first statement, so concurrent
        # writers queue (busy_timeout) and each sees the one before it. A deferred BEGIN would let
        # two of them read the same snapshot, and the second would fail at its first write.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _request_writes() else "BEGIN")


def read_one(db, statement: Select, params: dict):
    """The one row (or None) of `statement`, read on PostgreSQL in one round trip outside any
    transaction: no BEGIN, no COMMIT, no ORM result, for a public path that reads one row and
    must see every commit made before it (the scan). Its columns are read by name, as from a Core
    row; column types come from the driver (dates, aware moments, decoded JSON), not from
    TypeDecorators. A session that already holds a transaction, or is bound to one connection
    (a caller's own transaction), reads in it; so does SQLite."""
    session = db.session()
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or not isinstance(bind, Engine) or session.in_transaction():
        return session.execute(statement, params).one_or_none()
    sql = _compiled_sql(statement, bind)
    pooled = bind.raw_connection()
    driver = cast(psycopg.Connection, pooled.driver_connection)
    try:
        driver.autocommit = True
        with driver.cursor(row_factory=namedtuple_row) as cursor:
            return cursor.execute(sql, params, prepare=True).fetchone()
    except psycopg.OperationalError as error:  # the database went away: a 503, as from the ORM
        pooled.invalidate()
        raise OperationalError(sql, params, error) from error
    finally:
        if not driver.closed:
            driver.autocommit = False
        pooled.close()


def _compiled_sql(statement: Select, engine: Engine) -> str:
    """A statement's SQL, compiled once per process: building its cache key on every execution
    costs more than the read itself."""
    compiled = _COMPILED.get(statement)
    if compiled is None:
        compiled = _COMPILED[statement] = str(statement.compile(engine))
    return compiled


_COMPILED: dict[Select, str] = {}


def forget_inherited_connections(app) -> None:
    """In a process forked from the one that created `app` (a gunicorn worker of a preloaded app):
    its engines start with empty pools, leaving the parent's connections, if any, to the parent; a
    socket two processes write to corrupts both conversations. Redis's pool does the same by itself
    when it sees a new process id."""
    from app.extensions import db

    with app.app_context():
        engines = list(db.engines.values())
    replica = app.extensions.get("replica")
    if replica is not None:
        engines.append(replica.engine)
    for engine in engines:
        engine.dispose(close=False)


def database_is_reachable(db) -> bool:
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except Exception:  # any failure means "not ready"; /readyz reports it, it does not raise
        return False


class UtcDateTime(TypeDecorator):
    """A moment in time, stored as UTC and always read back with its offset. PostgreSQL keeps the
    offset itself; SQLite keeps none, so without this a moment read there would be naive and a
    moment written in Beijing time would be stored as if it were UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        """A datetime, as its impl says (a TypeDecorator says `object`): a cursor's moment is read as one."""
        return datetime

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("a moment needs its time zone; use datetime.now(timezone.utc)")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect):
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
