"""Liveness and readiness probes for the load balancer."""

from flask import Blueprint, current_app

from app.database import database_is_reachable
from app.errors import Unavailable
from app.extensions import db
from app.i18n import _
from app.redis import redis_is_reachable

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    """The process answers; touches nothing else."""
    return {"status": "ok"}


@health.get("/readyz")
def readyz():
    """Ready when the database answers, and Redis too when one is configured."""
    checks = {"database": "ok" if database_is_reachable(db) else "unavailable"}
    if current_app.config["REDIS_URL"]:
        checks["redis"] = "ok" if redis_is_reachable() else "unavailable"
    failing = sorted(name for name, state in checks.items() if state != "ok")
    if failing:
        raise Unavailable(
            _("Not ready: %(failing)s unavailable", failing=", ".join(failing)),
            code="not_ready",
            retry_after=5,
            errors={name: [checks[name]] for name in failing},
        )
    return {"status": "ready", "checks": checks}
