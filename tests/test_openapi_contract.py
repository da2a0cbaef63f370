"""The OpenAPI document is a contract a front end can generate its client from: every operation,
and every one added later, answers these questions without reading the code."""

import pytest

ANSWERS_WITHOUT_BODY = {"204", "304"}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", operation


def resolved(document, node: dict) -> dict:
    while "$ref" in node:
        _, _, kind, name = node["$ref"].split("/")
        node = document["components"][kind][name]
    return node


def schemas_admitting_any_object(node, where="#"):
    """Where the document lets any object through: an object with no properties, no declared
    additionalProperties and no schema of its own, or apispec's 'this schema or any object'."""
    if isinstance(node, dict):
        if node.get("type") == "object" and not {"properties", "additionalProperties", "allOf", "$ref"} & set(node):
            if node != {"type": "object", "nullable": True} or not where.endswith("anyOf"):
                yield where
        if any(alternative == {"type": "object", "nullable": True} for alternative in node.get("anyOf", [])):
            yield where
        for key, value in node.items():
            yield from schemas_admitting_any_object(value, f"{where}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from schemas_admitting_any_object(value, where)


def test_no_object_in_the_document_accepts_any_object_in_place_of_its_schema(document):
    assert list(schemas_admitting_any_object(document)) == []


def test_a_nullable_nested_object_is_its_schema_or_null(document):
    location = document["components"]["schemas"]["Station"]["properties"]["location"]
    assert location["allOf"] == [{"$ref": "#/components/schemas/Location"}] and location["nullable"] is True
    worker = document["components"]["schemas"]["Booking"]["properties"]["worker"]
    assert worker["allOf"] == [{"$ref": "#/components/schemas/MaskedWorker"}] and worker["nullable"] is True


def test_every_answer_with_a_body_declares_its_media_type_and_schema(document):
    undeclared = []
    for operation_name, operation in operations(document):
        for status, reference in operation["responses"].items():
            answer = resolved(document, reference)
            media = answer.get("content", {}).values()
            if status not in ANSWERS_WITHOUT_BODY and not (media and all("schema" in each for each in media)):
                undeclared.append(f"{operation_name} {status}")
    assert undeclared == []


def test_image_answers_declare_their_image_types(document):
    def media_types(path):
        return set(document["paths"][path]["get"]["responses"]["200"]["content"])

    assert media_types("/api/v1/workers/{worker_id}/certificate/qr.png") == {"image/png"}
    assert media_types("/api/v1/workers/{worker_id}/certificate/qr.svg") == {"image/svg+xml"}


def test_a_body_is_documented_as_required_exactly_when_it_has_a_required_field(document):
    wrong = []
    for operation_name, operation in operations(document):
        body = operation.get("requestBody")
        if body is None:
            continue
        for media in body["content"].values():
            if bool(body.get("required")) != bool(resolved(document, media["schema"]).get("required")):
                wrong.append(operation_name)
    assert wrong == []


def test_uploads_are_documented_as_multipart_with_their_file_as_binary(document):
    for path, method in (
        ("/api/v1/workers/{worker_id}/documents", "post"),
        ("/api/v1/workers/{worker_id}/photo", "put"),
    ):
        content = document["paths"][path][method]["requestBody"]["content"]
        assert list(content) == ["multipart/form-data"]
        schema = resolved(document, content["multipart/form-data"]["schema"])
        assert schema["properties"]["file"] == schema["properties"]["file"] | {"type": "string", "format": "binary"}
        assert "file" in schema["required"]
        assert {"413", "415"} <= set(document["paths"][path][method]["responses"])


def test_document_and_photo_answers_declare_their_file_types(document):
    def media_types(path):
        return set(document["paths"][path]["get"]["responses"]["200"]["content"])

    assert media_types("/api/v1/workers/{worker_id}/documents/{document_id}/file") == {
        "image/jpeg",
        "image/png",
        "application/pdf",
    }
    assert media_types("/api/v1/scan/{token}/photo.jpg") == {"image/jpeg"}
    assert media_types("/api/v1/objections/{objection_id}/evidence") == {"image/jpeg", "image/png", "application/pdf"}


def test_an_objection_is_documented_as_multipart_with_its_evidence_file_optional(document):
    operation = document["paths"]["/api/v1/credit-events/{event_id}/objections"]["post"]
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    schema = resolved(document, content["multipart/form-data"]["schema"])
    assert schema["properties"]["file"] == schema["properties"]["file"] | {"type": "string", "format": "binary"}
    assert schema["required"] == ["reason"]
    assert {"413", "415", "503"} <= set(operation["responses"])
