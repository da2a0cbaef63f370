"""Filing and handling a complaint of any kind, by one StateTable (COMPLAINT_STATES): its
severity (一般, 严重, 无效) and the deadlines that follow from it, each step with who and when on
the complaint and in its audit trail, a serious one escalated to operators at once, and,
when COMPLAINT_SERIOUS_SUSPENDS is on, the worker of a complaint staff triage as serious
suspended pending review. No request, no commit: callers commit, these functions only flush."""

from flask import current_app

from accounts.models import User
from app.clock import utcnow
from app.extensions import db
from complaints import alerts
from complaints.deadlines import set_deadlines
from complaints.escalation import escalate
from complaints.kinds import Complaint, kind_of
from complaints.models import (
    COMPLAINT_STATES,
    ESCALATED_SERIOUS,
    INVALID,
    INVALID_SEVERITY,
    ORDINARY,
    SERIOUS,
    SERIOUS_TYPES,
    ComplaintEvent,
)
from credit.certificates import change_standing, locked_certificate
from credit.models import ISSUED, Worker


def _event(complaint: Complaint, action: str, before: str | None, actor: User | None, reason=None, **details):
    db.session.add(
        ComplaintEvent(
            complaint_kind=type(complaint).COMPLAINT_KIND,
            complaint_id=complaint.id,
            action=action,
            from_status=before,
            to_status=complaint.status,
            actor_id=actor.id if actor else None,
            reason=reason,
            details=details or None,
            created_at=utcnow(),
        )
    )


def filed(complaint: Complaint, actor: User) -> Complaint:
    """A complaint just added and flushed: 严重 when its type is serious by nature (safety, theft,
    abuse), with its deadlines; its handlers are told, and operators at once when it is serious."""
    complaint.severity = SERIOUS if complaint.type in SERIOUS_TYPES else ORDINARY
    set_deadlines(complaint)
    _event(complaint, "filed", None, actor, type=complaint.type, severity=complaint.severity)
    kind = kind_of(complaint)
    alerts.complaint_received(complaint, kind.station_of(complaint), kind.company_of(complaint))
    if complaint.severity == SERIOUS:
        escalate(complaint, ESCALATED_SERIOUS)
    db.session.flush()
    return complaint


def handle(
    complaint: Complaint, action: str, actor: User, reason: str | None, severity: str | None = None
) -> Complaint:
    """accept (triage, optionally with a severity: ordinary or serious), uphold / dismiss /
    invalidate (无效), close: each step with who and when. A change of severity sets the
    deadlines anew from the filing time."""
    target = COMPLAINT_STATES.target(complaint.status, action, doing=f"{action} the complaint")
    now = utcnow()
    before, complaint.status = complaint.status, target
    kind = kind_of(complaint)
    details: dict = {}
    if action == "accept":
        complaint.accepted_by_id, complaint.accepted_at = actor.id, now
        if severity is not None and severity != complaint.severity:
            details["severity"] = [complaint.severity, severity]
            complaint.severity = severity
            set_deadlines(complaint)
    elif action == "close":
        complaint.closed_by_id, complaint.closed_at = actor.id, now
    else:
        complaint.result, complaint.result_reason = target, reason
        complaint.decided_by_id, complaint.decided_at = actor.id, now
        if target == INVALID and complaint.severity != INVALID_SEVERITY:
            details["severity"] = [complaint.severity, INVALID_SEVERITY]
            complaint.severity = INVALID_SEVERITY
        kind.decided(complaint, target, actor)
    _event(complaint, action, before, actor, reason, **details)
    db.session.flush()
    if action == "accept" and complaint.severity == SERIOUS:
        escalate(complaint, ESCALATED_SERIOUS)
        _suspend_pending_review(complaint, kind.worker_of(complaint), actor)
    return complaint


def _suspend_pending_review(complaint: Complaint, worker_id: int | None, actor: User) -> None:
    """Through the certificate's lifecycle, so the 安心码 scans red from the commit on and the
    worker's bookings lose them; a certificate not issued (already suspended...) is left as it is."""
    if not current_app.config["COMPLAINT_SERIOUS_SUSPENDS"] or worker_id is None:
        return
    certificate = locked_certificate(db.session.get_one(Worker, worker_id))
    if certificate.state != ISSUED:
        return
    kind = type(complaint).COMPLAINT_KIND
    change_standing(certificate, "suspend", actor, f"严重投诉待核实（{kind}:{complaint.id}）")
    _event(complaint, "worker_suspended", complaint.status, actor, worker_id=worker_id)
    db.session.flush()
