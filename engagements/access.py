"""Who may see and act on an engagement: its resident; its handlers (the staff of the station it
went to, or the admins of the company the resident chose, and operators); the worker chosen for
it (through her worker account). Anyone else's engagement counts as none (404), so its existence
is not revealed; a reader acting where only another party may is refused (403)."""

from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF, User
from app.access import require_principal
from app.errors import Forbidden, NotFound
from app.i18n import _
from engagements.complaints import locked_complaint
from engagements.models import Engagement, EngagementComplaint
from engagements.requests import locked_engagement, readable_engagement


def actor() -> User:
    return require_principal().user


def handles(engagement: Engagement) -> bool:
    principal = require_principal()
    if principal.has_role(OPERATOR):
        return True
    if engagement.station_code is not None:
        return principal.has_role(STATION_STAFF) and principal.station_code == engagement.station_code
    return principal.has_role(COMPANY_ADMIN) and principal.company_id == engagement.company_id


def is_its_worker(engagement: Engagement) -> bool:
    worker_id = require_principal().worker_id
    return worker_id is not None and worker_id == engagement.worker_id


def _readable(engagement: Engagement) -> bool:
    return engagement.resident_id == actor().id or handles(engagement) or is_its_worker(engagement)


def _not_found(engagement_id: int) -> NotFound:
    return NotFound(_("No engagement %(id)s.", id=engagement_id), code="unknown_engagement")


def engagement_for_reader(engagement_id: int) -> Engagement:
    engagement = readable_engagement(engagement_id)
    if engagement is None or not _readable(engagement):
        raise _not_found(engagement_id)
    return engagement


def engagement_for_resident(engagement_id: int) -> Engagement:
    """The caller's own engagement, row-locked."""
    engagement = locked_engagement(engagement_id)
    if engagement is None or not _readable(engagement):
        raise _not_found(engagement_id)
    if engagement.resident_id != actor().id:
        raise Forbidden(_("Only the resident who asked for it may do this."), code="not_the_resident")
    return engagement


def engagement_for_complainant_or_handler(engagement_id: int) -> Engagement:
    """For its complaints: its resident and its handlers; the chosen worker reads the engagement
    but not what was said of her (403)."""
    engagement = engagement_for_reader(engagement_id)
    if not (engagement.resident_id == actor().id or handles(engagement)):
        raise Forbidden(
            _("Only the resident who asked for it, or its handlers, may do this."), code="not_the_resident_or_handler"
        )
    return engagement


def engagement_for_handler(engagement_id: int, lock: bool = True) -> Engagement:
    """The engagement, row-locked unless only read, if the caller handles it."""
    engagement = locked_engagement(engagement_id) if lock else readable_engagement(engagement_id)
    if engagement is None or not _readable(engagement):
        raise _not_found(engagement_id)
    if not handles(engagement):
        raise Forbidden(
            _("Only the staff of its station or the admins of its company may do this."), code="not_its_handler"
        )
    return engagement


def engagement_for_worker_side(engagement_id: int) -> Engagement:
    """For the worker's own confirmation: the chosen worker, or her handlers on her behalf."""
    engagement = locked_engagement(engagement_id)
    if engagement is None or not _readable(engagement):
        raise _not_found(engagement_id)
    if not (is_its_worker(engagement) or handles(engagement)):
        raise Forbidden(_("Only the chosen worker, or staff on her behalf, may do this."), code="not_the_worker_side")
    return engagement


def complaint_for_handler(complaint_id: int) -> EngagementComplaint:
    """The complaint, row-locked, if the caller handles its engagement; anyone else's is none."""
    complaint = locked_complaint(complaint_id)
    if complaint is None or not handles(complaint.engagement):
        raise NotFound(_("No complaint %(id)s.", id=complaint_id), code="unknown_complaint")
    return complaint


def handled_scope() -> tuple[str | None, int | None]:
    """Whose engagements the caller lists: a station's staff their station's, a company's admin
    their company's; an operator every one (None, None)."""
    principal = require_principal()
    if principal.has_role(OPERATOR):
        return None, None
    if principal.has_role(STATION_STAFF):
        return principal.station_code, None
    return None, principal.company_id
