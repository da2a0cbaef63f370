"""`flask statistics roll-up`: brings each rollup up to date with what changed since it last ran,
so that its cost is the changes', not the tables'."""

from datetime import datetime

from industry_statistics.bookings import roll_up_bookings
from industry_statistics.certificates import roll_up_certificates
from industry_statistics.marks import claim_mark


def roll_up(now: datetime) -> dict[str, int]:
    """The booking days counted again and the certificate counts changed (the caller commits,
    which also releases the marks)."""
    since, _ = claim_mark("bookings", now)
    days = roll_up_bookings(since)
    since, through = claim_mark("certificates", now)
    return {"booking_days": days, "certificate_counts": roll_up_certificates(since, through)}
