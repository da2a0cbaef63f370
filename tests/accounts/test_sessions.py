"""Sessions and roles as a logged-in person sees them."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import AuthSession, RoleGrant
from accounts.services import grant_role
from app.clock import utcnow
from app.extensions import db
from tests.factories import bearer, make_user


def test_me_shows_my_roles_and_my_phone_masked(client, login):
    headers = login("station_staff", station_code="440106001000", phone="13812345678")
    me = client.get("/api/v1/me", headers=headers).json
    assert me["roles"] == ["resident", "station_staff"]
    assert me["grants"] == [
        {"role": "station_staff", "station_code": "440106001000", "company_id": None, "worker_id": None}
    ]
    assert me["phone"] == "138****5678" and me["has_phone"] is True


def test_without_a_token_me_is_401_with_a_bearer_challenge(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_401(client):
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-session"}).status_code == 401


def test_after_logout_the_token_no_longer_works(client, login):
    headers = login()
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_an_expired_session_is_401(app, client):
    with app.app_context():
        headers = bearer(make_user())
        session = db.session.scalars(select(AuthSession)).one()
        session.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_database_keeps_only_a_hash_of_the_token_and_ciphertext_of_the_phone(app, isolated):
    with app.app_context():
        token = bearer(make_user(phone="13812345678"))["Authorization"].split()[1]
    raw_sessions = isolated.exec_driver_sql("SELECT token_hash FROM auth_sessions").scalars().all()
    raw_phone = isolated.exec_driver_sql("SELECT phone FROM users").scalar_one()
    assert token not in raw_sessions
    assert b"13812345678" not in bytes(raw_phone) and b"5678" not in bytes(raw_phone)


def test_a_clerk_holds_at_most_one_active_station(app, isolated):
    with app.app_context():
        clerk = make_user("station_staff", station_code="440106001000")
        with pytest.raises(IntegrityError):
            grant_role(clerk, "station_staff", station_code="440106002000")
        db.session.rollback()
        assert len(db.session.scalars(select(RoleGrant)).all()) == 1
