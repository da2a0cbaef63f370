"""One audit row per step of a case, its listing or its repair (sanctions.models.SanctionEvent)."""

from accounts.models import User
from app.clock import utcnow
from app.extensions import db
from sanctions.models import SanctionCase, SanctionEvent


def audit(
    case: SanctionCase,
    action: str,
    actor: User | None,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    details: dict | None = None,
    repair_id: int | None = None,
) -> SanctionEvent:
    event = SanctionEvent(
        case_id=case.id,
        repair_id=repair_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id if actor is not None else None,
        reason=reason,
        details=details,
        at=utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    return event
