"""Per-client rate limits on the paths worth abusing: login, booking creation, complaints, scans.

Counts live in Redis when it is configured, so every app process shares them; in the embedded
default, or while Redis is unreachable, each process counts in memory (a degraded limit is
better than none, and better than refusing service). Built on `limits`, the library under
Flask-Limiter: Flask-Limiter keeps one storage per process on a module-level object, which cannot
serve two apps at once (both database backends in the test suite), while here each app holds its
own limiter.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import redis
from flask import Response, after_this_request, current_app, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.errors import TooManyRequests
from app.i18n import _
from app.privacy import blind_index


def init_rate_limits(app) -> None:
    """Counts go through the app's Redis connections (app.redis), so a sick Redis trips the same
    breaker and the limits fall back to this process's counts at once."""
    url = app.config["REDIS_URL"]
    client = app.extensions["redis"]
    shared = storage_from_string(url, connection_pool=client.connection_pool) if url else None
    app.extensions["rate_limiters"] = {
        "shared": FixedWindowRateLimiter(shared) if shared else None,
        "local": FixedWindowRateLimiter(MemoryStorage()),
    }


def client_key() -> str:
    """The caller's address (the load balancer's X-Forwarded-For entry when TRUSTED_PROXY_COUNT is
    set), keyed-hashed: counters need to tell clients apart, not to know their IP addresses."""
    return blind_index(request.remote_addr or "-")[:24]


@dataclass(frozen=True)
class Reservation:
    """One request counted against a limit, which can be given back."""

    limiter: FixedWindowRateLimiter
    limit: RateLimitItem
    scope: str
    key: str

    def give_back(self) -> None:
        try:
            self.limiter.storage.incr(self.limit.key_for(self.scope, self.key), self.limit.get_expiry(), amount=-1)
        except redis.RedisError:
            pass  # the count stays: a caller loses one request of the window, never gains one

    def seconds_to_wait(self) -> int:
        reset_at = self.limiter.get_window_stats(self.limit, self.scope, self.key).reset_time
        return max(1, math.ceil(reset_at - time.time()))


def reserve(limit_text: str, scope: str, key: str) -> tuple[Reservation, bool]:
    """Counts one request against a limit such as "10/minute"; says whether it was within it."""
    limit = parse(limit_text)
    limiters = current_app.extensions["rate_limiters"]
    limiter = limiters["shared"] or limiters["local"]
    try:
        allowed = limiter.hit(limit, scope, key)
    except redis.RedisError:
        limiter = limiters["local"]
        allowed = limiter.hit(limit, scope, key)
    return Reservation(limiter, limit, scope, key), allowed


def retry_after(limit_text: str, scope: str, key: str) -> int | None:
    """Counts one request against a limit such as "10/minute"; returns the seconds to wait when
    over it, else None."""
    reservation, allowed = reserve(limit_text, scope, key)
    return None if allowed else reservation.seconds_to_wait()


def too_many_requests(seconds: int, what: str) -> TooManyRequests:
    return TooManyRequests(
        _("Too many %(what)s from this client; try again in %(seconds)s s.", what=what, seconds=seconds),
        retry_after=seconds,
    )


def every_attempt(response: Response) -> bool:
    """Each attempt the view answered counts, whatever the answer (a login costs a call to WeChat
    even when it fails)."""
    return True


def created_something(response: Response) -> bool:
    """Only an answer that made something new counts: 201 Created. A replay of a stored answer
    (an Idempotency-Key's booking is answered 200), a refusal (4xx) and a failure (5xx) made
    nothing, so they cost the caller nothing."""
    return response.status_code == 201


def rate_limited(setting: str, what: str, key=client_key, counts: Callable[[Response], bool] = every_attempt):
    """Refuses with 429 and Retry-After once the caller (by `key`) has used up the limit configured
    under `setting`; a refused request does not count. Each request takes its place in the count
    before the view runs, so concurrent requests cannot all slip under the limit, and gives it
    back when its final answer (after the commit) is one that `counts` says does not count."""

    def decorator(view):
        @wraps(view)
        def limited_view(*args, **kwargs):
            reservation, allowed = reserve(current_app.config[setting], view.__qualname__, key())
            if not allowed:
                reservation.give_back()
                raise too_many_requests(reservation.seconds_to_wait(), what)

            @after_this_request
            def settle(response):
                if not counts(response):
                    reservation.give_back()
                return response

            return view(*args, **kwargs)

        return limited_view

    return decorator
