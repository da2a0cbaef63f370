"""The rollups the figures are read from, so that a figure costs the same for a month of data as
for ten years of it: counts per Beijing day and per Beijing month (`span`), kept by `flask
statistics roll-up` (industry_statistics.rollups), and how far each rollup reaches. What changed
since then is read live from the rows, so a figure is always exact."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, Integer, String
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


EVERY_DISTRICT = ""  # the district of the city's figures in the complaint rollup


class ComplaintCounts(Model):
    """The booking complaints submitted in a Beijing month (starting on `first_day`) at a district's
    stations (EVERY_DISTRICT: at any) that were settled when the rollup reached its mark: decided,
    and no deadline of theirs still to pass, so that nothing of them changes with time any more
    (industry_statistics.complaints)."""

    __tablename__ = "statistics_complaint_counts"

    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    district: Mapped[str] = mapped_column(String(12), primary_key=True, comment="'' for every district")
    decided: Mapped[int] = mapped_column(Integer)
    answered_late: Mapped[int] = mapped_column(Integer)
    decided_late: Mapped[int] = mapped_column(Integer)


class ComplaintHours(Model):
    """The hours to decide of those complaints in order, so that a percentile of them and of the
    few complaints settled since is read from the ranks around it, not from every complaint."""

    __tablename__ = "statistics_complaint_hours"

    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    district: Mapped[str] = mapped_column(String(12), primary_key=True, comment="'' for every district")
    rank: Mapped[int] = mapped_column(Integer, primary_key=True, comment="1: the quickest decided")
    hours: Mapped[float] = mapped_column(Float)
