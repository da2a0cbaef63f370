"""One error shape for every failure: RFC 9457 problem details (application/problem+json)."""

import http
import logging
import re

import marshmallow as ma
from flask import current_app, g, json
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.field_messages import translated
from app.i18n import _, lazy_gettext

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger(__name__)


# The `code` of an answer that no feature named more precisely: one per HTTP status.
STATUS_CODES = {
    400: "bad_request",
    401: "not_logged_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


class ProblemSchema(ma.Schema):
    """Documents the error body; the handler below writes it."""

    type = ma.fields.String(metadata={"description": "URI of the problem type; about:blank for plain HTTP errors"})
    code = ma.fields.String(
        metadata={
            "description": "What went wrong, for a program: stable, e.g. slot_full, "
            "worker_not_green, status_conflict, invalid_input"
        }
    )
    title = ma.fields.String(metadata={"description": "Short summary of the HTTP status"})
    status = ma.fields.Integer(metadata={"description": "HTTP status code"})
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Per-field messages, keyed by the field's name"},
    )


class Problem(HTTPException):
    """An answer the API gives on purpose: the HTTP status (the class), a stable machine-readable
    `code`, a sentence for a person and, where fields are at fault, their messages by name.

    `field=` with no `errors` names one field with the detail as its message; with no `code`, the
    status's own (STATUS_CODES) is used."""

    code: int  # the HTTP status; each subclass names its own

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: dict[str, list[str]] | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        detail = str(detail)  # a lazy message is worded in the language of the request raising it
        super().__init__(detail)
        if field is not None and errors is None:
            errors = {field: [detail]}
        self.data = {
            "message": detail,
            "code": code or STATUS_CODES[self.code],
            "errors": translated(errors or {}),
            "headers": headers or {},
        }

    @property
    def problem_code(self) -> str:
        return self.data["code"]


class BadRequest(Problem):
    code = 400


class NotLoggedIn(Problem):
    code = 401


class Forbidden(Problem):
    code = 403


class NotFound(Problem):
    code = 404


class Conflict(Problem):
    """409: the resource's state or existing data stand in the way (e.g. status_conflict, duplicate)."""

    code = 409


class TooLarge(Problem):
    code = 413


class UnsupportedMediaType(Problem):
    code = 415


class Invalid(Problem):
    """422: the request is well-formed but names something wrong; `errors` says which fields."""

    code = 422


class TooManyRequests(Problem):
    code = 429

    def __init__(self, detail: str, *, retry_after: int, code: str | None = None):
        super().__init__(detail, code=code, headers={"Retry-After": str(retry_after)})


class Unavailable(Problem):
    """503: a service we depend on (the database, Redis, WeChat) cannot answer just now, or is not
    set up on this server (`retry_after=None`: no Retry-After, as waiting would not help)."""

    code = 503

    def __init__(
        self,
        detail: str,
        *,
        retry_after: int | None = 10,
        code: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ):
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        super().__init__(detail, code=code, errors=errors, headers=headers)


def problem_response(
    status: int, title: str, detail: str, errors: dict | None = None, headers=None, code: str | None = None
):
    body = {
        "type": "about:blank",
        "code": code or STATUS_CODES.get(status, "problem"),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers.update(headers or {})
    return response


def recorded_problem(problem: Problem):
    """A refusal whose writes are kept: a view returns it (never raises it) when the refused
    attempt must stay on record, e.g. the wrong worker's 安心碼 scanned at the door."""
    g.keep_refusal_record = True
    return problem_response(
        problem.code, problem.name, problem.data["message"], problem.data["errors"], code=problem.problem_code
    )


def _field_errors(messages: dict) -> dict:
    """webargs nests messages by location (query, json, ...); clients want them by field name."""
    merged: dict = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            merged.update(location_messages)
        else:
            merged.setdefault("_body", []).extend(location_messages)
    return merged


# What apispec puts beside a nullable nested schema for OpenAPI 3.0: an alternative that admits any
# object at all.
_ANY_OBJECT_OR_NULL = {"type": "object", "nullable": True}


def nullable_nested(converter, field, ret: dict, **_) -> dict:
    """A nullable nested object is its own schema or null, written `allOf: [its schema]` with
    `nullable: true`: apispec's `anyOf: [its schema, any object]` lets a client generator type it
    as any object, and a validator accept one."""
    alternatives = ret.get("anyOf")
    if alternatives and _ANY_OBJECT_OR_NULL in alternatives:
        del ret["anyOf"]
        ret["allOf"] = [schema for schema in alternatives if schema != _ANY_OBJECT_OR_NULL]
        ret["nullable"] = True
    return {}


# What a person reads of an HTTP error that no view of ours raised (an unknown address, a method the
# route does not take, a body over MAX_CONTENT_LENGTH): Werkzeug's sentences, in the request's language.
PLAIN_HTTP_DETAILS = {
    400: lazy_gettext("The request could not be understood."),
    404: lazy_gettext("Nothing is at this address."),
    405: lazy_gettext("This address does not take this method."),
    413: lazy_gettext("The request body is too large."),
    415: lazy_gettext("This media type is not accepted here."),
}


def _plain_http_detail(error: HTTPException) -> str:
    plain = PLAIN_HTTP_DETAILS.get(error.code or 0)
    return str(plain) if plain is not None else str(error.description)


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(nullable_nested)

    def _register_responses(self):
        """flask-smorest documents its ready-made answers (the 422 of every validated input, the
        default error) as application/json; ours are problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(
                response, self.spec, PROBLEM_MIMETYPE if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE
            )
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or (translated(_field_errors(data["messages"])) if "messages" in data else None)
        detail = data.get("message") or _plain_http_detail(error)
        if errors and not data.get("message"):
            detail = _("Invalid input: %(fields)s", fields=", ".join(sorted(errors)))
        if error.code == 500:
            detail = _("The server failed to handle this request; it has been logged.")
        headers = dict(data.get("headers") or {})
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        return problem_response(error.code, error.name, detail, errors, headers, code=data.get("code"))


# The table a statement writes or reads first, for a log line that must not carry its values.
STATEMENT_TABLE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|FROM)\s+\"?(\w+)", re.IGNORECASE)


def statement_table(statement: str | None) -> str:
    found = STATEMENT_TABLE.search(statement or "")
    return found.group(1) if found else "?"


def register_error_handlers(app):
    @app.errorhandler(DataError)
    def value_does_not_fit(error):
        """A value the database refuses (too long for its column, out of its type's range): the
        schemas should have refused it first, so it is a defect to mend, logged by table and SQL
        state only (the statement's values may be personal); the caller still sent bad input."""
        log.error(
            "defect: a value the schemas accepted does not fit table %s (SQLSTATE %s)",
            statement_table(error.statement),
            getattr(error.orig, "sqlstate", None) or error.orig.__class__.__name__,
        )
        return problem_response(
            422,
            "Unprocessable Entity",
            _("A value in this request does not fit where it is stored (too long or out of range)."),
            code="value_does_not_fit",
        )

    @app.errorhandler(IntegrityError)
    def conflicting_write(error):
        return problem_response(409, "Conflict", _("This conflicts with data that already exists."), code="duplicate")

    @app.errorhandler(StaleDataError)
    def concurrent_write(error):
        return problem_response(
            409,
            "Conflict",
            _("Someone else changed this at the same time; reload and retry."),
            code="changed_concurrently",
        )

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        log.warning("database unavailable: %s", error.orig.__class__.__name__)
        return problem_response(
            503,
            "Service Unavailable",
            _("The database is unavailable; try again shortly."),
            headers={"Retry-After": "5"},
            code="database_unavailable",
        )
