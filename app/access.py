"""Who is calling, and may they? Enforced on the server for every read and write that needs it.

Views declare what they need with `blp.requires(*roles)` (app.blueprint), which runs
`login_required` or `roles_required` before the body is read. Scope checks (this station's staff,
this company's admin) live in each feature's `access.py` and use the Principal's station_code and
company_id. Who a bearer token belongs to is accounts' business: it registers the loader at start."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, request

from app.errors import Forbidden, NotLoggedIn
from app.i18n import _
from app.rate_limits import client_key

BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="yangcheng"'}
PrincipalLoader = Callable[[str], "Principal | None"]


@dataclass(frozen=True)
class Principal:
    user: Any  # accounts.models.User
    session: Any  # accounts.models.AuthSession
    roles: frozenset[str] = field(default_factory=frozenset)
    station_code: str | None = None
    company_id: int | None = None
    worker_id: int | None = None  # the worker record a `worker` account is bound to

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def init_access(app: Flask, load_principal: PrincipalLoader) -> None:
    app.extensions["principal_loader"] = load_principal


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def current_principal() -> Principal | None:
    """The caller, from the Authorization: Bearer header; None for anonymous callers."""
    if "principal" not in g:
        token = _bearer_token()
        g.principal = current_app.extensions["principal_loader"](token) if token else None
    return g.principal


def caller_key() -> str:
    """Rate limits count a logged-in caller as their user, anyone else by address."""
    principal = current_principal()
    return f"user:{principal.user.id}" if principal else client_key()


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        raise NotLoggedIn(
            _("Log in first: send the session token as Authorization: Bearer <token>."), headers=UNAUTHORIZED_HEADERS
        )
    return principal


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_principal()
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles: str):
    """401 for anonymous callers, 403 for callers holding none of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not require_principal().has_role(*roles):
                raise Forbidden(_("This needs the role %(roles)s.", roles=" / ".join(roles)), code="role_required")
            return view(*args, **kwargs)

        return wrapper

    return decorator
