"""A lesson's PDF material: an operator uploads it (its content must be a PDF, within
TRAINING_PDF_MAX_BYTES) to the file storage; the workers enrolled in the class, their company's
admin and operators download it through the app, never cached; to anyone else it does not exist.
Nothing is half-stored."""

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.factories import PDF, image_bytes, online_class_body, stored_files, upload_part
from training.models import Lesson


@pytest.fixture
def put_pdf(client, operator):
    def put(lesson_id, data=PDF, headers=None, filename="讲义.pdf"):
        return client.put(
            f"/api/v1/training/lessons/{lesson_id}/pdf",
            data={"file": upload_part(data, filename, "application/pdf")},
            content_type="multipart/form-data",
            headers=headers or operator,
        )

    return put


@pytest.fixture
def lesson_of_a_company_worker(make_class, make_company, make_trainee, enrol):
    """A lesson of an online class a company's worker is enrolled in, the worker and the company."""
    company = make_company()
    worker = make_trainee(company_id=company["id"])
    training_class = make_class(online_class_body(30))
    assert enrol(training_class, worker).status_code == 201
    return training_class["lessons"][0]["id"], worker, company


def download(client, lesson_id, headers):
    return client.get(f"/api/v1/training/lessons/{lesson_id}/pdf", headers=headers)


def pdf_keys():
    return [key for key in db.session.scalars(select(Lesson.pdf_storage_key)) if key]


def test_an_operator_uploads_a_pdf_and_the_lesson_shows_where_to_download_it(
    client, operator, put_pdf, lesson_of_a_company_worker
):
    lesson_id, _, _ = lesson_of_a_company_worker
    response = put_pdf(lesson_id)
    assert response.status_code == 200, response.json
    assert response.json["pdf_url"] == f"/api/v1/training/lessons/{lesson_id}/pdf"
    assert response.json["pdf_size_bytes"] == len(PDF)
    downloaded = download(client, lesson_id, operator)
    assert downloaded.status_code == 200
    assert downloaded.data == PDF and downloaded.mimetype == "application/pdf"
    assert downloaded.headers["Content-Disposition"] == f'attachment; filename="lesson-{lesson_id}.pdf"'
    assert downloaded.headers["Cache-Control"] == "private, no-store"


def test_the_enrolled_worker_and_their_company_admin_download_it_and_nobody_else(
    client, login, make_company, make_trainee, put_pdf, lesson_of_a_company_worker
):
    lesson_id, worker, company = lesson_of_a_company_worker
    put_pdf(lesson_id)
    allowed = {
        "the worker": login("worker", worker_id=worker["id"]),
        "their company admin": login("company_admin", company_id=company["id"]),
    }
    for who, headers in allowed.items():
        response = download(client, lesson_id, headers)
        assert (response.status_code, response.data) == (200, PDF), who
    not_enrolled = make_trainee(company_id=make_company()["id"])
    refused = {
        "a worker not enrolled": login("worker", worker_id=not_enrolled["id"]),
        "another company's admin": login("company_admin", company_id=not_enrolled["company_id"]),
    }
    for who, headers in refused.items():
        response = download(client, lesson_id, headers)
        assert (response.status_code, response.json["code"]) == (404, "not_found"), who
    assert download(client, lesson_id, login()).status_code == 403
    assert download(client, lesson_id, {}).status_code == 401


def test_a_worker_whose_enrolment_was_cancelled_no_longer_downloads_it(
    client, operator, login, put_pdf, lesson_of_a_company_worker
):
    lesson_id, worker, _ = lesson_of_a_company_worker
    put_pdf(lesson_id)
    enrolments = client.get(f"/api/v1/training/workers/{worker['id']}/enrolments", headers=operator).json["items"]
    cancelled = client.post(
        f"/api/v1/training/enrolments/{enrolments[0]['id']}/cancel", json={"reason": "改期"}, headers=operator
    )
    assert cancelled.status_code == 200, cancelled.json
    assert download(client, lesson_id, login("worker", worker_id=worker["id"])).status_code == 404


def test_a_lesson_without_a_pdf_says_so(client, operator, lesson_of_a_company_worker):
    lesson_id, _, _ = lesson_of_a_company_worker
    response = download(client, lesson_id, operator)
    assert (response.status_code, response.json["code"]) == (404, "no_pdf")


@pytest.mark.parametrize(
    "data, filename",
    [(image_bytes("JPEG"), "讲义.pdf"), (b"<html><script>alert(1)</script></html>", "讲义.pdf"), (b"", "讲义.pdf")],
    ids=["jpeg named pdf", "html named pdf", "empty"],
)
def test_a_file_that_is_not_a_pdf_is_a_415_and_nothing_is_stored(put_pdf, lesson_of_a_company_worker, data, filename):
    lesson_id, _, _ = lesson_of_a_company_worker
    files_before = stored_files()
    response = put_pdf(lesson_id, data, filename=filename)
    assert response.status_code == 415, response.json
    assert list(response.json["errors"]) == ["file"]
    assert stored_files() == files_before and pdf_keys() == []


def test_a_pdf_over_the_limit_is_a_413_and_nothing_is_stored(app, put_pdf, lesson_of_a_company_worker):
    lesson_id, _, _ = lesson_of_a_company_worker
    files_before = stored_files()
    response = put_pdf(lesson_id, b"%PDF-" + b"0" * app.config["TRAINING_PDF_MAX_BYTES"])
    assert (response.status_code, response.json["code"]) == (413, "too_large")
    assert list(response.json["errors"]) == ["file"]
    assert stored_files() == files_before and pdf_keys() == []


def test_a_new_pdf_replaces_the_old_one_and_its_file(client, operator, put_pdf, lesson_of_a_company_worker):
    lesson_id, _, _ = lesson_of_a_company_worker
    put_pdf(lesson_id)
    files_with_the_first = stored_files()
    second = PDF.replace(b"%%EOF", b"% second edition\n%%EOF")
    assert put_pdf(lesson_id, second).status_code == 200
    assert len(stored_files()) == len(files_with_the_first)
    assert stored_files() != files_with_the_first
    assert download(client, lesson_id, operator).data == second


def test_only_an_operator_uploads_and_an_unknown_lesson_is_a_404(put_pdf, login, lesson_of_a_company_worker):
    lesson_id, worker, company = lesson_of_a_company_worker
    for headers in (login("worker", worker_id=worker["id"]), login("company_admin", company_id=company["id"])):
        assert put_pdf(lesson_id, headers=headers).status_code == 403
    assert put_pdf(999999).status_code == 404
    assert pdf_keys() == []


def test_a_pdf_the_storage_refuses_leaves_the_lesson_without_one(
    app, operator, tmp_path, isolated, lesson_of_a_company_worker
):
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
    lesson_id, _, _ = lesson_of_a_company_worker
    response = broken.test_client().put(
        f"/api/v1/training/lessons/{lesson_id}/pdf",
        data={"file": upload_part(PDF, "讲义.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=operator,
    )
    assert (response.status_code, response.get_json()["code"]) == (503, "storage_unavailable")
    assert pdf_keys() == []
