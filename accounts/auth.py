"""Who a bearer token belongs to: the session, its user and the roles the user holds, as the
kernel's Principal (app.access), which every feature's access checks read."""

from accounts.models import COMPANY_ADMIN, STATION_STAFF, WORKER, AuthSession, WebSession
from accounts.services import find_session
from accounts.web_sessions import find_web_session
from app.access import Principal


def principal_for_token(token: str) -> Principal | None:
    session = find_session(token)
    return None if session is None else _principal_for(session)


def principal_for_web_session(token: str) -> Principal | None:
    """The console's caller, from its cookie: the same Principal, with the grants held now."""
    session = find_web_session(token)
    return None if session is None else _principal_for(session)


def _principal_for(session: AuthSession | WebSession) -> Principal:
    grants = session.user.grants
    return Principal(
        user=session.user,
        session=session,
        roles=frozenset(session.user.roles),
        station_code=next((grant.station_code for grant in grants if grant.role == STATION_STAFF), None),
        company_id=next((grant.company_id for grant in grants if grant.role == COMPANY_ADMIN), None),
        worker_id=next((grant.worker_id for grant in grants if grant.role == WORKER), None),
    )
