"""`flask statistics roll-up`: brings each rollup (bookings, certificates, complaints, training) up to date
with what changed since it last ran, so that its cost is the changes', not the tables'."""

from datetime import datetime

from app.rollup_marks import claim_mark
from industry_statistics.bookings import roll_up_bookings
from industry_statistics.certificates import roll_up_certificates
from industry_statistics.complaints import roll_up_complaints
from industry_statistics.training_attendance import roll_up_training
from training.statistics import roll_up_exam_counts


def roll_up(now: datetime) -> dict[str, int]:
    """The booking days counted again, the certificate counts changed, the complaint months counted
    again and the training counts changed, each exam's pass rate's among them (the caller
    commits, which also releases the marks)."""
    since, _ = claim_mark("bookings", now)
    days = roll_up_bookings(since)
    since, through = claim_mark("certificates", now)
    certificates = roll_up_certificates(since, through)
    since, through = claim_mark("complaints", now)
    complaint_months = roll_up_complaints(since, through)
    since, through = claim_mark("training", now)
    return {
        "booking_days": days,
        "certificate_counts": certificates,
        "complaint_months": complaint_months,
        "training_counts": roll_up_training(since, through) + roll_up_exam_counts(since, through),
    }
