"""The rollups the figures are read from, so that a figure costs the same for a month of data as
for ten years of it: counts per Beijing day and per Beijing month (`span`), kept by `flask
statistics roll-up` (industry_statistics.rollups), and how far each rollup reaches. What changed
since then is read live from the rows, so a figure is always exact."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UtcDateTime
from app.extensions import Model

DAY, MONTH = "day", "month"


class RollupMark(Model):
    """A rollup holds what changed before `through`; a figure reads later changes live."""

    __tablename__ = "statistics_rollup_marks"

    name: Mapped[str] = mapped_column(String(20), primary_key=True, comment="bookings or certificates")
    through: Mapped[datetime] = mapped_column(UtcDateTime)


class BookingCounts(Model):
    """A station's bookings whose service starts on a Beijing day (or in a month, starting on
    `first_day`), as industry_statistics.bookings counts them."""

    __tablename__ = "statistics_booking_counts"
    __table_args__ = (CheckConstraint("span IN ('day', 'month')", name="span"),)

    span: Mapped[str] = mapped_column(String(5), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    station_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    bookings: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[int] = mapped_column(Integer)
    follow_ups: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    complained: Mapped[int] = mapped_column(Integer)


class CertificateCounts(Model):
    """Certificate moves on the ledger in a Beijing day (or month) by district: each move's count
    (`what` issued, suspended...), and the change it made to the certificates valid or suspended
    (`what` issued_at_end, suspended_at_end), so that those at a month's end are a sum."""

    __tablename__ = "statistics_certificate_counts"
    __table_args__ = (CheckConstraint("span IN ('day', 'month')", name="span"),)

    span: Mapped[str] = mapped_column(String(5), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    district: Mapped[str] = mapped_column(String(12), primary_key=True)
    what: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class TrainingCounts(Model):
    """A course's training in a Beijing month (starting on `first_day`), as
    industry_statistics.training_attendance counts it: enrolments made, completions, attendances,
    and the workers who sat its exam and passed it in the month (`what`)."""

    __tablename__ = "statistics_training_counts"

    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    course_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    what: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
