"""Companies, workers, their 安心服務證 certificate, the credit ledger and the scan log."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    event,
    false,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model
from app.i18n import lazy_gettext
from app.privacy import Encrypted
from app.states import StateTable
from credit.service_types import named

APPLIED, DOCUMENTS_CHECKED, TRAINED, EXAM_PASSED = "applied", "documents_checked", "trained", "exam_passed"
IDENTITY_VERIFIED, ISSUED, SUSPENDED, REVOKED, EXPIRED = (
    "identity_verified",
    "issued",
    "suspended",
    "revoked",
    "expired",
)
STATES = (APPLIED, DOCUMENTS_CHECKED, TRAINED, EXAM_PASSED, IDENTITY_VERIFIED, ISSUED, SUSPENDED, REVOKED, EXPIRED)
STATE_NAMES = {
    APPLIED: "已申请",
    DOCUMENTS_CHECKED: "材料已审核",
    TRAINED: "已培训",
    EXAM_PASSED: "考核通过",
    IDENTITY_VERIFIED: "人证合一已核验",
    ISSUED: "有效",
    SUSPENDED: "暂停",
    REVOKED: "已吊销",
    EXPIRED: "已过期",
}
# The certificate lifecycle: the only transitions there are (action: {from state: to state}).
# Every move goes through LIFECYCLE.target (credit.certificates.transition); anything else is the
# one 409 (status_conflict) naming the current state.
LIFECYCLE = StateTable(
    transitions={
        "check_documents": {APPLIED: DOCUMENTS_CHECKED},
        "record_training": {DOCUMENTS_CHECKED: TRAINED},
        "pass_exam": {TRAINED: EXAM_PASSED},
        "verify_identity": {EXAM_PASSED: IDENTITY_VERIFIED},
        "issue": {IDENTITY_VERIFIED: ISSUED},
        "suspend": {ISSUED: SUSPENDED},
        "reinstate": {SUSPENDED: ISSUED},
        "revoke": {ISSUED: REVOKED, SUSPENDED: REVOKED},
        "expire": {ISSUED: EXPIRED},
        "renew": {EXPIRED: ISSUED},
    },
    names=STATE_NAMES,
    field="state",
    subject=lazy_gettext("the certificate is"),
)
# How the certificate's state counts in the 基础信息 dimension (the weight itself is configured).
CERTIFICATE_STANDING = {ISSUED: 1.0, SUSPENDED: 0.0, EXPIRED: 0.0, REVOKED: -1.0}

COMPANY_GRADES = ("A", "2A", "3A", "4A", "5A")
PERSONAL = "personal"  # the deferred group of a worker's encrypted columns


class Company(Model):
    """A 家政企业; its grade is computed from the ledger and its workers' levels."""

    __tablename__ = "companies"
    __table_args__ = (
        Index(
            "ix_companies_cohort_score",
            "credit_score",
            postgresql_where=text("in_cohort"),
            sqlite_where=text("in_cohort"),
        ),
        # The console's list in its default order (registry.COMPANY_ORDERS["score"]): its first
        # page read from the index, not every company of the city sorted.
        Index("ix_companies_score_id", text("credit_score DESC"), "id"),
        # The statistics' companies of a district by grade, counted from the index alone.
        Index("ix_companies_district_code_grade", "district_code", "grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True, comment="统一社会信用代码 (GB 32100)")
    district_code: Mapped[str] = mapped_column(String(6))
    # A person (the contact) and a number that may be their own mobile: the public sees the name
    # masked and the number only once the company marks it public (credit.schemas.CompanySchema).
    contact_name: Mapped[str | None] = mapped_column(String(32))
    contact_phone: Mapped[str | None] = mapped_column(String(32), comment="the business's public number")
    contact_phone_public: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        comment="the company marked contact_phone as its business number, to be published",
    )
    grade: Mapped[str | None] = mapped_column(String(2), index=True)
    credit_score: Mapped[float | None] = mapped_column(Float)
    credit_config_version: Mapped[str | None] = mapped_column(String(40))
    credit_computed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Stored with the grade, as the score is: a company graded by rank stands among the stored
    # scores of the others in the cohort (credit.ledger.standing_among_stored), read from this
    # column's index instead of every worker's certificate on each grading.
    in_cohort: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        comment="at its last grading a worker of it held an issued certificate and had stars",
    )
    # The measures of an upheld 失信 case (sanctions/), each in force while the date (Beijing) is
    # today or later, so they end by themselves: on the 失信名单; left out of the public list and of
    # recommendations; registering no new workers.
    listed_until: Mapped[date | None] = mapped_column(Date, comment="on the 失信名单 until this day (Beijing)")
    hidden_until: Mapped[date | None] = mapped_column(Date, comment="hidden from the public list until this day")
    registrations_stopped_until: Mapped[date | None] = mapped_column(
        Date, comment="registers no new workers until this day"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def grade_rank(grade: Any) -> ColumnElement[int]:
    """A grade as a number to sort by: 1 (A) to 5 (5A), 0 for none. Written with literals, not
    bound parameters, so that the lists' ORDER BY is the very expression ix_companies_best_first
    holds: an expression index serves only a query of the same expression."""
    ranks = (
        (grade == literal_column(f"'{g}'"), literal_column(str(rank), Integer))
        for rank, g in enumerate(COMPANY_GRADES, 1)
    )
    return case(*ranks, else_=literal_column("0", Integer))


def score_rank(score: Any) -> ColumnElement[float]:
    """A score to sort by, best first and none last, as a value that is never NULL (-1: every
    score is 0 to 100, credit.scoring clamps each dimension): a page after a cursor is then one
    index range from the cursor's grade and score together (app.paging's row bound), where a
    score the order may find NULL bounded the range by the grade alone. A literal, as grade_rank's."""
    return func.coalesce(score, literal_column("-1", Integer))


# The public grade list in its order (best grade, then score, then id), first page or deep, read
# from the index; the 失信 dates the list filters by are kept in it on PostgreSQL.
Index(
    "ix_companies_best_first",
    grade_rank(Company.__table__.c.grade).desc(),
    score_rank(Company.__table__.c.credit_score).desc(),
    Company.__table__.c.id,
    postgresql_include=["listed_until", "hidden_until"],
)


class Worker(Model):
    """A 家政服务员. ID number and phone are encrypted; their keyed hashes find and deduplicate.
    Both are deferred (loaded, and so decrypted, together on first use): most reads of a worker
    (bookings, the ledger, the QR code) never show them; the views that do undefer the group."""

    __tablename__ = "workers"
    __table_args__ = (CheckConstraint("gender IN ('male', 'female')", name="gender"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    id_number = mapped_column(Encrypted, nullable=False, deferred=True, deferred_group=PERSONAL)
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="keyed hash of id_number")
    phone = mapped_column(Encrypted, nullable=True, deferred=True, deferred_group=PERSONAL)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True, comment="keyed hash of phone")
    photo_url: Mapped[str | None] = mapped_column(String(300), comment="a photo elsewhere; an uploaded one wins")
    # The uploaded photo (credit.photos): checked, stripped of EXIF, re-encoded; shown by the scan.
    photo_key: Mapped[str | None] = mapped_column(String(64), comment="storage key of the uploaded photo")
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list, comment="service codes (credit.service_types)")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    years_of_experience: Mapped[int] = mapped_column(Integer, default=0)
    # Read from the ID number when it is registered (credit.identifiers.demographics) for the
    # statistics, so that counting by age and gender never decrypts a number. NULL on rows
    # registered before they were kept, until `flask credit backfill-demographics` has run.
    gender: Mapped[str | None] = mapped_column(String(6), comment="male or female, from the ID number")
    birth_year: Mapped[int | None] = mapped_column(Integer, comment="from the ID number")
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    # The current level and the public rating summary, kept in step with the ledger by
    # credit.ledger.recompute_worker so that a scan reads one row.
    stars: Mapped[int | None] = mapped_column(Integer)
    credit_score: Mapped[float | None] = mapped_column(Float)
    credit_config_version: Mapped[str | None] = mapped_column(String(40))
    credit_computed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_mean: Mapped[float | None] = mapped_column(Float)
    upheld_complaints: Mapped[int] = mapped_column(Integer, default=0)
    # On the 失信名单 (sanctions/) while this day (Beijing) is today or later: the code scans red.
    listed_until: Mapped[date | None] = mapped_column(Date, comment="on the 失信名单 until this day (Beijing)")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    company: Mapped[Company | None] = relationship(lazy="joined")
    certificate: Mapped["Certificate"] = relationship(back_populates="worker", uselist=False)

    @property
    def services(self) -> list[dict[str, str]]:
        """The service types as a person reads them: each code with its Chinese name."""
        return named(self.service_types)


# Workers best first (credit.recommendation.WORKERS_BEST_FIRST): the assignable workers walk it
# and stop at their limit.
Index(
    "ix_workers_best_first",
    Worker.__table__.c.stars.desc().nulls_last(),
    Worker.__table__.c.credit_score.desc().nulls_last(),
    Worker.__table__.c.id,
)
# The console's worker list by name and by stars (credit.registry.WORKER_ORDERS), page by page.
Index("ix_workers_name_id", Worker.__table__.c.name, Worker.__table__.c.id)
Index(
    "ix_workers_stars_first",
    Worker.__table__.c.stars.is_(None),
    Worker.__table__.c.stars.desc(),
    Worker.__table__.c.id,
)


class Certificate(Model):
    """The 安心服務證 and its 三证一书 documents: one per worker (一人一码一证一档)."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in STATES)})", name="state"),
        # The items ending soon (credit.expiry, the daily reminders) read from these, not every file.
        Index("ix_certificates_health_certificate_valid_until", "health_certificate_valid_until"),
        Index("ix_certificates_criminal_record_valid_until", "criminal_record_valid_until"),
        Index("ix_certificates_insurance_valid_until", "insurance_valid_until"),
        # A page of the workers in one state, and its count, read from this and pk_workers alone.
        Index("ix_certificates_state_worker_id", "state", "worker_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=APPLIED)
    number: Mapped[str | None] = mapped_column(String(20), unique=True, comment="given at first issue")
    # 安心碼 token; replaced on rotation, so an old printed code stops working at once.
    scan_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_card_checked_on: Mapped[date | None] = mapped_column(Date)
    health_certificate_valid_until: Mapped[date | None] = mapped_column(Date)
    skill_certificate: Mapped[str | None] = mapped_column(
        String(100), comment="name and number of the skill or training certificate"
    )
    authorisation_signed_on: Mapped[date | None] = mapped_column(
        Date, comment="信用信息授权书; the profile is public only while signed"
    )
    training_hours: Mapped[int | None] = mapped_column(Integer)
    trained_on: Mapped[date | None] = mapped_column(Date)
    exam_score: Mapped[int | None] = mapped_column(Integer)
    exam_passed_on: Mapped[date | None] = mapped_column(Date)
    identity_verified_on: Mapped[date | None] = mapped_column(Date, comment="人证合一")
    # The standing of the latest background check and insurance (credit.checks keeps them in step
    # with worker_checks, the facts themselves), here so that a scan and an assignment read one row.
    criminal_record_result: Mapped[str | None] = mapped_column(String(16))
    criminal_record_checked_on: Mapped[date | None] = mapped_column(Date)
    criminal_record_valid_until: Mapped[date | None] = mapped_column(
        Date, comment="the check's own end or its re-check date, whichever comes first"
    )
    insurance_result: Mapped[str | None] = mapped_column(String(16))
    insurance_valid_from: Mapped[date | None] = mapped_column(Date)
    insurance_valid_until: Mapped[date | None] = mapped_column(Date)
    refresher_due_on: Mapped[date | None] = mapped_column(
        Date, comment="a refresher (回炉) course is required by this date; set by whoever requires it"
    )
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Optimistic lock: of two operators changing the same certificate, the second fails (409).
    version: Mapped[int] = mapped_column(Integer, default=1)

    worker: Mapped[Worker] = relationship(back_populates="certificate")

    __mapper_args__ = {"version_id_col": version}

    @property
    def listed_until(self) -> date | None:
        """The worker's, so that credit.certificates.reasons reads a certificate as it reads a scan's row."""
        return self.worker.listed_until


# The facts a worker's file holds beside the 三证一书, each checked from a paper certificate or by
# the verification service (credit.verification), and the results each can have.
CRIMINAL_RECORD, INSURANCE, IDENTITY = "criminal_record", "insurance", "identity"
CHECK_KINDS = (CRIMINAL_RECORD, INSURANCE, IDENTITY)
CHECK_KIND_NAMES = {CRIMINAL_RECORD: "无犯罪记录核查", INSURANCE: "从业责任保险", IDENTITY: "实名认证"}
PENDING = "pending"
CHECK_RESULTS = {
    CRIMINAL_RECORD: ("clear", "record_found", PENDING),
    INSURANCE: ("in_force", "not_insured", PENDING),
    IDENTITY: ("verified", "mismatch", PENDING),
}
PASSED = {CRIMINAL_RECORD: "clear", INSURANCE: "in_force", IDENTITY: "verified"}
PAPER, SERVICE = "paper", "service"
CHECK_SOURCES = (PAPER, SERVICE)


class WorkerCheck(Model):
    """One background check, insurance policy or real-name check of a worker, as recorded: where
    it came from, its reference, its dates and its result. Never changed: a new check is a new
    row, and the certificate carries the latest (credit.checks)."""

    __tablename__ = "worker_checks"
    __table_args__ = (
        CheckConstraint(
            " OR ".join(
                f"(kind = '{kind}' AND result IN ({', '.join(repr(r) for r in results)}))"
                for kind, results in CHECK_RESULTS.items()
            ),
            name="result_of_kind",
        ),
        CheckConstraint(f"source IN ({', '.join(repr(s) for s in CHECK_SOURCES)})", name="source"),
        CheckConstraint("valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", name="dates"),
        Index("ix_worker_checks_worker_id_kind_id", "worker_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(8), comment="paper (a certificate an operator saw) or service")
    # A certificate's or policy's number: shown to operators and the company, never on the scan.
    reference = mapped_column(Encrypted, nullable=True)
    checked_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="NULL for imports and commands")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ExpiryReminder(Model):
    """That the reminder of one expiring item (a health certificate, background check or policy
    ending on `valid_until`) was queued: the unique key makes the reminder command idempotent."""

    __tablename__ = "expiry_reminders"
    __table_args__ = (UniqueConstraint("worker_id", "item", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    item: Mapped[str] = mapped_column(String(40))
    valid_until: Mapped[date] = mapped_column(Date)
    queued_on: Mapped[date] = mapped_column(Date, comment="Beijing's date when it was queued")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CreditEvent(Model):
    """The append-only ledger: every certificate transition and every credit-relevant fact, with
    who, when, why and the state before and after. Levels are computed from these rows only."""

    __tablename__ = "credit_events"
    __table_args__ = (
        CheckConstraint("(worker_id IS NULL) <> (company_id IS NULL)", name="one_subject"),
        # A subject's ledger as the scorer reads it (credit.ledger.Entry) and whether an employer
        # rated the worker (rated_since), from the index alone: a subject's events lie scattered
        # among everyone's in time order, one heap page each. Each holds its subject's rows only.
        Index(
            "ix_credit_events_worker_id_id",
            "worker_id",
            "id",
            postgresql_include=["kind", "value", "created_at", "neutralises_id", "actor_id"],
            postgresql_where=text("worker_id IS NOT NULL"),
            sqlite_where=text("worker_id IS NOT NULL"),
        ),
        Index(
            "ix_credit_events_company_id_id",
            "company_id",
            "id",
            postgresql_include=["kind", "value", "created_at", "neutralises_id"],
            postgresql_where=text("company_id IS NOT NULL"),
            sqlite_where=text("company_id IS NOT NULL"),
        ),
        # The certificate statistics read the certificate moves only, by time, never the whole ledger.
        Index(
            "ix_credit_events_certificate_moves",
            "created_at",
            "worker_id",
            "id",
            postgresql_where=text("kind = 'certificate'"),
            sqlite_where=text("kind = 'certificate'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str | None] = mapped_column(Text)
    source_ref: Mapped[str | None] = mapped_column(String(100), comment="e.g. booking:123, complaint:45")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="NULL for imports and commands")
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id"), comment="a worker's event: the company employing them when it happened"
    )
    neutralises_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_events.id"),
        unique=True,
        comment="an upheld objection's compensating event: the event that no longer counts",
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


@event.listens_for(CreditEvent, "before_update")
@event.listens_for(CreditEvent, "before_delete")
def ledger_is_append_only(_mapper, _connection, entry: CreditEvent):
    raise RuntimeError(f"credit event {entry.id} is on the append-only ledger: add a new event instead")


# Who looked at a worker, as the worker is told (never which person): the caller's strongest role.
ANONYMOUS_VIEWER, SELF_VIEWER = "anonymous", "self"
VIEWER_NAMES = {
    "resident": "居民",
    "station": "服务站",
    "company": "企业",
    "operator": "运营",
    ANONYMOUS_VIEWER: "未登录",
    SELF_VIEWER: "本人",
}
# Look-ups that are not scans of the 安心碼: a staff read of the file, the worker reading who looked.
FILE_CHANNEL, SCAN_LOG_CHANNEL = "file", "log"


class ScanLog(Model):
    """One scan of a 安心碼, or one look-up of the worker's file: when, which certificate, coarse
    client, and what kind of caller; never the IP address or who the caller is."""

    __tablename__ = "scan_logs"
    # A certificate's scans newest first (own_file.looks_at); by certificate alone too: every scan
    # writes a row, so it keeps no second index of its own.
    __table_args__ = (Index("ix_scan_logs_certificate_id_scanned_at", "certificate_id", "scanned_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(8), comment="api, page, wxa (scans); file, log (look-ups)")
    client: Mapped[str] = mapped_column(String(16), comment="wechat, android, ios, browser or other")
    viewer: Mapped[str | None] = mapped_column(
        String(10), comment="resident, station, company, operator, anonymous or self; NULL before it was kept"
    )


# ---------------------------------------------------------------- employment: one company at a time


class Employment(Model):
    """A worker's time with one company. At most one is open per worker (a unique index), and
    workers.company_id names its company while it is: moving is ending one and starting another,
    the worker's record, certificate, 安心碼 and ledger staying the same."""

    __tablename__ = "employments"
    __table_args__ = (
        Index(
            "uq_employments_open_worker",
            "worker_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="NULL for commands")
    ended_by_role: Mapped[str | None] = mapped_column(String(20), comment="company_admin, worker or operator")
    end_reason: Mapped[str | None] = mapped_column(Text)

    company: Mapped[Company] = relationship(lazy="joined")


OFFERED, ACCEPTED, DECLINED = "offered", "accepted", "declined"
OFFER_STATES = (OFFERED, ACCEPTED, DECLINED)
OFFER_TABLE = StateTable(
    transitions={"accept": {OFFERED: ACCEPTED}, "decline": {OFFERED: DECLINED}},
    names={OFFERED: "待确认", ACCEPTED: "已接受", DECLINED: "已拒绝"},
    field="status",
    subject=lazy_gettext("the offer is"),
)


class EmploymentOffer(Model):
    """A company registering a worker who is on file already: it employs them once they accept."""

    __tablename__ = "employment_offers"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in OFFER_STATES)})", name="status"),
        Index(
            "uq_employment_offers_open",
            "worker_id",
            "company_id",
            unique=True,
            postgresql_where=text("status = 'offered'"),
            sqlite_where=text("status = 'offered'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=OFFERED)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    company: Mapped[Company] = relationship(lazy="joined")


# ---------------------------------------------------------------- objections (异议)

OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"
OBJECTION_STATES = (OPEN, UPHELD, REJECTED)
OBJECTION_TABLE = StateTable(
    transitions={"uphold": {OPEN: UPHELD}, "reject": {OPEN: REJECTED}},
    names={OPEN: "待处理", UPHELD: "异议成立", REJECTED: "异议不成立"},
    field="status",
    subject=lazy_gettext("the objection is"),
)


class Objection(Model):
    """An objection (异议) to one ledger event, by the worker it is about or the admin of the
    company it is about. Upheld, the event is neutralised by a compensating event (the ledger stays
    append-only); rejected, it stands. One open objection per event (a unique index)."""

    __tablename__ = "objections"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in OBJECTION_STATES)})", name="status"),
        CheckConstraint("(worker_id IS NULL) <> (company_id IS NULL)", name="one_subject"),
        CheckConstraint(
            "(evidence_key IS NULL) = (evidence_content_type IS NULL)"
            " AND (evidence_key IS NULL) = (evidence_size_bytes IS NULL)",
            name="evidence_whole",
        ),
        Index(
            "uq_objections_open_event",
            "event_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("credit_events.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    objector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    objector_role: Mapped[str] = mapped_column(String(20), comment="worker or company_admin")
    reason: Mapped[str] = mapped_column(Text)
    evidence_key: Mapped[str | None] = mapped_column(
        String(64), unique=True, comment="the objector's uploaded evidence, if any (opaque; app.storage)"
    )
    evidence_content_type: Mapped[str | None] = mapped_column(String(40))
    evidence_size_bytes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    compensating_event_id: Mapped[int | None] = mapped_column(ForeignKey("credit_events.id"))

    event: Mapped[CreditEvent] = relationship(foreign_keys=[event_id], lazy="joined")


class EvidenceLookUp(Model):
    """Who read an objection's evidence, and when (like document_look_ups for a worker's
    documents): the objector, or an operator deciding."""

    __tablename__ = "objection_evidence_look_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), index=True)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    viewer_role: Mapped[str] = mapped_column(String(16), comment="the role the look-up was allowed by")
    looked_up_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# ---------------------------------------------------------------- documents on file

# Each kind of document and the fact of the file it proves (the certificate's field, or the
# background check and insurance, which are facts of their own).
DOCUMENT_KINDS = {
    "id_card_front": "id_card_checked_on",
    "id_card_back": "id_card_checked_on",
    "health_certificate": "health_certificate_valid_until",
    "skill_certificate": "skill_certificate",
    "credit_authorisation": "authorisation_signed_on",
    "no_criminal_record": "background_check",
    "insurance_policy": "insurance",
}
DOCUMENT_KIND_NAMES = {
    "id_card_front": "身份证（人像面）",
    "id_card_back": "身份证（国徽面）",
    "health_certificate": "健康证/体检证明",
    "skill_certificate": "职业技能证书/培训证书",
    "credit_authorisation": "信用信息授权书",
    "no_criminal_record": "无犯罪记录证明",
    "insurance_policy": "从业责任保险保单",
}
UNREVIEWED, ACCEPTED_DOCUMENT, REFUSED_DOCUMENT = "pending", "accepted", "refused"
REVIEW_STATES = (UNREVIEWED, ACCEPTED_DOCUMENT, REFUSED_DOCUMENT)
# An operator's review of an uploaded document: once, from pending. A refused document stays on
# file as refused; the worker's side uploads a new version.
DOCUMENT_REVIEW = StateTable(
    transitions={"accept": {UNREVIEWED: ACCEPTED_DOCUMENT}, "refuse": {UNREVIEWED: REFUSED_DOCUMENT}},
    names={UNREVIEWED: "待审核", ACCEPTED_DOCUMENT: "已通过", REFUSED_DOCUMENT: "未通过"},
    field="review",
    subject=lazy_gettext("the document's review is"),
)
DOCUMENT_MEDIA_TYPES = ("image/jpeg", "image/png", "application/pdf")


class WorkerDocument(Model):
    """One uploaded version of one kind of document. A new upload of a kind is a new version;
    the earlier ones stay, until the retention period after the certificate they hold ends
    (credit.documents.purge_due), when the file is deleted and the row kept, marked purged."""

    __tablename__ = "worker_documents"
    __table_args__ = (
        UniqueConstraint("worker_id", "kind", "version"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in DOCUMENT_KINDS)})", name="kind"),
        CheckConstraint(f"review IN ({', '.join(repr(s) for s in REVIEW_STATES)})", name="review"),
        CheckConstraint(f"content_type IN ({', '.join(repr(t) for t in DOCUMENT_MEDIA_TYPES)})", name="content_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True, comment="opaque; app.storage")
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    valid_until: Mapped[date | None] = mapped_column(Date, comment="when the certificate on it ends")
    review: Mapped[str] = mapped_column(String(12), default=UNREVIEWED)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="NULL for commands")
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, comment="file deleted after retention")


LOOK_UP_KINDS = ("list", "document", "photo")


class DocumentLookUp(Model):
    """Who read a worker's documents or photo, and when: the list, one document's file, or the
    photo (outside the scan). Like the scan log, a record of every look-up of a person's file."""

    __tablename__ = "document_look_ups"
    __table_args__ = (
        Index("ix_document_look_ups_worker_id_id", "worker_id", "id"),
        CheckConstraint(f"what IN ({', '.join(repr(k) for k in LOOK_UP_KINDS)})", name="what"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    what: Mapped[str] = mapped_column(String(8), comment="list (of documents), document (its file) or photo")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("worker_documents.id"), comment="the document read")
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    viewer_role: Mapped[str] = mapped_column(String(16), comment="the role the look-up was allowed by")
    looked_up_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
