"""Attendance at an offline session: the check-in code the session shows rotates every minute
and is signed (HMAC-SHA256 over the session and the minute), so a code is good only for the
session it was shown at, for the minute it was shown and the next, and only while the session
runs; a worker checks in once. The trainer (an operator) may also mark attendance by hand, which
records who and why. Callers commit; these functions only flush."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.clock import utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.i18n import _
from credit.models import Worker
from training.completion import complete_if_done
from training.enrolments import enrolled_in
from training.models import BY_HAND, QR, Attendance, ClassSession

CODE_MINUTE_SECONDS = 60
# A worker may check in from a little before the session starts until it ends.
EARLY_CHECK_IN = timedelta(minutes=15)


def _key() -> bytes:
    configured = current_app.config["TRAINING_CHECKIN_KEY"]
    if configured:
        return configured
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"training-check-in", hashlib.sha256).digest()


def _minute(moment: datetime) -> int:
    return int(moment.timestamp()) // CODE_MINUTE_SECONDS


def _signature(session_id: int, minute: int) -> str:
    return hmac.new(_key(), f"{session_id}.{minute}".encode(), hashlib.sha256).hexdigest()[:32]


def current_code(session: ClassSession) -> tuple[str, datetime]:
    """The code to show now, and when the next one replaces it."""
    minute = _minute(utcnow())
    code = f"{session.id}.{minute}.{_signature(session.id, minute)}"
    return code, datetime.fromtimestamp((minute + 1) * CODE_MINUTE_SECONDS, UTC)


def _check_code(session: ClassSession, code: str) -> None:
    parts = code.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or parts[0] != str(session.id):
        raise Invalid(_("This is not a check-in code of this session."), code="check_in_code_invalid", field="code")
    minute, signature = int(parts[1]), parts[2]
    if not hmac.compare_digest(signature, _signature(session.id, minute)):
        raise Invalid(_("This is not a check-in code of this session."), code="check_in_code_invalid", field="code")
    if not 0 <= _minute(utcnow()) - minute <= 1:
        raise Invalid(
            _("This check-in code has expired: scan the one shown now."), code="check_in_code_expired", field="code"
        )


def _check_session_running(session: ClassSession) -> None:
    now = utcnow()
    if not session.starts_at - EARLY_CHECK_IN <= now <= session.ends_at:
        raise Conflict(
            _("Check-in is open only while the session runs."), code="session_not_running", field="session_id"
        )


def check_in(session: ClassSession, worker: Worker, code: str, actor: User) -> Attendance:
    _check_code(session, code)
    _check_session_running(session)
    return _record(session, worker, actor, Attendance(method=QR))


def mark_by_hand(session: ClassSession, worker: Worker, reason: str, actor: User) -> Attendance:
    return _record(session, worker, actor, Attendance(method=BY_HAND, marked_by_id=actor.id, reason=reason))


def _record(session: ClassSession, worker: Worker, actor: User, attendance: Attendance) -> Attendance:
    if db.session.get(Attendance, (session.id, worker.id)) is not None:
        raise _already_checked_in(worker)
    enrolment = enrolled_in(session.class_id, worker)
    attendance.session_id, attendance.worker_id, attendance.at = session.id, worker.id, utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
    except IntegrityError:  # the same check-in arriving twice at once
        raise _already_checked_in(worker) from None
    complete_if_done(enrolment, actor)
    return attendance


def _already_checked_in(worker: Worker) -> Conflict:
    return Conflict(
        _("Worker %(id)s has already checked in to this session.", id=worker.id),
        code="already_checked_in",
        field="worker_id",
    )
