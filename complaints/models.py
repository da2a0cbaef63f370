"""One vocabulary for every complaint, whatever it is about (a station booking, a door entry, an
engagement): its types, its severity, its statuses and their one StateTable, the
handling columns each complaint table carries (HandledComplaint), the audit trail of every step
(ComplaintEvent) and the escalations to operators (ComplaintEscalation). A complaint is named
across tables by its kind ("booking", "door", "engagement") and its id."""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, and_, text
from sqlalchemy.orm import Mapped, declared_attr, foreign, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model
from app.i18n import lazy_gettext
from app.states import StateTable

SUBMITTED, ACCEPTED, UPHELD, DISMISSED, INVALID, CLOSED = (
    "submitted",
    "accepted",
    "upheld",
    "dismissed",
    "invalid",
    "closed",
)
COMPLAINT_STATUSES = (SUBMITTED, ACCEPTED, UPHELD, DISMISSED, INVALID, CLOSED)
COMPLAINT_STATUS_NAMES = {
    SUBMITTED: "已提交",
    ACCEPTED: "已受理",
    UPHELD: "投诉成立",
    DISMISSED: "投诉不成立",
    INVALID: "无效投诉",
    CLOSED: "已结案",
}
# Triage is `accept` (with a severity) or `invalidate` straight away (无效); a complaint found
# invalid after investigation is invalidated too.
COMPLAINT_STATES = StateTable(
    transitions={
        "accept": {SUBMITTED: ACCEPTED},
        "uphold": {ACCEPTED: UPHELD},
        "dismiss": {ACCEPTED: DISMISSED},
        "invalidate": {SUBMITTED: INVALID, ACCEPTED: INVALID},
        "close": {UPHELD: CLOSED, DISMISSED: CLOSED, INVALID: CLOSED},
    },
    names=COMPLAINT_STATUS_NAMES,
    field="status",
    subject=lazy_gettext("the status is"),
)
# Still waiting for the station: a response (submitted) or a decision (accepted).
OPEN_COMPLAINT_STATUSES = (SUBMITTED, ACCEPTED)

COMPLAINT_TYPES = {
    "service_quality": "服务质量",
    "attitude": "服务态度",
    "lateness": "迟到/爽约",
    "damage_or_loss": "财物损坏/丢失",
    "theft": "偷窃",
    "abuse": "虐待/辱骂",
    "safety": "安全问题",
    "overcharging": "乱收费",
    "other": "其他",
}

ORDINARY, SERIOUS, INVALID_SEVERITY = "ordinary", "serious", "invalid"
SEVERITIES = (ORDINARY, SERIOUS, INVALID_SEVERITY)
SEVERITY_NAMES = {ORDINARY: "一般", SERIOUS: "严重", INVALID_SEVERITY: "无效"}
# Serious by nature: filed as 严重, so its short deadlines run (and operators hear of it) from the
# first minute. Staff may still triage it otherwise; only staff's triage can suspend a worker.
SERIOUS_TYPES = frozenset({"safety", "theft", "abuse"})

# Why an operator was alerted; each at most once per complaint.
ESCALATED_SERIOUS, RESPONSE_OVERDUE, RESOLUTION_OVERDUE = "serious", "response_overdue", "resolution_overdue"
ESCALATION_REASONS = (ESCALATED_SERIOUS, RESPONSE_OVERDUE, RESOLUTION_OVERDUE)


def complaint_checks() -> tuple[CheckConstraint, ...]:
    """The database's rules on a HandledComplaint table, for its __table_args__."""
    return (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in COMPLAINT_STATUSES)})", name="status"),
        CheckConstraint(f"severity IN ({', '.join(repr(s) for s in SEVERITIES)})", name="severity"),
    )


def open_complaints_index(table: str) -> Index:
    """The open complaints of a HandledComplaint table (submitted or accepted), for its
    __table_args__: the deadlines and the desk read those, a few of every complaint ever made."""
    where = text(f"status IN ({', '.join(repr(s) for s in OPEN_COMPLAINT_STATUSES)})")
    return Index(f"ix_{table}_open", "status", postgresql_where=where, sqlite_where=where)


class HandledComplaint:
    """The columns of a complaint's handling, the same in every complaint table: submitted →
    accepted (triaged with a severity) → upheld / dismissed / invalid → closed, with who and when
    at each step, and the deadlines its severity sets. A table using it adds complaint_checks() and
    open_complaints_index() to its __table_args__ and `version` as its mapper's version_id_col, and names its kind."""

    COMPLAINT_KIND: ClassVar[str]  # "booking", "door": the complaint's name across tables

    type: Mapped[str] = mapped_column(String(20), default="other")
    status: Mapped[str] = mapped_column(String(12), default=SUBMITTED)
    severity: Mapped[str] = mapped_column(String(12), default=ORDINARY)
    respond_by: Mapped[datetime | None] = mapped_column(
        UtcDateTime, comment="accepted by then; NULL for complaints filed before deadlines existed"
    )
    resolve_by: Mapped[datetime | None] = mapped_column(UtcDateTime, comment="decided by then")
    result: Mapped[str | None] = mapped_column(String(12), comment="upheld, dismissed or invalid")
    result_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr
    def submitted_by_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def accepted_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def decided_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def closed_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def events(cls) -> Mapped[list["ComplaintEvent"]]:
        return relationship(
            "ComplaintEvent",
            primaryjoin=lambda: and_(
                foreign(ComplaintEvent.complaint_id) == cls.id,  # type: ignore[attr-defined]
                ComplaintEvent.complaint_kind == cls.COMPLAINT_KIND,
            ),
            order_by=lambda: ComplaintEvent.id,
            viewonly=True,
        )


class ComplaintEvent(Model):
    """The audit trail of every complaint: filing, each step, suspension and escalation, with who
    (NULL for a command) and when."""

    __tablename__ = "complaint_events"
    __table_args__ = (Index("ix_complaint_events_kind_complaint_id", "complaint_kind", "complaint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_kind: Mapped[str] = mapped_column(String(12))
    complaint_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ComplaintEscalation(Model):
    """Operators were alerted about a complaint, for one reason: the unique key makes the
    escalation job idempotent however often (and however concurrently) it runs."""

    __tablename__ = "complaint_escalations"
    __table_args__ = (
        UniqueConstraint("complaint_kind", "complaint_id", "reason", name="uq_complaint_escalations_once"),
        CheckConstraint(f"reason IN ({', '.join(repr(r) for r in ESCALATION_REASONS)})", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_kind: Mapped[str] = mapped_column(String(12))
    complaint_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime, comment="the deadline passed, if that is why")
    operators_alerted: Mapped[int] = mapped_column(Integer, comment="operators sent a subscribe message")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
