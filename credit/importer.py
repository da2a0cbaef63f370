"""Import companies and workers from CSV (see app.csv_import) with the API's own validation rules,
checked against what the database already holds."""

from collections.abc import Iterable

from sqlalchemy import select

from app.clock import utcnow
from app.csv_import import ImportReport, validate_rows
from app.extensions import db
from credit import registry
from credit.models import Company
from credit.schemas import CompanyRowSchema, WorkerRowSchema

COMPANY_FIELDS = ("name", "district_code", "contact_name", "contact_phone")
# Changed only by a file that has the column: a file without it keeps the company's choice.
COMPANY_CHOICES = ("contact_phone_public",)


def validate_companies(raw_rows: Iterable[dict]):
    return validate_rows(raw_rows, CompanyRowSchema(), "credit_code")


def validate_workers(raw_rows: Iterable[dict]):
    def against_database(row: dict) -> str | None:
        if row.get("company_credit_code") and _company_id(row["company_credit_code"]) is None:
            return "company_credit_code: no company has this credit code"
        if registry.find_worker_by_id_number(row["id_number"]) is not None:
            return "id_number: a worker with this ID number is already registered"
        return None

    return validate_rows(raw_rows, WorkerRowSchema(exclude=("company_id",)), "id_number", against_database)


def _company_id(credit_code: str) -> int | None:
    return db.session.scalar(select(Company.id).where(Company.credit_code == credit_code))


def import_companies(rows: Iterable[tuple[int, dict]], report: ImportReport) -> ImportReport:
    """Create companies, or update name, district and contact of those already known by code."""
    for _, row in rows:
        company = db.session.scalar(select(Company).where(Company.credit_code == row["credit_code"]))
        if company is None:
            registry.create_company(row, actor=None)
            report.created.append(row["credit_code"])
            continue
        given = {name: row.get(name) for name in COMPANY_FIELDS} | {n: row[n] for n in COMPANY_CHOICES if n in row}
        changes = {name: value for name, value in given.items() if getattr(company, name) != value}
        if not changes:
            report.unchanged.append(row["credit_code"])
            continue
        for name, value in changes.items():
            setattr(company, name, value)
        company.updated_at = utcnow()
        db.session.flush()
        report.updated.append(row["credit_code"])
    return report


def import_workers(rows: Iterable[tuple[int, dict]], report: ImportReport) -> ImportReport:
    """Register each worker as an applicant, as the API does; the lifecycle goes on from there."""
    for line, row in rows:
        credit_code = row.pop("company_credit_code", None)
        row["company_id"] = _company_id(credit_code) if credit_code else None
        worker = registry.create_worker(row, actor=None)
        report.created.append(f"line {line}: worker {worker.id}")
    return report
