"""The optional read replica, for the reads that may be a second stale.

A view marked `@reads_may_lag` (the station list, nearest, the public company list, the
statistics) reads from DATABASE_REPLICA_URL, a streaming replica of DATABASE_URL. Everything else
(the scan's standing, bookings, assignment, sessions, rate limits) reads the primary, the one copy
that is never behind: a suspension or a taken place must be seen at once. Unset, every view reads
the primary.

A replica that is down or unreachable costs little and never fails a request: a connection waits
at most DATABASE_REPLICA_CONNECT_TIMEOUT_SECONDS (2 s, libpq's floor), a view whose replica read
fails runs again on the primary, and the process then reads the primary alone for
DATABASE_REPLICA_RETRY_SECONDS before it tries the replica again (the log says `replica did not
answer`).
"""

import logging
import time
from functools import wraps

import flask_sqlalchemy.session
from flask import Flask, current_app
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import InterfaceError, OperationalError

log = logging.getLogger(__name__)
# What a replica that is down, restarting, unreachable or cancelling reads during recovery raises.
REPLICA_FAILURES = (OperationalError, InterfaceError)
_REPLICA_ENGINE = "replica_engine"


class Replica:
    """The replica's engine, and whether this process skips it for a while after it failed."""

    def __init__(self, engine: Engine, retry_seconds: float):
        self.engine = engine
        self.retry_seconds = retry_seconds
        self.skipped_until = 0.0

    def is_skipped(self) -> bool:
        return time.monotonic() < self.skipped_until

    def skip(self, error: Exception) -> None:
        log.warning(
            "replica did not answer (%s): reading the primary for %s s", type(error).__name__, self.retry_seconds
        )
        self.skipped_until = time.monotonic() + self.retry_seconds


class LaggingReadSession(flask_sqlalchemy.session.Session):
    """db.session's class: while a view marked @reads_may_lag runs, its statements go to the
    replica; before it (the caller's session, checked by blp.requires) and after it, the primary."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        replica = self.info.get(_REPLICA_ENGINE)
        if bind is None and replica is not None:
            return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def init_replica(app: Flask) -> None:
    url = app.config["DATABASE_REPLICA_URL"]
    if not url:
        app.extensions["replica"] = None
        return
    engine = create_engine(
        url,
        # A pooled connection to a replica that restarted is found dead at checkout, not mid-read.
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": app.config["DATABASE_REPLICA_CONNECT_TIMEOUT_SECONDS"],
            # Sent packets unacknowledged this long (a partition) end the connection.
            "tcp_user_timeout": app.config["DATABASE_REPLICA_CONNECT_TIMEOUT_SECONDS"] * 1000,
        },
    )
    app.extensions["replica"] = Replica(engine, app.config["DATABASE_REPLICA_RETRY_SECONDS"])


def reads_may_lag(view):
    """Marks a view whose reads may be a second stale: they go to the replica when one is
    configured and answering, else to the primary. Only for views that read; a replica refuses
    writes."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        from app.extensions import db

        replica: Replica | None = current_app.extensions["replica"]
        if replica is None or replica.is_skipped():
            return view(*args, **kwargs)
        session = db.session()
        session.info[_REPLICA_ENGINE] = replica.engine
        try:
            return view(*args, **kwargs)
        except REPLICA_FAILURES as error:
            replica.skip(error)
            session.info.pop(_REPLICA_ENGINE, None)
            session.rollback()
            return view(*args, **kwargs)
        finally:
            session.info.pop(_REPLICA_ENGINE, None)

    return wrapper
