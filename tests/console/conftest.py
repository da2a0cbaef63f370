"""The console's tests log in through their browser's cookie (`console_session`), book from the
catalogue seeded once per backend, and read the CSRF token a page carries."""

import pytest

from accounts.web_sessions import csrf_token, start_web_session
from app.extensions import db
from console.web import SESSION_COOKIE
from tests.factories import make_user


@pytest.fixture
def console_session(app, isolated, catalogue):
    """console_session(client, role=None, **scope) -> the CSRF header of a new web session for a new
    user holding that role, its cookie set on the client (as the browser holds it)."""

    def log_in(client, role=None, **scope):
        with app.app_context():
            user = make_user(role, **scope)
            token = start_web_session(user)
            db.session.commit()
            header = {"X-CSRF-Token": csrf_token(token)}
        client.set_cookie(SESSION_COOKIE, token, path="/console")
        return header

    return log_in


# The browser tests' Chromium: Debian's, headless, with nothing of its own reaching out (no
# component updates, sync or background requests). Playwright gives each launch a new profile.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return browser_type_launch_args | {"executable_path": "/usr/bin/chromium", "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """pytest-base-url's own fixture is a deprecated instance method; each browser test's context
    names its server's address itself."""
    return None
