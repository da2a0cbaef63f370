"""失信惩戒 on the console. Operators: the cases (GET/POST /api/v1/sanctions/cases), one case with
its evidence, the party's statement and its audit, evidence added and the decision taken by a
second operator (.../evidence, .../decision), the 失信名单 as it stands today (.../listings) and
the credit repair queue approved or refused with a reason (.../repairs/{id}/approve or refuse).
Company admins: a worker checked by ID number before hiring (.../worker-checks, logged by the
service), their company's cases with the statement form while the period runs, and the repair
application for a listing of their company. Every page calls sanctions' own access checks and
services, as its API routes do; a refusal is shown beside its form in the API's words."""

from flask import Blueprint, current_app, redirect, request, url_for

from accounts.models import COMPANY_ADMIN, OPERATOR
from console.web import attempt, form_input, menu_entry, page, principal, query_input, render, takes_upload
from sanctions import cases, lookups, repairs
from sanctions.access import (
    case_for_party,
    case_for_reader,
    evidence_for_reader,
    listing_for_party,
    locked_case,
    locked_repair,
)
from sanctions.evidence import read_evidence
from sanctions.models import CASE_STATUS_NAMES, CATEGORIES, MEASURES, OPEN_CASE, PERIOD_MEASURES, REPAIR_STATES
from sanctions.schemas import (
    CaseCreateSchema,
    CaseDetailSchema,
    CaseListQuery,
    CaseSchema,
    DecisionSchema,
    EvidenceUploadSchema,
    ListingSchema,
    PublicListingQuery,
    PublicListingSchema,
    RepairCreateSchema,
    RepairDecisionSchema,
    RepairListQuery,
    RepairSchema,
    StatementSchema,
    WorkerCheckAnswerSchema,
    WorkerCheckSchema,
)

sanctions = Blueprint("sanctions", __name__, url_prefix="/sanctions")

menu_entry(OPERATOR, "console.sanctions.case_list", "失信惩戒")
menu_entry(COMPANY_ADMIN, "console.sanctions.worker_check", "失信查询")

STAGE_NAMES = {"facts": "立案证据", "statement": "陈述申辩材料", "repair": "信用修复材料"}
ACTION_NAMES = {
    "open": "立案",
    "add_evidence": "补充证据",
    "state_case": "陈述申辩",
    "uphold": "维持处理",
    "reduce": "减轻处理",
    "dismiss": "不予处理",
    "listing_started": "列入失信名单",
    "listing_ended": "移出失信名单",
    "apply_for_repair": "申请信用修复",
    "approve": "准予修复",
    "refuse": "不予修复",
}


def _choices() -> dict:
    return {
        "categories": CATEGORIES,
        "measures": MEASURES,
        "period_measures": PERIOD_MEASURES,
        "statuses": CASE_STATUS_NAMES,
    }


@sanctions.get("/cases")
@page(OPERATOR, COMPANY_ADMIN)
def case_list(outcome=None, status=200):
    """Newest first: every case for operators, with the form opening one; a company admin's own
    company's (as the service answers each of them)."""
    query = query_input(CaseListQuery())
    listing = cases.list_cases(principal(), query, query["page"], query["per_page"])
    return render(
        "sanctions/cases.html",
        status,
        cases=CaseSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        outcome=outcome,
        form=request.form,
        **_choices(),
    )


@sanctions.post("/cases")
@page(OPERATOR)
def open_case():
    outcome = attempt(lambda: cases.open_case(form_input(CaseCreateSchema()), principal().user))
    if outcome.problem is None:
        return redirect(url_for("console.sanctions.case_page", case_id=outcome.result.id), 303)
    return case_list.__wrapped__(outcome=outcome, status=outcome.status)


@sanctions.get("/cases/<id:case_id>")
@page(OPERATOR, COMPANY_ADMIN)
def case_page(case_id, outcome=None, status=200, failed=None):
    """The facts, the evidence (each file opened through the console), the party's statement and
    its deadline, every step of the audit; the operators' evidence and decision forms, the
    company admin's statement form and, once listed, repair application form."""
    case = case_for_reader(case_id)
    detail = CaseDetailSchema().dump(case)
    # The listing this case put in force, as its audit names it, until an ending is on record.
    started = [e["details"]["listing_id"] for e in detail["events"] if e["action"] == "listing_started"]
    ended = {e["details"]["listing_id"] for e in detail["events"] if e["action"] == "listing_ended"}
    running = [listing_id for listing_id in started if listing_id not in ended]
    return render(
        "sanctions/case.html",
        status,
        case=detail,
        is_open=case.status in OPEN_CASE,
        listing_id=running[-1] if running else None,
        stage_names=STAGE_NAMES,
        action_names=ACTION_NAMES,
        outcome=outcome,
        failed=failed,
        form=request.form,
        **_choices(),
    )


def _back_to_the_case(case_id: int, outcome, form: str):
    if outcome.problem is None:
        return redirect(url_for("console.sanctions.case_page", case_id=case_id), 303)
    return case_page.__wrapped__(case_id, outcome=outcome, status=outcome.status, failed=form)


@sanctions.post("/cases/<id:case_id>/evidence")
@takes_upload(EvidenceUploadSchema)
@page(OPERATOR)
def add_evidence(case_id):
    def add():
        data = form_input(EvidenceUploadSchema())
        return cases.add_evidence(locked_case(case_id), data["file"], principal().user)

    return _back_to_the_case(case_id, attempt(add), "evidence")


@sanctions.post("/cases/<id:case_id>/decision")
@page(OPERATOR)
def decide(case_id):
    """Uphold, reduce or dismiss, by an operator who did not open the case (the service refuses
    the one who did: the four-eyes rule)."""
    outcome = attempt(lambda: cases.decide(locked_case(case_id), form_input(DecisionSchema()), principal().user))
    return _back_to_the_case(case_id, outcome, "decision")


@sanctions.post("/cases/<id:case_id>/statement")
@takes_upload(StatementSchema)
@page(COMPANY_ADMIN)
def state_case(case_id):
    """陈述申辩 by the company's admin, with a file if there is one."""
    case = case_for_party(case_id)

    def state():
        data = form_input(StatementSchema())
        return cases.state_case(case, principal().user, data["statement"], data.get("file"))

    return _back_to_the_case(case_id, attempt(state), "statement")


@sanctions.post("/listings/<id:listing_id>/repairs")
@takes_upload(RepairCreateSchema)
@page(COMPANY_ADMIN)
def apply_for_repair(listing_id):
    """信用修复 of a listing of the admin's company, from its case's page."""
    listing = listing_for_party(listing_id)
    case_id = listing.case_id

    def apply():
        data = form_input(RepairCreateSchema())
        return repairs.apply_for_repair(listing, principal(), data["correction"], data.get("file"))

    outcome = attempt(apply)
    if outcome.problem is None:
        return redirect(url_for("console.sanctions.repair_list"), 303)
    return _back_to_the_case(case_id, outcome, "repair")


@sanctions.get("/evidence/<id:evidence_id>")
@page(OPERATOR, COMPANY_ADMIN)
def evidence_file(evidence_id):
    """One file of a case's evidence (GET /api/v1/sanctions/evidence/{id}'s checks; the read logged)."""
    evidence, role, case = evidence_for_reader(evidence_id)
    stored = read_evidence(evidence, principal(), role, case.worker_id)
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{stored.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@sanctions.get("/listings")
@page(OPERATOR)
def listings():
    """The 失信名单 as it stands today, newest first: the public's entry beside the operators' own
    (which case, whose record)."""
    query = query_input(PublicListingQuery())
    listing = lookups.current_listings(query.get("party"), query["page"], query["per_page"], query.get("cursor"))
    entries = zip(
        ListingSchema(many=True).dump(listing.items),
        PublicListingSchema(many=True).dump(listing.items),
        strict=True,
    )
    return render("sanctions/listings.html", entries=list(entries), listing=listing, query=query)


@sanctions.get("/repairs")
@page(OPERATOR, COMPANY_ADMIN)
def repair_list(outcome=None, status=200, failed=None):
    """Operators see the pending ones first of all (the queue); a company admin its company's."""
    defaults = {"status": "pending"} if principal().has_role(OPERATOR) else None
    query = query_input(RepairListQuery(), defaults=defaults)
    listing = repairs.list_repairs(principal(), query, query["page"], query["per_page"])
    return render(
        "sanctions/repairs.html",
        status,
        repairs=RepairSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        statuses=REPAIR_STATES.names,
        categories=CATEGORIES,
        outcome=outcome,
        failed=failed,
        form=request.form,
    )


@sanctions.post("/repairs/<id:repair_id>/<any(approve, refuse):action>")
@page(OPERATOR)
def decide_repair(repair_id, action):
    def decision():
        reason = form_input(RepairDecisionSchema())["reason"]
        return repairs.decide(locked_repair(repair_id), action, principal().user, reason)

    outcome = attempt(decision)
    if outcome.problem is None:
        return redirect(url_for("console.sanctions.repair_list"), 303)
    return repair_list.__wrapped__(outcome=outcome, status=outcome.status, failed=repair_id)


@sanctions.route("/worker-checks", methods=["GET", "POST"])
@page(COMPANY_ADMIN, OPERATOR)
def worker_check():
    """Before hiring: is the worker with this ID number on the 失信名单 (POST
    /api/v1/sanctions/worker-checks; the service logs every check)."""
    outcome = None
    if request.method == "POST":
        outcome = attempt(lambda: lookups.check_worker(form_input(WorkerCheckSchema())["id_number"], principal()))
    return render(
        "sanctions/worker_check.html",
        outcome.status if outcome is not None else 200,
        answer=WorkerCheckAnswerSchema().dump(outcome.result) if outcome and outcome.problem is None else None,
        outcome=outcome,
        form=request.form,
    )
