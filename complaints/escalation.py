"""Escalation to operators: at once when a complaint is serious, and by `flask complaints
escalate` (a cron job) when a deadline passed without a response or a decision. Each reason is
escalated once per complaint (a unique key), so the job can run as often as it likes, and two
runs at once alert once."""

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.extensions import db
from complaints import alerts
from complaints.kinds import Complaint, complaint_kinds
from complaints.models import (
    ACCEPTED,
    ESCALATED_SERIOUS,
    OPEN_COMPLAINT_STATUSES,
    RESOLUTION_OVERDUE,
    RESPONSE_OVERDUE,
    SERIOUS,
    SUBMITTED,
    ComplaintEscalation,
    ComplaintEvent,
)


def escalate(complaint: Complaint, reason: str, deadline: datetime | None = None) -> ComplaintEscalation | None:
    """Records the escalation and queues the operators' messages; None when this complaint was
    escalated for this reason already (by this transaction or a committed one)."""
    kind = type(complaint).COMPLAINT_KIND
    escalation = ComplaintEscalation(
        complaint_kind=kind, complaint_id=complaint.id, reason=reason, deadline=deadline, operators_alerted=0
    )
    try:
        with db.session.begin_nested():
            db.session.add(escalation)
    except IntegrityError:
        return None
    escalation.operators_alerted = alerts.complaint_escalated(complaint, reason, deadline)
    db.session.add(
        ComplaintEvent(
            complaint_kind=kind,
            complaint_id=complaint.id,
            action="escalated",
            from_status=complaint.status,
            to_status=complaint.status,
            reason=reason,
            details={"deadline": deadline.isoformat() if deadline else None},
            created_at=utcnow(),
        )
    )
    db.session.flush()
    return escalation


def _not_escalated(model, reason: str):
    return ~exists().where(
        ComplaintEscalation.complaint_kind == model.COMPLAINT_KIND,
        ComplaintEscalation.complaint_id == model.id,
        ComplaintEscalation.reason == reason,
    )


def escalate_due(limit: int = 500) -> int:
    """Escalates every open complaint of every kind that is serious, or past the deadline it is
    waiting on, and was not escalated for that yet; up to `limit` per reason and kind. Returns
    how many escalations it made. Callers commit."""
    now = utcnow()
    made = 0
    for kind in complaint_kinds():
        model = kind.model
        due = {
            ESCALATED_SERIOUS: (model.severity == SERIOUS, model.status.in_(OPEN_COMPLAINT_STATUSES), None),
            RESPONSE_OVERDUE: (model.status == SUBMITTED, model.respond_by < now, model.respond_by),
            RESOLUTION_OVERDUE: (model.status == ACCEPTED, model.resolve_by < now, model.resolve_by),
        }
        for reason, (in_state, past, deadline_column) in due.items():
            query = select(model).where(in_state, past, _not_escalated(model, reason)).order_by(model.id).limit(limit)
            for complaint in db.session.scalars(query):
                deadline = getattr(complaint, deadline_column.key) if deadline_column is not None else None
                if escalate(complaint, reason, deadline) is not None:
                    made += 1
    return made
