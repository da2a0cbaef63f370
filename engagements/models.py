"""Long and live-in engagements (长期/住家服务): a resident's request to a station or a company,
the candidates proposed with their interviews, the chosen worker's time held in booking's worker
time blocks, the scans at 上户 and 下户, ratings, follow-up calls and the audit trail."""

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model
from app.i18n import lazy_gettext
from app.privacy import Encrypted
from app.states import StateTable
from complaints.models import HandledComplaint, complaint_checks, open_complaints_index
from credit.models import Company, Worker
from stations.models import Station
from wechat.models import CheckedText, text_status_check

# The services taken as engagements, by credit.service_types code: 月嫂, 育儿嫂 (育婴), 住家保姆, 养老护理.
ENGAGEMENT_SERVICES = ("maternity", "childcare", "live_in_housekeeping", "elderly_care")
DAYS, MONTHS = "days", "months"
IN_PERSON, VIDEO = "in_person", "video"

REQUESTED, PROPOSED, INTERVIEWING, CHOSEN, CONFIRMED, IN_SERVICE, COMPLETED, ENDED_EARLY, CANCELLED = (
    "requested",
    "proposed",
    "interviewing",
    "chosen",
    "confirmed",
    "in_service",
    "completed",
    "ended_early",
    "cancelled",
)
STATUSES = (REQUESTED, PROPOSED, INTERVIEWING, CHOSEN, CONFIRMED, IN_SERVICE, COMPLETED, ENDED_EARLY, CANCELLED)
STATUS_NAMES = {
    REQUESTED: "待推荐",
    PROPOSED: "已推荐",
    INTERVIEWING: "面试中",
    CHOSEN: "已选定",
    CONFIRMED: "已签约",
    IN_SERVICE: "服务中",
    COMPLETED: "已下户",
    ENDED_EARLY: "提前结束",
    CANCELLED: "已取消",
}
BEFORE_SERVICE = (REQUESTED, PROPOSED, INTERVIEWING, CHOSEN, CONFIRMED)
# The engagement lifecycle: the only moves there are; any other is a 409 naming the status. The
# chosen worker's time is held from the choice on, so two families cannot both choose her.
ENGAGEMENT_STATES = StateTable(
    transitions={
        "propose": {REQUESTED: PROPOSED, PROPOSED: PROPOSED, INTERVIEWING: INTERVIEWING},
        "request_interview": {PROPOSED: INTERVIEWING, INTERVIEWING: INTERVIEWING},
        "choose": {PROPOSED: CHOSEN, INTERVIEWING: CHOSEN},
        "confirm": {CHOSEN: CONFIRMED},
        "start": {CONFIRMED: IN_SERVICE},
        "complete": {IN_SERVICE: COMPLETED},
        "end_early": {IN_SERVICE: ENDED_EARLY},
        "cancel": dict.fromkeys(BEFORE_SERVICE, CANCELLED),
        # The chosen worker's certificate was suspended, revoked or expired before 上户: the family
        # chooses again among the candidates (or the station proposes others).
        "withdraw_worker": {CHOSEN: PROPOSED, CONFIRMED: PROPOSED},
    },
    names=STATUS_NAMES,
    field="status",
    subject=lazy_gettext("the engagement is"),
)
# Facts recorded about an engagement that leave its status as it is, and the statuses they need.
ENGAGEMENT_FACTS = StateTable(
    transitions={
        "confirm_side": {CHOSEN: CHOSEN},
        "extend": {CONFIRMED: CONFIRMED, IN_SERVICE: IN_SERVICE},
        "rate_month": {IN_SERVICE: IN_SERVICE},
        "rate": {COMPLETED: COMPLETED, ENDED_EARLY: ENDED_EARLY},
        "record_follow_up": {IN_SERVICE: IN_SERVICE, COMPLETED: COMPLETED, ENDED_EARLY: ENDED_EARLY},
        # From the signing on, and for ENGAGEMENT_COMPLAINT_DAYS after the end (engagements.complaints).
        "complain": {status: status for status in (CONFIRMED, IN_SERVICE, COMPLETED, ENDED_EARLY)},
    },
    names=STATUS_NAMES,
    field="status",
    subject=lazy_gettext("the engagement is"),
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Engagement(CheckedText, Model):
    """A resident's engagement: to a station or to a company (exactly one), for `days` days from
    `start_day` to `last_day` (Beijing dates), live-in (every hour) or daily hours. `text` holds
    the resident's needs, shown once WeChat's content check passed it."""

    __tablename__ = "engagements"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        CheckConstraint(_one_of("service_code", ENGAGEMENT_SERVICES), name="service"),
        CheckConstraint("(station_code IS NULL) <> (company_id IS NULL)", name="to_station_or_company"),
        CheckConstraint("last_day >= start_day", name="ends_after_start"),
        CheckConstraint(
            "live_in OR (day_starts_at IS NOT NULL AND day_ends_at IS NOT NULL AND day_ends_at > day_starts_at)",
            name="day_hours",
        ),
        CheckConstraint(_one_of("length_unit", (DAYS, MONTHS)), name="length_unit"),
        text_status_check(),
        Index("ix_engagements_station_code_status", "station_code", "status"),
        Index("ix_engagements_company_id_status", "company_id", "status"),
        # A station's requests in their order, a page read without sorting its whole history.
        Index("ix_engagements_station_start_day_id", "station_code", "start_day", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    station_code: Mapped[str | None] = mapped_column(ForeignKey("stations.code"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    service_code: Mapped[str] = mapped_column(String(32), comment="credit.service_types code")
    start_day: Mapped[date] = mapped_column(Date, comment="Asia/Shanghai")
    last_day: Mapped[date] = mapped_column(Date, comment="Asia/Shanghai, included; an extension moves it")
    length: Mapped[int] = mapped_column(Integer, comment="as requested, in length_unit")
    length_unit: Mapped[str] = mapped_column(String(8))
    live_in: Mapped[bool] = mapped_column(Boolean)
    day_starts_at: Mapped[time | None] = mapped_column(Time, comment="Asia/Shanghai; NULL when live-in")
    day_ends_at: Mapped[time | None] = mapped_column(Time, comment="Asia/Shanghai; NULL when live-in")
    address = mapped_column(Encrypted, nullable=False)
    text: Mapped[str | None] = mapped_column(String(1000), comment="the resident's needs (content-checked)")
    preferred_worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    status: Mapped[str] = mapped_column(String(12), default=REQUESTED)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True, comment="the chosen one")
    resident_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    worker_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    worker_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), comment="the worker's account, or staff on the worker's behalf"
    )
    contract_reference: Mapped[str | None] = mapped_column(String(64), comment="the e-contract signed elsewhere")
    contract_signed_on: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, comment="上户")
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, comment="下户, or the early end")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    worker: Mapped[Worker | None] = relationship(foreign_keys=[worker_id])
    station: Mapped[Station | None] = relationship(viewonly=True)
    company: Mapped[Company | None] = relationship(viewonly=True)
    candidates: Mapped[list["Candidate"]] = relationship(order_by="Candidate.id", viewonly=True)
    events: Mapped[list["EngagementEvent"]] = relationship(order_by="EngagementEvent.id", viewonly=True)
    ratings: Mapped[list["EngagementRating"]] = relationship(order_by="EngagementRating.period", viewonly=True)

    __mapper_args__ = {"version_id_col": version}


class Candidate(Model):
    """A worker proposed for an engagement, and the interview (面试) the resident asked for."""

    __tablename__ = "engagement_candidates"
    __table_args__ = (
        UniqueConstraint("engagement_id", "worker_id", name="uq_engagement_candidates_engagement_worker"),
        CheckConstraint(f"interview_mode IS NULL OR {_one_of('interview_mode', (IN_PERSON, VIDEO))}", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    interview_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    interview_mode: Mapped[str | None] = mapped_column(String(10))
    interview_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    worker: Mapped[Worker] = relationship()


class EngagementEvent(Model):
    """The audit trail: every move and every fact about an engagement, with who and when."""

    __tablename__ = "engagement_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="NULL for commands")
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


START_SCAN, END_SCAN = "start", "end"


class EngagementScan(Model):
    """上户 or 下户: the resident scanned the worker's 安心碼; a scan of someone else, or of a code
    that is not green, is kept too."""

    __tablename__ = "engagement_scans"
    __table_args__ = (CheckConstraint(_one_of("kind", (START_SCAN, END_SCAN)), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    scanned_worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    matched: Mapped[bool] = mapped_column(Boolean)
    colour: Mapped[str] = mapped_column(String(8), comment="the certificate's colour at the scan")
    scanned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    scanned_worker: Mapped[Worker] = relationship()


class EngagementRating(CheckedText, Model):
    """The resident's rating: once per month of service (period 1, 2...) and once at the end
    (period 0)."""

    __tablename__ = "engagement_ratings"
    __table_args__ = (
        UniqueConstraint("engagement_id", "period", name="uq_engagement_ratings_engagement_period"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        CheckConstraint("period >= 0", name="period"),
        text_status_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    period: Mapped[int] = mapped_column(Integer, comment="0 the end, n the n-th month of service")
    stars: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(String(500))
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class EngagementFollowUp(Model):
    """回访: a call of the station's (or company's) during or after the engagement."""

    __tablename__ = "engagement_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    caller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    called_at: Mapped[datetime] = mapped_column(UtcDateTime)
    satisfied: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class EngagementComplaint(HandledComplaint, CheckedText, Model):
    """A resident's complaint about their engagement, handled as every complaint is
    (complaints.handling: severity, deadlines, submitted → accepted → upheld / dismissed / invalid
    → closed) by the engagement's handlers. Only an upheld one lowers credit. Its text is shown
    once WeChat's content check passed it (wechat.content)."""

    __tablename__ = "engagement_complaints"
    __table_args__ = (*complaint_checks(), open_complaints_index("engagement_complaints"), text_status_check())
    COMPLAINT_KIND = "engagement"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id"), comment="the engagement's worker when it was filed"
    )
    text: Mapped[str] = mapped_column(String(1000))

    engagement: Mapped[Engagement] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": HandledComplaint.version}
