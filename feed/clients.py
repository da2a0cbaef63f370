"""The receiving platforms and their API keys: a key is shown once, when made, and kept only as
its SHA-256 (a random 256-bit key needs no slow hash); a revoked key is refused at once.
The feed is pulled with `Authorization: ApiKey <key>`, never with a user's session."""

import secrets
from functools import wraps

from flask import g, request
from sqlalchemy import select

from accounts.services import hash_token
from app.clock import utcnow
from app.errors import Conflict, NotFound, NotLoggedIn
from app.extensions import db
from app.i18n import _
from feed.models import FeedClient

SCHEME = "ApiKey"
KEY_BYTES = 32
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": f'{SCHEME} realm="public-credit-feed"'}
API_KEY_SECURITY: list[dict[str, list[str]]] = [{"feedApiKey": []}]
API_KEY_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "Authorization",
    "description": "The receiving platform's own key: `Authorization: ApiKey <key>` (flask feed add-client)",
}


def add_client(name: str) -> tuple[FeedClient, str]:
    """A new receiving platform and its key, which is returned here and nowhere else."""
    if db.session.scalar(select(FeedClient.id).where(FeedClient.name == name)) is not None:
        raise Conflict(_("A feed client of this name already exists."), code="duplicate_feed_client", field="name")
    key = secrets.token_urlsafe(KEY_BYTES)
    client = FeedClient(name=name, key_hash=hash_token(key), created_at=utcnow())
    db.session.add(client)
    db.session.flush()
    return client, key


def revoke_client(name: str) -> FeedClient:
    client = db.session.scalar(select(FeedClient).where(FeedClient.name == name))
    if client is None:
        raise NotFound(_("No feed client of this name."), code="unknown_feed_client", field="name")
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        db.session.flush()
    return client


def client_of_request() -> FeedClient:
    """The platform whose key the request carries; 401 when it carries none, an unknown one or a
    revoked one, each with its own code."""
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != SCHEME.lower() or not key:
        raise NotLoggedIn(
            _("Send the feed's API key as Authorization: ApiKey <key>."),
            code="api_key_missing",
            headers=UNAUTHORIZED_HEADERS,
        )
    client = db.session.scalar(select(FeedClient).where(FeedClient.key_hash == hash_token(key)))
    if client is None:
        raise NotLoggedIn(_("This API key is not valid."), code="api_key_invalid", headers=UNAUTHORIZED_HEADERS)
    if client.revoked_at is not None:
        raise NotLoggedIn(_("This API key has been revoked."), code="api_key_revoked", headers=UNAUTHORIZED_HEADERS)
    return client


def api_key_required(view):
    """The key checked before the query is read (a 401, not a 422, for a caller without one)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.feed_client = client_of_request()
        return view(*args, **kwargs)

    return wrapper
