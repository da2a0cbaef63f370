"""Who is calling, and may they? Enforced on the server for every write.

Views declare what they need with @login_required or @roles_required(...); scope checks (this
station's staff, this company's admin) use the Principal's station_code and company_id.
"""

from dataclasses import dataclass, field
from functools import wraps

from flask import abort, g, request
from werkzeug.exceptions import Unauthorized

from accounts.models import COMPANY_ADMIN, RESIDENT, STATION_STAFF, AuthSession, User
from accounts.services import find_session
from app.rate_limits import client_key

BEARER_SECURITY = [{"bearerAuth": []}]
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="yangcheng"'}


@dataclass(frozen=True)
class Principal:
    user: User
    session: AuthSession
    roles: frozenset[str] = field(default_factory=frozenset)
    station_code: str | None = None
    company_id: int | None = None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def current_principal() -> Principal | None:
    """The caller, from the Authorization: Bearer header; None for anonymous callers."""
    if "principal" not in g:
        token = _bearer_token()
        session = find_session(token) if token else None
        g.principal = None if session is None else _principal_for(session)
    return g.principal


def _principal_for(session: AuthSession) -> Principal:
    grants = session.user.grants
    return Principal(
        user=session.user,
        session=session,
        roles=frozenset({RESIDENT, *(grant.role for grant in grants)}),
        station_code=next((grant.station_code for grant in grants if grant.role == STATION_STAFF), None),
        company_id=next((grant.company_id for grant in grants if grant.role == COMPANY_ADMIN), None),
    )


def caller_key() -> str:
    """Rate limits count a logged-in caller as their user, anyone else by address."""
    principal = current_principal()
    return f"user:{principal.user.id}" if principal else client_key()


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        error = Unauthorized("Log in first: send the session token as Authorization: Bearer <token>.")
        error.data = {"headers": UNAUTHORIZED_HEADERS}
        raise error
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
                abort(403, description=f"This needs the role {' or '.join(roles)}.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
