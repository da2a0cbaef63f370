"""The service catalogue, what each station offers and when, slots with their capacity, bookings
with their audit trail, the worker time blocks that stop double-booking, and what follows a
service: entry checks, ratings, follow-up calls and complaints."""

from datetime import date, datetime, time

from geoalchemy2 import Geometry
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
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model
from app.i18n import lazy_gettext
from app.privacy import Encrypted
from app.states import StateTable
from complaints.models import OPEN_COMPLAINT, HandledComplaint, complaint_checks, open_complaints_index
from credit.models import Worker
from stations.models import Station
from wechat.models import CheckedText, text_status_check

# ---------------------------------------------------------------- booking statuses

PENDING, CONFIRMED, ASSIGNED, IN_SERVICE, COMPLETED, CANCELLED, REJECTED = (
    "pending",
    "confirmed",
    "assigned",
    "in_service",
    "completed",
    "cancelled",
    "rejected",
)
STATUSES = (PENDING, CONFIRMED, ASSIGNED, IN_SERVICE, COMPLETED, CANCELLED, REJECTED)
PENDING_BOOKING = f"status = '{PENDING}'"  # the partial index of the bookings waiting to be confirmed
# The partial index of the completed bookings whose 回访 is not recorded yet (follow_up_recorded).
FOLLOW_UP_DUE = f"status = '{COMPLETED}' AND NOT follow_up_recorded"
# The partial indexes of the complaints the statistics' rollup does not hold yet (industry_statistics.complaints).
UNDECIDED = "decided_at IS NULL"
DECIDED_UNANSWERED = "decided_at IS NOT NULL AND accepted_at IS NULL"
STATUS_NAMES = {
    PENDING: "待接单",
    CONFIRMED: "已接单",
    ASSIGNED: "已派单",
    IN_SERVICE: "服务中",
    COMPLETED: "已完成",
    CANCELLED: "已取消",
    REJECTED: "已拒单",
}
# The booking lifecycle: the only transitions there are; any other step is refused with a 409
# naming the current status. A reschedule (已改约) keeps the booking, moves it to the new slot and
# sends it back to the station for confirmation of the new time, unless its assigned worker can
# serve the new time too (keep_worker).
BOOKING_STATES = StateTable(
    transitions={
        # action: {from status: to status}
        "confirm": {PENDING: CONFIRMED},
        "reject": {PENDING: REJECTED, CONFIRMED: REJECTED},
        "assign": {CONFIRMED: ASSIGNED, ASSIGNED: ASSIGNED},
        "start": {ASSIGNED: IN_SERVICE},
        "complete": {IN_SERVICE: COMPLETED},
        "cancel": {PENDING: CANCELLED, CONFIRMED: CANCELLED, ASSIGNED: CANCELLED},
        "reschedule": {PENDING: PENDING, CONFIRMED: PENDING, ASSIGNED: PENDING},
        # The assigned worker's certificate was suspended, revoked or expired: back to 待派单.
        "withdraw_worker": {ASSIGNED: CONFIRMED},
        # Right after a reschedule, the worker who was assigned is free at the new time: kept.
        "keep_worker": {PENDING: ASSIGNED},
    },
    names=STATUS_NAMES,
    field="status",
    subject=lazy_gettext("the status is"),
)
# Facts recorded about a booking that leave its status as it is, and the statuses they need.
BOOKING_FACTS = StateTable(
    transitions={
        # Confirmed: the station has not assigned a worker, or took the assigned one off (withdrawn
        # certificate); whoever is at the door is then refused, on record.
        "confirm_entry": {CONFIRMED: CONFIRMED, ASSIGNED: ASSIGNED, IN_SERVICE: IN_SERVICE},
        "rate": {COMPLETED: COMPLETED},
        "record_follow_up": {COMPLETED: COMPLETED},
        # Assigned and its time begun, but not started: one side was missing.
        "record_no_show": {ASSIGNED: ASSIGNED},
    },
    names=STATUS_NAMES,
    field="status",
    subject=lazy_gettext("the status is"),
)
# Bookings a station must deal with before it may close their day.
OPEN_STATUSES = (PENDING, CONFIRMED, ASSIGNED, IN_SERVICE)

# Moments are stored in UTC; days, hours and what residents read are Beijing time.

# Worker time is reserved in blocks of this many minutes; slot starts and lengths are multiples of
# it, so "never two bookings at once" is a primary key on (worker, block) on every backend.
BLOCK_MINUTES = 30

# The workers listed to assign a booking to, the best first; a search finds the others.
ASSIGNABLE_LISTED = 50


class Service(Model):
    """A service of the catalogue. Its `code` is the word workers' service_types use (cleaning,
    childcare…: credit.service_types), so whether a worker offers a service is a plain comparison."""

    __tablename__ = "booking_services"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    description: Mapped[str | None] = mapped_column(String(200))
    typical_minutes: Mapped[int] = mapped_column(Integer, comment="typical duration of one visit")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StationOffer(Model):
    """A service a station offers: its opening hours for it, slot length and places per slot."""

    __tablename__ = "station_offers"
    __table_args__ = (
        UniqueConstraint("station_code", "service_code", name="uq_station_offers_station_service"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint(f"slot_minutes > 0 AND slot_minutes % {BLOCK_MINUTES} = 0", name="slot_minutes_in_blocks"),
        CheckConstraint("closes_at > opens_at", name="opens_before_closing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"), index=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("booking_services.code"))
    weekdays: Mapped[str] = mapped_column(String(7), default="1234567", comment="ISO weekdays open, 1 = Monday")
    opens_at: Mapped[time] = mapped_column(Time, comment="Asia/Shanghai")
    closes_at: Mapped[time] = mapped_column(Time, comment="Asia/Shanghai; the last slot ends by then")
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer, comment="places per slot")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    service: Mapped[Service] = relationship(lazy="joined", innerjoin=True)


class ClosedDay(Model):
    """A day a station takes no bookings (holiday, training day...)."""

    __tablename__ = "station_closed_days"
    __table_args__ = (UniqueConstraint("station_code", "day", name="uq_station_closed_days_station_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    day: Mapped[date] = mapped_column(Date, comment="Asia/Shanghai date")
    reason: Mapped[str] = mapped_column(String(200))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Slot(Model):
    """One bookable time of one service at one station. Created when first booked; `booked` only
    moves by a conditional UPDATE, and the CHECK makes overbooking impossible whatever the code."""

    __tablename__ = "booking_slots"
    __table_args__ = (
        UniqueConstraint("station_code", "service_code", "starts_at", name="uq_booking_slots_station_service_start"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    service_code: Mapped[str] = mapped_column(ForeignKey("booking_services.code"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, comment="UTC")
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime, comment="UTC")
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Booking(Model):
    """A resident's booking. The address is personal data (encrypted); the point is WGS-84."""

    __tablename__ = "bookings"
    __table_args__ = (
        # The same Idempotency-Key from the same resident is the same booking; a resident's
        # bookings are read by it too (no index of resident_id alone to keep on every booking).
        UniqueConstraint("resident_id", "idempotency_key", name="uq_bookings_resident_idempotency_key"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name="status"),
        # A station's list in its order (deep pages too) and its count, read from the index alone.
        Index("ix_bookings_station_starts_at_id", "station_code", "starts_at", "id", postgresql_include=["status"]),
        Index("ix_bookings_starts_at", "starts_at"),  # the reminders' day, across stations
        # The desk's bookings waiting to be confirmed, oldest first, and their count: the few
        # pending, not every booking of the station's history read to find them.
        Index(
            "ix_bookings_station_pending",
            "station_code",
            "created_at",
            "id",
            postgresql_where=text(PENDING_BOOKING),
            sqlite_where=text(PENDING_BOOKING),
        ),
        # The station's follow-up calls due and their count, in the order of the list: those
        # bookings alone, not every completed booking of the month each looked up among the
        # city's follow-ups.
        Index(
            "ix_bookings_station_follow_up_due",
            "station_code",
            "starts_at",
            "id",
            postgresql_where=text(FOLLOW_UP_DUE),
            sqlite_where=text(FOLLOW_UP_DUE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    request_fingerprint: Mapped[str] = mapped_column(String(64), comment="hash of the booking request")
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    service_code: Mapped[str] = mapped_column(ForeignKey("booking_services.code"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("booking_slots.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    address = mapped_column(Encrypted, nullable=False)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False, deferred=True)
    contact_name: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(String(500))
    preferred_worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0, comment="> 0 shows 已改约")
    entry_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, comment="确认入户")
    reminder_queued_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, comment="the day-before reminder was queued; a reschedule clears it"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Optimistic lock: of two staff acting on one booking at once, the second gets a 409.
    version: Mapped[int] = mapped_column(Integer, default=1)
    follow_up_recorded: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        comment="its FollowUp exists: kept by the database's triggers on booking_follow_ups (migration 0043)",
    )

    lat = column_property(func.ST_Y(location))
    lng = column_property(func.ST_X(location))

    service: Mapped[Service] = relationship(lazy="joined", innerjoin=True)
    # Assignment sets the worker (not only worker_id), so the answer shows it without reading it again.
    worker: Mapped[Worker | None] = relationship(foreign_keys=[worker_id])
    station: Mapped[Station] = relationship(viewonly=True)
    rating: Mapped["Rating | None"] = relationship(viewonly=True)
    caller: Mapped["BookingCaller | None"] = relationship(viewonly=True)
    events: Mapped[list["BookingEvent"]] = relationship(order_by="BookingEvent.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}


class BookingEvent(Model):
    """The audit trail: every transition and every fact about a booking, with who and when."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="NULL for commands")
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    # Indexed: the statistics' rollup finds the bookings changed since it last ran by their events.
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class WorkerTimeBlock(Model):
    """A worker's half hour taken by an assigned booking or by a long engagement (engagements/,
    the layer above, holds `engagement_id`). The primary key is the double-booking guard: a
    booking or an engagement overlapping any block of another cannot be inserted."""

    __tablename__ = "worker_time_blocks"
    __table_args__ = (CheckConstraint("(booking_id IS NULL) <> (engagement_id IS NULL)", name="held_by_one"),)

    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"), index=True)


class EntryCheck(Model):
    """确认入户: the resident scanned a worker's 安心碼 at the door for this booking; a scan of
    someone other than the assigned worker is kept too."""

    __tablename__ = "booking_entry_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    scanned_worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    matched: Mapped[bool] = mapped_column(Boolean)
    colour: Mapped[str] = mapped_column(String(8), comment="the certificate's colour at the door")
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    scanned_worker: Mapped[Worker] = relationship()


class Rating(CheckedText, Model):
    """The resident's rating of a completed booking: once. Its text is shown once WeChat's
    content check passed it (wechat.content)."""

    __tablename__ = "booking_ratings"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"), text_status_check())

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    stars: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(String(500))
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FollowUp(Model):
    """回访: the station's call after the service: who called, when, satisfied or not. Once."""

    __tablename__ = "booking_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    caller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    called_at: Mapped[datetime] = mapped_column(UtcDateTime)
    satisfied: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)  # as the events'


class Complaint(HandledComplaint, CheckedText, Model):
    """A resident's complaint about a booking, handled as every complaint is (complaints.handling:
    severity, deadlines, submitted → accepted → upheld / dismissed / invalid → closed). Only an
    upheld one lowers credit. Its text is shown once WeChat's content check passed it
    (wechat.content)."""

    __tablename__ = "booking_complaints"
    __table_args__ = (
        *complaint_checks(),
        open_complaints_index("booking_complaints"),
        text_status_check(),
        Index("ix_booking_complaints_submitted_at", "submitted_at"),  # as the booking events' time
        # The complaints the statistics' rollup does not hold yet (industry_statistics.complaints).
        Index("ix_booking_complaints_decided_at", "decided_at"),
        Index("ix_booking_complaints_respond_by", "respond_by"),
        # The undecided ones, counted from the index alone (migration 0045); those decided unanswered.
        Index(
            "ix_booking_complaints_undecided",
            "submitted_at",
            postgresql_include=["station_code", "accepted_at", "respond_by", "resolve_by"],
            postgresql_where=text(UNDECIDED),
            sqlite_where=text(UNDECIDED),
        ),
        Index(
            "ix_booking_complaints_decided_unanswered",
            "respond_by",
            postgresql_where=text(DECIDED_UNANSWERED),
            sqlite_where=text(DECIDED_UNANSWERED),
        ),
        Index("ix_booking_complaints_station_code_id", "station_code", "id"),
        # A station's open complaints by deadline (the desk's complaints due), not the city's.
        Index(
            "ix_booking_complaints_station_open",
            "station_code",
            "status",
            "respond_by",
            "resolve_by",
            postgresql_where=text(OPEN_COMPLAINT),
            sqlite_where=text(OPEN_COMPLAINT),
        ),
    )
    COMPLAINT_KIND = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    station_code: Mapped[str] = mapped_column(
        ForeignKey("stations.code"),
        comment="the booking's station (a booking never changes station): a station's complaints "
        "are read from this table alone, not joined to every booking of the station",
    )
    text: Mapped[str] = mapped_column(String(1000))

    booking: Mapped[Booking] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": HandledComplaint.version}


NO_SHOW_PARTIES = {"resident": "雇主不在家", "worker": "服务人员未到"}


class NoShow(Model):
    """爽约: the resident was not there, or the worker did not come, recorded by the station's staff
    with who and when. The row is the record (never changed). A worker's no-show is a credit
    event of theirs; a resident's is read by the station's staff and operators only."""

    __tablename__ = "booking_no_shows"
    __table_args__ = (
        UniqueConstraint("booking_id", "party", name="uq_booking_no_shows_booking_party"),
        CheckConstraint(f"party IN ({', '.join(repr(p) for p in NO_SHOW_PARTIES)})", name="party"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    party: Mapped[str] = mapped_column(String(12), comment="resident or worker: who was absent")
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), comment="the booking's worker then")
    notes: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship()


CALLER_CHANNELS = {"phone": "电话预约", "walk_in": "到站预约"}


class BookingCaller(Model):
    """Who a booking taken on behalf is for: a caller or a walk-in at the station, booked by its
    staff with their consent on record. Name and phone are personal data (encrypted; the phone
    found by its keyed hash), shown masked in lists. Until the resident claims it in the
    mini-program with the same phone, bound through WeChat, the staff member who took it holds it
    (the booking's resident_id), so that the station can move or cancel it when the caller asks."""

    __tablename__ = "booking_callers"
    __table_args__ = (CheckConstraint(f"channel IN ({', '.join(repr(c) for c in CALLER_CHANNELS)})", name="channel"),)

    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), primary_key=True)
    name = mapped_column(Encrypted, nullable=False)
    phone = mapped_column(Encrypted, nullable=False)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True, comment="keyed hash of phone, for the claim")
    channel: Mapped[str] = mapped_column(String(8), comment="phone or walk_in")
    consent_at: Mapped[datetime] = mapped_column(
        UtcDateTime, comment="the caller agreed to their data being kept for the booking"
    )
    consent_recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, comment="the resident claimed it then")

    booking: Mapped[Booking] = relationship()


# ---------------------------------------------------------------- recurring series

SERIES_ACTIVE, SERIES_CANCELLED = "active", "cancelled"
SERIES_STATUSES = (SERIES_ACTIVE, SERIES_CANCELLED)
SERIES_STATUS_NAMES = {SERIES_ACTIVE: "进行中", SERIES_CANCELLED: "已取消"}
# A series is a resident's standing order; its occurrences are bookings, each moving by
# BOOKING_STATES. Cancelling "the rest" ends the series; one occurrence is cancelled as any booking.
SERIES_STATES = StateTable(
    transitions={"cancel_rest": {SERIES_ACTIVE: SERIES_CANCELLED}},
    names=SERIES_STATUS_NAMES,
    field="status",
    subject=lazy_gettext("the series is"),
)
# What became of each occurrence when the series was booked: booked, or why not (stable codes).
BOOKED = "booked"
OCCURRENCE_OUTCOMES = (
    BOOKED,
    "slot_full",
    "station_closed",
    "not_a_slot_start",
    "outside_booking_window",
    "beyond_series_horizon",
    "preferred_worker_busy",
)


class BookingSeries(Model):
    """A resident's recurring booking: every `every_days` days from `first_starts_at`, `count`
    times. Booked once per Idempotency-Key, like a single booking."""

    __tablename__ = "booking_series"
    __table_args__ = (
        UniqueConstraint("resident_id", "idempotency_key", name="uq_booking_series_resident_idempotency_key"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in SERIES_STATUSES)})", name="status"),
        CheckConstraint("every_days >= 1 AND count >= 1", name="positive_rhythm"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    request_fingerprint: Mapped[str] = mapped_column(String(64), comment="hash of the series request")
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    service_code: Mapped[str] = mapped_column(ForeignKey("booking_services.code"))
    first_starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    every_days: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, comment="occurrences asked for")
    preferred_worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    status: Mapped[str] = mapped_column(String(12), default=SERIES_ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    service: Mapped[Service] = relationship(lazy="joined", innerjoin=True)
    occurrences: Mapped[list["SeriesOccurrence"]] = relationship(order_by="SeriesOccurrence.position", viewonly=True)
    events: Mapped[list["SeriesEvent"]] = relationship(order_by="SeriesEvent.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}


class SeriesOccurrence(Model):
    """One date of a series: its booking, or the code of why it was not booked. The booking keeps
    its place in the series whatever it goes through (a reschedule moves the booking, not this)."""

    __tablename__ = "booking_series_occurrences"
    __table_args__ = (
        UniqueConstraint("series_id", "position", name="uq_booking_series_occurrences_series_position"),
        CheckConstraint(f"outcome IN ({', '.join(repr(o) for o in OCCURRENCE_OUTCOMES)})", name="outcome"),
        CheckConstraint(f"(outcome = '{BOOKED}') = (booking_id IS NOT NULL)", name="booked_has_booking"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("booking_series.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, comment="0 for the first date")
    planned_starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(24))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), unique=True)

    booking: Mapped[Booking | None] = relationship()


class SeriesEvent(Model):
    """The series' audit trail (its occurrences' own steps are their bookings' events)."""

    __tablename__ = "booking_series_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("booking_series.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# ---------------------------------------------------------------- waiting list

WAITING, OFFERED, TAKEN, LAPSED, LEFT = "waiting", "offered", "taken", "lapsed", "left"
WAITING_STATUSES = (WAITING, OFFERED, TAKEN, LAPSED, LEFT)
WAITING_STATUS_NAMES = {WAITING: "候补中", OFFERED: "已留位", TAKEN: "已预约", LAPSED: "已失效", LEFT: "已退出"}
# A waiting entry: the first in line is offered a freed place, held for them for a while; taken
# (a booking), lapsed (the offer ran out, or the slot began while waiting), or left.
WAITING_STATES = StateTable(
    transitions={
        "offer": {WAITING: OFFERED},
        "take": {OFFERED: TAKEN},
        "lapse": {OFFERED: LAPSED, WAITING: LAPSED},
        "leave": {WAITING: LEFT, OFFERED: LEFT},
    },
    names=WAITING_STATUS_NAMES,
    field="status",
    subject=lazy_gettext("the waiting entry is"),
)
# Entries still in line: a resident is in one slot's line once.
IN_LINE = (WAITING, OFFERED)


class WaitingEntry(Model):
    """A resident waiting for a place in a full slot. While offered, the place is held for them:
    it is counted in the slot's `booked`, so the capacity CHECK keeps it from anyone else."""

    __tablename__ = "booking_waiting_entries"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in WAITING_STATUSES)})", name="status"),
        Index(
            "uq_booking_waiting_entries_in_line",
            "slot_id",
            "resident_id",
            unique=True,
            postgresql_where=text(f"status IN ({', '.join(repr(s) for s in IN_LINE)})"),
            sqlite_where=text(f"status IN ({', '.join(repr(s) for s in IN_LINE)})"),
        ),
        Index("ix_booking_waiting_entries_slot_status", "slot_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("booking_slots.id"))
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    service_code: Mapped[str] = mapped_column(ForeignKey("booking_services.code"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(12), default=WAITING)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    service: Mapped[Service] = relationship(lazy="joined", innerjoin=True)
    events: Mapped[list["WaitingEvent"]] = relationship(order_by="WaitingEvent.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}


class WaitingEvent(Model):
    """The waiting entry's audit trail: joined, offered, taken, lapsed, left."""

    __tablename__ = "booking_waiting_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("booking_waiting_entries.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # NULL: an offer or a lapse
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
