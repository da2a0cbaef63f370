"""Publishing to the feed: one record per change, added to the session of the change itself, so
the record commits with it or not at all. Callers commit; these functions only flush."""

from datetime import datetime

from app.clock import utcnow
from app.extensions import db
from app.privacy import mask_name
from credit.models import Certificate, Company, Worker
from feed.models import CERTIFICATE_KINDS, COMPANY, COMPANY_GRADE_CHANGED, KIND_FIELDS, WORKER, FeedRecord


def publish_record(kind: str, occurred_at: datetime, subject: Worker | Company, **fields) -> FeedRecord:
    """A record of `kind` about `subject` (a worker: their certificate number, masked name and
    employer; a company: its credit code and name). `fields` are the kind's own (KIND_FIELDS),
    as docs/public-credit-feed.md defines them; any other is a defect, refused before anything
    is written, so nothing the data dictionary does not allow reaches the feed.

    Also the receiver of sanctions' `listing_started` and `listing_ended` (kinds of the same
    names), through a receiver there that names the party and the listing's fields."""
    if kind not in KIND_FIELDS:
        raise ValueError(f"unknown feed record kind: {kind}")
    undeclared = set(fields) - set(KIND_FIELDS[kind])
    if undeclared:
        raise ValueError(f"{kind} records have no field {', '.join(sorted(undeclared))}")
    record = FeedRecord(kind=kind, occurred_at=occurred_at, recorded_at=utcnow(), **_subject(subject))
    record.payload = record.payload | {name: _jsonable(value) for name, value in fields.items()}
    db.session.add(record)
    db.session.flush()
    return record


def _subject(subject: Worker | Company) -> dict:
    if isinstance(subject, Company):
        return {
            "subject_type": COMPANY,
            "credit_code": subject.credit_code,
            "certificate_number": None,
            "payload": {"company_name": subject.name, "worker_name_masked": None},
        }
    employer = subject.company
    certificate = subject.certificate
    return {
        "subject_type": WORKER,
        "credit_code": employer.credit_code if employer is not None else None,
        "certificate_number": certificate.number if certificate is not None else None,
        "payload": {
            "company_name": employer.name if employer is not None else None,
            "worker_name_masked": mask_name(subject.name),
        },
    }


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def on_company_level_changed(company: Company, *, before: str | None, after: str, version: str) -> None:
    """credit.ledger.company_level_changed: the grade before (None for the first) and after."""
    publish_record(
        COMPANY_GRADE_CHANGED,
        company.credit_computed_at or utcnow(),
        company,
        grade_before=before,
        grade_after=after,
        scoring_version=version,
    )


def on_certificate_moved(certificate: Certificate, *, action: str, before: str, after: str) -> None:
    """credit.certificates.certificate_moved: issue, suspension, reinstatement, revocation,
    expiry and renewal are published; the steps before issue are not."""
    kind = CERTIFICATE_KINDS.get(action)
    if kind is not None:
        publish_record(kind, certificate.updated_at, certificate.worker, state_before=before, state_after=after)
