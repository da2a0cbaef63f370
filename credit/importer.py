"""Import companies and workers from CSV with the API's own validation rules.

Every row is checked first (schema, duplicates in the file, what the database already holds);
a file with any rejected row imports nothing unless the caller chooses to skip them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import marshmallow as ma
from sqlalchemy import select

from app.extensions import db
from credit import services
from credit.models import Company
from credit.schemas import CompanyRowSchema, WorkerRowSchema
from stations.models import utcnow

FIRST_DATA_LINE = 2  # line 1 is the header
COMPANY_FIELDS = ("name", "district_code", "contact_name", "contact_phone")


@dataclass
class Rejection:
    line: int
    key: str | None
    reason: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def _reason(error: ma.ValidationError) -> str:
    return "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in error.messages.items())


def _validate(raw_rows: Iterable[dict], schema: ma.Schema, key: str, check=None) -> tuple[list[tuple[int, dict]], list[Rejection]]:
    valid, rejected, seen = [], [], {}
    for line, raw in enumerate(raw_rows, start=FIRST_DATA_LINE):
        raw_key = (raw.get(key) or "").strip().upper() or None
        try:
            row = schema.load(raw)
        except ma.ValidationError as error:
            rejected.append(Rejection(line, raw_key, _reason(error)))
            continue
        if row[key] in seen:
            rejected.append(Rejection(line, row[key], f"{key}: duplicate of line {seen[row[key]]}"))
            continue
        problem = check(row) if check else None
        if problem:
            rejected.append(Rejection(line, row[key], problem))
            continue
        seen[row[key]] = line
        valid.append((line, row))
    return valid, rejected


def validate_companies(raw_rows: Iterable[dict]):
    return _validate(raw_rows, CompanyRowSchema(), "credit_code")


def validate_workers(raw_rows: Iterable[dict]):
    def against_database(row: dict) -> str | None:
        if row.get("company_credit_code") and _company_id(row["company_credit_code"]) is None:
            return "company_credit_code: no company has this credit code"
        if services.find_worker_by_id_number(row["id_number"]) is not None:
            return "id_number: a worker with this ID number is already registered"
        return None

    return _validate(raw_rows, WorkerRowSchema(exclude=("company_id",)), "id_number", against_database)


def _company_id(credit_code: str) -> int | None:
    return db.session.scalar(select(Company.id).where(Company.credit_code == credit_code))


def import_companies(rows: Iterable[tuple[int, dict]], report: ImportReport) -> ImportReport:
    """Create companies, or update name, district and contact of those already known by code."""
    for _, row in rows:
        company = db.session.scalar(select(Company).where(Company.credit_code == row["credit_code"]))
        if company is None:
            services.create_company(row, actor=None)
            report.created.append(row["credit_code"])
            continue
        changes = {name: row.get(name) for name in COMPANY_FIELDS if getattr(company, name) != row.get(name)}
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
        worker = services.create_worker(row, actor=None)
        report.created.append(f"line {line}: worker {worker.id}")
    return report
