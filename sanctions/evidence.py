"""Evidence files of a case or a repair application: checked like a worker's documents (JPEG, PNG
or PDF by content, DOCUMENT_MAX_BYTES at most), stored once the row is written and removed again if
the transaction does not commit; read by operators and the party, every read on record."""

from flask import current_app
from werkzeug.datastructures import FileStorage

from accounts.models import User
from app.access import Principal
from app.clock import utcnow
from app.extensions import db
from app.storage import discard_unless_committed, new_key, storage
from credit.documents import EXTENSIONS, StoredDocument, read_limited, sniffed_type
from sanctions.models import EVIDENCE_READ, Evidence, SanctionCase, SanctionLookUp


def store_evidence(
    case: SanctionCase, file: FileStorage, stage: str, actor: User | None, repair_id: int | None = None
) -> Evidence:
    data = read_limited(file, current_app.config["DOCUMENT_MAX_BYTES"])
    content_type = sniffed_type(data)
    evidence = Evidence(
        case_id=case.id,
        repair_id=repair_id,
        stage=stage,
        storage_key=new_key("sanctions"),
        content_type=content_type,
        size_bytes=len(data),
        uploaded_by_id=actor.id if actor is not None else None,
        uploaded_at=utcnow(),
    )
    db.session.add(evidence)
    db.session.flush()
    discard_unless_committed(evidence.storage_key)
    storage().put(evidence.storage_key, data, content_type)
    return evidence


def read_evidence(evidence: Evidence, principal: Principal, role: str, worker_id: int | None) -> StoredDocument:
    """The file, for a caller sanctions.access let through; the read is logged with the role that
    allowed it."""
    stored = StoredDocument(
        data=storage().get(evidence.storage_key),
        content_type=evidence.content_type,
        filename=f"sanction-evidence-{evidence.id}.{EXTENSIONS[evidence.content_type]}",
    )
    db.session.add(
        SanctionLookUp(
            what=EVIDENCE_READ,
            viewer_id=principal.user.id,
            viewer_role=role,
            worker_id=worker_id,
            evidence_id=evidence.id,
            result="read",
            looked_up_at=utcnow(),
        )
    )
    return stored
