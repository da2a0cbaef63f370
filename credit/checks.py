"""The no-criminal-record check (无犯罪记录), the liability insurance (从业责任保险) and the
real-name check (实名认证) as facts of a worker's file: recorded by an operator from a paper
certificate or answered by the verification service (credit.verification). Each is a new
WorkerCheck row (nothing is overwritten) and one ledger row; the latest background check and
policy are carried on the certificate, where the colour and the scan read them, and touching the
certificate renews the scan's data version after the commit (credit.scanning). Callers commit;
these functions only flush."""

import calendar
from datetime import date, timedelta

from sqlalchemy import select

from accounts.models import User
from app.clock import utcnow
from app.extensions import db
from credit.ledger import append_event, recompute_worker
from credit.models import CRIMINAL_RECORD, INSURANCE, Certificate, WorkerCheck
from credit.scoring import current_config

# What the certificate carries of each kind's latest check (the real-name check only its row).
CARRIED = {
    CRIMINAL_RECORD: ("criminal_record_result", "criminal_record_checked_on", "criminal_record_valid_until"),
    INSURANCE: ("insurance_result", "insurance_valid_from", "insurance_valid_until"),
}


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter: 31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def recheck_due(checked_on: date, valid_until: date | None) -> date:
    """The last day a background check counts: its own end, or the day before it is due again
    (scoring.toml's colour.criminal_record_recheck_months after the check), whichever comes first."""
    due = add_months(checked_on, current_config().colour.criminal_record_recheck_months) - timedelta(days=1)
    return min(due, valid_until) if valid_until else due


def record_check(certificate: Certificate, fact: dict, actor: User | None) -> WorkerCheck:
    """Records one check of the certificate's worker (`fact`: kind, source, reference,
    checked_on, valid_from, valid_until, result) and makes it the worker's latest of its kind."""
    worker = certificate.worker
    check = WorkerCheck(worker_id=worker.id, actor_id=actor.id if actor else None, **fact)
    db.session.add(check)
    before = _carried(certificate, check.kind)
    if check.kind == CRIMINAL_RECORD:
        certificate.criminal_record_result = check.result
        certificate.criminal_record_checked_on = check.checked_on
        certificate.criminal_record_valid_until = (
            recheck_due(check.checked_on, check.valid_until) if check.result == "clear" else check.valid_until
        )
    elif check.kind == INSURANCE:
        certificate.insurance_result = check.result
        certificate.insurance_valid_from = check.valid_from
        certificate.insurance_valid_until = check.valid_until
    certificate.updated_at = utcnow()
    db.session.flush()
    append_event(
        worker,
        "documents_checked",
        1 if check.result != "pending" else 0,
        actor,
        reason=f"{check.kind.replace('_', ' ')} check recorded ({check.source}): {check.result}",
        source_ref=f"check:{check.id}",
        before=before or None,
        # The reference stays in worker_checks (encrypted): the ledger is kept for ever.
        after=_carried(certificate, check.kind) or {"result": check.result, "checked_on": check.checked_on.isoformat()},
    )
    recompute_worker(worker)  # the code's colour may have changed, and scoring.toml may count it
    return check


def _carried(certificate: Certificate, kind: str) -> dict:
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name in CARRIED.get(kind, ())
        if (value := getattr(certificate, name)) is not None
    }


def checks_of(worker_id: int) -> list[WorkerCheck]:
    """Every check of the worker, newest first."""
    return list(
        db.session.scalars(
            select(WorkerCheck).where(WorkerCheck.worker_id == worker_id).order_by(WorkerCheck.id.desc())
        )
    )
