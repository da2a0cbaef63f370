"""The public-credit feed: the records published to the city's platform (an outbox, written in
the transaction of the change it records), the receiving platforms' API keys and every pull."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, FetchedValue, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model

FEED_VERSION = "v1"

COMPANY_GRADE_CHANGED = "company_grade_changed"
CERTIFICATE_KINDS = {
    "issue": "certificate_issued",
    "suspend": "certificate_suspended",
    "reinstate": "certificate_reinstated",
    "revoke": "certificate_revoked",
    "expire": "certificate_expired",
    "renew": "certificate_renewed",
}
LISTING_STARTED, LISTING_ENDED = "listing_started", "listing_ended"
WORKER, COMPANY = "worker", "company"

# What each kind of record may say beyond its subject (docs/public-credit-feed.md defines each
# field): publish_record refuses anything else, so no personal detail can slip into the feed.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    COMPANY_GRADE_CHANGED: ("grade_before", "grade_after", "scoring_version"),
    **dict.fromkeys(CERTIFICATE_KINDS.values(), ("state_before", "state_after")),
    LISTING_STARTED: ("listing_category", "listed_from", "listed_until", "listing_reference"),
    LISTING_ENDED: ("listing_category", "listed_from", "listed_until", "listing_reference", "end_reason"),
}
KINDS = tuple(KIND_FIELDS)


def _in(values) -> str:
    return ", ".join(repr(value) for value in values)


class FeedRecord(Model):
    """One published change. Its subject is named by public identifiers only (a 统一社会信用代码, a
    certificate number), never by our row ids, so a record reads the same whatever becomes of
    the rows it came from. `xact_id` is the inserting transaction's id on PostgreSQL (0 on
    SQLite, where one writer at a time makes the id order the commit order): feed.pulling pages
    by (xact_id, id) below the oldest transaction still running, so a late commit is never
    skipped."""

    __tablename__ = "feed_records"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(KINDS)})", name="kind"),
        CheckConstraint(f"subject_type IN ({_in((WORKER, COMPANY))})", name="subject_type"),
        Index("ix_feed_records_position", "xact_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    subject_type: Mapped[str] = mapped_column(String(8))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    certificate_number: Mapped[str | None] = mapped_column(String(20), index=True)
    # The subject's names (masked for a worker) and the kind's own fields (KIND_FIELDS).
    payload: Mapped[dict] = mapped_column(JSON)
    xact_id: Mapped[int] = mapped_column(BigInteger, server_default=FetchedValue())


class FeedClient(Model):
    """A receiving platform and its API key, kept only as its SHA-256 (the key is shown once)."""

    __tablename__ = "feed_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="SHA-256 of the API key")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class FeedPull(Model):
    """One pull of the feed: who, when, what was asked, how many records and the cursor given."""

    __tablename__ = "feed_pulls"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("feed_clients.id"), index=True)
    pulled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    parameters: Mapped[dict] = mapped_column(JSON, comment="since, cursor, format and limit as asked")
    record_count: Mapped[int] = mapped_column(Integer)
    first_record_id: Mapped[int | None] = mapped_column(Integer)
    last_record_id: Mapped[int | None] = mapped_column(Integer)
    next_cursor: Mapped[str] = mapped_column(String(200))

    client: Mapped[FeedClient] = relationship()
