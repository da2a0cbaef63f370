"""A worker's documents on file: uploaded by operators and the worker's company admin, checked
by what they contain, versioned, reviewed by an operator, read only by those allowed (each
look-up on record), and deleted after their retention period."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from credit.models import DocumentLookUp, WorkerDocument
from tests.factories import PDF, TODAY, image_bytes, stored_files, upload_part

JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")


@pytest.fixture
def upload(client, operator):
    def post(worker_id, kind="id_card_front", data=JPEG, headers=None, filename="scan.jpg", **fields):
        body = {"kind": kind, "file": upload_part(data, filename)} | fields
        return client.post(
            f"/api/v1/workers/{worker_id}/documents",
            data=body,
            content_type="multipart/form-data",
            headers=headers or operator,
        )

    return post


@pytest.fixture
def company_worker(make_company, make_applicant, login):
    """A worker of a company, that company's admin, and another company's admin."""
    company = make_company()
    worker = make_applicant(company_id=company["id"])
    return (
        worker,
        login("company_admin", company_id=company["id"]),
        login("company_admin", company_id=make_company()["id"]),
    )


def rows(model):
    return db.session.scalars(select(model)).all()


def test_an_operator_uploads_an_id_card_and_it_waits_for_review(make_applicant, upload):
    worker = make_applicant()
    response = upload(worker["id"], "id_card_front")
    assert response.status_code == 201, response.json
    document = response.json
    assert document["kind"] == "id_card_front" and document["kind_name"] == "身份证（人像面）"
    assert document["proves"] == "id_card_checked_on"
    assert document["version"] == 1 and document["review"] == "pending" and document["review_name"] == "待审核"
    assert document["content_type"] == "image/jpeg" and document["size_bytes"] == len(JPEG)


def test_the_type_is_what_the_content_is_not_what_the_name_or_header_says(make_applicant, client, operator):
    worker = make_applicant()
    response = client.post(
        f"/api/v1/workers/{worker['id']}/documents",
        data={"kind": "health_certificate", "file": upload_part(PDF, "体检报告.jpg", "image/jpeg")},
        content_type="multipart/form-data",
        headers=operator,
    )
    assert response.status_code == 201, response.json
    assert response.json["content_type"] == "application/pdf"


@pytest.mark.parametrize(
    "data, filename",
    [
        (image_bytes("GIF"), "card.png"),
        (image_bytes("WEBP"), "card.jpg"),
        (b"<html><script>alert(1)</script></html>", "card.pdf"),
        (b"", "card.pdf"),
    ],
    ids=["gif named png", "webp named jpg", "html named pdf", "empty"],
)
def test_a_file_that_is_not_jpeg_png_or_pdf_is_a_415_naming_the_file(make_applicant, upload, data, filename):
    worker = make_applicant()
    files_before = stored_files()
    response = upload(worker["id"], data=data, filename=filename)
    assert response.status_code == 415, response.json
    assert response.json["code"] == "unsupported_media_type" and list(response.json["errors"]) == ["file"]
    assert rows(WorkerDocument) == [] and stored_files() == files_before


def test_a_file_over_the_limit_is_a_413_naming_the_file(app, make_applicant, upload):
    worker = make_applicant()
    limit = app.config["DOCUMENT_MAX_BYTES"]
    just_over = upload(worker["id"], data=b"%PDF-" + b"0" * limit)
    far_over = upload(worker["id"], data=b"%PDF-" + b"0" * (limit + 200_000))
    for response in (just_over, far_over):
        assert response.status_code == 413, response.json
        assert response.json["code"] == "too_large" and list(response.json["errors"]) == ["file"]
    assert rows(WorkerDocument) == []


def test_an_upload_sent_as_json_is_a_415(make_applicant, client, operator):
    worker = make_applicant()
    response = client.post(
        f"/api/v1/workers/{worker['id']}/documents", json={"kind": "id_card_front"}, headers=operator
    )
    assert response.status_code == 415 and list(response.json["errors"]) == ["file"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "passport", "file": "x"}, "kind"),
        ({"kind": "id_card_front", "file": "not a file part"}, "file"),
        ({"kind": "id_card_front"}, "file"),
        ({"kind": "id_card_front", "file": "x", "valid_until": "soon"}, "valid_until"),
        ({"kind": "id_card_front", "file": "x", "owner": "me"}, "owner"),
        ({"kind": "id_card\x00front", "file": "x"}, "kind"),
    ],
    ids=["unknown kind", "text instead of a file", "no file", "bad date", "unknown field", "nul character"],
)
def test_a_malformed_upload_is_a_422_naming_the_field(make_applicant, client, operator, body, field):
    worker = make_applicant()
    body = {key: upload_part(JPEG) if value == "x" else value for key, value in body.items()}
    response = client.post(
        f"/api/v1/workers/{worker['id']}/documents", data=body, content_type="multipart/form-data", headers=operator
    )
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]


def test_a_new_upload_of_a_kind_is_a_new_version_and_the_old_one_stays(make_applicant, upload, client, operator):
    worker = make_applicant()
    first = upload(worker["id"], "health_certificate", PDF, valid_until=(TODAY + timedelta(days=100)).isoformat())
    second = upload(worker["id"], "health_certificate", PNG, valid_until=(TODAY + timedelta(days=465)).isoformat())
    upload(worker["id"], "id_card_back")
    assert (first.json["version"], second.json["version"]) == (1, 2)

    listed = client.get(f"/api/v1/workers/{worker['id']}/documents?kind=health_certificate", headers=operator).json
    assert [(d["version"], d["content_type"]) for d in listed["items"]] == [(2, "image/png"), (1, "application/pdf")]
    old = client.get(f"/api/v1/workers/{worker['id']}/documents/{first.json['id']}/file", headers=operator)
    assert old.status_code == 200 and old.data == PDF


def test_an_operator_accepts_or_refuses_a_document_once(make_applicant, upload, client, operator):
    worker = make_applicant()
    accepted, refused = upload(worker["id"], "id_card_front").json, upload(worker["id"], "id_card_back").json
    base = f"/api/v1/workers/{worker['id']}/documents"

    answer = client.post(f"{base}/{accepted['id']}/accept", headers=operator)
    assert answer.status_code == 200 and answer.json["review"] == "accepted" and answer.json["reviewed_at"]
    answer = client.post(f"{base}/{refused['id']}/refuse", json={"reason": "照片模糊，无法辨认"}, headers=operator)
    assert answer.json["review"] == "refused" and answer.json["refusal_reason"] == "照片模糊，无法辨认"

    again = client.post(f"{base}/{refused['id']}/accept", headers=operator)
    assert again.status_code == 409 and again.json["code"] == "status_conflict"
    assert again.json["errors"] == {"review": ["refused"]}
    assert client.post(f"{base}/{accepted['id']}/refuse", json={}, headers=operator).status_code in (409, 422)


def test_refusing_needs_a_reason(make_applicant, upload, client, operator):
    worker = make_applicant()
    document = upload(worker["id"]).json
    answer = client.post(f"/api/v1/workers/{worker['id']}/documents/{document['id']}/refuse", json={}, headers=operator)
    assert answer.status_code == 422 and "reason" in answer.json["errors"]


def test_the_worker_s_company_admin_uploads_lists_and_downloads_but_cannot_review(company_worker, upload, client):
    worker, admin, _other_admin = company_worker
    uploaded = upload(worker["id"], "skill_certificate", PNG, headers=admin)
    assert uploaded.status_code == 201, uploaded.json
    base = f"/api/v1/workers/{worker['id']}/documents"
    assert client.get(base, headers=admin).json["total"] == 1
    downloaded = client.get(f"{base}/{uploaded.json['id']}/file", headers=admin)
    assert downloaded.status_code == 200 and downloaded.data == PNG
    assert client.post(f"{base}/{uploaded.json['id']}/accept", headers=admin).status_code == 403


def test_documents_are_hidden_from_everyone_else(company_worker, upload, client, login):
    worker, admin, other_admin = company_worker
    document = upload(worker["id"], headers=admin).json
    base = f"/api/v1/workers/{worker['id']}/documents"
    for path in (base, f"{base}/{document['id']}/file"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=login()).status_code == 403  # a resident
        assert client.get(path, headers=login("station_staff", station_code="440106001000")).status_code == 403
        assert client.get(path, headers=other_admin).status_code == 404  # another company's worker is none
    assert upload(worker["id"], headers=other_admin).status_code == 404


def test_a_document_of_another_worker_is_not_found_under_this_one(make_applicant, upload, client, operator):
    mine, theirs = make_applicant(), make_applicant()
    document = upload(theirs["id"]).json
    response = client.get(f"/api/v1/workers/{mine['id']}/documents/{document['id']}/file", headers=operator)
    assert response.status_code == 404


def test_a_download_is_a_private_attachment_never_cached(make_applicant, upload, client, operator):
    worker = make_applicant()
    document = upload(worker["id"], "credit_authorisation", PDF).json
    response = client.get(f"/api/v1/workers/{worker['id']}/documents/{document['id']}/file", headers=operator)
    assert response.mimetype == "application/pdf" and response.data == PDF
    assert response.headers["Content-Disposition"] == 'attachment; filename="credit_authorisation-v1.pdf"'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_look_up_of_the_documents_is_on_record(company_worker, upload, client, operator):
    worker, admin, _ = company_worker
    document = upload(worker["id"]).json
    client.get(f"/api/v1/workers/{worker['id']}/documents", headers=admin)
    client.get(f"/api/v1/workers/{worker['id']}/documents/{document['id']}/file", headers=operator)
    looked = [(r.worker_id, r.what, r.document_id, r.viewer_role) for r in rows(DocumentLookUp)]
    assert looked == [
        (worker["id"], "list", None, "company_admin"),
        (worker["id"], "document", document["id"], "operator"),
    ]


def test_each_file_is_stored_under_a_random_key_that_names_no_one(make_applicant, upload):
    worker = make_applicant(name="欧阳秀梅")
    upload(worker["id"])
    upload(worker["id"])
    keys = [document.storage_key for document in rows(WorkerDocument)]
    assert all(re.fullmatch(r"documents/[0-9a-f]{32}", key) for key in keys)
    assert keys[0] != keys[1]  # nothing in a key comes from the worker, the kind or the version


# ---------------------------------------------------------------- nothing half-stored


def test_a_document_whose_database_write_fails_leaves_no_file(make_applicant, upload, database_refuses_the_ledger_row):
    worker = make_applicant()
    files_before = stored_files()
    database_refuses_the_ledger_row()
    response = upload(worker["id"])
    assert response.status_code == 409, response.json  # the database's refusal, answered
    assert stored_files() == files_before
    assert rows(WorkerDocument) == []


def test_a_document_the_storage_refuses_leaves_no_row(app, make_applicant, operator, tmp_path, isolated):
    from app import create_app

    not_a_folder = tmp_path / "full-disk"
    not_a_folder.write_text("a file where the folder should be")
    broken = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "STORAGE_LOCAL_PATH": str(not_a_folder),
        }
    )
    worker = make_applicant()
    response = broken.test_client().post(
        f"/api/v1/workers/{worker['id']}/documents",
        data={"kind": "id_card_front", "file": upload_part(JPEG)},
        content_type="multipart/form-data",
        headers=operator,
    )
    problem = response.get_json()
    assert response.status_code == 503 and problem, problem
    assert problem["code"] == "storage_unavailable"
    assert rows(WorkerDocument) == []


# ---------------------------------------------------------------- retention


def test_documents_are_deleted_once_kept_long_enough_after_their_certificate_ends(
    app, make_applicant, upload, client, operator, cli
):
    worker = make_applicant()
    retention = app.config["DOCUMENT_RETENTION_DAYS"]
    ended_long_ago = (TODAY - timedelta(days=retention + 1)).isoformat()
    ended_lately = (TODAY - timedelta(days=retention - 1)).isoformat()
    old = upload(worker["id"], "health_certificate", PDF, valid_until=ended_long_ago).json
    recent = upload(worker["id"], "health_certificate", PDF, valid_until=ended_lately).json
    undated = upload(worker["id"], "id_card_front").json
    files_before = stored_files()

    first = cli("credit", "purge-documents")
    assert first.exit_code == 0, first.output
    assert "1 document" in first.output
    assert len(files_before - stored_files()) == 1

    base = f"/api/v1/workers/{worker['id']}/documents"
    gone = client.get(f"{base}/{old['id']}/file", headers=operator)
    assert gone.status_code == 404 and gone.json["code"] == "document_purged"
    listed = {d["id"]: d for d in client.get(base, headers=operator).json["items"]}
    assert listed[old["id"]]["purged_at"] is not None
    assert listed[recent["id"]]["purged_at"] is None and listed[undated["id"]]["purged_at"] is None

    again = cli("credit", "purge-documents")
    assert again.exit_code == 0 and "0 documents" in again.output


def test_an_undated_document_goes_once_kept_long_enough_after_the_certificate_is_revoked(
    app, make_issued, upload, step, cli
):
    worker = make_issued()
    upload(worker["id"], "id_card_front")
    step(worker["id"], "revoke", {"reason": "失信"})
    assert "0 documents" in cli("credit", "purge-documents").output
    later = TODAY + timedelta(days=app.config["DOCUMENT_RETENTION_DAYS"] + 2)
    with time_machine.travel(later.isoformat() + "T04:00:00+00:00", tick=True):
        assert "1 document" in cli("credit", "purge-documents").output
    (document,) = rows(WorkerDocument)
    assert document.purged_at is not None
