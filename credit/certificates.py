"""The 安心服務證 lifecycle: documents, training, exam, identity, issue, changes of standing,
renewal and the 安心碼 (its rotation, its URL, the colour a scan shows). Every move goes through
credit.models.LIFECYCLE and leaves one ledger row. Callers commit; these functions only flush."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from blinker import Namespace
from flask import current_app
from sqlalchemy import select

from accounts.models import User
from app.clock import today_in_beijing, utcnow
from app.errors import Invalid
from app.extensions import db
from app.i18n import _
from credit.ledger import append_event, recompute_worker, record_credit_event
from credit.models import (
    CERTIFICATE_STANDING,
    EXPIRED,
    ISSUED,
    LIFECYCLE,
    REVOKED,
    SUSPENDED,
    Certificate,
    Worker,
)
from credit.scoring import current_config

SCAN_TOKEN_BYTES = 32  # 256 bits; token_urlsafe gives 43 characters
CERTIFICATE_NUMBER_PREFIX = "GZAX"
GREEN, YELLOW, RED = "green", "yellow", "red"
COLOUR_NAMES = {GREEN: "绿码", YELLOW: "黄码", RED: "红码"}

# Sent, inside the transaction that makes it, when an issued certificate stops being issued
# (suspended, revoked, expired), with the worker as sender and `actor`, `reason` as keywords: the
# features that rely on a worker's standing (booking's assignments) act on it at once, without
# credit knowing them.
_signals = Namespace()
certificate_withdrawn = _signals.signal("certificate-withdrawn")
# Sent, inside the transaction that makes it, after every move of LIFECYCLE, with the certificate
# as sender and `action`, `before` and `after` (its states) as keywords.
certificate_moved = _signals.signal("certificate-moved")
DOCUMENT_FIELDS = (
    "id_card_checked_on",
    "health_certificate_valid_until",
    "skill_certificate",
    "authorisation_signed_on",
)


def locked_certificate(worker: Worker) -> Certificate:
    """The worker's certificate, row-locked until commit (PostgreSQL), so two operators acting
    at once are serialised and the second sees the first one's state. The version column catches
    the same race where row locks do not exist (SQLite)."""
    return db.session.scalars(
        select(Certificate)
        .where(Certificate.worker_id == worker.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def document_problems(documents: dict, today: date) -> dict[str, list[str]]:
    """What keeps the 三证一书 (DOCUMENT_FIELDS) from being complete and valid today, by field."""
    problems: dict[str, list[str]] = {}
    if documents["id_card_checked_on"] is None:
        problems["id_card_checked"] = [_("the ID card has not been checked")]
    valid_until = documents["health_certificate_valid_until"]
    if valid_until is None:
        problems["health_certificate_valid_until"] = [_("no health certificate")]
    elif valid_until < today:
        problems["health_certificate_valid_until"] = [
            _("the health certificate expired on %(day)s", day=valid_until.isoformat())
        ]
    if not documents["skill_certificate"]:
        problems["skill_certificate"] = [_("no skill or training certificate")]
    if documents["authorisation_signed_on"] is None:
        problems["authorisation_signed_on"] = [_("the credit-information authorisation is not signed")]
    return problems


def transition(
    certificate: Certificate, action: str, actor: User | None, reason: str | None = None, facts: dict | None = None
) -> Certificate:
    """Moves the certificate by one row of LIFECYCLE, setting `facts` on it, with one ledger row
    holding the state and facts before and after."""
    target = LIFECYCLE.target(certificate.state, action)
    facts = facts or {}
    before = {"state": certificate.state} | {name: _jsonable(getattr(certificate, name)) for name in facts}
    for name, value in facts.items():
        setattr(certificate, name, value)
    certificate.state = target
    certificate.updated_at = utcnow()
    after = {"state": target} | {name: _jsonable(value) for name, value in facts.items()}
    append_event(
        certificate.worker,
        "certificate",
        CERTIFICATE_STANDING.get(target, 0.0),
        actor,
        reason=reason or action.replace("_", " "),
        before=before,
        after=after,
    )
    recompute_worker(certificate.worker)
    certificate_moved.send(certificate, action=action, before=before["state"], after=target)
    if before["state"] == ISSUED and target != ISSUED:
        certificate_withdrawn.send(certificate.worker, actor=actor, reason=reason or action.replace("_", " "))
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
    LIFECYCLE.target(certificate.state, "check_documents")
    problems = document_problems(facts, today_in_beijing())
    if problems:
        raise Invalid(
            _("The 三证一书 are incomplete: %(missing)s", missing=", ".join(sorted(problems))),
            code="documents_incomplete",
            errors=problems,
        )
    transition(certificate, "check_documents", actor, "三证一书 checked", facts)
    append_event(certificate.worker, "documents_checked", 1, actor, reason="三证一书 complete")
    return certificate


def record_training(certificate: Certificate, hours: int, trained_on: date, actor: User | None) -> Certificate:
    transition(
        certificate,
        "record_training",
        actor,
        "pre-job training attended",
        {"training_hours": hours, "trained_on": trained_on},
    )
    record_credit_event(certificate.worker, "training", hours, actor, reason="岗前培训")
    return certificate


def record_exam(certificate: Certificate, score: int, passed: bool, actor: User | None) -> Certificate:
    """A failed exam is on record and leaves the certificate where it was."""
    LIFECYCLE.target(certificate.state, "pass_exam")
    if passed:
        transition(
            certificate, "pass_exam", actor, "exam passed", {"exam_score": score, "exam_passed_on": today_in_beijing()}
        )
    record_credit_event(certificate.worker, "exam", score, actor, reason="考核 " + ("passed" if passed else "failed"))
    return certificate


def verify_identity(certificate: Certificate, matched: bool, actor: User | None) -> Certificate:
    """人证合一: a mismatch is recorded and the applicant stays at exam_passed."""
    LIFECYCLE.target(certificate.state, "verify_identity")
    if matched:
        transition(
            certificate, "verify_identity", actor, "人证合一 verified", {"identity_verified_on": today_in_beijing()}
        )
    record_credit_event(
        certificate.worker,
        "identity_verified",
        1 if matched else 0,
        actor,
        reason="人证合一 " + ("matched" if matched else "did not match"),
    )
    return certificate


def issue(certificate: Certificate, actor: User | None) -> Certificate:
    """Issue needs every document valid today and the authorisation signed; the first issue gives
    the certificate its number and its 安心碼."""
    LIFECYCLE.target(certificate.state, "issue")
    _require_documents(certificate, "issue")
    issued_at = utcnow()
    number = f"{CERTIFICATE_NUMBER_PREFIX}{issued_at.year}{certificate.id:07d}"
    certificate.scan_token = new_scan_token()  # never written to the ledger
    return transition(certificate, "issue", actor, "certificate issued", {"issued_at": issued_at, "number": number})


def renew(
    certificate: Certificate, health_certificate_valid_until: date | None, actor: User | None, reason: str | None
) -> Certificate:
    LIFECYCLE.target(certificate.state, "renew")
    facts = {"issued_at": utcnow()}
    if health_certificate_valid_until is not None:
        certificate.health_certificate_valid_until = health_certificate_valid_until
        facts["health_certificate_valid_until"] = health_certificate_valid_until
    _require_documents(certificate, "renew")
    return transition(certificate, "renew", actor, reason or "certificate renewed", facts)


def _require_documents(certificate: Certificate, action: str) -> None:
    problems = document_problems({name: getattr(certificate, name) for name in DOCUMENT_FIELDS}, today_in_beijing())
    if problems:
        raise Invalid(
            _("Cannot %(action)s: %(missing)s", action=action, missing=", ".join(sorted(problems))),
            code="documents_incomplete",
            errors=problems,
        )


def change_standing(certificate: Certificate, action: str, actor: User | None, reason: str) -> Certificate:
    """suspend, reinstate, revoke or expire: a change of standing with a reason."""
    return transition(certificate, action, actor, reason)


def update_health_certificate(certificate: Certificate, valid_until: date, actor: User | None) -> Certificate:
    """A new health certificate; allowed in any state, on the ledger like any fact."""
    before = {"health_certificate_valid_until": _jsonable(certificate.health_certificate_valid_until)}
    certificate.health_certificate_valid_until = valid_until
    certificate.updated_at = utcnow()
    append_event(
        certificate.worker,
        "documents_checked",
        1,
        actor,
        reason="health certificate updated",
        before=before,
        after={"health_certificate_valid_until": valid_until.isoformat()},
    )
    recompute_worker(certificate.worker)  # the code's colour may have changed
    return certificate


def set_refresher_due(certificate: Certificate, due_on: date | None, actor: User | None, reason: str) -> Certificate:
    """The date by which a required refresher course must be done (None: none is required now).
    Credit knows only the date: past it, the code scans yellow (reasons()); whoever requires
    refreshers (training) keeps it."""
    if certificate.refresher_due_on == due_on:
        return certificate
    before = {"refresher_due_on": _jsonable(certificate.refresher_due_on)}
    certificate.refresher_due_on = due_on
    certificate.updated_at = utcnow()
    append_event(
        certificate.worker,
        "note",
        0,
        actor,
        reason=reason,
        before=before,
        after={"refresher_due_on": _jsonable(due_on)},
    )
    recompute_worker(certificate.worker)  # the code's colour may have changed
    return certificate


def withdraw_authorisation(certificate: Certificate, actor: User | None, reason: str) -> Certificate:
    """The worker withdrew consent: the public profile disappears from the next scan on."""
    before = {"authorisation_signed_on": _jsonable(certificate.authorisation_signed_on)}
    certificate.authorisation_signed_on = None
    certificate.updated_at = utcnow()
    append_event(
        certificate.worker, "note", 0, actor, reason=reason, before=before, after={"authorisation_signed_on": None}
    )
    return certificate


def new_scan_token() -> str:
    return secrets.token_urlsafe(SCAN_TOKEN_BYTES)


def rotate_scan_token(certificate: Certificate, actor: User | None, reason: str | None) -> Certificate:
    """A fresh 安心碼; the old token stops working with this transaction."""
    if certificate.scan_token is None:
        raise Invalid(
            _("This certificate has never been issued, so it has no 安心碼 yet."),
            code="not_issued",
            errors={"state": [certificate.state]},
        )
    certificate.scan_token = new_scan_token()
    certificate.updated_at = utcnow()
    append_event(
        certificate.worker, "note", 0, actor, reason=reason or "安心碼 rotated", after={"scan_token": "rotated"}
    )
    return certificate


def scan_url(certificate: Certificate) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/q/{certificate.scan_token}"


def scan_photo_url(scan_token: str) -> str:
    """The worker's uploaded photo, served through the 安心碼: it stops with the token."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/api/v1/scan/{scan_token}/photo.jpg"


@dataclass(frozen=True)
class Reason:
    """One thing that keeps a certificate from scanning green: a stable code, the colour it gives,
    the profile field at fault (the row the scan page highlights) and what the resident reads."""

    code: str
    colour: str
    field: str
    message: str


REASON_CODES = (
    "certificate_suspended",
    "certificate_revoked",
    "certificate_expired",
    "certificate_not_issued",
    "identity_not_verified",
    "health_certificate_missing",
    "health_certificate_expired",
    "criminal_record_found",
    "criminal_record_missing",
    "criminal_record_pending",
    "criminal_record_expired",
    "insurance_missing",
    "insurance_pending",
    "insurance_not_started",
    "insurance_expired",
    "refresher_overdue",
    "blacklisted",
)
HEALTH = "health_certificate_valid_until"
BACKGROUND, INSURED = "criminal_record", "insurance"  # the scan's rows of the two facts
STANDING_REASONS = {
    SUSPENDED: Reason("certificate_suspended", RED, "state", "安心服务证已被暂停，暂停期间不得上门服务。"),
    REVOKED: Reason("certificate_revoked", RED, "state", "安心服务证已被吊销，不得上门服务。"),
    EXPIRED: Reason("certificate_expired", YELLOW, "state", "安心服务证已过期，尚未续期。"),
}
# What the resident at the door should do, by colour (the hotline is added where it is known).
ADVICE = {
    GREEN: "可放心入户。开门前请核对来人与照片是否一致。",
    YELLOW: "请先核实：开门前请联系服务站确认。",
    RED: "请勿开门，请联系服务站。",
}


def reasons(certificate, today: date) -> list[Reason]:
    """Why the certificate does not scan green, worst first; none means green. The one place the
    colour's rules live, read from scoring.toml's [colour] (which items green requires): colour()
    is the worst of these, so the banner and the reasons shown under it cannot disagree.
    `certificate` is a Certificate or any row with the same attributes (the scan's)."""
    required = current_config().colour.green_requires
    found = []
    listed_until = certificate.listed_until
    if listed_until is not None and listed_until >= today:
        found.append(Reason("blacklisted", RED, "state", f"已列入失信名单（至 {listed_until}），不得上门服务。"))
    if certificate.state in STANDING_REASONS:
        found.append(STANDING_REASONS[certificate.state])
    elif certificate.state != ISSUED:
        found.append(Reason("certificate_not_issued", YELLOW, "state", "安心服务证尚未签发。"))
    if certificate.criminal_record_result == "record_found":
        found.append(Reason("criminal_record_found", RED, BACKGROUND, "背景核查未通过，不得上门服务。"))
    if "identity" in required and certificate.identity_verified_on is None:
        found.append(Reason("identity_not_verified", YELLOW, "identity_verified", "尚未完成人证合一核验。"))
    if "health_certificate" in required:
        found += _health_reasons(certificate.health_certificate_valid_until, today)
    if "criminal_record" in required:
        found += _criminal_record_reasons(certificate, today)
    if "insurance" in required:
        found += _insurance_reasons(certificate, today)
    due = certificate.refresher_due_on
    if due is not None and due < today:
        found.append(Reason("refresher_overdue", YELLOW, "refresher_due_on", f"须在 {due} 前完成回炉培训，尚未完成。"))
    return sorted(found, key=lambda reason: reason.colour != RED)


def _health_reasons(valid_until: date | None, today: date) -> list[Reason]:
    if valid_until is None:
        return [Reason("health_certificate_missing", YELLOW, HEALTH, "没有登记有效的健康证。")]
    if valid_until < today:
        return [Reason("health_certificate_expired", YELLOW, HEALTH, f"健康证有效期至 {valid_until}，已过期。")]
    return []


def _criminal_record_reasons(certificate, today: date) -> list[Reason]:
    result = certificate.criminal_record_result
    if result is None:
        return [Reason("criminal_record_missing", YELLOW, BACKGROUND, "没有登记无犯罪记录核查。")]
    if result == "pending":
        return [Reason("criminal_record_pending", YELLOW, BACKGROUND, "无犯罪记录核查尚未出结果。")]
    if result == "clear" and certificate.criminal_record_valid_until < today:
        checked_on = certificate.criminal_record_checked_on
        message = f"无犯罪记录核查于 {checked_on}，已到复查期，需重新核查。"
        return [Reason("criminal_record_expired", YELLOW, BACKGROUND, message)]
    return []


def _insurance_reasons(certificate, today: date) -> list[Reason]:
    result, valid_until = certificate.insurance_result, certificate.insurance_valid_until
    if result == "pending":
        return [Reason("insurance_pending", YELLOW, INSURED, "从业责任保险尚在核实中。")]
    if result != "in_force":
        return [Reason("insurance_missing", YELLOW, INSURED, "没有登记有效的从业责任保险。")]
    if certificate.insurance_valid_from is not None and certificate.insurance_valid_from > today:
        return [
            Reason(
                "insurance_not_started", YELLOW, INSURED, f"从业责任保险自 {certificate.insurance_valid_from} 起生效。"
            )
        ]
    if valid_until < today:
        return [Reason("insurance_expired", YELLOW, INSURED, f"从业责任保险有效期至 {valid_until}，已过期。")]
    return []


def colour(certificate, today: date) -> str:
    """green: issued and every item scoring.toml's [colour] requires in order; red: suspended,
    revoked, a criminal record found or on the 失信名单; yellow: anything else a scan can show (an item missing,
    pending or expired, the certificate expired): the worst colour of reasons()."""
    colours = {reason.colour for reason in reasons(certificate, today)}
    return RED if RED in colours else YELLOW if colours else GREEN
