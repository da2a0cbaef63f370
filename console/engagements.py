"""Long and live-in engagements (长期服务) on the console, for the station's staff and, for the
requests a resident addressed to a company, that company's admins: the requests (paged, by
status), one engagement with its candidates, interviews and history, the proposal of candidates
from the workers the API lists as proposable, the worker's side of the agreement confirmed on her
behalf with the e-contract's reference, and the follow-up calls due. Every read and action is the
API route's (engagements.routes): the same access check (engagements.access) and operation."""

from flask import Blueprint, current_app, redirect, request, url_for

from accounts.models import COMPANY_ADMIN, STATION_STAFF
from console.web import Outcome, attempt, form_input, menu_entry, page, query_input, render
from engagements import aftercare, candidates, requests
from engagements.access import actor, engagement_for_handler, engagement_for_worker_side, handled_scope
from engagements.models import ENGAGEMENT_FACTS, ENGAGEMENT_STATES, IN_PERSON, STATUS_NAMES, VIDEO
from engagements.schemas import (
    CandidateProposalSchema,
    CandidateWorkerSchema,
    EngagementDetailSchema,
    EngagementFollowUpDueSchema,
    EngagementFollowUpInputSchema,
    EngagementListQuery,
    EngagementSchema,
    WorkerConfirmSchema,
)

engagements = Blueprint("engagements", __name__, url_prefix="/engagements")

HANDLERS = (STATION_STAFF, COMPANY_ADMIN)
INTERVIEW_MODES = {IN_PERSON: "当面", VIDEO: "视频"}

for role in HANDLERS:
    menu_entry(role, "console.engagements.requests_page", "长期服务")
    menu_entry(role, "console.engagements.follow_ups", "长期服务回访")


@engagements.get("")
@page(*HANDLERS)
def requests_page():
    """GET /api/v1/engagement-requests: the requests addressed to the caller's station (staff) or
    company (admins), the earliest first day first, filterable by status."""
    query = query_input(EngagementListQuery())
    listing = requests.engagements_handled(*handled_scope(), query.get("status"), query["page"], query["per_page"])
    return render(
        "engagements.html",
        engagements=EngagementSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        statuses=STATUS_NAMES,
    )


@engagements.get("/<id:engagement_id>")
@page(*HANDLERS)
def engagement_page(engagement_id, outcome: Outcome | None = None, status: int = 200, failed: str | None = None):
    """One engagement as the API shows its handlers, with the workers it could be offered now
    (GET /api/v1/engagements/{id}/proposable-workers) while candidates may still be proposed."""
    engagement = engagement_for_handler(engagement_id, lock=False)
    proposable, room = [], 0
    if engagement.status in ENGAGEMENT_STATES.transitions["propose"]:
        proposable = CandidateWorkerSchema(many=True).dump(candidates.proposable_workers(engagement))
        room = max(current_app.config["ENGAGEMENT_MAX_CANDIDATES"] - len(engagement.candidates), 0)
    shown = EngagementDetailSchema().dump(engagement)
    return render(
        "engagement.html",
        status,
        e=shown,
        proposable=proposable,
        proposed={candidate["worker"]["id"] for candidate in shown["candidates"]},
        room=room,
        worker_side_open=engagement.status in ENGAGEMENT_FACTS.transitions["confirm_side"]
        and engagement.worker_confirmed_at is None,
        follow_up_open=engagement.status in ENGAGEMENT_FACTS.transitions["record_follow_up"],
        modes=INTERVIEW_MODES,
        outcome=outcome,
        failed=failed,
        form=request.form,
    )


def _answer(engagement_id: int, outcome: Outcome, failed: str):
    """Back to the engagement once done; a refusal is its page again, the API's reason beside the
    form that was sent, with the API's status."""
    if outcome.problem is None:
        return redirect(
            request.referrer or url_for("console.engagements.engagement_page", engagement_id=engagement_id), 303
        )
    return engagement_page.__wrapped__(engagement_id, outcome=outcome, status=outcome.status, failed=failed)


@engagements.post("/<id:engagement_id>/proposals")
@page(*HANDLERS)
def propose(engagement_id):
    """POST /api/v1/engagements/{id}/proposals: up to ENGAGEMENT_MAX_CANDIDATES in all."""

    def proposal():
        worker_ids = form_input(CandidateProposalSchema())["worker_ids"]
        return candidates.propose(engagement_for_handler(engagement_id), worker_ids, actor())

    return _answer(engagement_id, attempt(proposal), "proposal")


@engagements.post("/<id:engagement_id>/worker-confirm")
@page(*HANDLERS)
def confirm_for_worker(engagement_id):
    """POST /api/v1/engagements/{id}/worker-confirm: the chosen worker's side, confirmed by her
    handlers on her behalf with the e-contract's reference and the day it was signed."""

    def confirmation():
        data = form_input(WorkerConfirmSchema())
        return candidates.confirm(engagement_for_worker_side(engagement_id), actor(), worker_side=data)

    return _answer(engagement_id, attempt(confirmation), "worker-confirm")


@engagements.post("/<id:engagement_id>/follow-ups")
@page(*HANDLERS)
def record_follow_up(engagement_id):
    """POST /api/v1/engagements/{id}/follow-ups: 回访, satisfied or not, with notes. Sent from the
    calls due, a refusal is that list again with the reason beside the engagement's form."""

    def follow_up():
        data = form_input(EngagementFollowUpInputSchema())
        return aftercare.record_follow_up(engagement_for_handler(engagement_id), data, actor())

    outcome = attempt(follow_up)
    if outcome.problem is not None and request.form.get("from") == "due":
        return follow_ups.__wrapped__(outcome=outcome, status=outcome.status, failed=engagement_id)
    return _answer(engagement_id, outcome, "follow-up")


@engagements.get("/follow-ups")
@page(*HANDLERS)
def follow_ups(outcome: Outcome | None = None, status: int = 200, failed: int | None = None):
    """GET /api/v1/engagement-follow-ups: every ENGAGEMENT_FOLLOW_UP_DAYS of service and once after
    the end, the longest waiting first, each with its form."""
    due = aftercare.follow_ups_due(*handled_scope())
    return render(
        "engagement_follow_ups.html",
        status,
        due=EngagementFollowUpDueSchema(many=True).dump(due),
        outcome=outcome,
        failed=failed,
        form=request.form,
    )
