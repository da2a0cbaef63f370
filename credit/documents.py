"""A worker's documents on file (三证一书, the no-criminal-record certificate, the insurance
policy): uploaded, versioned, reviewed by an operator, read by those allowed (every look-up on
record), and deleted once kept long enough. Callers commit; these functions only flush.

Nothing is half-stored: the row is written (flushed) first, so a refused write stores no file;
the file is stored next, and removed again if the transaction then fails to commit
(app.storage.discard_unless_committed)."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from werkzeug.datastructures import FileStorage

from accounts.models import User
from app.clock import beijing_day_bounds, today_in_beijing, utcnow
from app.errors import NotFound, TooLarge, UnsupportedMediaType
from app.extensions import db
from app.i18n import _
from app.storage import discard_unless_committed, new_key, storage
from credit.ledger import append_event
from credit.models import (
    DOCUMENT_REVIEW,
    EXPIRED,
    REVOKED,
    Certificate,
    DocumentLookUp,
    Worker,
    WorkerDocument,
)

# The first bytes of each accepted type: what the file is, whatever its name or declared type.
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def read_limited(file: FileStorage, limit: int, field: str = "file") -> bytes:
    """The uploaded file's bytes; a 413 naming the field when it holds more than `limit`."""
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(_("The file is larger than the %(limit)s bytes allowed.", limit=limit), field=field)
    return data


def sniffed_type(data: bytes, field: str = "file") -> str:
    """The media type the content itself shows; a 415 naming the field for anything but JPEG,
    PNG or PDF."""
    for signature, media_type in SIGNATURES.items():
        if data.startswith(signature):
            return media_type
    raise UnsupportedMediaType(_("The file must be a JPEG, PNG or PDF."), field=field)


def upload(worker: Worker, kind: str, file: FileStorage, valid_until: date | None, actor: User) -> WorkerDocument:
    """A new version of the worker's document of `kind`, pending review; earlier versions stay.
    Two uploads of one kind at once: the second is a 409 (one version each, a unique key)."""
    data = read_limited(file, current_app.config["DOCUMENT_MAX_BYTES"])
    content_type = sniffed_type(data)
    latest = db.session.scalar(
        select(func.max(WorkerDocument.version)).where(
            WorkerDocument.worker_id == worker.id, WorkerDocument.kind == kind
        )
    )
    document = WorkerDocument(
        worker_id=worker.id,
        kind=kind,
        version=(latest or 0) + 1,
        storage_key=new_key("documents"),
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        valid_until=valid_until,
        uploaded_by_id=actor.id,
        uploaded_at=utcnow(),
    )
    db.session.add(document)
    db.session.flush()
    discard_unless_committed(document.storage_key)
    storage().put(document.storage_key, data, content_type)
    append_event(
        worker, "note", 0, actor, reason="document uploaded", after={"document": kind, "version": document.version}
    )
    return document


def document_of(worker: Worker, document_id: int, *, locked: bool = False) -> WorkerDocument:
    """One of the worker's documents; `locked`: row-locked until commit (PostgreSQL), so two
    operators reviewing it at once are served one after the other."""
    query = select(WorkerDocument).where(WorkerDocument.id == document_id)
    if locked:
        query = query.with_for_update()
    document = db.session.scalar(query)
    if document is None or document.worker_id != worker.id:
        raise NotFound(_("No document %(id)s of this worker.", id=document_id))
    return document


def review(document: WorkerDocument, action: str, actor: User, reason: str | None = None) -> WorkerDocument:
    """accept or refuse (with a reason), once, by DOCUMENT_REVIEW."""
    document.review = DOCUMENT_REVIEW.target(document.review, action, f"{action} the document")
    document.refusal_reason = reason
    document.reviewed_by_id = actor.id
    document.reviewed_at = utcnow()
    worker = db.session.get_one(Worker, document.worker_id)
    append_event(
        worker,
        "note",
        0,
        actor,
        reason=reason or f"document {document.review}",
        after={"document": document.kind, "version": document.version, "review": document.review},
    )
    return document


def record_look_up(worker: Worker, viewer: User, role: str, what: str, document: WorkerDocument | None = None) -> None:
    """A look-up of the worker's file: the list of documents, one document's file, or the photo."""
    db.session.add(
        DocumentLookUp(
            worker_id=worker.id,
            what=what,
            document_id=document.id if document is not None else None,
            viewer_id=viewer.id,
            viewer_role=role,
            looked_up_at=utcnow(),
        )
    )


def documents_of(worker: Worker, kind: str | None = None) -> list[WorkerDocument]:
    """Every version on file, newest first."""
    query = select(WorkerDocument).where(WorkerDocument.worker_id == worker.id)
    if kind is not None:
        query = query.where(WorkerDocument.kind == kind)
    return list(db.session.scalars(query.order_by(WorkerDocument.id.desc())))


@dataclass(frozen=True)
class StoredDocument:
    data: bytes
    content_type: str
    filename: str


def file_of(document: WorkerDocument) -> StoredDocument:
    if document.purged_at is not None:
        raise NotFound(
            _("This document was deleted at the end of its retention period."),
            code="document_purged",
            field="document_id",
        )
    return StoredDocument(
        data=storage().get(document.storage_key),
        content_type=document.content_type,
        filename=f"{document.kind}-v{document.version}.{EXTENSIONS[document.content_type]}",
    )


# ---------------------------------------------------------------- retention


def due_for_deletion(today: date) -> list[WorkerDocument]:
    """Documents kept DOCUMENT_RETENTION_DAYS past the end of the certificate they hold: a dated
    one (a health certificate, a policy) past its valid_until; an undated one (the ID card, the
    authorisation) past the end of the worker's 安心服務證 (revoked or expired, as of its last
    change)."""
    cutoff = today - timedelta(days=current_app.config["DOCUMENT_RETENTION_DAYS"])
    ended = (
        select(Certificate.worker_id)
        .where(Certificate.state.in_((REVOKED, EXPIRED)), Certificate.updated_at < beijing_day_bounds(cutoff)[0])
        .scalar_subquery()
    )
    query = select(WorkerDocument).where(
        WorkerDocument.purged_at.is_(None),
        or_(
            WorkerDocument.valid_until < cutoff,
            WorkerDocument.valid_until.is_(None) & WorkerDocument.worker_id.in_(ended),
        ),
    )
    return list(db.session.scalars(query.order_by(WorkerDocument.id)))


def purge(document: WorkerDocument) -> None:
    """Deletes the file, then marks the row: a run cut short between the two finds the row
    unmarked next time and deletes again (a missing file is no error), so the command can be
    run any number of times."""
    storage().delete(document.storage_key)
    document.purged_at = utcnow()


def purge_due() -> int:
    """`flask credit purge-documents`: each due document's file deleted and the row marked, one
    commit each, so a failure part-way keeps what was done."""
    purged = 0
    for document in due_for_deletion(today_in_beijing()):
        purge(document)
        db.session.commit()
        purged += 1
    return purged
