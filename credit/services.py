"""Certificate lifecycle, credit ledger and levels, and the public scan. Callers commit; these
functions only flush, so a request's writes land together or not at all."""

import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, func, insert, select, text
from werkzeug.exceptions import Conflict, UnprocessableEntity

from accounts.models import User
from app.clock import today_in_beijing, utcnow
from app.extensions import db
from app.geography import DISTRICTS
from app.privacy import blind_index, mask_id_number, mask_name, mask_phone
from credit.models import (
    APPLIED,
    CERTIFICATE_STANDING,
    ISSUED,
    REVOKED,
    STATE_NAMES,
    SUSPENDED,
    TRANSITIONS,
    Certificate,
    Company,
    CreditEvent,
    ScanLog,
    Worker,
)
from credit.scoring import CreditResult, compute, current_config

SCAN_TOKEN_BYTES = 32  # 256 bits; token_urlsafe gives 43 characters
CERTIFICATE_NUMBER_PREFIX = "GZAX"
GREEN, YELLOW, RED = "green", "yellow", "red"


class TransitionRefused(Conflict):
    """409 naming the certificate's current state."""

    def __init__(self, action: str, state: str):
        message = f"Cannot {action.replace('_', ' ')}: the certificate is {state} ({STATE_NAMES[state]})."
        super().__init__(message)
        self.data = {"message": message, "errors": {"state": [state]}}


class Unmet(UnprocessableEntity):
    """422 naming each missing or invalid requirement."""

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.data = {"message": message, "errors": errors}


class DuplicateRecord(Conflict):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.data = {"message": message, "errors": {field_name: [message]}}


def _actor_id(actor: User | None) -> int | None:
    return actor.id if actor is not None else None


# ---------------------------------------------------------------- companies and workers

def create_company(data: dict, actor: User | None) -> Company:
    if db.session.scalar(select(Company.id).where(Company.credit_code == data["credit_code"])):
        raise DuplicateRecord("credit_code", "A company with this credit code already exists.")
    company = Company(**data)
    db.session.add(company)
    db.session.flush()
    _append(company, "note", 0, actor, reason="company registered", after={"name": company.name})
    recompute_company(company)
    return company


def find_worker_by_id_number(id_number: str) -> Worker | None:
    return db.session.scalar(select(Worker).where(Worker.id_number_hash == blind_index(id_number)))


def create_worker(data: dict, actor: User | None) -> Worker:
    """A new applicant: the worker, a certificate in `applied`, and the opening ledger rows."""
    if find_worker_by_id_number(data["id_number"]) is not None:
        raise DuplicateRecord("id_number", "A worker with this ID number already exists.")
    if data.get("company_id") is not None and db.session.get(Company, data["company_id"]) is None:
        raise Unmet("Unknown company.", {"company_id": ["no such company"]})
    worker = Worker(**data, id_number_hash=blind_index(data["id_number"]),
                    phone_hash=data.get("phone") and blind_index(data["phone"]))
    worker.certificate = Certificate(state=APPLIED)
    db.session.add(worker)
    db.session.flush()
    _append(worker, "certificate", 0, actor, reason="application received", after={"state": APPLIED})
    _append(worker, "experience", worker.years_of_experience, actor, reason="declared on application")
    recompute_worker(worker)
    return worker


def update_worker(worker: Worker, changes: dict, actor: User | None) -> Worker:
    """Edits the profile; the ledger keeps what changed (the phone only as 'changed')."""
    changed = {name: value for name, value in changes.items() if getattr(worker, name) != value}
    if not changed:
        return worker
    before = {name: ("(changed)" if name == "phone" else getattr(worker, name)) for name in changed}
    after = {name: ("(changed)" if name == "phone" else value) for name, value in changed.items()}
    for name, value in changed.items():
        setattr(worker, name, value)
    if "phone" in changed:
        worker.phone_hash = changed["phone"] and blind_index(changed["phone"])
    worker.updated_at = utcnow()
    _append(worker, "note", 0, actor, reason="profile updated", before=before, after=after)
    if "years_of_experience" in changed:
        _append(worker, "experience", worker.years_of_experience, actor, reason="experience updated")
    recompute_worker(worker)
    return worker


# ---------------------------------------------------------------- certificate lifecycle

def locked_certificate(worker: Worker) -> Certificate:
    """The worker's certificate, row-locked until commit (PostgreSQL), so two operators acting
    at once are serialised and the second sees the first one's state. The version column catches
    the same race where row locks do not exist (SQLite)."""
    return db.session.scalars(
        select(Certificate).where(Certificate.worker_id == worker.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


DOCUMENT_FIELDS = ("id_card_checked_on", "health_certificate_valid_until", "skill_certificate",
                   "authorisation_signed_on")


def document_problems(documents: dict, today: date) -> dict[str, list[str]]:
    """What keeps the 三证一书 (DOCUMENT_FIELDS) from being complete and valid today, by field."""
    problems: dict[str, list[str]] = {}
    if documents["id_card_checked_on"] is None:
        problems["id_card_checked"] = ["the ID card has not been checked"]
    valid_until = documents["health_certificate_valid_until"]
    if valid_until is None:
        problems["health_certificate_valid_until"] = ["no health certificate"]
    elif valid_until < today:
        problems["health_certificate_valid_until"] = [f"the health certificate expired on {valid_until.isoformat()}"]
    if not documents["skill_certificate"]:
        problems["skill_certificate"] = ["no skill or training certificate"]
    if documents["authorisation_signed_on"] is None:
        problems["authorisation_signed_on"] = ["the credit-information authorisation is not signed"]
    return problems


def target_of(certificate: Certificate, action: str) -> str:
    """The state `action` leads to from the certificate's state, per TRANSITIONS; else 409."""
    target = TRANSITIONS[action].get(certificate.state)
    if target is None:
        raise TransitionRefused(action, certificate.state)
    return target


def transition(certificate: Certificate, action: str, actor: User | None, reason: str | None = None,
               facts: dict | None = None) -> Certificate:
    """Moves the certificate by one row of TRANSITIONS, setting `facts` on it, with one ledger row
    holding the state and facts before and after."""
    target = target_of(certificate, action)
    facts = facts or {}
    before = {"state": certificate.state} | {name: _jsonable(getattr(certificate, name)) for name in facts}
    for name, value in facts.items():
        setattr(certificate, name, value)
    certificate.state = target
    certificate.updated_at = utcnow()
    after = {"state": target} | {name: _jsonable(value) for name, value in facts.items()}
    _append(certificate.worker, "certificate", CERTIFICATE_STANDING.get(target, 0.0), actor,
            reason=reason or action.replace("_", " "), before=before, after=after)
    recompute_worker(certificate.worker)
    return certificate


def _jsonable(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def check_documents(certificate: Certificate, documents: dict, actor: User | None) -> Certificate:
    facts = {
        "id_card_checked_on": today_in_beijing() if documents["id_card_checked"] else None,
        "health_certificate_valid_until": documents["health_certificate_valid_until"],
        "skill_certificate": documents["skill_certificate"],
        "authorisation_signed_on": documents["authorisation_signed_on"],
    }
    target_of(certificate, "check_documents")
    problems = document_problems(facts, today_in_beijing())
    if problems:
        raise Unmet("The 三证一书 are incomplete: " + ", ".join(sorted(problems)), problems)
    transition(certificate, "check_documents", actor, "三证一书 checked", facts)
    _append(certificate.worker, "documents_checked", 1, actor, reason="三证一书 complete")
    return certificate


def record_training(certificate: Certificate, hours: int, trained_on: date, actor: User | None) -> Certificate:
    transition(certificate, "record_training", actor, "pre-job training attended",
               {"training_hours": hours, "trained_on": trained_on})
    record_credit_event(certificate.worker, "training", hours, actor, reason="岗前培训")
    return certificate


def record_exam(certificate: Certificate, score: int, passed: bool, actor: User | None) -> Certificate:
    """A failed exam is on record and leaves the certificate where it was."""
    target_of(certificate, "pass_exam")
    if passed:
        transition(certificate, "pass_exam", actor, "exam passed",
                   {"exam_score": score, "exam_passed_on": today_in_beijing()})
    record_credit_event(certificate.worker, "exam", score, actor, reason="考核 " + ("passed" if passed else "failed"))
    return certificate


def verify_identity(certificate: Certificate, matched: bool, actor: User | None) -> Certificate:
    """人证合一: a mismatch is recorded and the applicant stays at exam_passed."""
    target_of(certificate, "verify_identity")
    if matched:
        transition(certificate, "verify_identity", actor, "人证合一 verified", {"identity_verified_on": today_in_beijing()})
    record_credit_event(certificate.worker, "identity_verified", 1 if matched else 0, actor,
                        reason="人证合一 " + ("matched" if matched else "did not match"))
    return certificate


def issue(certificate: Certificate, actor: User | None) -> Certificate:
    """Issue needs every document valid today and the authorisation signed; the first issue gives
    the certificate its number and its 安心碼."""
    target_of(certificate, "issue")
    _require_documents(certificate, "issue")
    issued_at = utcnow()
    number = f"{CERTIFICATE_NUMBER_PREFIX}{issued_at.year}{certificate.id:07d}"
    certificate.scan_token = new_scan_token()  # never written to the ledger
    return transition(certificate, "issue", actor, "certificate issued", {"issued_at": issued_at, "number": number})


def renew(certificate: Certificate, health_certificate_valid_until: date | None, actor: User | None,
          reason: str | None) -> Certificate:
    target_of(certificate, "renew")
    facts = {"issued_at": utcnow()}
    if health_certificate_valid_until is not None:
        certificate.health_certificate_valid_until = health_certificate_valid_until
        facts["health_certificate_valid_until"] = health_certificate_valid_until
    _require_documents(certificate, "renew")
    return transition(certificate, "renew", actor, reason or "certificate renewed", facts)


def _require_documents(certificate: Certificate, action: str) -> None:
    problems = document_problems({name: getattr(certificate, name) for name in DOCUMENT_FIELDS}, today_in_beijing())
    if problems:
        raise Unmet(f"Cannot {action}: " + ", ".join(sorted(problems)), problems)


def change_standing(certificate: Certificate, action: str, actor: User | None, reason: str) -> Certificate:
    """suspend, reinstate, revoke or expire: a change of standing with a reason."""
    return transition(certificate, action, actor, reason)


def update_health_certificate(certificate: Certificate, valid_until: date, actor: User | None) -> Certificate:
    """A new health certificate; allowed in any state, on the ledger like any fact."""
    before = {"health_certificate_valid_until": _jsonable(certificate.health_certificate_valid_until)}
    certificate.health_certificate_valid_until = valid_until
    certificate.updated_at = utcnow()
    _append(certificate.worker, "documents_checked", 1, actor, reason="health certificate updated",
            before=before, after={"health_certificate_valid_until": valid_until.isoformat()})
    return certificate


def withdraw_authorisation(certificate: Certificate, actor: User | None, reason: str) -> Certificate:
    """The worker withdrew consent: the public profile disappears from the next scan on."""
    before = {"authorisation_signed_on": _jsonable(certificate.authorisation_signed_on)}
    certificate.authorisation_signed_on = None
    certificate.updated_at = utcnow()
    _append(certificate.worker, "note", 0, actor, reason=reason, before=before,
            after={"authorisation_signed_on": None})
    return certificate


def new_scan_token() -> str:
    return secrets.token_urlsafe(SCAN_TOKEN_BYTES)


def rotate_scan_token(certificate: Certificate, actor: User | None, reason: str | None) -> Certificate:
    """A fresh 安心碼; the old token stops working with this transaction."""
    if certificate.scan_token is None:
        raise Unmet("This certificate has never been issued, so it has no 安心碼 yet.",
                    {"state": [certificate.state]})
    certificate.scan_token = new_scan_token()
    certificate.updated_at = utcnow()
    _append(certificate.worker, "note", 0, actor, reason=reason or "安心碼 rotated",
            after={"scan_token": "rotated"})
    return certificate


def scan_url(certificate: Certificate) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/q/{certificate.scan_token}"


# ---------------------------------------------------------------- credit ledger and levels

def _append(subject: Worker | Company, kind: str, value: float, actor: User | None, *, reason: str | None = None,
            source_ref: str | None = None, before: dict | None = None, after: dict | None = None) -> CreditEvent:
    event = CreditEvent(kind=kind, value=float(value), reason=reason, source_ref=source_ref, before=before,
                        after=after, actor_id=_actor_id(actor), created_at=utcnow())
    if isinstance(subject, Worker):
        event.worker_id = subject.id
    else:
        event.company_id = subject.id
    db.session.add(event)
    db.session.flush()
    return event


def record_credit_event(subject: Worker | Company, kind: str, value: float, actor: User | None,
                        source_ref: str | None = None, reason: str | None = None) -> CreditEvent:
    """Appends a credit fact (rating 1-5, follow_up 1 satisfied / 0 not, complaint_upheld 1,
    complaint_dismissed, breach, training hours, exam score...) and recomputes the level in the
    same transaction. Kinds are those of scoring.toml; anything else is a 422."""
    subject_type = "worker" if isinstance(subject, Worker) else "company"
    allowed = current_config().kinds(subject_type)
    if kind not in allowed:
        raise Unmet(f"Unknown credit event kind for a {subject_type}: {kind}",
                    {"kind": [f"must be one of {', '.join(sorted(allowed))}"]})
    event = _append(subject, kind, value, actor, reason=reason, source_ref=source_ref)
    if isinstance(subject, Worker):
        recompute_worker(subject)
    else:
        recompute_company(subject)
    return event


def ledger(subject: Worker | Company) -> list[CreditEvent]:
    column = CreditEvent.worker_id if isinstance(subject, Worker) else CreditEvent.company_id
    return list(db.session.scalars(select(CreditEvent).where(column == subject.id).order_by(CreditEvent.id)))


def company_worker_levels(company: Company) -> list[int]:
    """Star levels of the company's workers who hold an issued certificate."""
    return [stars for stars in db.session.scalars(
        select(Worker.stars).join(Certificate).where(Worker.company_id == company.id, Certificate.state == ISSUED,
                                                      Worker.stars.is_not(None)))]


def compute_level(subject: Worker | Company, as_of: datetime) -> tuple[CreditResult, list[CreditEvent]]:
    """The level the ledger gives at `as_of`, and the events it was computed from."""
    events = ledger(subject)
    if isinstance(subject, Worker):
        return compute("worker", events, as_of, current_config()), events
    return compute("company", events, as_of, current_config(), company_worker_levels(subject)), events


def recompute_worker(worker: Worker) -> None:
    as_of = utcnow()
    result, events = compute_level(worker, as_of)
    ratings = [e.value for e in events if e.kind == "rating"]
    worker.stars, worker.credit_score = int(result.level), result.score
    worker.credit_config_version, worker.credit_computed_at = result.version, as_of
    worker.rating_count = len(ratings)
    worker.rating_mean = round(sum(ratings) / len(ratings), 2) if ratings else None
    worker.upheld_complaints = sum(1 for e in events if e.kind == "complaint_upheld")
    worker.updated_at = as_of
    db.session.flush()
    if worker.company is not None:
        recompute_company(worker.company)


def recompute_company(company: Company) -> None:
    as_of = utcnow()
    result, _ = compute_level(company, as_of)
    company.grade, company.credit_score = result.level, result.score
    company.credit_config_version, company.credit_computed_at = result.version, as_of
    company.updated_at = as_of
    db.session.flush()


def explanation(subject: Worker | Company, as_of: datetime | None = None) -> dict:
    """Score per dimension, the events that count, the configuration version."""
    as_of = as_of or utcnow()
    result, events = compute_level(subject, as_of)
    by_id = {e.id: e for e in events}
    config = current_config()
    return {
        "level": result.level,
        "score": result.score,
        "config_version": result.version,
        "config_is_placeholder": config.placeholder,
        "as_of": as_of,
        "stored_level": str(subject.stars if isinstance(subject, Worker) else subject.grade),
        "capped_by": [event_view(by_id[event_id]) for event_id in result.capped_by],
        "dimensions": [{
            "name": d.name, "weight": d.weight, "score": d.score,
            "inputs": [{"kind": i.kind, "mode": i.mode, "contribution": round(i.contribution, 4),
                        "events": [event_view(by_id[event_id]) for event_id in i.event_ids]} for i in d.inputs],
        } for d in result.dimensions],
    }


def event_view(event: CreditEvent) -> dict:
    return {"id": event.id, "kind": event.kind, "value": event.value, "reason": event.reason,
            "source_ref": event.source_ref, "before": event.before, "after": event.after,
            "actor_id": event.actor_id, "created_at": event.created_at}


# ---------------------------------------------------------------- views

def worker_view(worker: Worker) -> dict:
    """What operators and the worker's company see: personal numbers masked."""
    certificate = worker.certificate
    return {
        "id": worker.id, "name": worker.name, "id_number": mask_id_number(worker.id_number),
        "phone": mask_phone(worker.phone), "photo_url": worker.photo_url,
        "service_types": worker.service_types or [], "skills": worker.skills or [],
        "years_of_experience": worker.years_of_experience, "company_id": worker.company_id,
        "stars": worker.stars, "credit_score": worker.credit_score,
        "certificate": {
            "state": certificate.state, "number": certificate.number,
            "health_certificate_valid_until": certificate.health_certificate_valid_until,
            "authorisation_signed_on": certificate.authorisation_signed_on,
            "training_hours": certificate.training_hours, "exam_score": certificate.exam_score,
            "identity_verified_on": certificate.identity_verified_on,
            "scan_url": scan_url(certificate) if certificate.scan_token else None,
        },
    }


def company_view(company: Company) -> dict:
    return {"id": company.id, "name": company.name, "credit_code": company.credit_code,
            "district_code": company.district_code, "district": DISTRICTS[company.district_code],
            "contact_name": company.contact_name, "contact_phone": company.contact_phone,
            "grade": company.grade, "credit_score": company.credit_score}


def list_companies(grade: str | None, district_code: str | None, page: int, per_page: int) -> tuple[list[Company], int]:
    query = select(Company)
    if grade:
        query = query.where(Company.grade == grade)
    if district_code:
        query = query.where(Company.district_code == district_code)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    ranked = query.order_by(Company.credit_score.desc(), Company.id).offset((page - 1) * per_page).limit(per_page)
    return list(db.session.scalars(ranked)), total


def list_workers(company_id: int | None, state: str | None, page: int, per_page: int) -> tuple[list[Worker], int]:
    query = select(Worker).join(Certificate)
    if company_id is not None:
        query = query.where(Worker.company_id == company_id)
    if state:
        query = query.where(Certificate.state == state)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(Worker.id).offset((page - 1) * per_page).limit(per_page))
    return list(items), total


# ---------------------------------------------------------------- the public scan

def colour(certificate, today: date) -> str:
    """green: issued, identity verified, health certificate valid; red: suspended or revoked;
    yellow: anything else a scan can show (health certificate expired, certificate expired)."""
    if certificate.state in (SUSPENDED, REVOKED):
        return RED
    health_valid = (certificate.health_certificate_valid_until is not None
                    and certificate.health_certificate_valid_until >= today)
    if certificate.state == ISSUED and certificate.identity_verified_on is not None and health_valid:
        return GREEN
    return YELLOW


# The scan is the hottest public path: one Core query of just the columns the profile shows,
# built once.
SCAN_QUERY = (
    select(Certificate.id, Certificate.number, Certificate.state, Certificate.health_certificate_valid_until,
           Certificate.identity_verified_on, Certificate.trained_on, Certificate.exam_passed_on,
           Certificate.authorisation_signed_on, Certificate.updated_at.label("certificate_updated_at"),
           Worker.name, Worker.photo_url, Worker.service_types, Worker.skills, Worker.stars, Worker.rating_count,
           Worker.rating_mean, Worker.upheld_complaints, Worker.updated_at.label("worker_updated_at"),
           Company.name.label("company_name"), Company.grade.label("company_grade"))
    .join(Worker, Worker.id == Certificate.worker_id).outerjoin(Company, Company.id == Worker.company_id)
    .where(Certificate.scan_token == bindparam("token"))
)


def find_scannable(token: str):
    """The row behind a 安心碼 (certificate, worker, company); None when the token is unknown or
    rotated, or the worker's authorisation is not signed."""
    row = db.session.execute(SCAN_QUERY, {"token": token}).one_or_none()
    if row is None or row.authorisation_signed_on is None:
        return None
    return row


def scan_profile(row, today: date) -> dict:
    """The public profile: never the ID number, phone or address."""
    return {
        "photo_url": row.photo_url,
        "name": mask_name(row.name),
        "certificate_number": row.number,
        "state": row.state,
        "state_name": STATE_NAMES[row.state],
        "colour": colour(row, today),
        "stars": row.stars,
        "service_types": row.service_types or [],
        "skills": row.skills or [],
        "identity_verified": row.identity_verified_on is not None,
        "training_passed": row.trained_on is not None,
        "exam_passed": row.exam_passed_on is not None,
        "health_certificate_valid_until": row.health_certificate_valid_until,
        "rating_count": row.rating_count,
        "rating_mean": row.rating_mean,
        "complaint_count": row.upheld_complaints,
        "company": None if row.company_name is None else {"name": row.company_name, "grade": row.company_grade},
        "updated_at": max(row.certificate_updated_at, row.worker_updated_at),
    }


def client_family(user_agent: str) -> str:
    """Coarse client class for the scan log; the user agent itself is not kept."""
    agent = user_agent.lower()
    for marker, family in (("micromessenger", "wechat"), ("android", "android"), ("iphone", "ios"),
                           ("ipad", "ios"), ("mozilla", "browser")):
        if marker in agent:
            return family
    return "other"


def log_scan(certificate_id: int, channel: str, user_agent: str) -> None:
    """One row per scan. On PostgreSQL this transaction does not wait for its WAL flush: a crash
    may lose the last few scan records, never anything else, and the scan stays fast."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.execute(insert(ScanLog).values(certificate_id=certificate_id, scanned_at=utcnow(), channel=channel,
                                              client=client_family(user_agent)))

