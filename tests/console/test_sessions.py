"""Logging in to the console: a code approved from the mini-program, the browser's session cookie,
its end at log-out, at expiry and when the role is removed, and the CSRF token every write needs."""

import re
from datetime import timedelta

import time_machine

from accounts.models import RoleGrant
from accounts.services import remove_grant
from app.clock import utcnow
from app.extensions import db
from console.web import LOGIN_COOKIE, SESSION_COOKIE
from tests.factories import STATION_A, STATION_B

TICKET = re.compile(r"<code data-ticket>([^<]+)</code>")


def show_code(client):
    """The log-in page as a browser gets it: the ticket shown in the code and the page's CSRF header."""
    page = client.get("/console/login")
    assert page.status_code == 200
    ticket = TICKET.search(page.get_data(as_text=True))
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.get_data(as_text=True))
    assert ticket and csrf
    return ticket.group(1), {"X-CSRF-Token": csrf.group(1), "HX-Request": "true"}


def approve(client, ticket, headers):
    return client.post(f"/api/v1/auth/web-tickets/{ticket}/approve", headers=headers)


def test_a_code_approved_from_the_mini_program_logs_the_browser_in(app, client, login):
    ticket, polling = show_code(client)
    assert client.post("/console/login/wait", headers=polling).status_code == 200  # still waiting

    answer = approve(app.test_client(), ticket, login("station_staff", station_code=STATION_A))
    assert answer.status_code == 200, answer.json
    assert answer.json["scene"] == ticket

    logged_in = client.post("/console/login/wait", headers=polling)
    assert logged_in.headers["HX-Redirect"] == "/console/"
    cookie = client.get_cookie(SESSION_COOKIE, path="/console")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert client.get_cookie(LOGIN_COOKIE, path="/console") is None
    desk = client.get("/console/desk")
    assert desk.status_code == 200 and "今日工作台" in desk.get_data(as_text=True)


def test_whoever_photographs_the_code_cannot_log_in_with_it(app, client, login):
    ticket, polling = show_code(client)
    approve(app.test_client(), ticket, login("operator"))
    onlooker = app.test_client()
    _, their_polling = show_code(onlooker)

    assert "HX-Redirect" not in onlooker.post("/console/login/wait", headers=their_polling).headers
    assert client.post("/console/login/wait", headers=polling).headers["HX-Redirect"] == "/console/"


def test_a_code_logs_in_once(app, client, login):
    ticket, polling = show_code(client)
    approve(app.test_client(), ticket, login("operator"))
    secret = client.get_cookie(LOGIN_COOKIE, path="/console").value
    assert "HX-Redirect" in client.post("/console/login/wait", headers=polling).headers
    client.delete_cookie(SESSION_COOKIE, path="/console")
    client.set_cookie(LOGIN_COOKIE, secret, path="/console")  # the ticket's cookie, kept

    again = client.post("/console/login/wait", headers=polling)
    assert again.status_code == 286 and "HX-Redirect" not in again.headers  # 286: the page stops polling


def test_a_resident_cannot_approve_a_console_login(app, client, login):
    ticket, _ = show_code(client)
    refused = approve(app.test_client(), ticket, login())
    assert refused.status_code == 403
    assert refused.json["code"] == "role_required"


def test_an_unknown_used_or_expired_code_is_refused_saying_so(app, client, login):
    operator = login("operator")
    assert approve(client, "tNoSuchTicket", operator).json["code"] == "unknown_ticket"
    ticket, _ = show_code(client)
    assert approve(client, ticket, operator).status_code == 200
    used = approve(client, ticket, operator)
    assert (used.status_code, used.json["code"]) == (409, "ticket_used")

    late_ticket, _ = show_code(client)
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        late = approve(client, late_ticket, operator)
    assert (late.status_code, late.json["code"]) == (409, "ticket_expired")
    assert late.json["detail"] == "此登录码已过期：请刷新控制台页面获取新码。"


def test_logging_out_ends_the_session(client, console_session):
    csrf = console_session(client, "operator")
    token = client.get_cookie(SESSION_COOKIE, path="/console").value
    assert client.post("/console/logout", headers=csrf).status_code == 303

    client.set_cookie(SESSION_COOKIE, token, path="/console")  # a copy of the cookie kept elsewhere
    assert client.get("/console/dashboard").headers["Location"] == "/console/login"


def test_a_session_expires_after_a_working_day(client, console_session):
    console_session(client, "operator")
    assert client.get("/console/dashboard").status_code == 200
    with time_machine.travel(utcnow() + timedelta(hours=12, minutes=1)):
        assert client.get("/console/dashboard").headers["Location"] == "/console/login"


def test_removing_the_role_ends_the_console_session_at_the_next_request(app, client, console_session):
    console_session(client, "station_staff", station_code=STATION_A)
    assert client.get("/console/desk").status_code == 200
    with app.app_context():
        grant = db.session.scalar(db.select(RoleGrant).order_by(RoleGrant.id.desc()))
        remove_grant(grant, None, "调岗")
        db.session.commit()

    assert client.get("/console/desk").headers["Location"] == "/console/login"


def test_a_write_without_the_csrf_token_is_refused(client, console_session, booked):
    booking, _ = booked()
    csrf = console_session(client, "station_staff", station_code=STATION_A)

    refused = client.post(f"/console/bookings/{booking['id']}/confirm")
    assert refused.status_code == 403
    assert "此表单已过期或并非来自控制台" in refused.get_data(as_text=True)
    forged = client.post(f"/console/bookings/{booking['id']}/confirm", headers={"X-CSRF-Token": "0" * 64})
    assert forged.status_code == 403
    not_even_hex = client.post(f"/console/bookings/{booking['id']}/confirm", data={"csrf_token": "令牌"})
    assert not_even_hex.status_code == 403
    assert client.post(f"/console/bookings/{booking['id']}/confirm", headers=csrf).status_code == 303


def test_a_token_of_another_session_does_not_pass(app, client, console_session, booked):
    booking, _ = booked()
    console_session(client, "station_staff", station_code=STATION_A)
    someone_else = console_session(app.test_client(), "station_staff", station_code=STATION_A)
    assert client.post(f"/console/bookings/{booking['id']}/confirm", headers=someone_else).status_code == 403


def test_another_stations_booking_is_not_reachable_by_its_url(client, console_session, booked):
    booking, _ = booked()
    console_session(client, "station_staff", station_code=STATION_B)
    assert client.get(f"/console/bookings/{booking['id']}").status_code == 404


def test_the_development_login_exists_only_in_development(client):
    assert "开发环境登录" not in client.get("/console/login").get_data(as_text=True)
    _, polling = show_code(client)
    assert client.post("/console/login/dev", data={"role": "operator"}, headers=polling).status_code == 404


def test_each_role_starts_on_its_own_page(app, client, console_session):
    for role, scope, home in (
        ("operator", {}, "/console/dashboard"),
        ("station_staff", {"station_code": STATION_A}, "/console/desk"),
        ("company_admin", {"company_id": 1}, "/console/workers"),
    ):
        console_session(client, role, **scope)
        assert client.get("/console/").headers["Location"] == home
        assert client.get(home).status_code == 200


def test_the_session_cookie_is_secure_in_production():
    from app import create_app
    from console.web import cookie_settings

    for environment, secure in (("production", True), ("test", False)):
        application = create_app({"TESTING": True, "APP_ENV": environment})
        with application.test_request_context():
            assert cookie_settings() == {"httponly": True, "samesite": "Lax", "secure": secure, "path": "/console"}


def test_the_mini_program_shows_where_the_code_is_shown_before_approving(app, client, login):
    ticket, _ = show_code(client)
    clerk = login("station_staff", station_code=STATION_A)
    shown = app.test_client().get(f"/api/v1/auth/web-tickets/{ticket}", headers=clerk)
    assert shown.status_code == 200
    assert (shown.json["requested_from"], shown.json["approved_at"]) == ("127.0.0.1", None)
    assert shown.json["browser"].startswith("Werkzeug")
    assert app.test_client().get("/api/v1/auth/web-tickets/tUnknown", headers=clerk).json["code"] == "unknown_ticket"
    assert app.test_client().get(f"/api/v1/auth/web-tickets/{ticket}", headers=login()).status_code == 403


def test_long_expired_codes_are_removed_when_new_ones_are_made(app, client):
    from accounts.models import WebLoginTicket

    show_code(client)
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        show_code(app.test_client())
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count()).select_from(WebLoginTicket)) == 1


def test_the_page_stops_polling_once_its_code_has_expired(client):
    _, polling = show_code(client)
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        expired = client.post("/console/login/wait", headers=polling)
    assert expired.status_code == 286 and "登录码已失效" in expired.get_data(as_text=True)
