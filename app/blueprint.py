"""The blueprint class every feature's API uses."""

from collections.abc import Iterable
from typing import ClassVar

import flask_smorest
import marshmallow as ma
from flask import current_app
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict, Headers
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from app.access import BEARER_SECURITY, login_required, roles_required
from app.errors import PROBLEM_MIMETYPE, Invalid, ProblemSchema, TooLarge, UnsupportedMediaType
from app.fields import MAX_RECORD_ID
from app.i18n import _
from app.json_body import parse_json_body

MULTIPART = "multipart/form-data"
# What a multipart body holds besides its file: the boundaries, part headers and short fields.
MULTIPART_OVERHEAD_BYTES = 64 * 1024

GENERIC_PROBLEMS = {
    401: "Not logged in: send Authorization: Bearer <token>",
    403: "The caller's role may not do this",
    404: "No such resource (one outside the caller's scope counts as none)",
    409: "Conflicts with the resource's current state (named in the body) or with existing data",
    413: "The body or the file in it is larger than allowed",
    415: "The body or the file in it is not of a type accepted here (a file's content decides)",
    429: "Too many requests from this client; see Retry-After",
}


class RecordIdConverter(IntegerConverter):
    """`<id:worker_id>`: a positive 32-bit integer; anything else is a 404 like any unknown path."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_RECORD_ID)

    @staticmethod
    def openapi_schema(_converter) -> dict:
        return {"type": "integer", "minimum": 1, "maximum": MAX_RECORD_ID}


def register_converters(app, api) -> None:
    app.url_map.converters["id"] = RecordIdConverter
    api.register_converter(RecordIdConverter, RecordIdConverter.openapi_schema)


class UploadSchema(ma.Schema):
    """A multipart/form-data body: one file (`file_field`) and short text fields, read with
    `blp.arguments(TheSchema, location="multipart")`. The body may be as large as the setting
    `max_bytes_setting` allows the file (plus the form's own bytes); the route checks the file
    itself."""

    max_bytes_setting: ClassVar[str]
    file_field: ClassVar[str] = "file"


class StrictParser(FlaskParser):
    """webargs ignores unknown query parameters, treats a non-JSON body as no body at all and takes
    "90" for a number in a JSON body; here a misspelt parameter is a 422 naming it, a form or text
    body is a 415, and a JSON body's numbers and flags must be JSON numbers and true/false, rather
    than a silently different answer. (Query strings are all text and keep the conversions, and so
    does the CSV import that shares the schemas.)"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One instance of each schema class per location's rules, made at its first request:
        # webargs would build one per request, a deep copy of every declared field each time
        # (a schema holds no request's state: `load` takes everything as arguments).
        self._schemas: dict[tuple[type[ma.Schema], bool], ma.Schema] = {}

    def parse(self, argmap, req=None, *, location=None, **kwargs):
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            argmap = self._schema(argmap, json=(location or self.location) == "json")
        return super().parse(argmap, req, location=location, **kwargs)

    def _schema(self, schema_class: type[ma.Schema], *, json: bool) -> ma.Schema:
        schema = self._schemas.get((schema_class, json))
        if schema is None:
            schema = self._schemas[schema_class, json] = (
                _taking_json_types_only(schema_class()) if json else schema_class()
            )
        return schema

    def pre_load(self, location_data, *, schema, req, location):
        field = _field_holding_nul(location_data)
        if field is not None:
            raise Invalid(_("must not contain a NUL character"), code="nul_character", field=field)
        return location_data

    __location_map__ = dict(FlaskParser.__location_map__, multipart="load_multipart")

    def load_multipart(self, req, schema: UploadSchema):
        """The form's fields and files as one mapping, read under the upload's own size limit
        instead of the JSON bodies' MAX_CONTENT_LENGTH."""
        if req.mimetype != MULTIPART:
            raise UnsupportedMediaType(
                _("Send the body as multipart/form-data with the file in %(field)s.", field=schema.file_field),
                field=schema.file_field,
            )
        limit = current_app.config[schema.max_bytes_setting]
        req.max_content_length = limit + MULTIPART_OVERHEAD_BYTES
        try:
            fields = CombinedMultiDict([req.files, req.form])
        except RequestEntityTooLarge:
            raise TooLarge(
                _("The file is larger than the %(limit)s bytes allowed.", limit=limit), field=schema.file_field
            ) from None
        return MultiDictProxy(fields, schema)

    def load_json(self, req, schema):
        if not is_json_request(req) and (req.content_length or req.content_type):
            raise UnsupportedMediaType(_("Send the body as JSON (Content-Type: application/json)."))
        return super().load_json(req, schema)

    def _raw_load_json(self, req):
        """webargs's own reading, through the kernel's reader of hostile bodies."""
        if not is_json_request(req):
            return ma.missing
        return parse_json_body(req.get_data(cache=True))


def _field_holding_nul(data, name: str | None = None) -> str | None:
    """The first field whose text holds a NUL character: no real input has one, and PostgreSQL
    text cannot store it."""
    if isinstance(data, str):
        return name if "\x00" in data else None
    if hasattr(data, "items"):
        pairs = _lists_of(data) if hasattr(data, "getlist") else data.items()
        for key, value in pairs:
            found = _field_holding_nul(value, key if name is None else f"{name}.{key}")
            if found is not None:
                return found
    if isinstance(data, list):
        for value in data:
            found = _field_holding_nul(value, name)
            if found is not None:
                return found
    return None


def _lists_of(data) -> Iterable[tuple[str, list]]:
    """Each key of a multi-valued mapping with all its values. Headers are read in one pass:
    their getlist() walks every header, and was called once for each."""
    headers = getattr(data, "data", data)  # webargs' MultiDictProxy holds the mapping
    if isinstance(headers, Headers):
        grouped: dict[str, list] = {}
        for key, value in headers:
            grouped.setdefault(key, []).append(value)
        return grouped.items()
    return [(key, data.getlist(key)) for key in data.keys()]


def _taking_json_types_only(schema: ma.Schema) -> ma.Schema:
    """This instance's fields (copies of the class's) refuse text for numbers and flags."""
    for field in schema.fields.values():
        if isinstance(field, ma.fields.Integer):
            field.strict = True
        elif isinstance(field, ma.fields.Boolean):
            field.truthy, field.falsy = {True}, {False}
    return schema


# One instance documents every route's problem answers: flask-smorest would make one per route and
# status (some 700, each with its own copy of the fields), held by every worker for nothing.
PROBLEM_SCHEMA = ProblemSchema()


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser(unknown=ma.RAISE)
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING | {
        "multipart": MULTIPART
    }

    def __init__(self, *args, problem_meanings: dict[int, str] | None = None, **kwargs):
        """`problem_meanings` says what a status means on this blueprint's routes where the
        generic words (GENERIC_PROBLEMS) don't say enough."""
        super().__init__(*args, **kwargs)
        self.problem_meanings = GENERIC_PROBLEMS | (problem_meanings or {})

    def problems(self, *codes: int, meanings: dict[int, str] | None = None):
        """Documents the problem+json answers a route gives besides its success and its input's
        422; `meanings` overrides the blueprint's words for this route only."""

        def decorator(view):
            for code in codes:
                description = (meanings or {}).get(code, self.problem_meanings.get(code))
                view = self.alt_response(
                    code, schema=PROBLEM_SCHEMA, description=description, content_type=PROBLEM_MIMETYPE
                )(view)
            return view

        return decorator

    def register_views_in_doc(self, api, app, spec, *, name, parameters):
        """Every operation gets an operationId, the name a generated client gives its function:
        the view's name in camelCase (listServices), with the method in front when one view
        answers several methods."""
        for endpoint, doc_info in self._docs.items():
            methods = [method for method in doc_info if method != "parameters"]
            for method in methods:
                words = ([method] if len(methods) > 1 else []) + endpoint.split("_")
                operation_id = words[0].lower() + "".join(word.capitalize() for word in words[1:])
                doc_info[method].setdefault("manual_doc", {}).setdefault("operationId", operation_id)
        super().register_views_in_doc(api, app, spec, name=name, parameters=parameters)

    def arguments(self, schema, *, location: str = "json", **kwargs):
        """A body is documented as required exactly when its schema has a required field: a body
        whose fields may all be left out may be left out itself (webargs reads no body as {})."""
        if location == "json" and "required" not in kwargs:
            instance = schema() if isinstance(schema, type) else schema
            kwargs["required"] = any(field.required for field in instance.fields.values())
        return super().arguments(schema, location=location, **kwargs)

    def response(self, status_code, schema=None, *, content_type: str | tuple[str, ...] | None = None, **kwargs):
        """flask-smorest documents an answer's content from its schema only: an image, a PDF or a
        text answer (no schema, a media type of its own, or one of several) gets each media type
        with a string body, so a generated client knows what comes back."""
        types = (content_type,) if isinstance(content_type, str) else content_type or ()
        decorator = super().response(status_code, schema, content_type=types[0] if types else None, **kwargs)
        if schema is not None or not types or types[0].endswith("json"):
            return decorator
        content = {
            each: {"schema": {"type": "string"} if each.startswith("text/") else {"type": "string", "format": "binary"}}
            for each in types
        }
        documented = self.doc(responses={int(status_code): {"content": content}})
        return lambda view: documented(decorator(view))

    def requires(self, *roles: str):
        """Access before anything else: 401 for an anonymous caller and, when `roles` are named,
        403 for a caller holding none of them, checked before the body is read; documents the
        bearer security and those answers. With no roles, any logged-in caller may."""

        def decorator(view):
            checked = roles_required(*roles)(view) if roles else login_required(view)
            checked = self.doc(security=BEARER_SECURITY)(checked)
            return self.problems(401, *((403,) if roles else ()))(checked)

        return decorator
