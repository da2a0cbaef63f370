"""The optional Redis connection, and the breaker that keeps a sick Redis from slowing everything.

Redis answers in well under a millisecond on a healthy network. When it stops answering (down,
hung, its packets dropped), the first call waits REDIS_TIMEOUT_SECONDS; then, for
REDIS_RETRY_SECONDS, every call in this process fails at once, so each feature takes the path it
takes without Redis (scans from the database, rate limits counted per process, messages left
queued), until one call after that interval finds Redis answering again. Nothing requires Redis
when REDIS_URL is unset. redis-py's own retries are off: a second wait on a Redis that did not
answer the first is what the breaker is there to spare.
"""

import logging
import time

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
UNANSWERED = (redis.ConnectionError, redis.TimeoutError)


class Breaker:
    """Open (calls fail at once) for `retry_seconds` after Redis failed to answer; one process's."""

    def __init__(self, retry_seconds: float):
        self.retry_seconds = retry_seconds
        self.open_until = 0.0

    def check(self) -> None:
        if time.monotonic() < self.open_until:
            raise redis.ConnectionError("Redis is skipped for a few seconds after it failed to answer")

    def trip(self) -> None:
        if time.monotonic() >= self.open_until:
            log.warning("Redis did not answer: skipped for %s s", self.retry_seconds)
        self.open_until = time.monotonic() + self.retry_seconds

    def close(self) -> None:
        self.open_until = 0.0


def guarded_connection_class(breaker: Breaker) -> type[redis.Connection]:
    class GuardedConnection(redis.Connection):
        """A connection that asks the breaker before it connects or sends, and trips it when
        Redis does not answer."""

        def connect(self):
            breaker.check()
            try:
                super().connect()
            except UNANSWERED:
                breaker.trip()
                raise

        def send_packed_command(self, command, check_health=True):
            breaker.check()
            try:
                super().send_packed_command(command, check_health)
            except UNANSWERED:
                breaker.trip()
                raise

        def read_response(self, *args, **kwargs):
            try:
                response = super().read_response(*args, **kwargs)
            except UNANSWERED:
                breaker.trip()
                raise
            breaker.close()
            return response

    return GuardedConnection


def init_redis(app) -> None:
    url = app.config["REDIS_URL"]
    if not url:
        app.extensions["redis"] = None
        return
    timeout = app.config["REDIS_TIMEOUT_SECONDS"]
    pool = redis.ConnectionPool.from_url(
        url,
        connection_class=guarded_connection_class(Breaker(app.config["REDIS_RETRY_SECONDS"])),
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )
    app.extensions["redis"] = redis.Redis(connection_pool=pool)


def redis_client() -> redis.Redis | None:
    return current_app.extensions["redis"]


def redis_is_reachable() -> bool:
    try:
        return bool(redis_client().ping())
    except redis.RedisError:
        return False
