"""A worker's evidence on the worker's page: the documents beside the facts they prove, each
opened through the console (the look-up recorded, as the API's file route records it), the
photo, an operator's review of each document and record of a background check or policy from
paper, and a company admin's uploads and the end of a worker's employment. Every action calls
the API route's own access check and service function; a refusal is shown beside its form."""

from flask import Blueprint, current_app, redirect, url_for

from accounts.models import COMPANY_ADMIN, OPERATOR
from console.web import attempt, form_input, page, principal, takes_upload
from console.workers import worker_page
from credit import certificates, checks, documents, employment, photos
from credit.access import documents_worker_for_caller, worker_for_caller
from credit.models import PAPER
from credit.schemas import (
    CheckCreateSchema,
    DocumentUploadSchema,
    OptionalReasonSchema,
    PhotoUploadSchema,
    ReasonSchema,
)

evidence = Blueprint("evidence", __name__, url_prefix="")


def _back_to_the_worker(worker_id: int, outcome, form: str):
    """The worker's page again: after success (303), or with the refusal beside the form `form`."""
    if outcome.problem is None:
        return redirect(url_for("console.workers.worker_page", worker_id=worker_id), 303)
    return worker_page.__wrapped__(worker_id, outcome=outcome, status=outcome.status, failed_step=form)


def _private(data: bytes, content_type: str, disposition: str | None = None):
    response = current_app.response_class(data, mimetype=content_type)
    response.headers["Cache-Control"] = "private, no-store"
    if disposition:
        response.headers["Content-Disposition"] = disposition
    return response


@evidence.get("/workers/<id:worker_id>/documents/<id:document_id>/file")
@page(OPERATOR, COMPANY_ADMIN)
def document_file(worker_id, document_id):
    """One document's file, opened in the browser (GET /api/v1/workers/{id}/documents/{id}/file's
    checks and look-up record)."""
    worker, role = documents_worker_for_caller(worker_id)
    document = documents.document_of(worker, document_id)
    stored = documents.file_of(document)
    documents.record_look_up(worker, principal().user, role, "document", document)
    return _private(stored.data, stored.content_type, f'inline; filename="{stored.filename}"')


@evidence.get("/workers/<id:worker_id>/photo.jpg")
@page(OPERATOR, COMPANY_ADMIN)
def worker_photo(worker_id):
    """The photo as the scan shows it (GET /api/v1/workers/{id}/photo.jpg's checks and record)."""
    worker, role = documents_worker_for_caller(worker_id)
    photo = photos.photo_of(worker)
    documents.record_look_up(worker, principal().user, role, "photo")
    return _private(photo, "image/jpeg")


@evidence.post("/workers/<id:worker_id>/documents")
@takes_upload(DocumentUploadSchema)
@page(OPERATOR, COMPANY_ADMIN)
def upload_document(worker_id):
    def upload():
        data = form_input(DocumentUploadSchema())
        return documents.upload(
            worker_for_caller(worker_id), data["kind"], data["file"], data.get("valid_until"), principal().user
        )

    return _back_to_the_worker(worker_id, attempt(upload), "upload_document")


@evidence.post("/workers/<id:worker_id>/photo")
@takes_upload(PhotoUploadSchema)
@page(OPERATOR, COMPANY_ADMIN)
def upload_photo(worker_id):
    def upload():
        data = form_input(PhotoUploadSchema())
        return photos.replace_photo(worker_for_caller(worker_id, shown=True), data["file"], principal().user)

    return _back_to_the_worker(worker_id, attempt(upload), "upload_photo")


@evidence.post("/workers/<id:worker_id>/documents/<id:document_id>/<any(accept, refuse):action>")
@page(OPERATOR)
def review_document(worker_id, document_id, action):
    """POST /api/v1/workers/{id}/documents/{id}/accept or refuse (with its reason)."""

    def review():
        reason = form_input(ReasonSchema())["reason"] if action == "refuse" else None
        document = documents.document_of(worker_for_caller(worker_id), document_id, locked=True)
        return documents.review(document, action, principal().user, reason)

    return _back_to_the_worker(worker_id, attempt(review), f"review-{document_id}")


@evidence.post("/workers/<id:worker_id>/checks")
@page(OPERATOR)
def record_check(worker_id):
    """POST /api/v1/workers/{id}/checks: a background check or policy read from paper."""

    def record():
        fact = form_input(CheckCreateSchema())
        certificate = certificates.locked_certificate(worker_for_caller(worker_id, shown=True))
        return checks.record_check(certificate, {**fact, "source": PAPER}, principal().user)

    return _back_to_the_worker(worker_id, attempt(record), "record_check")


@evidence.post("/workers/<id:worker_id>/employment/end")
@page(OPERATOR, COMPANY_ADMIN)
def end_employment(worker_id):
    """POST /api/v1/workers/{id}/employment/end: the company admin loses the file at once, so the
    answer is the list of workers."""

    def end():
        role = OPERATOR if principal().has_role(OPERATOR) else COMPANY_ADMIN
        reason = form_input(OptionalReasonSchema()).get("reason")
        return employment.end_employment(worker_for_caller(worker_id), principal().user, role, reason)

    outcome = attempt(end)
    if outcome.problem is None:
        return redirect(url_for("console.workers.worker_list"), 303)
    return _back_to_the_worker(worker_id, outcome, "end_employment")
