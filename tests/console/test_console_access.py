"""Every console page and action, from the URL map, refuses every role it is not for, and sends
the anonymous to the log-in page: the roles each view declares with console.web.page()."""

import re

import pytest

from accounts.models import COMPANY_ADMIN, CONSOLE_ROLES, OPERATOR, STATION_STAFF
from app import create_app
from tests.factories import STATION_A

SCOPES: dict[str, dict] = {STATION_STAFF: {"station_code": STATION_A}, COMPANY_ADMIN: {"company_id": 1}, OPERATOR: {}}
PUBLIC = {
    "console.static",
    "console.login.login_page",
    "console.login.wait_for_approval",
    "console.login.logout",
    "console.development_login.dev_login",
}


def console_views():
    """(method, path, roles) of every console page and action, path parameters filled in."""
    application = create_app({"TESTING": True, "APP_ENV": "development"})
    views = []
    for rule in application.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or rule.endpoint in PUBLIC:
            continue
        roles = getattr(application.view_functions[rule.endpoint], "console_roles", None)
        assert roles, f"{rule.endpoint} declares no roles: give it console.web.page(*roles)"
        path = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", rule.rule)
        path = re.sub(r"<[^>]+>", "1", path)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            views.append((method, path, roles))
    return views


VIEWS = console_views()


def test_the_console_has_pages_for_every_role():
    assert {role for _, _, roles in VIEWS for role in roles} == set(CONSOLE_ROLES)


@pytest.mark.parametrize("method, path, roles", VIEWS, ids=[f"{m} {p}" for m, p, _ in VIEWS])
def test_a_page_refuses_every_other_role(app, client, console_session, method, path, roles):
    for role in [role for role in CONSOLE_ROLES if role not in roles]:
        client.delete_cookie("yc_console", path="/console")
        csrf = console_session(client, role, **SCOPES.get(role, {}))
        answer = client.open(path, method=method, headers=csrf)
        assert answer.status_code == 403, f"{role}: {method} {path} answered {answer.status_code}"
        assert "需要" in answer.get_data(as_text=True)


@pytest.mark.parametrize("method, path, roles", VIEWS, ids=[f"{m} {p}" for m, p, _ in VIEWS])
def test_a_page_sends_the_anonymous_to_log_in(client, method, path, roles):
    if method == "GET":
        assert client.get(path).headers["Location"] == "/console/login"
    else:
        assert client.post(path).status_code == 403  # no session, so no CSRF token either


def test_a_workers_account_is_no_console_account(client, console_session, make_applicant):
    """A worker acts for themselves in the mini-program: a browser session of theirs is ended."""
    console_session(client, "worker", worker_id=make_applicant()["id"])
    assert client.get("/console/workers").headers["Location"] == "/console/login"
