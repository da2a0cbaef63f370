"""The worker's own side of their file: everything on it, unmasked to them, and who looked at it.
Every look-up of a worker's file is a row of scan_logs (a scan of the 安心碼, a staff read of the
file, the worker reading who looked), so "who looked" is one list. Callers commit; these
functions only flush."""

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import undefer_group

from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF
from app.access import Principal, require_principal
from app.clock import today_in_beijing, utcnow
from app.errors import NotFound
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from credit import certificates, ledger
from credit.employment import employment_history
from credit.models import (
    ANONYMOUS_VIEWER,
    PERSONAL,
    SCAN_LOG_CHANNEL,
    SELF_VIEWER,
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


def looks_at(worker: Worker, page: int, per_page: int) -> Page:
    """Who looked at the worker, newest first. Reading it is a look-up too, logged before the page
    is read, so it is the page's first row."""
    record_look(worker, SCAN_LOG_CHANNEL, SELF_VIEWER)
    query = select(ScanLog).where(ScanLog.certificate_id == worker.certificate.id)
    return paginate(query.order_by(ScanLog.scanned_at.desc(), ScanLog.id.desc()), page, per_page)
