"""Log-in: a mini-program code whose scene is a one-time ticket, approved from the mini-program
(POST /api/v1/auth/web-tickets/{ticket}/approve); this page polls and then receives its session.
Under APP_ENV=development a dev-login form stands beside it. Log-out ends the session."""

import base64

import segno
from flask import Blueprint, abort, current_app, g, make_response, redirect, request, url_for

from accounts import invites, services, web_sessions
from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF, WebLoginTicket
from accounts.schemas import DevLoginSchema
from app.clock import utcnow
from app.errors import Unavailable
from app.rate_limits import rate_limited
from console.web import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Outcome,
    attempt,
    cookie_settings,
    form_input,
    page,
    principal,
    render,
)
from wechat.codes import mini_program_code

login = Blueprint("login", __name__, url_prefix="")

# Where each role starts, in this order when someone holds several.
HOME_OF_ROLE = {
    OPERATOR: "console.operator.dashboard",
    STATION_STAFF: "console.station.desk",
    COMPANY_ADMIN: "console.workers.worker_list",
}


def _wechat_configured() -> bool:
    return bool(current_app.config["WECHAT_APPID"] and current_app.config["WECHAT_SECRET"])


def _code_image(scene: str) -> tuple[str, str | None]:
    """The code to scan as a data: URI, and why it is a plain QR code rather than WeChat's
    mini-program code, when it is."""
    if _wechat_configured():
        try:
            code = mini_program_code(scene, current_app.config["WECHAT_CONSOLE_LOGIN_PAGE"])
            return f"data:{code.media_type};base64,{base64.b64encode(code.image).decode()}", None
        except Unavailable as problem:
            note = f"微信暂时无法生成小程序码（{problem.data['message']}），下面是登录票据的普通二维码。"
    else:
        note = "本服务器未配置微信（WECHAT_APPID / WECHAT_SECRET），下面是登录票据的普通二维码，不能用微信扫码登录。"
    return segno.make(scene, error="m").png_data_uri(scale=6, border=2), note


@login.get("/")
@page(*HOME_OF_ROLE)
def home():
    """Each role starts on its own page."""
    caller = principal()
    return redirect(url_for(next(endpoint for role, endpoint in HOME_OF_ROLE.items() if caller.has_role(role))))


@login.get("/login")
@rate_limited("LOGIN_RATE_LIMIT", "logins")
def login_page():
    if g.principal is not None:
        return redirect(url_for("console.login.home"))
    new = web_sessions.create_ticket(request.remote_addr, request.user_agent.string)
    response = _login_form(new.ticket, new.browser_secret)
    # The cookie outlives its ticket a little: the page's next poll is told the code expired (and
    # stops polling) rather than refused for want of the cookie.
    minutes = current_app.config["CONSOLE_TICKET_MINUTES"] + 5
    response.set_cookie(LOGIN_COOKIE, new.browser_secret, max_age=minutes * 60, **cookie_settings())
    return response


def _login_form(ticket: WebLoginTicket, secret: str, outcome: Outcome | None = None):
    image, note = _code_image(ticket.scene)
    g.csrf_binding = secret
    body, status = render(
        "login.html",
        ticket=ticket,
        image=image,
        note=note,
        development=current_app.config["APP_ENV"] == "development",
        form=request.form,
        outcome=outcome,
        status=outcome.status if outcome else 200,
    )
    return make_response(body, status)


@login.post("/login/wait")
def wait_for_approval():
    """Polled by the log-in page: still waiting, expired, or approved (then the session cookie and
    an HX-Redirect to the console)."""
    secret = request.cookies.get(LOGIN_COOKIE)
    ticket = web_sessions.ticket_of_browser(secret) if secret else None
    if ticket is None or ticket.used_at is not None or (ticket.approved_at is None and ticket.expires_at <= utcnow()):
        return render("_login_wait.html", 286, expired=True)  # 286: htmx stops polling
    token = web_sessions.session_for_approved_ticket(ticket)
    if token is None:
        return render("_login_wait.html", expired=False)
    return _logged_in(token, htmx=True)


def _logged_in(token: str, *, htmx: bool):
    target = url_for("console.login.home")
    response = make_response("", 200, {"HX-Redirect": target}) if htmx else redirect(target, 303)
    hours = current_app.config["CONSOLE_SESSION_HOURS"]
    response.set_cookie(SESSION_COOKIE, token, max_age=hours * 3600, **cookie_settings())
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


@login.post("/logout")
def logout():
    if g.principal is not None:
        web_sessions.end_web_session(g.principal.session)
    response = redirect(url_for("console.login.login_page"), 303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


development_login = Blueprint("development_login", __name__, url_prefix="")


@development_login.before_request
def development_only():
    """Like the API's dev-login, under APP_ENV=development only: elsewhere nothing is here."""
    if current_app.config["APP_ENV"] != "development":
        abort(404)


@development_login.post("/login/dev")
@rate_limited("LOGIN_RATE_LIMIT", "logins")
def dev_login():
    """A console session for a development user of this role, made as the API's dev-login makes it."""

    def log_in():
        data = form_input(DevLoginSchema())
        invites.require_scope_exists(data["role"], data.get("station_code"), data.get("company_id"))
        user = services.development_user(data["role"], data.get("station_code"), data.get("company_id"))
        return web_sessions.start_web_session(user)

    outcome = attempt(log_in)
    if outcome.problem is None:
        return _logged_in(outcome.result, htmx=False)
    secret = request.cookies.get(LOGIN_COOKIE, "")
    ticket = web_sessions.ticket_of_browser(secret)
    if ticket is None:
        return redirect(url_for("console.login.login_page"), 303)
    return _login_form(ticket, secret, outcome)
