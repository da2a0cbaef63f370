"""示范 selection: the criteria of publication/demonstration.toml, and each candidate company's row
of them (the value, the threshold, met or not), computed by SQL aggregation over the platform's
facts: one grouped subquery per fact, joined to the page of companies."""

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.clock import today_in_beijing, utcnow
from app.extensions import db
from app.paging import Page
from booking.models import COMPLETED, Booking, Complaint, FollowUp
from complaints.models import UPHELD
from credit.models import COMPANY_GRADES, Certificate, Company, CreditEvent, Employment, Worker
from credit.recommendation import COMPANIES_BEST_FIRST, GRADE_RANK, green_today, recommendable_companies

CRITERIA_FILE = Path(__file__).resolve().parent / "demonstration.toml"
GRADE, GREEN_WORKERS, NO_BREACH, COMPLAINT_RATE, SATISFACTION = (
    "grade",
    "green_workers",
    "no_breach",
    "complaint_rate",
    "satisfaction",
)
CRITERION_NAMES = {
    GRADE: "信用等级",
    GREEN_WORKERS: "持绿码服务人员数",
    NO_BREACH: "无失信记录",
    COMPLAINT_RATE: "投诉成立率",
    SATISFACTION: "回访满意率",
}


@dataclass(frozen=True)
class Criteria:
    version: str
    placeholder: bool
    min_grade: str
    min_green_workers: int
    breach_free_years: int
    window_months: int
    max_complaint_rate: float
    min_satisfaction: float


def parse_criteria(text: str) -> Criteria:
    """Reads and checks the criteria, so a typo fails at start-up, not at the first selection."""
    raw = tomllib.loads(text)
    if raw["min_grade"] not in COMPANY_GRADES:
        raise ValueError(f"min_grade must be one of {', '.join(COMPANY_GRADES)}, not {raw['min_grade']!r}")
    for name in ("min_green_workers", "breach_free_years", "window_months"):
        if not isinstance(raw[name], int) or raw[name] < 0:
            raise ValueError(f"{name} must be a whole number, not {raw[name]!r}")
    for name in ("max_complaint_rate", "min_satisfaction"):
        if not 0 <= raw[name] <= 1:
            raise ValueError(f"{name} is a share between 0 and 1, not {raw[name]!r}")
    return Criteria(
        raw["version"],
        raw.get("placeholder", False),
        raw["min_grade"],
        raw["min_green_workers"],
        raw["breach_free_years"],
        raw["window_months"],
        float(raw["max_complaint_rate"]),
        float(raw["min_satisfaction"]),
    )


@cache
def current_criteria() -> Criteria:
    return parse_criteria(CRITERIA_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    value: float | int | str | None  # None: nothing to measure (no booking, no follow-up)
    threshold: float | int | str
    met: bool

    @property
    def name(self) -> str:
        return CRITERION_NAMES[self.criterion]


@dataclass(frozen=True)
class Candidate:
    company: Company
    criteria: list[CriterionResult]

    @property
    def meets_all(self) -> bool:
        return all(result.met for result in self.criteria)


def _green_workers(today: date):
    return (
        select(Worker.company_id, func.count().label("count"))
        .join(Certificate, Certificate.worker_id == Worker.id)
        .where(Worker.company_id.is_not(None), green_today(today))
        .group_by(Worker.company_id)
        .subquery()
    )


def _breaches(since: datetime):
    neutraliser = aliased(CreditEvent)
    return (
        select(CreditEvent.company_id, func.count().label("count"))
        .where(
            CreditEvent.company_id.is_not(None),
            CreditEvent.kind == "breach",
            CreditEvent.created_at >= since,
            ~exists().where(neutraliser.neutralises_id == CreditEvent.id),
        )
        .group_by(CreditEvent.company_id)
        .subquery()
    )


def _employer_of_booking():
    """The employment under which a booking's worker served it: the company it counts for."""
    return and_(
        Employment.worker_id == Booking.worker_id,
        Employment.started_at <= Booking.starts_at,
        or_(Employment.ended_at.is_(None), Employment.ended_at > Booking.starts_at),
    )


def _booking_facts(since: datetime):
    """Per company, over the window: completed bookings, upheld complaints, follow-up calls and the
    satisfied ones. Each count is of its own rows (a subquery per table), so a booking with two
    complaints is one booking and two complaints."""
    in_window = Booking.starts_at >= since
    completed = (
        select(Employment.company_id, func.count().label("count"))
        .select_from(Booking)
        .join(Employment, _employer_of_booking())
        .where(in_window, Booking.status == COMPLETED)
        .group_by(Employment.company_id)
        .subquery()
    )
    upheld = (
        select(Employment.company_id, func.count().label("count"))
        .select_from(Complaint)
        .join(Booking, Booking.id == Complaint.booking_id)
        .join(Employment, _employer_of_booking())
        .where(in_window, Complaint.result == UPHELD)
        .group_by(Employment.company_id)
        .subquery()
    )
    follow_ups = (
        select(
            Employment.company_id,
            func.count().label("count"),
            func.sum(case((FollowUp.satisfied.is_(True), 1), else_=0)).label("satisfied"),
        )
        .select_from(FollowUp)
        .join(Booking, Booking.id == FollowUp.booking_id)
        .join(Employment, _employer_of_booking())
        .where(in_window)
        .group_by(Employment.company_id)
        .subquery()
    )
    return completed, upheld, follow_ups


def _months_before(moment: datetime, months: int) -> datetime:
    return moment - timedelta(days=round(months * 365.25 / 12))


def candidates_query(criteria: Criteria, today: date, now: datetime):
    """Every company that may be recommended, best first, with the facts each criterion reads and
    whether it is met as columns; and the condition that all are (so a page of only the eligible
    is a WHERE, not a filter after paging)."""
    green = _green_workers(today)
    breaches = _breaches(now - timedelta(days=round(criteria.breach_free_years * 365.25)))
    completed, upheld, follow_ups = _booking_facts(_months_before(now, criteria.window_months))
    green_count = func.coalesce(green.c.count, 0)
    breach_count = func.coalesce(breaches.c.count, 0)
    completed_count = func.coalesce(completed.c.count, 0)
    upheld_count = func.coalesce(upheld.c.count, 0)
    follow_up_count = func.coalesce(follow_ups.c.count, 0)
    satisfied_count = func.coalesce(follow_ups.c.satisfied, 0)
    # Rates compared without dividing: upheld / completed < max  <=>  upheld < max * completed.
    met = {
        GRADE: GRADE_RANK >= COMPANY_GRADES.index(criteria.min_grade) + 1,
        GREEN_WORKERS: green_count >= criteria.min_green_workers,
        NO_BREACH: breach_count == 0,
        COMPLAINT_RATE: and_(completed_count > 0, upheld_count < criteria.max_complaint_rate * completed_count),
        SATISFACTION: and_(follow_up_count > 0, satisfied_count > criteria.min_satisfaction * follow_up_count),
    }
    query = (
        recommendable_companies(select(Company), today)
        .add_columns(
            green_count.label("green_workers"),
            breach_count.label("breaches"),
            completed_count.label("completed"),
            upheld_count.label("upheld"),
            follow_up_count.label("follow_ups"),
            satisfied_count.label("satisfied"),
            *(condition.label(f"met_{criterion}") for criterion, condition in met.items()),
        )
        .outerjoin(green, green.c.company_id == Company.id)
        .outerjoin(breaches, breaches.c.company_id == Company.id)
        .outerjoin(completed, completed.c.company_id == Company.id)
        .outerjoin(upheld, upheld.c.company_id == Company.id)
        .outerjoin(follow_ups, follow_ups.c.company_id == Company.id)
        .order_by(*COMPANIES_BEST_FIRST)
    )
    return query, and_(*met.values())


def _results(row, criteria: Criteria) -> list[CriterionResult]:
    """The row's values beside their thresholds; met or not as the database said."""
    values: dict[str, tuple[float | int | str | None, float | int | str]] = {
        GRADE: (row.Company.grade, criteria.min_grade),
        GREEN_WORKERS: (row.green_workers, criteria.min_green_workers),
        NO_BREACH: (row.breaches, 0),
        COMPLAINT_RATE: (round(row.upheld / row.completed, 4) if row.completed else None, criteria.max_complaint_rate),
        SATISFACTION: (round(row.satisfied / row.follow_ups, 4) if row.follow_ups else None, criteria.min_satisfaction),
    }
    return [
        CriterionResult(criterion, value, threshold, bool(getattr(row, f"met_{criterion}")))
        for criterion, (value, threshold) in values.items()
    ]


def list_candidates(page: int, per_page: int, *, eligible_only: bool = False) -> Page:
    """One page of candidates, each with its row of criteria."""
    criteria = current_criteria()
    query, meets_all = candidates_query(criteria, today_in_beijing(), utcnow())
    if eligible_only:
        query = query.where(meets_all)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.offset((page - 1) * per_page).limit(per_page))
    items = [Candidate(row.Company, _results(row, criteria)) for row in rows]
    return Page(items=items, total=total or 0, page=page, per_page=per_page)
