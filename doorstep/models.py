"""Door entries (确认入户 after any scan), and the rating and complaints each admitted entry allows."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model
from complaints.models import HandledComplaint, complaint_checks, open_complaints_index
from credit.models import Worker
from wechat.models import CheckedText, text_status_check


class DoorEntry(Model):
    """A resident scanned a worker's 安心碼 at their door and recorded it, whatever the colour: a
    worker whose code was not green was refused (the resident told not to open the door), and
    the refusal stays on record."""

    __tablename__ = "door_entries"
    __table_args__ = (Index("ix_door_entries_resident_id_id", "resident_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    colour: Mapped[str] = mapped_column(String(8), comment="the 安心碼's colour when it was scanned")
    admitted: Mapped[bool] = mapped_column(Boolean, comment="green at the door; only then may it be rated")
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    worker: Mapped[Worker] = relationship()
    rating: Mapped["DoorRating | None"] = relationship(viewonly=True)
    complaints: Mapped[list["DoorComplaint"]] = relationship(order_by="DoorComplaint.id", viewonly=True)


class DoorRating(CheckedText, Model):
    """The resident's rating of the worker they let in: once per entry."""

    __tablename__ = "door_ratings"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"), text_status_check())

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("door_entries.id"), unique=True)
    stars: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(String(500))
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DoorComplaint(HandledComplaint, CheckedText, Model):
    """A resident's complaint about the worker they let in; any number per entry. No station is
    behind the hire, so operators handle it, as every complaint is handled (complaints.handling)."""

    __tablename__ = "door_complaints"
    __table_args__ = (*complaint_checks(), open_complaints_index("door_complaints"), text_status_check())
    COMPLAINT_KIND = "door"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("door_entries.id"), index=True)
    text: Mapped[str] = mapped_column(String(1000))

    entry: Mapped[DoorEntry] = relationship()

    __mapper_args__ = {"version_id_col": HandledComplaint.version}
