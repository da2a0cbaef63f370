"""The worker's own side of their file: everything on it, unmasked to them, and who looked at it.
A look-up of a worker's file is a row of scan_logs (a scan of the 安心碼, a staff read of the
file, the worker reading who looked) or of document_look_ups (their documents or photo read through
the app); "who looked" is one list of both. Callers commit; these functions only flush."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, func, insert, literal, null, select, union_all
from sqlalchemy.orm import undefer_group

from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF, WORKER
from app.access import Principal, require_principal
from app.clock import today_in_beijing, utcnow
from app.errors import NotFound
from app.extensions import db
from app.i18n import _
from app.paging import Page
from credit import certificates, ledger
from credit.employment import employment_history
from credit.models import (
    ANONYMOUS_VIEWER,
    FILE_CHANNEL,
    PERSONAL,
    SCAN_LOG_CHANNEL,
    SELF_VIEWER,
    DocumentLookUp,
    Employment,
    ScanLog,
    Worker,
)


def own_worker() -> Worker:
    """The worker record the caller's account is bound to (role worker)."""
    worker_id = require_principal().worker_id
    worker = db.session.get(Worker, worker_id, options=[undefer_group(PERSONAL)]) if worker_id else None
    if worker is None:
        raise NotFound(_("Your account is bound to no worker."), code="no_worker_bound")
    return worker


@dataclass(frozen=True)
class OwnFile:
    """What credit.schemas.OwnFileSchema shows the worker."""

    worker: Worker
    colour: str
    reasons: list[certificates.Reason]
    credit: ledger.Explanation
    employments: list[Employment]


def own_file(worker: Worker) -> OwnFile:
    today = today_in_beijing()
    return OwnFile(
        worker=worker,
        colour=certificates.colour(worker.certificate, today),
        reasons=certificates.reasons(worker.certificate, today),
        credit=ledger.explanation(worker),
        employments=employment_history(worker),
    )


def viewer_kind(principal: Principal | None) -> str:
    """What kind of caller looked, as the worker is told it (credit.models.VIEWER_NAMES): their
    strongest role, never who they are."""
    if principal is None:
        return ANONYMOUS_VIEWER
    for role, kind in ((OPERATOR, "operator"), (COMPANY_ADMIN, "company"), (STATION_STAFF, "station")):
        if principal.has_role(role):
            return kind
    return "resident"


def record_look(worker: Worker, channel: str, viewer: str) -> None:
    """One look-up of the worker's file, on the same log as the scans."""
    db.session.execute(
        insert(ScanLog).values(
            certificate_id=worker.certificate.id, scanned_at=utcnow(), channel=channel, client="other", viewer=viewer
        )
    )


# The kind of caller a document look-up's role is shown as (credit.models.VIEWER_NAMES).
DOCUMENT_VIEWERS = {OPERATOR: "operator", COMPANY_ADMIN: "company", WORKER: SELF_VIEWER}
# What a scan_logs row was a look at, by its channel: the 安心碼 unless named here.
SCAN_LOG_WHAT = {FILE_CHANNEL: "file", SCAN_LOG_CHANNEL: "log"}


@dataclass(frozen=True)
class Look:
    """One row of who looked (credit.schemas.LookSchema)."""

    scanned_at: datetime
    channel: str
    viewer: str | None
    what: str


def looks_at(worker: Worker, page: int, per_page: int) -> Page:
    """Who looked at the worker, newest first: the scan log and the look-ups of their documents and
    photo, paged as one list. Reading it is a look-up too, logged before the page is read, so it is
    the page's first row (at the same instant, a scan_logs row comes first)."""
    record_look(worker, SCAN_LOG_CHANNEL, SELF_VIEWER)
    scans = select(
        ScanLog.scanned_at.label("at"),
        ScanLog.channel.label("channel"),
        ScanLog.viewer.label("who"),
        cast(null(), String).label("what"),
        literal(1).label("source"),
        ScanLog.id.label("id"),
    ).where(ScanLog.certificate_id == worker.certificate.id)
    documents = select(
        DocumentLookUp.looked_up_at,
        literal(FILE_CHANNEL, String),
        DocumentLookUp.viewer_role,
        DocumentLookUp.what,
        literal(0),
        DocumentLookUp.id,
    ).where(DocumentLookUp.worker_id == worker.id)
    looks = union_all(scans, documents).subquery()
    total = db.session.scalar(select(func.count()).select_from(looks)) or 0
    rows = db.session.execute(
        select(looks)
        .order_by(looks.c.at.desc(), looks.c.source.desc(), looks.c.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(items=[_look(row) for row in rows], total=total, page=page, per_page=per_page)


def _look(row) -> Look:
    if row.what is None:
        return Look(row.at, row.channel, row.who, SCAN_LOG_WHAT.get(row.channel, "scan"))
    return Look(row.at, row.channel, DOCUMENT_VIEWERS.get(row.who), "photo" if row.what == "photo" else "documents")
