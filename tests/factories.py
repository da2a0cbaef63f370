"""Builds users with roles and session tokens the way the app would, for tests to act as them."""

import itertools

from accounts.models import User
from accounts.services import grant_role, start_session
from app.extensions import db
from app.privacy import blind_index

_openids = itertools.count(1)


def make_user(role: str | None = None, *, station_code: str | None = None, company_id: int | None = None,
              phone: str | None = None) -> User:
    user = User(openid=f"test-openid-{next(_openids)}", phone=phone, phone_hash=phone and blind_index(phone))
    db.session.add(user)
    db.session.flush()
    if role:
        grant_role(user, role, station_code=station_code, company_id=company_id)
    db.session.commit()
    return user


def bearer(user: User) -> dict:
    token = start_session(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}
