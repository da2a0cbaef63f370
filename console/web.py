"""What every console page shares: the browser's session (a cookie, read on every request with the
grants held now), the CSRF check of every write, the role check of every page and action, the
menu, and forms read by the API's own schemas with the API's own refusals.

Pages call the same access checks and service functions as the API routes: the caller is the
kernel's Principal (app.access), set here from the cookie instead of a bearer token, so
`booking.access.booking_for_staff` and `credit.access.worker_for_caller` decide exactly as they
do for the API."""

import hmac
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from accounts.auth import principal_for_web_session
from accounts.models import COMPANY_ADMIN, CONSOLE_ROLES, OPERATOR, STATION_STAFF
from accounts.web_sessions import csrf_token, end_web_session
from app.access import Principal
from app.blueprint import MULTIPART_OVERHEAD_BYTES, UploadSchema
from app.clock import BEIJING
from app.errors import Forbidden, Invalid, Problem, TooLarge
from app.extensions import db
from app.fields import FileUpload
from app.i18n import _

SESSION_COOKIE = "yc_console"
LOGIN_COOKIE = "yc_console_login"
CSRF_FIELD, CSRF_HEADER = "csrf_token", "X-CSRF-Token"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LIST_SEPARATORS = re.compile(r"[、,，]")
ROLE_NAMES = {STATION_STAFF: "服务站工作人员", COMPANY_ADMIN: "企业管理员", OPERATOR: "平台运营"}

console = Blueprint("console", __name__, url_prefix="/console", template_folder="templates", static_folder="static")


@dataclass(frozen=True)
class MenuEntry:
    role: str
    endpoint: str
    label: str


# Each page module adds its entries when it is imported (console/__init__.py): a feature's pages
# join the menu of the roles they serve without this module knowing them.
MENU: list[MenuEntry] = []


def menu_entry(role: str, endpoint: str, label: str) -> None:
    MENU.append(MenuEntry(role, endpoint, label))


def principal() -> Principal:
    """The caller of a view behind page(), which has made sure there is one."""
    caller: Principal = g.principal
    return caller


@console.before_request
def load_the_browser_session() -> Response | None:
    """The caller of every console request is its cookie's, never an Authorization header's: a
    page's CSRF check below only makes sense for a credential the browser sends by itself. A
    session whose holder no longer has any console role is ended here, at their next request."""
    if request.endpoint == "console.static":
        return None  # the vendored scripts and the stylesheet are the same for everyone
    token = request.cookies.get(SESSION_COOKIE)
    g.principal = principal_for_web_session(token) if token else None
    g.csrf_binding = token if g.principal is not None else request.cookies.get(LOGIN_COOKIE)
    if g.principal is not None and not g.principal.roles.intersection(CONSOLE_ROLES):
        end_web_session(g.principal.session)
        db.session.commit()
        g.principal = None
        g.csrf_binding = None
    upload = getattr(current_app.view_functions.get(request.endpoint or ""), "console_upload", None)
    if upload is not None:
        # An upload's body may be as large as its schema's setting allows, as the API's route's;
        # a larger one is refused in the API's words, on a page.
        limit = current_app.config[upload.max_bytes_setting]
        request.max_content_length = limit + MULTIPART_OVERHEAD_BYTES
        try:
            request.form  # noqa: B018 (read here, under the upload's limit)
        except RequestEntityTooLarge:
            raise TooLarge(
                _("The file is larger than the %(limit)s bytes allowed.", limit=limit), field=upload.file_field
            ) from None
    if request.method in WRITE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
        if not g.csrf_binding or not hmac.compare_digest(sent.encode(), csrf_token(g.csrf_binding).encode()):
            raise Forbidden(
                _("This form is out of date or did not come from the console: reload the page and try again."),
                code="csrf_failed",
            )
    return None


@console.app_context_processor
def console_context() -> dict:
    if not request.blueprint or not request.blueprint.startswith("console"):
        return {}
    caller = g.get("principal")
    binding = g.get("csrf_binding")
    return {
        "caller": caller,
        "csrf_token": csrf_token(binding) if binding else "",
        "menu": [entry for entry in MENU if caller is not None and caller.has_role(entry.role)],
        "role_names": ROLE_NAMES,
    }


def page(*roles: str):
    """A page or action for these roles only: the anonymous go to the log-in page, a wrong role is a
    403 page, both before the view reads anything. The roles are kept on the view, so a test can
    walk the URL map and try every page with every other role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            caller = g.principal
            if caller is None:
                if request.headers.get("HX-Request"):
                    return Response(status=401, headers={"HX-Redirect": url_for("console.login.login_page")})
                return redirect(url_for("console.login.login_page"))
            if not caller.has_role(*roles):
                raise Forbidden(
                    _("This needs the role %(roles)s.", roles=" / ".join(roles)),
                    code="role_required",
                )
            return view(*args, **kwargs)

        wrapper.console_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper

    return decorator


def takes_upload(schema: type[UploadSchema]) -> Callable[[Callable], Callable]:
    """An action posting a multipart form with the API's upload schema: its body is read under
    that schema's size limit (before the CSRF check reads the form), not MAX_CONTENT_LENGTH."""

    def decorator(view: Callable) -> Callable:
        view.console_upload = schema  # type: ignore[attr-defined]
        return view

    return decorator


def render(template: str, status: int = 200, **context: Any):
    return render_template(f"console/{template}", **context), status


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def form_input(schema: ma.Schema) -> dict:
    """The posted form, loaded by the API's own input schema: the same rules, the same 422 naming
    the fields. Empty fields count as not sent; a list field takes every value of its name."""
    raw: dict[str, Any] = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if isinstance(field, FileUpload):
            file = request.files.get(key)
            if file is not None and file.filename:
                raw[key] = file
        elif isinstance(field, ma.fields.List):
            # Checkboxes send one value each; a text box sends several separated by 、 or commas.
            values = [part.strip() for value in request.form.getlist(key) for part in LIST_SEPARATORS.split(value)]
            values = [value for value in values if value]
            if values:
                raw[key] = values
        elif request.form.get(key, "").strip():
            raw[key] = request.form[key]
    return loaded(schema, raw)


def loaded(schema: ma.Schema, raw: dict) -> dict:
    """What a form sent, loaded by an API schema: the API's 422 naming the fields."""
    try:
        return schema.load(raw)
    except ma.ValidationError as error:
        messages = error.normalized_messages()
        raise Invalid(_("Invalid input: %(fields)s", fields=", ".join(sorted(messages))), errors=messages) from None


@dataclass
class Outcome:
    """What an action did: its result, or the API's refusal (status, code, detail, field errors)."""

    result: Any = None
    problem: Problem | None = None

    @property
    def status(self) -> int:
        return self.problem.code if self.problem is not None else 200

    @property
    def detail(self) -> str | None:
        return str(self.problem.data["message"]) if self.problem is not None else None

    @property
    def errors(self) -> dict:
        errors: dict = self.problem.data["errors"] if self.problem is not None else {}  # type: ignore[assignment]
        return errors


def attempt(operation: Callable[[], Any]) -> Outcome:
    """Runs an action; a refusal is rolled back and returned, to be shown beside the form. The
    request is committed as usual when the page answers below 400 (App.dispatch_request)."""
    try:
        return Outcome(result=operation())
    except Problem as problem:
        db.session.rollback()
        return Outcome(problem=problem)


@console.errorhandler(Problem)
def problem_page(problem: Problem):
    """A refusal outside a form (wrong role, unknown booking, failed CSRF) is a page saying so, in
    the API's words, with the API's status."""
    db.session.rollback()
    if is_htmx():
        return render("_problem.html", problem.code, detail=problem.data["message"], problem_code=problem.problem_code)
    return render("problem.html", problem.code, detail=problem.data["message"], problem_code=problem.problem_code)


def cookie_settings() -> dict:
    return {
        "httponly": True,
        "samesite": "Lax",
        "secure": current_app.config["APP_ENV"] == "production",
        "path": "/console",
    }


def query_input(schema: ma.Schema, defaults: dict | None = None) -> dict:
    """The query string, loaded by the API's own query schema (its paging, its filters); the
    console's own parameters (sort) are the page's to read. Empty filters count as not given, and
    one emptied over its default is remembered for the page's links (query_string)."""
    raw = dict(defaults or {})
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key in request.args:
            if request.args[key].strip():
                raw[key] = request.args[key]
            else:
                raw.pop(key, None)
                if key in (defaults or {}):
                    g.emptied_defaults = g.get("emptied_defaults", set()) | {key}
    return loaded(schema, raw)


def sort_order(orders: Collection[str], default: str) -> str:
    """The page's `sort` parameter, one of the orders its list offers; another is a 422 naming it."""
    chosen = request.args.get("sort", "").strip() or default
    if chosen not in orders:
        raise Invalid(_("Sort by one of: %(orders)s.", orders=", ".join(orders)), code="unknown_sort", field="sort")
    return chosen


@console.app_template_filter("beijing")
def beijing_time(moment) -> str:
    """A moment as a person in Guangzhou reads it (the API's own answers carry +08:00 already)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment else ""


@console.app_template_filter("beijing_date")
def beijing_date(moment) -> date:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(BEIJING).date()


@console.app_template_global()
def query_string(**changes) -> str:
    """This page's query string with some parameters changed (to "": dropped): paging and sorting
    keep the filters, and a filter emptied over its default (query_input) stays empty (the desk's
    `date=`: every day, where no date is today)."""
    args = request.args.to_dict() | {key: str(value) for key, value in changes.items()}
    emptied = g.get("emptied_defaults", set())
    return urlencode({key: value for key, value in args.items() if value or (key in emptied and key not in changes)})
