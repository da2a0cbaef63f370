"""The optional Redis connection; nothing requires it when REDIS_URL is unset."""

import redis
from flask import current_app


def init_redis(app) -> None:
    url = app.config["REDIS_URL"]
    app.extensions["redis"] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) if url else None


def redis_client() -> redis.Redis | None:
    return current_app.extensions["redis"]


def redis_is_reachable() -> bool:
    try:
        return bool(redis_client().ping())
    except redis.RedisError:
        return False
