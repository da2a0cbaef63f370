"""The rollups the figures are read from, so that a figure costs the same for a month of data as
for ten years of it: counts per Beijing day and per Beijing month (`span`), kept by `flask
statistics roll-up` (industry_statistics.rollups) as far as its mark (app.rollup_marks). What changed
since then is read live from the rows, so a figure is always exact. The workers' counts have no
time to be cut by: the database keeps them in the transaction of every write (WorkerCounts)."""

from datetime import date

from sqlalchemy import CheckConstraint, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model

DAY, MONTH = "day", "month"
NOT_KNOWN = 0  # a worker's birth year or stars in the worker counts, when the worker has none


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


class WorkerCounts(Model):
    """Workers per district (their company's, or NO_DISTRICT), gender, birth year and stars, kept
    by the database's triggers on workers and companies (migration 0034) in the transaction of
    every write, so that the workers' figures read these instead of every worker. A birth year,
    not an age band: a band moves with the year it is read in. NOT_KNOWN where a year or stars
    are not known; 'unknown' for a gender."""

    __tablename__ = "statistics_worker_counts"

    district: Mapped[str] = mapped_column(String(12), primary_key=True, comment="the company's district, or none")
    gender: Mapped[str] = mapped_column(String(7), primary_key=True, comment="male, female or unknown")
    birth_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, comment="0: not known")
    stars: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, comment="0: none yet")
    workers: Mapped[int] = mapped_column(Integer)


class WorkerServiceCounts(Model):
    """Workers per district, gender and service code they offer (one count for each code of their
    service_types), kept as WorkerCounts is."""

    __tablename__ = "statistics_worker_service_counts"

    district: Mapped[str] = mapped_column(String(12), primary_key=True, comment="the company's district, or none")
    gender: Mapped[str] = mapped_column(String(7), primary_key=True, comment="male, female or unknown")
    service: Mapped[str] = mapped_column(Text, primary_key=True, comment="a code of the worker's service_types")
    workers: Mapped[int] = mapped_column(Integer)


class TrainingCounts(Model):
    """A course's training in a Beijing month (starting on `first_day`), as
    industry_statistics.training_attendance counts it: enrolments made, completions, attendances,
    and the workers who sat its exam and passed it in the month (`what`)."""

    __tablename__ = "statistics_training_counts"

    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    course_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    what: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
