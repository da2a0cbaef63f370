"""Published lists: a dated grade list (信用等级名单) or a 示范 selection (诚信示范企业名单), each
numbered per kind and year, with its rows copied from the companies when it was published. Both
are frozen: a later change of a grade, a name or a district never reaches a list once published."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, UniqueConstraint, event, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model

GRADE_LIST, DEMONSTRATION = "grade_list", "demonstration"
KINDS = (GRADE_LIST, DEMONSTRATION)
KIND_NAMES = {GRADE_LIST: "信用等级名单", DEMONSTRATION: "诚信示范企业名单"}
# The document number of each kind, per year. PLACEHOLDER prefixes: the issuing office's own
# 发文字号 replaces them (the sequence and the year stay as they are).
NUMBER_FORMATS = {GRADE_LIST: "穗家信〔{year}〕{sequence}号", DEMONSTRATION: "穗家示〔{year}〕{sequence}号"}


class Publication(Model):
    """One published list: its title, its number (the kind's sequence within the year), the day it
    was published, the scoring version the grades came from and, for a selection, the version of
    the criteria it was chosen by."""

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("kind", "year", "sequence", name="uq_publications_kind_year_sequence"),
        CheckConstraint(f"kind IN ({', '.join(repr(kind) for kind in KINDS)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer, comment="the year the list is of (年度)")
    sequence: Mapped[int] = mapped_column(Integer, comment="1, 2, ... within the kind and year")
    number: Mapped[str] = mapped_column(String(40), unique=True, comment="e.g. 穗家信〔2026〕1号")
    published_on: Mapped[date] = mapped_column(Date, comment="Beijing's date")
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    scoring_version: Mapped[str] = mapped_column(String(40), comment="credit/scoring.toml's version")
    criteria_version: Mapped[str | None] = mapped_column(
        String(40), comment="publication/demonstration.toml's version (a selection only)"
    )
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="NULL for commands")

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


class PublicationEntry(Model):
    """One company as the list shows it, copied at publication: never changed afterwards."""

    __tablename__ = "publication_entries"
    __table_args__ = (
        UniqueConstraint("publication_id", "position", name="uq_publication_entries_position"),
        UniqueConstraint("publication_id", "company_id", name="uq_publication_entries_company"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"))
    position: Mapped[int] = mapped_column(Integer, comment="1 for the first row")
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    company_name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18))
    grade: Mapped[str | None] = mapped_column(String(2))
    credit_score: Mapped[float | None] = mapped_column(Float)
    district_code: Mapped[str] = mapped_column(String(6))

    publication: Mapped[Publication] = relationship()


# Counted, not stored: the rows are written after the list itself, which is never updated.
Publication.entry_count = column_property(
    select(func.count(PublicationEntry.id)).where(PublicationEntry.publication_id == Publication.id).scalar_subquery(),
    deferred=False,
)


@event.listens_for(Publication, "before_update")
@event.listens_for(Publication, "before_delete")
@event.listens_for(PublicationEntry, "before_update")
@event.listens_for(PublicationEntry, "before_delete")
def published_is_frozen(_mapper, _connection, row):
    raise RuntimeError(f"{row.__tablename__} {row.id} is published: publish a new list instead")
