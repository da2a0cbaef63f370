"""Companies, workers, their 安心服務證 certificate, the credit ledger and the scan log."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    false,
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

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True, comment="统一社会信用代码 (GB 32100)")
    district_code: Mapped[str] = mapped_column(String(6), index=True)
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
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Worker(Model):
    """A 家政服务员. ID number and phone are encrypted; their keyed hashes find and deduplicate.
    Both are deferred (loaded, and so decrypted, together on first use): most reads of a worker
    (bookings, the ledger, the QR code) never show them; the views that do undefer the group."""

    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    id_number = mapped_column(Encrypted, nullable=False, deferred=True, deferred_group=PERSONAL)
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="keyed hash of id_number")
    phone = mapped_column(Encrypted, nullable=True, deferred=True, deferred_group=PERSONAL)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True, comment="keyed hash of phone")
    photo_url: Mapped[str | None] = mapped_column(String(300))
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list, comment="service codes (credit.service_types)")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    years_of_experience: Mapped[int] = mapped_column(Integer, default=0)
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
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    company: Mapped[Company | None] = relationship(lazy="joined")
    certificate: Mapped["Certificate"] = relationship(back_populates="worker", uselist=False)

    @property
    def services(self) -> list[dict[str, str]]:
        """The service types as a person reads them: each code with its Chinese name."""
        return named(self.service_types)


class Certificate(Model):
    """The 安心服務證 and its 三证一书 documents: one per worker (一人一码一证一档)."""

    __tablename__ = "certificates"
    __table_args__ = (CheckConstraint(f"state IN ({', '.join(repr(s) for s in STATES)})", name="state"),)

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
    refresher_due_on: Mapped[date | None] = mapped_column(
        Date, comment="a refresher (回炉) course is required by this date; set by whoever requires it"
    )
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Optimistic lock: of two operators changing the same certificate, the second fails (409).
    version: Mapped[int] = mapped_column(Integer, default=1)

    worker: Mapped[Worker] = relationship(back_populates="certificate")

    __mapper_args__ = {"version_id_col": version}


class CreditEvent(Model):
    """The append-only ledger: every certificate transition and every credit-relevant fact, with
    who, when, why and the state before and after. Levels are computed from these rows only."""

    __tablename__ = "credit_events"
    __table_args__ = (
        CheckConstraint("(worker_id IS NULL) <> (company_id IS NULL)", name="one_subject"),
        Index("ix_credit_events_worker_id_id", "worker_id", "id"),
        Index("ix_credit_events_company_id_id", "company_id", "id"),
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
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


@event.listens_for(CreditEvent, "before_update")
@event.listens_for(CreditEvent, "before_delete")
def ledger_is_append_only(_mapper, _connection, entry: CreditEvent):
    raise RuntimeError(f"credit event {entry.id} is on the append-only ledger: add a new event instead")


class ScanLog(Model):
    """One scan of a 安心碼: when, which certificate, coarse client; never the IP address."""

    __tablename__ = "scan_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(8), comment="api or page")
    client: Mapped[str] = mapped_column(String(16), comment="wechat, android, ios, browser or other")
