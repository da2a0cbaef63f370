"""Who may be recommended where residents and staff choose, and in what order: the one filter and
the one order of workers and of companies, read by booking's assignable workers, the public
company list and publication's lists of workers and 示范 candidates.

It lives here, the lowest layer that knows workers and companies, so that every feature above can
apply it; a sanction that takes a party out of recommendations (listed, hidden) is one more
condition in recommendable_workers or recommendable_companies, and every list follows."""

from datetime import date

from sqlalchemy import ColumnElement, Select, and_, exists, or_
from sqlalchemy.orm import InstrumentedAttribute

from app.sql_functions import json_array_elements_text
from credit.models import ISSUED, Certificate, Company, Worker, grade_rank, score_rank
from credit.scoring import current_config


def green_today(today: date) -> ColumnElement[bool]:
    """The certificate scans green on `today`, as a SQL condition: credit.certificates.reasons()
    written as a WHERE clause (issued, no criminal record found, every item scoring.toml's
    [colour] requires in order, no refresher overdue), so a list or a count of green workers is
    one query rather than a colour computed row by row. tests/publication checks the two agree."""
    required = current_config().colour.green_requires
    conditions = [
        Certificate.state == ISSUED,
        or_(Certificate.criminal_record_result.is_(None), Certificate.criminal_record_result != "record_found"),
        or_(Certificate.refresher_due_on.is_(None), Certificate.refresher_due_on >= today),
    ]
    if "identity" in required:
        conditions.append(Certificate.identity_verified_on.is_not(None))
    if "health_certificate" in required:
        conditions.append(Certificate.health_certificate_valid_until >= today)
    if "criminal_record" in required:
        conditions += [Certificate.criminal_record_result == "clear", Certificate.criminal_record_valid_until >= today]
    if "insurance" in required:
        conditions += [
            Certificate.insurance_result == "in_force",
            or_(Certificate.insurance_valid_from.is_(None), Certificate.insurance_valid_from <= today),
            Certificate.insurance_valid_until >= today,
        ]
    return and_(*conditions)


def service_codes():
    """The service codes of a worker's JSON list (service_types), one row each (`value`)."""
    return json_array_elements_text(Worker.service_types).table_valued("value")


def offering(service_code: str) -> ColumnElement[bool]:
    """The worker's service_types hold `service_code`, as a SQL condition, so that a list of those
    offering a service can be cut in the database."""
    codes = service_codes()
    return exists().select_from(codes).where(codes.c.value == service_code)


def not_listed(until: InstrumentedAttribute, today: date) -> ColumnElement[bool]:
    """No 失信 measure dated `until` holds today: none, or its last day has gone by."""
    return or_(until.is_(None), until < today)


def unsanctioned_companies(today: date) -> ColumnElement[bool]:
    """Neither on the 失信名单 nor hidden by a 失信 measure today (sanctions/ sets the dates)."""
    return and_(not_listed(Company.listed_until, today), not_listed(Company.hidden_until, today))


def recommendable_workers(query: Select, today: date) -> Select:
    """`query` (which selects from workers) narrowed to the workers who may be put before a
    resident or a station today: green and not on the 失信名单. Joins the certificate."""
    return query.join(Certificate, Certificate.worker_id == Worker.id).where(
        green_today(today), not_listed(Worker.listed_until, today)
    )


def recommendable_companies(query: Select, today: date) -> Select:
    """`query` (which selects from companies) narrowed to the companies that may be recommended:
    those with a grade (every registered company is graded at once; one that is not has nothing
    to be recommended by), neither listed nor hidden by a 失信 measure."""
    return query.where(Company.grade.is_not(None), unsanctioned_companies(today))


# Best first, ties always broken the same way (the id), so a list pages without repeats or gaps.
WORKERS_BEST_FIRST = (Worker.stars.desc().nulls_last(), Worker.credit_score.desc().nulls_last(), Worker.id)
GRADE_RANK = grade_rank(Company.grade)
COMPANIES_BEST_FIRST = (GRADE_RANK.desc(), score_rank(Company.credit_score).desc(), Company.id)
