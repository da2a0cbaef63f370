"""失信 cases against a worker or a company, the 失信名单 (listings), credit repair (信用修复), the
evidence uploaded at each step, every step's audit row, and the look-ups of a person's standing."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model
from app.i18n import lazy_gettext
from app.states import StateTable
from credit.models import Company, Worker

WORKER_PARTY, COMPANY_PARTY = "worker", "company"
# The facts a case is about (stable codes, their names as the list publishes them).
CATEGORIES = {
    "serious_complaint": "严重投诉经查属实",
    "court_record": "司法或行政处理记录",
    "platform_fraud": "平台欺诈行为",
    "forged_certificate": "伪造证书材料",
}
WARNING, SUSPENSION, REVOCATION, LISTING = "warning", "suspension", "revocation", "listing"
GRADE_CAPPED, HIDDEN, REGISTRATIONS_STOPPED = "grade_capped", "hidden", "registrations_stopped"
# The measures for each kind of party, lightest first: a reduced decision takes a lighter one (or
# the same one for a shorter period).
MEASURES = {
    WORKER_PARTY: {WARNING: "警告", SUSPENSION: "暂停服务", LISTING: "列入失信名单", REVOCATION: "吊销安心服务证"},
    COMPANY_PARTY: {
        GRADE_CAPPED: "信用等级封顶",
        HIDDEN: "暂停推荐",
        REGISTRATIONS_STOPPED: "暂停新增从业人员登记",
        LISTING: "列入失信名单",
    },
}
MEASURE_NAMES = MEASURES[WORKER_PARTY] | MEASURES[COMPANY_PARTY]
# Measures that last a number of days (the others are done once).
PERIOD_MEASURES = (SUSPENSION, LISTING, HIDDEN, REGISTRATIONS_STOPPED)

AWAITING_STATEMENT, STATED, UPHELD, REDUCED, DISMISSED = (
    "awaiting_statement",
    "stated",
    "upheld",
    "reduced",
    "dismissed",
)
CASE_STATUS_NAMES = {
    AWAITING_STATEMENT: "待陈述申辩",
    STATED: "已陈述申辩",
    UPHELD: "维持处理",
    REDUCED: "减轻处理",
    DISMISSED: "不予处理",
}
OPEN_CASE = (AWAITING_STATEMENT, STATED)
# The case's moves: the party states their case once; a second operator decides, once.
CASE_STATES = StateTable(
    transitions={
        "add_evidence": {AWAITING_STATEMENT: AWAITING_STATEMENT, STATED: STATED},
        "state_case": {AWAITING_STATEMENT: STATED},
        "uphold": {AWAITING_STATEMENT: UPHELD, STATED: UPHELD},
        "reduce": {AWAITING_STATEMENT: REDUCED, STATED: REDUCED},
        "dismiss": {AWAITING_STATEMENT: DISMISSED, STATED: DISMISSED},
    },
    names=CASE_STATUS_NAMES,
    field="status",
    subject=lazy_gettext("the case is"),
)

LISTED, ENDED = "listed", "ended"
EXPIRED, REPAIRED = "expired", "repaired"
LISTING_STATES = StateTable(
    transitions={"end": {LISTED: ENDED}, "apply_for_repair": {LISTED: LISTED}},
    names={LISTED: "名单内", ENDED: "已移出"},
    field="status",
    subject=lazy_gettext("the listing is"),
)

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
REPAIR_STATES = StateTable(
    transitions={"approve": {PENDING: APPROVED}, "refuse": {PENDING: REFUSED}},
    names={PENDING: "待审核", APPROVED: "准予修复", REFUSED: "不予修复"},
    field="status",
    subject=lazy_gettext("the repair application is"),
)
FACTS, STATEMENT, REPAIR = "facts", "statement", "repair"
EVIDENCE_STAGES = (FACTS, STATEMENT, REPAIR)
WORKER_CHECK, EVIDENCE_READ = "worker_check", "evidence"
NOT_FOUND, NOT_LISTED = "not_found", "not_listed"


def _in(values) -> str:
    return ", ".join(repr(value) for value in values)


ONE_PARTY = "(worker_id IS NULL) <> (company_id IS NULL)"


# A decided measure of a period whose end is not recorded yet (sanctions.measures.end_due ends it).
RUNNING_MEASURE = "measure_ended_on IS NULL AND measure_until IS NOT NULL"


class SanctionCase(Model):
    """A 失信 case: the party, the facts, the measure proposed, the party's statement (陈述申辩)
    within the statement period, and a second operator's decision with the measure decided and the
    dates it runs (measure_until for a measure of a period). Moves follow CASE_STATES."""

    __tablename__ = "sanction_cases"
    __table_args__ = (
        CheckConstraint(ONE_PARTY, name="one_party"),
        CheckConstraint(f"category IN ({_in(CATEGORIES)})", name="category"),
        CheckConstraint(f"status IN ({_in(CASE_STATUS_NAMES)})", name="status"),
        CheckConstraint(f"proposed_measure IN ({_in(MEASURE_NAMES)})", name="proposed_measure"),
        CheckConstraint(
            f"decided_measure IS NULL OR decided_measure IN ({_in(MEASURE_NAMES)})", name="decided_measure"
        ),
        Index("ix_sanction_cases_worker_id", "worker_id"),
        Index("ix_sanction_cases_company_id", "company_id"),
        Index("ix_sanction_cases_status", "status"),
        # The measures of a period still running, by their last day: what the daily end-listings
        # job (sanctions.measures.end_due) reads, however many cases are closed.
        Index(
            "ix_sanction_cases_running_measure_until",
            "measure_until",
            postgresql_where=text(RUNNING_MEASURE),
            sqlite_where=text(RUNNING_MEASURE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    category: Mapped[str] = mapped_column(String(24))
    facts: Mapped[str] = mapped_column(Text)
    proposed_measure: Mapped[str] = mapped_column(String(24))
    proposed_days: Mapped[int | None] = mapped_column(Integer, comment="for a measure of a period")
    status: Mapped[str] = mapped_column(String(20), default=AWAITING_STATEMENT)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="NULL for commands")
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    statement_due_on: Mapped[date] = mapped_column(Date, comment="the last day (Beijing) to state one's case")
    statement: Mapped[str | None] = mapped_column(Text)
    stated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_measure: Mapped[str | None] = mapped_column(String(24))
    decided_days: Mapped[int | None] = mapped_column(Integer)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    breach_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_events.id"), comment="the `breach` ledger event an upheld case wrote"
    )
    measure_from: Mapped[date | None] = mapped_column(Date)
    measure_until: Mapped[date | None] = mapped_column(Date, comment="the last day of a measure of a period")
    measure_ended_on: Mapped[date | None] = mapped_column(Date, comment="when the end of the period was recorded")
    certificate_suspended: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), comment="this case suspended the certificate"
    )

    worker: Mapped[Worker | None] = relationship(lazy="joined")
    company: Mapped[Company | None] = relationship(lazy="joined")
    # Read by the case's own view only (loaded when first used).
    evidence: Mapped[list["Evidence"]] = relationship(order_by="Evidence.id", viewonly=True)
    events: Mapped[list["SanctionEvent"]] = relationship(order_by="SanctionEvent.id", viewonly=True)

    @property
    def party(self) -> str:
        return WORKER_PARTY if self.worker_id is not None else COMPANY_PARTY

    @property
    def subject(self) -> Worker | Company:
        return self.worker if self.worker is not None else self.company  # type: ignore[return-value]


class Listing(Model):
    """One entry of the 失信名单: the party, from and until which day (Beijing) it is listed, for
    which category of conduct, from which case. Listed while until is today or later; ended once,
    at its end date (the scheduled job) or early by an approved repair."""

    __tablename__ = "sanction_listings"
    __table_args__ = (
        CheckConstraint(ONE_PARTY, name="one_party"),
        CheckConstraint("listed_until >= listed_from", name="dates"),
        CheckConstraint(f"status IN ({_in((LISTED, ENDED))})", name="status"),
        CheckConstraint(f"end_reason IS NULL OR end_reason IN ({_in((EXPIRED, REPAIRED))})", name="end_reason"),
        Index("ix_sanction_listings_worker_id", "worker_id"),
        Index("ix_sanction_listings_company_id", "company_id"),
        Index("ix_sanction_listings_status_listed_until", "status", "listed_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("sanction_cases.id"), unique=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    category: Mapped[str] = mapped_column(String(24))
    listed_from: Mapped[date] = mapped_column(Date)
    listed_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=LISTED)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(10), comment="expired (its end date) or repaired")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    case: Mapped[SanctionCase] = relationship(lazy="joined", innerjoin=True)
    worker: Mapped[Worker | None] = relationship(lazy="joined")
    company: Mapped[Company | None] = relationship(lazy="joined")

    @property
    def party(self) -> str:
        return WORKER_PARTY if self.worker_id is not None else COMPANY_PARTY

    @property
    def subject(self) -> Worker | Company:
        return self.worker if self.worker is not None else self.company  # type: ignore[return-value]


OPEN_REPAIR = "status = 'pending'"


class RepairApplication(Model):
    """信用修复: the listed party's application, with evidence of correction, to end a listing
    early; an operator approves or refuses it (REPAIR_STATES). One pending per listing."""

    __tablename__ = "sanction_repairs"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in((PENDING, APPROVED, REFUSED))})", name="status"),
        Index(
            "uq_sanction_repairs_pending",
            "listing_id",
            unique=True,
            postgresql_where=text(OPEN_REPAIR),
            sqlite_where=text(OPEN_REPAIR),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("sanction_listings.id"), index=True)
    correction: Mapped[str] = mapped_column(Text, comment="what the party did to correct it")
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    compensating_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_events.id"), comment="the ledger event neutralising the case's breach"
    )

    listing: Mapped[Listing] = relationship(lazy="joined", innerjoin=True)


class Evidence(Model):
    """One uploaded file of a case (the operator's facts, the party's statement) or of a repair
    application; private (app.storage), read only by operators and the party, each read logged."""

    __tablename__ = "sanction_evidence"
    __table_args__ = (CheckConstraint(f"stage IN ({_in(EVIDENCE_STAGES)})", name="stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("sanction_cases.id"), index=True)
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("sanction_repairs.id"), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True, comment="opaque; app.storage")
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SanctionEvent(Model):
    """The audit of every step of a case, its listing and its repair: who (NULL for commands),
    when, what, from which status to which, and why."""

    __tablename__ = "sanction_events"
    __table_args__ = (Index("ix_sanction_events_case_id_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("sanction_cases.id"))
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("sanction_repairs.id"))
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SanctionLookUp(Model):
    """Who looked a person up, and when: a company admin checking a worker by ID number before
    hiring (which worker, if any, and what it answered), or a read of a case's evidence."""

    __tablename__ = "sanction_look_ups"
    __table_args__ = (
        CheckConstraint(f"what IN ({_in((WORKER_CHECK, EVIDENCE_READ))})", name="what"),
        Index("ix_sanction_look_ups_worker_id", "worker_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    what: Mapped[str] = mapped_column(String(12))
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    viewer_role: Mapped[str] = mapped_column(String(16), comment="the role the look-up was allowed by")
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), comment="NULL: no worker on file")
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("sanction_evidence.id"))
    result: Mapped[str] = mapped_column(String(12), comment="listed, not_listed or not_found; read for evidence")
    looked_up_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
