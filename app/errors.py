"""One error shape for every failure: RFC 9457 problem details (application/problem+json)."""

import http
import logging

import marshmallow as ma
from flask import current_app, g, json
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger(__name__)


class ProblemSchema(ma.Schema):
    """Documents the error body; the handler below writes it."""

    type = ma.fields.String(metadata={"description": "URI of the problem type; about:blank for plain HTTP errors"})
    title = ma.fields.String(metadata={"description": "Short summary of the HTTP status"})
    status = ma.fields.Integer(metadata={"description": "HTTP status code"})
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Per-field messages, keyed by the field's name"},
    )


def problem_response(status: int, title: str, detail: str, errors: dict | None = None, headers=None):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers.update(headers or {})
    return response


def field_problem(error_class: type[HTTPException], field: str, message: str, **data) -> HTTPException:
    """An HTTP error (422, 409, 401...) whose problem body names the field at fault."""
    error = error_class(message)
    error.data = {"message": message, "errors": {field: [message]}, **data}
    return error


def recorded_problem(status: int, title: str, detail: str, errors: dict | None = None):
    """A refusal whose writes are kept: a view returns it (never raises it) when the refused
    attempt must stay on record, e.g. the wrong worker's 安心碼 scanned at the door."""
    g.keep_refusal_record = True
    return problem_response(status, title, detail, errors)


def _field_errors(messages: dict) -> dict:
    """webargs nests messages by location (query, json, ...); clients want them by field name."""
    merged: dict = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            merged.update(location_messages)
        else:
            merged.setdefault("_body", []).extend(location_messages)
    return merged


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        """flask-smorest documents its ready-made answers (the 422 of every validated input, the
        default error) as application/json; ours are problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or (_field_errors(data["messages"]) if "messages" in data else None)
        detail = data.get("message") or error.description
        if errors and not data.get("message"):
            detail = "Invalid input: " + ", ".join(sorted(errors))
        if error.code == 500:
            detail = "The server failed to handle this request; it has been logged."
        headers = dict(data.get("headers") or {})
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        return problem_response(error.code, error.name, detail, errors, headers)


def register_error_handlers(app):
    @app.errorhandler(IntegrityError)
    def conflicting_write(error):
        return problem_response(409, "Conflict", "This conflicts with data that already exists.")

    @app.errorhandler(StaleDataError)
    def concurrent_write(error):
        return problem_response(409, "Conflict", "Someone else changed this at the same time; reload and retry.")

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        log.warning("database unavailable: %s", error.orig.__class__.__name__)
        return problem_response(
            503, "Service Unavailable", "The database is unavailable; try again shortly.",
            headers={"Retry-After": "5"},
        )
