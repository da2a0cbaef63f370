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
from functools import wraps

import redis
from flask import current_app, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.errors import TooManyRequests
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


def retry_after(limit_text: str, scope: str, key: str) -> int | None:
    """Counts one request against a limit such as "10/minute"; returns the seconds to wait when
    over it, else None."""
    limit: RateLimitItem = parse(limit_text)
    limiters = current_app.extensions["rate_limiters"]
    limiter = limiters["shared"] or limiters["local"]
    try:
        allowed = limiter.hit(limit, scope, key)
    except redis.RedisError:
        limiter = limiters["local"]
        allowed = limiter.hit(limit, scope, key)
    if allowed:
        return None
    reset_at = limiter.get_window_stats(limit, scope, key).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def too_many_requests(seconds: int, what: str) -> TooManyRequests:
    return TooManyRequests(f"Too many {what} from this client; try again in {seconds} s.", retry_after=seconds)


def rate_limited(setting: str, what: str, key=client_key):
    """Refuses with 429 and Retry-After once the caller (by `key`) exceeds the limit configured
    under `setting`."""

    def decorator(view):
        @wraps(view)
        def limited_view(*args, **kwargs):
            seconds = retry_after(current_app.config[setting], view.__qualname__, key())
            if seconds:
                raise too_many_requests(seconds, what)
            return view(*args, **kwargs)

        return limited_view

    return decorator
