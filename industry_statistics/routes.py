"""The statistics API (行业报告): GET only, each answer a few charts counted by the database (the
replica's, when one is configured: figures a second old are as good)."""

from accounts.models import OPERATOR
from app.blueprint import ApiBlueprint
from app.replica import reads_may_lag
from industry_statistics.access import BOOKING_READERS, station_in_scope
from industry_statistics.bookings import booking_figures
from industry_statistics.certificates import certificate_figures
from industry_statistics.companies import company_figures
from industry_statistics.complaints import complaint_figures
from industry_statistics.schemas import (
    BookingFiguresQuery,
    BookingFiguresSchema,
    CertificateFiguresSchema,
    CompanyFiguresSchema,
    ComplaintFiguresSchema,
    DistrictQuery,
    PeriodDistrictQuery,
    PeriodQuery,
    TrainingFiguresSchema,
    WorkerFiguresSchema,
)
from industry_statistics.training_attendance import training_figures
from industry_statistics.workers import worker_figures

blp = ApiBlueprint(
    "statistics",
    __name__,
    url_prefix="/api/v1/statistics",
    description="行业报告: figures for the city's reports, as charts",
    problem_meanings={403: "Operators only; station staff may read their own station's booking figures"},
)


@blp.get("/certificates")
@blp.requires(OPERATOR)
@reads_may_lag
@blp.arguments(PeriodDistrictQuery, location="query")
@blp.response(200, CertificateFiguresSchema)
def statistics_of_certificates(query):
    """Certificates issued, suspended, revoked and expired by month and district, and those valid and
    suspended at each month's end (operators)."""
    return certificate_figures(query["period"], query.get("district"))


@blp.get("/workers")
@blp.requires(OPERATOR)
@reads_may_lag
@blp.arguments(DistrictQuery, location="query")
@blp.response(200, WorkerFiguresSchema)
def statistics_of_workers(query):
    """Workers by gender, age band (today in Beijing), service type, district and stars (operators)."""
    return worker_figures(query.get("district"))


@blp.get("/companies")
@blp.requires(OPERATOR)
@reads_may_lag
@blp.arguments(DistrictQuery, location="query")
@blp.response(200, CompanyFiguresSchema)
def statistics_of_companies(query):
    """Companies by grade and district (operators)."""
    return company_figures(query.get("district"))


@blp.get("/bookings")
@blp.requires(*BOOKING_READERS)
@reads_may_lag
@blp.problems(403)
@blp.arguments(BookingFiguresQuery, location="query")
@blp.response(200, BookingFiguresSchema)
def statistics_of_bookings(query):
    """Bookings, completion, cancellation, follow-up satisfaction and complaint rate per station
    and district (operators; station staff, of their own station)."""
    station = station_in_scope(query.get("station"))
    return booking_figures(query["period"], query.get("district"), station)


@blp.get("/complaints")
@blp.requires(OPERATOR)
@reads_may_lag
@blp.arguments(PeriodDistrictQuery, location="query")
@blp.response(200, ComplaintFiguresSchema)
def statistics_of_complaints(query):
    """Complaints received and decided by month, with the median and 90th percentile of the hours
    to decide them (operators)."""
    return complaint_figures(query["period"], query.get("district"))


@blp.get("/training")
@blp.requires(OPERATOR)
@reads_may_lag
@blp.arguments(PeriodQuery, location="query")
@blp.response(200, TrainingFiguresSchema)
def statistics_of_training(query):
    """Enrolments, completions, attendances and exam pass rates by month and course (operators)."""
    return training_figures(query["period"])
