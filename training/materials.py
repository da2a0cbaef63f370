"""A lesson's PDF material: uploaded by an operator to the file storage (app.storage), read back
through the app only by those the lesson is for (training.access.lesson_for_reader). Callers
commit; these functions only flush.

Nothing is half-stored, as with a worker's documents (credit.documents): the file is stored
under a new key once the row names it, and removed again if the transaction does not commit;
the PDF it replaces is removed only once the new one is committed."""

import logging

from flask import current_app
from werkzeug.datastructures import FileStorage

from app.database import after_commit
from app.errors import Unavailable, UnsupportedMediaType
from app.extensions import db
from app.i18n import _
from app.storage import discard_unless_committed, new_key, storage
from credit.documents import read_limited, sniffed_type
from training.models import Lesson

log = logging.getLogger(__name__)
PDF = "application/pdf"


def attach_pdf(lesson: Lesson, file: FileStorage) -> Lesson:
    """The lesson's PDF, in place of any earlier one: its content must be a PDF (%PDF-), at most
    TRAINING_PDF_MAX_BYTES."""
    data = read_limited(file, current_app.config["TRAINING_PDF_MAX_BYTES"])
    if sniffed_type(data) != PDF:
        raise UnsupportedMediaType(_("A lesson's material must be a PDF."), field="file")
    replaced = lesson.pdf_storage_key
    lesson.pdf_storage_key, lesson.pdf_size_bytes = new_key("lessons"), len(data)
    db.session.flush()
    discard_unless_committed(lesson.pdf_storage_key)
    storage().put(lesson.pdf_storage_key, data, PDF)
    if replaced is not None:
        after_commit(_removal_of(replaced))
    return lesson


def _removal_of(key: str):
    def remove() -> None:
        try:
            storage().delete(key)
        except Unavailable:
            log.error("storage: %s was replaced and could not be removed", key)

    return remove


def pdf_of(lesson: Lesson) -> bytes | None:
    """The stored PDF, or None when the lesson has none."""
    return storage().get(lesson.pdf_storage_key) if lesson.pdf_storage_key else None


def pdf_filename(lesson: Lesson) -> str:
    return f"lesson-{lesson.id}.pdf"
