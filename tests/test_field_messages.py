"""What a person reads beside a field is in their language: marshmallow's own English messages
(and their numbers) come out of the catalogue, as every other sentence of a problem does."""

import ast
import json
import re
from pathlib import Path

from marshmallow import validate

from app.field_messages import TEMPLATES, translated

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}


def test_a_refused_field_is_worded_in_chinese_with_its_numbers(client, operator):
    answer = client.post("/api/v1/companies", json={"name": "羊"}, headers=operator | ZH)
    assert answer.status_code == 422
    assert answer.json["errors"]["name"] == ["长度须在 2 到 100 之间。"]
    assert answer.json["errors"]["credit_code"] == ["必填。"]


def test_in_english_the_field_messages_stay_marshmallows(client, operator):
    answer = client.post("/api/v1/companies", json={"name": "羊"}, headers=operator | EN)
    assert answer.json["errors"]["name"] == ["Length must be between 2 and 100."]


def test_every_marshmallow_template_has_its_chinese(app):
    with app.test_request_context(headers=ZH):
        for template in TEMPLATES:
            message = template.format(min=1, max=9, equal=3, choices="a, b", awareness="aware")
            assert translated(message) != message, template


def test_what_is_not_a_marshmallow_message_is_left_as_it_is(app):
    """A 409 names the current status by its code (a value, translated nowhere)."""
    with app.test_request_context(headers=ZH):
        assert translated({"status": ["cancelled"]}) == {"status": ["cancelled"]}


# ---- every bad input of every documented operation, answered in Chinese

CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}[ .]")  # a sentence's word; a value ("cancelled", a date) has none


def _english(message: str) -> bool:
    return CJK.search(message) is None and ENGLISH_WORDS.search(message) is not None


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _messages(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages(value)]
    return [errors] if isinstance(errors, str) else []


def _resolved(document: dict, schema: dict) -> dict:
    while True:
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        elif len(schema.get("allOf", [])) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def _wrong_type(schema: dict):
    """A value of another JSON type than the property's ("Not a valid integer.", "Invalid input type.")."""
    return 12345 if schema.get("type") == "string" else "x"


def _out_of_bounds(schema: dict):
    """A value of the property's type that breaks its rule (choices, pattern, format, length, range)."""
    kind = schema.get("type")
    if "enum" in schema:
        return "not-one-of-them"
    if kind == "string":
        if "pattern" in schema or "format" in schema:
            return "!§"
        return "x" * (schema["maxLength"] + 1) if "maxLength" in schema else ""
    if kind == "integer":
        return schema["minimum"] - 1 if "minimum" in schema else 1.5
    if kind == "number":
        return float("inf")  # Infinity, which the json module reads
    return _wrong_type(schema)


def _path(path: str, parameters: list[dict]) -> str:
    for parameter in parameters:
        if parameter["in"] == "path":
            value = "440106001000" if "12" in parameter["schema"].get("pattern", "") else "1"
            path = path.replace("{" + parameter["name"] + "}", value)
    return path


def _bad_requests(document: dict, operation: dict) -> list[dict]:
    """Keyword arguments of test-client requests, each wrong in its own way."""
    requests: list[dict] = [{}]
    query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    if query:
        for make in (_wrong_type, _out_of_bounds):
            values = {p["name"]: make(_resolved(document, p["schema"])) for p in query} | {"unexpected": "1"}
            requests.append({"query_string": {name: str(value) for name, value in values.items()}})
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        properties = _resolved(document, content["application/json"]["schema"]).get("properties", {})
        requests.append({"data": "{", "content_type": "application/json"})
        requests.append({"json": {}})
        for make in (_wrong_type, _out_of_bounds):
            body = {name: make(_resolved(document, schema)) for name, schema in properties.items()}
            requests.append({"data": json.dumps(body | {"unexpected": 1}), "content_type": "application/json"})
    if "multipart/form-data" in content:
        properties = _resolved(document, content["multipart/form-data"]["schema"]).get("properties", {})
        requests.append({"data": dict.fromkeys(properties, "x"), "content_type": "multipart/form-data"})
    return requests


def test_what_any_documented_operation_says_of_bad_input_is_in_chinese(app, client, login):
    """Each operation of the OpenAPI document is sent bad input (nothing, the wrong types, values
    outside its rules, a body that is not JSON) by the first caller it lets in, asking for zh-CN:
    no field message of any answer, and no detail, is English."""
    document = client.get("/api/v1/openapi.json").json
    callers = [
        login("operator"),
        login(),
        login("station_staff", station_code="440106001000"),
        login("company_admin", company_id=1),
    ]
    english, refusals = set(), 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            url = _path(path, item.get("parameters", []) + operation.get("parameters", []))
            allowed = next(
                (
                    headers
                    for headers in callers
                    if client.open(url, method=method, headers=headers | ZH).status_code not in {401, 403}
                ),
                callers[0],
            )
            for request in _bad_requests(document, operation):
                answer = client.open(url, method=method, headers=allowed | ZH | {"Idempotency-Key": "!"}, **request)
                if answer.mimetype != "application/problem+json":
                    continue
                refusals += answer.status_code in {400, 422}
                said = [answer.json["detail"], *_messages(answer.json.get("errors", {}))]
                english |= {(method, path, message) for message in said if _english(message)}
    assert refusals > 250
    assert sorted(english) == []


# ---- every field message the code writes, including those no bad input of the walk above reaches

ROOT = Path(__file__).resolve().parent.parent
NOT_CODE = {"tests", "bench", "migrations", "scripts"}
VALIDATORS = {name for name in dir(validate) if name[0].isupper()} | {"FullMatch"}
# A command's CSV rows are checked outside any request, and a command speaks English.
COMMANDS_ONLY = {("stations/schemas.py", "StationRowSchema"), ("training/importer.py", None)}


def _written_messages(tree: ast.AST):
    """(enclosing class, node) of each text written as a field message: ValidationError's first
    argument, a validator's `error=` (marshmallow's, or app.fields.FullMatch), the lists of a problem's `errors=`."""
    classes: dict[ast.AST, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            classes.update(dict.fromkeys(ast.walk(node), node.name))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        written = node.args[:1] if name == "ValidationError" else []
        written += [
            keyword.value
            for keyword in node.keywords
            if keyword.arg == "errors" or (keyword.arg == "error" and name in VALIDATORS)
        ]
        for value in written:
            lists = [v for v in ast.walk(value) if isinstance(v, ast.List)] if isinstance(value, ast.Dict) else [value]
            for item in (element for listed in lists for element in getattr(listed, "elts", [listed])):
                yield classes.get(node), item


def _bare_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def test_every_field_message_the_code_writes_is_worded_by_the_catalogue():
    """A message beside a field is written `_("...")` (or lazy_gettext where a schema is declared),
    never as bare English text, so that `make messages` finds it and it is read in Chinese."""
    bare = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in NOT_CODE or relative.startswith("."):
            continue
        for cls, node in _written_messages(ast.parse(path.read_text())):
            if (relative, cls) in COMMANDS_ONLY or (relative, None) in COMMANDS_ONLY:
                continue
            if _bare_text(node):
                bare.append(f"{relative}:{node.lineno}")
    assert bare == []
