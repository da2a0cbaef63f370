"""Engagement endpoints: a resident's request, its candidates and interviews, the choice and both
sides' confirmation, 上户 and 下户 with the scan, early end and extension, ratings; the station's
(or company's) list, proposals and follow-up calls; the chosen worker's own list. Each view loads
its engagement or 404s, checks the caller's part (engagements.access), and calls one operation."""

from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF, WORKER
from app.access import caller_key, require_principal
from app.blueprint import ApiBlueprint
from app.errors import Conflict, Forbidden, recorded_problem
from app.i18n import _
from app.paging import PageQuery
from app.privacy import mask_name
from app.rate_limits import created_something, rate_limited
from booking.schemas import AssignableWorkersQuery
from complaints.steps import register_complaint_steps
from credit.certificates import COLOUR_NAMES, GREEN
from engagements import aftercare, candidates, complaints, in_service, requests
from engagements.access import (
    actor,
    complaint_for_handler,
    engagement_for_complainant_or_handler,
    engagement_for_handler,
    engagement_for_reader,
    engagement_for_resident,
    engagement_for_worker_side,
    handled_scope,
)
from engagements.models import EngagementScan
from engagements.schemas import (
    CandidateChoiceSchema,
    CandidateProposalSchema,
    CandidateSchema,
    CandidateWorkerListSchema,
    EngagementCancelSchema,
    EngagementComplaintInputSchema,
    EngagementComplaintListQuery,
    EngagementComplaintListSchema,
    EngagementComplaintPageSchema,
    EngagementComplaintSchema,
    EngagementCreateSchema,
    EngagementDetailSchema,
    EngagementEndEarlySchema,
    EngagementExtendSchema,
    EngagementFollowUpDueListSchema,
    EngagementFollowUpInputSchema,
    EngagementFollowUpSchema,
    EngagementListQuery,
    EngagementPageSchema,
    EngagementRatingInputSchema,
    EngagementRatingSchema,
    EngagementScanInputSchema,
    EngagementScanSchema,
    EngagementSchema,
    InterviewRequestSchema,
    WorkerConfirmSchema,
)

HANDLERS = (STATION_STAFF, COMPANY_ADMIN, OPERATOR)
PROBLEM_MEANINGS = {
    403: "The caller may not do this: not their role, a step only the engagement's resident, its handlers or its "
    "chosen worker take, or no bound phone",
    404: "No such engagement or engagement complaint (another station's, company's or resident's counts as none)",
    409: "Not allowed from the current status (named in the body), the worker is not free for the period "
    "(worker_double_booked), the wrong worker's card or a code not green at 上户/下户, done once already, or the "
    "time for complaints over (complaint_period_over)",
}

blp = ApiBlueprint(
    "engagements",
    __name__,
    url_prefix="/api/v1",
    description="Long and live-in engagements (长期/住家服务): 月嫂, 育儿嫂, 住家保姆, 养老护理",
    problem_meanings=PROBLEM_MEANINGS,
)


def _listing(items: list) -> dict:
    return {"items": items, "total": len(items)}


# ---------------------------------------------------------------- residents


@blp.post("/engagements")
@rate_limited("ENGAGEMENT_RATE_LIMIT", "engagement requests", key=caller_key, counts=created_something)
@blp.requires()
@blp.problems(403, 429)
@blp.arguments(EngagementCreateSchema)
@blp.response(201, EngagementSchema)
def request_engagement(data):
    """Ask a station (or a company) for an engagement: service, first day, length in days or
    months, live-in or day hours, address, needs and optionally a preferred worker. Needs a bound
    phone."""
    resident = actor()
    if resident.phone is None:
        raise Forbidden(_("Bind a phone number before booking."), code="phone_required")
    return requests.create_engagement(resident, data)


@blp.get("/engagements")
@blp.requires()
@blp.arguments(EngagementListQuery, location="query", as_kwargs=True)
@blp.response(200, EngagementPageSchema)
def my_engagements(page, per_page, status=None):
    """My own engagements, latest first."""
    return requests.engagements_of_resident(actor(), status, page, per_page)


@blp.get("/engagements/<id:engagement_id>")
@blp.requires()
@blp.problems(404)
@blp.response(200, EngagementDetailSchema)
def get_engagement(engagement_id):
    """One engagement with its candidates and history: its resident, its handlers and its chosen worker."""
    return engagement_for_reader(engagement_id)


@blp.post("/engagements/<id:engagement_id>/interviews")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(InterviewRequestSchema)
@blp.response(200, CandidateSchema)
def ask_for_interview(data, engagement_id):
    """面试: ask to meet a candidate at a time, in person or by video; the handlers arrange it."""
    engagement = engagement_for_resident(engagement_id)
    return candidates.request_interview(engagement, data["candidate_id"], data["at"], data["mode"], actor())


@blp.post("/engagements/<id:engagement_id>/choose")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(CandidateChoiceSchema)
@blp.response(200, EngagementSchema)
def choose_candidate(data, engagement_id):
    """Choose a candidate: her time is held for the whole period at once (409
    worker_double_booked if another engagement or a booking holds any of it)."""
    return candidates.choose(engagement_for_resident(engagement_id), data["candidate_id"], actor())


@blp.post("/engagements/<id:engagement_id>/confirm")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.response(200, EngagementSchema)
def confirm_engagement(engagement_id):
    """The resident's side of the agreement; signed (已签约) once the worker's side confirmed too."""
    return candidates.confirm(engagement_for_resident(engagement_id), actor())


@blp.post("/engagements/<id:engagement_id>/worker-confirm")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(WorkerConfirmSchema)
@blp.response(200, EngagementSchema)
def confirm_for_worker(data, engagement_id):
    """The worker's side, with the e-contract's reference: the chosen worker herself, or her
    handlers on her behalf."""
    return candidates.confirm(engagement_for_worker_side(engagement_id), actor(), worker_side=data)


@blp.post("/engagements/<id:engagement_id>/cancel")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(EngagementCancelSchema)
@blp.response(200, EngagementSchema)
def cancel_engagement(data, engagement_id):
    """Cancel before the service starts; the chosen worker's time is free again."""
    return candidates.cancel(engagement_for_resident(engagement_id), actor(), data.get("reason"))


def _scan_refusal(scan: EngagementScan):
    """The wrong worker's card, or a code not green at 上户: a 409 kept on record."""
    worker = mask_name(scan.scanned_worker.name)
    if not scan.matched:
        return recorded_problem(
            Conflict(
                _(
                    "This is not the worker chosen for this engagement (the card scanned is %(worker)s's).",
                    worker=worker,
                ),
                code="wrong_worker",
                errors={"token": [_("not the chosen worker")]},
            )
        )
    return recorded_problem(
        Conflict(
            _(
                "%(worker)s's 安心码 is %(colour)s: do not open the door; call the station.",
                worker=worker,
                colour=COLOUR_NAMES[scan.colour],
            ),
            code="worker_not_green",
            errors={"token": [_("the worker's 安心码 is %(colour)s, not green", colour=COLOUR_NAMES[scan.colour])]},
        )
    )


@blp.post("/engagements/<id:engagement_id>/start")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(EngagementScanInputSchema)
@blp.response(201, EngagementScanSchema)
def start_engagement(data, engagement_id):
    """上户: scan the chosen worker's 安心碼 as she moves in (from the first day on); another card,
    or a code not green, is a 409 and stays on record."""
    scan = in_service.start(engagement_for_resident(engagement_id), data["token"], actor())
    return scan if scan.matched and scan.colour == GREEN else _scan_refusal(scan)


@blp.post("/engagements/<id:engagement_id>/end")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(EngagementScanInputSchema)
@blp.response(201, EngagementScanSchema)
def end_engagement(data, engagement_id):
    """下户: scan the chosen worker's 安心碼 as she leaves, on the last day or after."""
    scan = in_service.complete(engagement_for_resident(engagement_id), data["token"], actor())
    return scan if scan.matched else _scan_refusal(scan)


@blp.post("/engagements/<id:engagement_id>/end-early")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(EngagementEndEarlySchema)
@blp.response(200, EngagementSchema)
def end_engagement_early(data, engagement_id):
    """End the service before its last day, with a reason: the worker's time from now on is freed."""
    return in_service.end_early(engagement_for_resident(engagement_id), actor(), data["reason"])


@blp.post("/engagements/<id:engagement_id>/extend")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(EngagementExtendSchema)
@blp.response(200, EngagementSchema)
def extend_engagement(data, engagement_id):
    """More days or months after the last day, if the worker is free for them (409 otherwise)."""
    engagement = engagement_for_resident(engagement_id)
    return in_service.extend(engagement, data["length"], data["length_unit"], actor())


@blp.post("/engagements/<id:engagement_id>/rating")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(EngagementRatingInputSchema)
@blp.response(201, EngagementRatingSchema)
def rate_engagement(data, engagement_id):
    """Rate a month of service (`month`) or, at the end, the whole engagement; each once. The
    worker's and company's credit levels follow at once."""
    engagement = engagement_for_resident(engagement_id)
    return aftercare.rate(engagement, data["stars"], data.get("text"), data.get("month"), actor())


@blp.post("/engagements/<id:engagement_id>/complaints")
@rate_limited("COMPLAINT_RATE_LIMIT", "complaints", key=caller_key, counts=created_something)
@blp.requires()
@blp.problems(403, 404, 409, 429)
@blp.arguments(EngagementComplaintInputSchema)
@blp.response(201, EngagementComplaintSchema)
def complain_about_engagement(data, engagement_id):
    """Complain about my engagement (type and text) from the signing on, in service, and for
    ENGAGEMENT_COMPLAINT_DAYS (30 unless configured) after it ended; its handlers handle it as a
    booking complaint is handled. A text WeChat refuses is a 422 on `text`."""
    engagement = engagement_for_resident(engagement_id)
    return complaints.complain(engagement, data["type"], data["text"], actor())


@blp.get("/engagements/<id:engagement_id>/complaints")
@blp.requires()
@blp.problems(403, 404)
@blp.response(200, EngagementComplaintListSchema)
def engagement_complaints(engagement_id):
    """The complaints about one engagement with their handling trails, oldest first: its resident
    and its handlers (not the chosen worker)."""
    return _listing(complaints.complaints_of_engagement(engagement_for_complainant_or_handler(engagement_id)))


# ---------------------------------------------------------------- handlers: station staff, company admins


@blp.get("/engagement-requests")
@blp.requires(*HANDLERS)
@blp.arguments(EngagementListQuery, location="query", as_kwargs=True)
@blp.response(200, EngagementPageSchema)
def handled_engagements(page, per_page, status=None):
    """The engagements of my station (staff) or my company (admins); every one for operators."""
    station_code, company_id = handled_scope()
    return requests.engagements_handled(station_code, company_id, status, page, per_page)


@blp.get("/engagements/<id:engagement_id>/proposable-workers")
@blp.requires(*HANDLERS)
@blp.problems(404, 409)
@blp.arguments(AssignableWorkersQuery, location="query")
@blp.response(200, CandidateWorkerListSchema)
def proposable_workers(query, engagement_id):
    """Workers who could be proposed: issued and green, offering the service, free for the whole
    period (the company's own when the request went to a company), the preferred one first, then
    best stars first, the first `limit` of them (`q` finds the others by name or certificate number)."""
    engagement = engagement_for_handler(engagement_id, lock=False)
    return _listing(candidates.proposable_workers(engagement, query.get("q") or None, query["limit"]))


@blp.post("/engagements/<id:engagement_id>/proposals")
@blp.requires(*HANDLERS)
@blp.problems(404, 409)
@blp.arguments(CandidateProposalSchema)
@blp.response(200, EngagementSchema)
def propose_candidates(data, engagement_id):
    """Propose candidates (up to ENGAGEMENT_MAX_CANDIDATES in all); the resident is told."""
    return candidates.propose(engagement_for_handler(engagement_id), data["worker_ids"], actor())


@blp.post("/engagements/<id:engagement_id>/follow-ups")
@blp.requires(*HANDLERS)
@blp.problems(404, 409)
@blp.arguments(EngagementFollowUpInputSchema)
@blp.response(201, EngagementFollowUpSchema)
def follow_up_engagement(data, engagement_id):
    """回访 during the service or after it: satisfied or not, notes; on the worker's credit ledger."""
    return aftercare.record_follow_up(engagement_for_handler(engagement_id), data, actor())


@blp.get("/engagement-follow-ups")
@blp.requires(*HANDLERS)
@blp.response(200, EngagementFollowUpDueListSchema)
def follow_ups_due():
    """Follow-up calls due: every ENGAGEMENT_FOLLOW_UP_DAYS of service, and once after the end."""
    return _listing(aftercare.follow_ups_due(*handled_scope()))


@blp.get("/engagement-complaints")
@blp.requires(*HANDLERS)
@blp.arguments(EngagementComplaintListQuery, location="query", as_kwargs=True)
@blp.response(200, EngagementComplaintPageSchema)
def handled_engagement_complaints(page, per_page, status=None):
    """Complaints about the engagements of my station (staff) or my company (admins), oldest
    first, with their trails; every one for operators."""
    station_code, company_id = handled_scope()
    return complaints.complaints_handled(station_code, company_id, status, page, per_page)


register_complaint_steps(
    blp, "/engagement-complaints", "engagement_complaint", HANDLERS, complaint_for_handler, EngagementComplaintSchema
)


# ---------------------------------------------------------------- the chosen worker


@blp.get("/me/worker/engagements")
@blp.requires(WORKER)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, EngagementPageSchema)
def my_worker_engagements(page, per_page):
    """The engagements I (a worker) was chosen for, the next first."""
    return requests.engagements_of_worker(require_principal().worker_id, page, per_page)
