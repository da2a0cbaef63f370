"""Every operation in the app's own OpenAPI document, fed generated input by schemathesis as each
kind of caller: no answer is a server error, and every answer matches what the document says.

`make test` runs a bounded number of examples (FUZZ_EXAMPLES, default 5 per operation);
`make fuzz` runs many more.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
CALLERS = ["anonymous", "resident", "station_staff", "company_admin", "operator"]
SCOPES = {"station_staff": {"station_code": "440103001000"}, "company_admin": {"company_id": 1}}


def documented_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the document itself, so none is forgotten."""
    document = create_app({"TESTING": True, "APP_ENV": "test"}).test_client().get("/api/v1/openapi.json").json
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.fixture(scope="session")
def documented_api(wechat_app):
    """The document as schemathesis reads it from the app, once per backend: serving and parsing
    it costs more than some operations' examples."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wechat_app)


@pytest.fixture
def callers(login) -> dict[str, dict]:
    """Request headers of each kind of caller."""
    return {
        caller: {}
        if caller == "anonymous"
        else login(None if caller == "resident" else caller, **SCOPES.get(caller, {}))
        for caller in CALLERS
    }


OPERATIONS = documented_operations()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{method} {path}" for method, path in OPERATIONS])
def test_no_input_makes_the_api_fail_or_contradict_its_document(documented_api, isolated, callers, method, path):
    operation = documented_api[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def every_caller_gets_a_documented_answer(case):
        for headers in callers.values():
            case.call_and_validate(headers=headers, checks=CHECKS)

    every_caller_gets_a_documented_answer()
