"""Subscribe messages as they are queued, sent and failed, and what users told WeChat about
each template."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model
from app.privacy import EncryptedJSON

# queued → sending → sent | not_subscribed | failed (or back to queued for a retry);
# skipped when no template is configured for the kind.
QUEUED, SENDING, SENT, NOT_SUBSCRIBED, FAILED, SKIPPED = (
    "queued",
    "sending",
    "sent",
    "not_subscribed",
    "failed",
    "skipped",
)
MESSAGE_STATUSES = (QUEUED, SENDING, SENT, NOT_SUBSCRIBED, FAILED, SKIPPED)
# The kinds of subscribe message the platform sends, each with its template id configured as
# WECHAT_TEMPLATE_<KIND>. The database checks the kind, so a new kind comes with a migration.
MESSAGE_KINDS = (
    "booking_received",
    "booking_confirmed",
    "booking_assigned",
    "booking_reminder",
    "followup_survey",
    "expiry_reminder",
    "training_place",
    "sanction_notice",
    "waiting_offer",
    "engagement_received",
    "engagement_proposed",
    "engagement_interview",
    "engagement_chosen",
    "engagement_confirmed",
    "complaint_received",
    "complaint_escalated",
    "station_booking",
)


class SubscribeMessage(Model):
    """One subscribe message to one user. The row is written in the transaction that caused it
    and is never deleted, so no message is lost silently: its status says what became of it."""

    __tablename__ = "wechat_messages"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in MESSAGE_STATUSES)})", name="status"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in MESSAGE_KINDS)})", name="kind"),
        Index("ix_wechat_messages_status_updated_at", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    template_id: Mapped[str | None] = mapped_column(String(64), comment="NULL when skipped: none configured")
    page: Mapped[str | None] = mapped_column(String(200))
    # The values may name a person or an address: encrypted at rest.
    data = mapped_column(EncryptedJSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_errcode: Mapped[int | None] = mapped_column(Integer, comment="WeChat's errcode; NULL for a network failure")
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(lazy="joined")


ACCEPT, REJECT, BAN = "accept", "reject", "ban"


class TemplateDecision(Model):
    """The user's latest answer to a template's subscribe prompt, as WeChat pushed it. Sending
    does not consult it: a one-off grant is used up by each send, so WeChat's 43101 answer is
    the authority; this is for operators to see who receives what."""

    __tablename__ = "wechat_template_decisions"
    __table_args__ = (
        UniqueConstraint("user_id", "template_id"),
        CheckConstraint("decision IN ('accept', 'reject', 'ban')", name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # indexed by the unique constraint
    template_id: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(8))
    event: Mapped[str] = mapped_column(String(40), comment="subscribe_msg_popup_event or subscribe_msg_change_event")
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# What WeChat's content-security check (msgSecCheck v2) made of a resident's free text: shown
# only once it passed; pending while WeChat could not be asked (the recheck asks again); review
# and risky stay hidden.
TEXT_PASSED, TEXT_PENDING, TEXT_REVIEW, TEXT_RISKY = "pass", "pending", "review", "risky"
TEXT_STATUSES = (TEXT_PASSED, TEXT_PENDING, TEXT_REVIEW, TEXT_RISKY)


def text_status_check() -> CheckConstraint:
    """The database's rule on `text_status`, for the __table_args__ of every CheckedText table."""
    return CheckConstraint(f"text_status IN ({', '.join(repr(s) for s in TEXT_STATUSES)})", name="text_status")


class CheckedText:
    """A table holding a resident's free text (`text`) with the outcome of its content check:
    `shown_text` is what anyone else may read of it. Its __table_args__ hold text_status_check()."""

    if TYPE_CHECKING:
        text: str | None

    text_status: Mapped[str] = mapped_column(
        String(8),
        default=TEXT_PASSED,
        server_default=TEXT_PASSED,
        comment="msgSecCheck: pass (shown), pending (WeChat not reached yet), review or risky (hidden)",
    )

    @property
    def shown_text(self) -> str | None:
        return self.text if self.text_status == TEXT_PASSED else None
