"""How far each rollup reaches (statistics_rollup_marks), in the kernel because figures of more
than one layer read a rollup: industry_statistics's, and training's exam pass rates. The job
moves a mark to MARGIN before its own start: a change committed later than that but stamped
earlier (a transaction still open when the job read) is still found, by the next run and by every
figure meanwhile, as long as no transaction stays open longer than MARGIN."""

from datetime import datetime, timedelta

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UtcDateTime
from app.extensions import Model, db

MARGIN = timedelta(minutes=10)


class RollupMark(Model):
    """A rollup holds what changed before `through`; a figure reads later changes live."""

    __tablename__ = "statistics_rollup_marks"

    name: Mapped[str] = mapped_column(String(20), primary_key=True, comment="bookings or certificates")
    through: Mapped[datetime] = mapped_column(UtcDateTime)


def rollup_reaches(name: str) -> datetime | None:
    """The moment before which the rollup `name` holds every change; None before its first run
    (every figure is then counted from the rows)."""
    return db.session.scalar(select(RollupMark.through).where(RollupMark.name == name))


def claim_mark(name: str, now: datetime) -> tuple[datetime | None, datetime]:
    """Where the rollup reached, and where this run brings it (`now` less MARGIN); the mark is
    row-locked until commit, so runs that overlap take turns."""
    mark = db.session.scalar(select(RollupMark).where(RollupMark.name == name).with_for_update())
    through = now - MARGIN
    if mark is None:
        db.session.add(RollupMark(name=name, through=through))
        return None, through
    since, mark.through = mark.through, max(mark.through, through)
    return since, mark.through
