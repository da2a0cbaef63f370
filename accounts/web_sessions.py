"""The console's log-in by a mini-program code, its browser sessions and their CSRF tokens.

A browser asks for a ticket and shows its scene as a code; the person scans it and approves it
from the mini-program with their existing session (POST /api/v1/auth/web-tickets/{ticket}/approve);
the browser, which alone holds the ticket's secret, then receives a web session once. Callers
commit; these functions only flush."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import joinedload

from accounts.models import CONSOLE_ROLES, User, WebLoginTicket, WebSession
from accounts.services import hash_token
from app.clock import utcnow
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.i18n import _

SCENE_PREFIX = "t"  # a worker's scene starts with w, a station's is 12 digits: a ticket's is told apart


@dataclass(frozen=True)
class NewTicket:
    ticket: WebLoginTicket
    browser_secret: str  # in the browser's cookie only; the table keeps its hash


# A ticket is kept a while after it expires, so a late poll or approval is told it expired.
TICKETS_KEPT_AFTER_EXPIRY = timedelta(hours=1)


def create_ticket(requested_from: str | None = None, browser: str | None = None) -> NewTicket:
    """A new log-in code; every page view of the log-in page makes one, so the long expired are
    removed here (their sessions, if any, are web_sessions of their own)."""
    db.session.execute(delete(WebLoginTicket).where(WebLoginTicket.expires_at < utcnow() - TICKETS_KEPT_AFTER_EXPIRY))
    # 24 URL-safe characters: within WeChat's 32 visible characters of a scene, 144 bits.
    secret = secrets.token_urlsafe(32)
    lifetime = timedelta(minutes=current_app.config["CONSOLE_TICKET_MINUTES"])
    ticket = WebLoginTicket(
        scene=SCENE_PREFIX + secrets.token_urlsafe(18),
        browser_secret_hash=hash_token(secret),
        requested_from=(requested_from or "")[:45] or None,
        browser=(browser or "")[:200] or None,
        expires_at=utcnow() + lifetime,
    )
    db.session.add(ticket)
    db.session.flush()
    return NewTicket(ticket, secret)


def ticket_to_approve(scene: str, *, lock: bool = False) -> WebLoginTicket:
    """The ticket a scanned code names, for the mini-program to show where it is being shown."""
    query = select(WebLoginTicket).where(WebLoginTicket.scene == scene)
    ticket = db.session.scalar(query.with_for_update() if lock else query)
    if ticket is None:
        raise NotFound(_("No console log-in code %(ticket)s.", ticket=scene), code="unknown_ticket")
    return ticket


def approve_ticket(scene: str, user: User) -> WebLoginTicket:
    """The person logged in to the mini-program lets the browser showing this code in as them.
    Only someone holding a console role may; a ticket is approved once, before it expires."""
    ticket = ticket_to_approve(scene, lock=True)
    if not any(role in CONSOLE_ROLES for role in user.roles):
        raise Forbidden(
            _("Only station staff, company admins and operators can log in to the console."),
            code="console_role_required",
        )
    if ticket.approved_at is not None:
        raise Conflict(_("This log-in code was approved already."), code="ticket_used")
    if ticket.expires_at <= utcnow():
        raise Conflict(
            _("This log-in code has expired: reload the console's page for a new one."), code="ticket_expired"
        )
    ticket.approved_by_id, ticket.approved_at = user.id, utcnow()
    db.session.flush()
    return ticket


def ticket_of_browser(browser_secret: str) -> WebLoginTicket | None:
    return db.session.scalar(
        select(WebLoginTicket).where(WebLoginTicket.browser_secret_hash == hash_token(browser_secret))
    )


def session_for_approved_ticket(ticket: WebLoginTicket) -> str | None:
    """The web session token, once, for an approved ticket; None while it waits. The update is
    conditional, so two polls at the same moment cannot both receive a session."""
    if ticket.approved_by is None:
        return None
    taken: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(WebLoginTicket)
        .where(WebLoginTicket.id == ticket.id, WebLoginTicket.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if taken.rowcount != 1:
        return None
    return start_web_session(ticket.approved_by)


def start_web_session(user: User) -> str:
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=current_app.config["CONSOLE_SESSION_HOURS"])
    db.session.add(WebSession(token_hash=hash_token(token), user=user, expires_at=utcnow() + lifetime))
    user.last_login_at = utcnow()
    db.session.flush()
    return token


def find_web_session(token: str) -> WebSession | None:
    """The live web session for a cookie's token, or None when unknown, ended or expired."""
    session = db.session.get(
        WebSession, hash_token(token), options=[joinedload(WebSession.user).joinedload(User.grants)]
    )
    if session is None or session.revoked_at is not None or session.expires_at <= utcnow():
        return None
    return session


def end_web_session(session: WebSession) -> None:
    session.revoked_at = utcnow()
    db.session.flush()


def csrf_token(binding: str) -> str:
    """The token every console form and htmx request carries, bound to the browser's session (or,
    before log-in, its ticket's secret): a page of another site cannot know it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"console-csrf:" + hashlib.sha256(binding.encode()).digest(), "sha256").hexdigest()
