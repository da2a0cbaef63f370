"""Workers and their certificates, for company admins (their own company's) and operators (all):
the list, registering and editing a worker, one worker's page with its certificate's lifecycle
steps (operators) and its history, the company's grade with its explanation. Every page and
action is the API's: credit.access decides who reaches which worker, credit's services act."""

from flask import Blueprint, redirect, request, url_for

from accounts.models import COMPANY_ADMIN, OPERATOR
from app.clock import today_in_beijing
from app.geography import DISTRICTS
from console.web import attempt, form_input, menu_entry, page, principal, query_input, render, sort_order
from credit import certificates, checks, documents, expiry, ledger, registry
from credit.access import company_for_caller, document_reader_role, own_company_unless_operator, worker_for_caller
from credit.models import (
    APPLIED,
    CHECK_KIND_NAMES,
    CHECK_RESULTS,
    COMPANY_GRADES,
    DOCUMENT_KIND_NAMES,
    DOCUMENT_REVIEW,
    DOCUMENTS_CHECKED,
    EXAM_PASSED,
    IDENTITY_VERIFIED,
    LIFECYCLE,
    STATE_NAMES,
    TRAINED,
)
from credit.schemas import (
    CheckSchema,
    CompanyListQuery,
    CompanySchema,
    CreditEventSchema,
    DocumentSchema,
    DocumentsSchema,
    ExamSchema,
    ExpiringItemSchema,
    ExpiringQuery,
    ExplanationSchema,
    IdentitySchema,
    OptionalReasonSchema,
    ReasonSchema,
    RenewSchema,
    TrainingSchema,
    WorkerCreateSchema,
    WorkerListQuery,
    WorkerSchema,
    WorkerUpdateSchema,
)
from credit.service_types import SERVICE_TYPES

workers = Blueprint("workers", __name__, url_prefix="")

menu_entry(COMPANY_ADMIN, "console.workers.worker_list", "本企业服务人员")
menu_entry(COMPANY_ADMIN, "console.workers.expiring", "即将到期")
menu_entry(COMPANY_ADMIN, "console.workers.company_grade", "企业信用等级")
menu_entry(OPERATOR, "console.workers.review_queue", "证书审核")
menu_entry(OPERATOR, "console.workers.worker_list", "服务人员")
menu_entry(OPERATOR, "console.workers.company_list", "家政企业")

# The review queue: applications on their way to the certificate, in the order of their steps.
IN_REVIEW = (APPLIED, DOCUMENTS_CHECKED, TRAINED, EXAM_PASSED, IDENTITY_VERIFIED)


# The result of a check as the page names it.
RESULT_NAMES = {
    "clear": "无犯罪记录",
    "record_found": "有犯罪记录",
    "in_force": "在保",
    "not_insured": "未投保",
    "verified": "已核验",
    "mismatch": "不符",
    "pending": "待核查",
}


def facts_proven(certificate) -> dict[str, tuple[str, str]]:
    """Each fact a document proves (credit.models.DOCUMENT_KINDS): its name, and what the file
    holds now (empty when not yet recorded)."""

    def dated(result, until) -> str:
        return " ".join(part for part in (RESULT_NAMES.get(result or "", ""), until and f"至 {until}") if part)

    return {
        "id_card_checked_on": ("身份证核对日", str(certificate.id_card_checked_on or "")),
        "health_certificate_valid_until": ("健康证有效期至", str(certificate.health_certificate_valid_until or "")),
        "skill_certificate": ("技能或培训证书", certificate.skill_certificate or ""),
        "authorisation_signed_on": ("授权书签署日", str(certificate.authorisation_signed_on or "")),
        "background_check": (
            "无犯罪记录核查",
            dated(certificate.criminal_record_result, certificate.criminal_record_valid_until),
        ),
        "insurance": ("从业责任保险", dated(certificate.insurance_result, certificate.insurance_valid_until)),
    }


def offered_steps(state: str) -> list[str]:
    """The steps the lifecycle table allows from this state: the buttons the page shows."""
    return [step for step, (transition, *_) in STEPS.items() if state in LIFECYCLE.transitions[transition]]


def _worker_listing(default_state: str | None = None):
    query = query_input(WorkerListQuery(), defaults={"state": default_state} if default_state else None)
    company_id = own_company_unless_operator(query)
    listing = registry.list_workers(
        company_id,
        query.get("state"),
        query["page"],
        query["per_page"],
        cursor=query.get("cursor"),
        search=_search(),
        order=sort_order(registry.WORKER_ORDERS, "id"),
        capped=True,
    )
    return query, listing


def _search() -> str | None:
    """The console's search box: a name, or a certificate number or credit code in full."""
    return request.args.get("q", "").strip()[:100] or None


@workers.get("/companies")
@page(OPERATOR)
def company_list():
    """The companies, best score first, by grade, district, or a name or credit code."""
    query = query_input(CompanyListQuery())
    listing = registry.list_companies(
        query.get("grade"),
        query.get("district"),
        query["page"],
        query["per_page"],
        cursor=query.get("cursor"),
        search=_search(),
        order=sort_order(registry.COMPANY_ORDERS, "score"),
    )
    return render(
        "companies.html",
        companies=CompanySchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        districts=DISTRICTS,
        grades=COMPANY_GRADES,
    )


@workers.get("/workers")
@page(COMPANY_ADMIN, OPERATOR)
def worker_list():
    query, listing = _worker_listing()
    return render(
        "workers.html",
        workers=WorkerSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        states=STATE_NAMES,
        queue=False,
    )


@workers.get("/certificates")
@page(OPERATOR)
def review_queue():
    """Applications waiting for their next step, the oldest first, one state at a time."""
    query, listing = _worker_listing(default_state=APPLIED)
    return render(
        "workers.html",
        workers=WorkerSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        states={state: STATE_NAMES[state] for state in IN_REVIEW},
        queue=True,
    )


def _worker_form(template: str, status: int = 200, **context):
    return render(template, status, services=SERVICE_TYPES, **context)


@workers.get("/expiring")
@page(COMPANY_ADMIN, OPERATOR)
def expiring():
    """What ends within 30 days (or 60: `?within_days=60`), the soonest first: health
    certificates, background checks and policies, as GET /api/v1/expiring-items lists them."""
    query = query_input(ExpiringQuery())
    within = query.get("within_days", 30)
    listing = expiry.list_expiring(
        today_in_beijing(),
        within,
        own_company_unless_operator(query),
        query.get("item"),
        query["page"],
        query["per_page"],
    )
    return render(
        "expiring.html",
        items=ExpiringItemSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        within=within,
        item_names=expiry.ITEM_NAMES,
    )


@workers.get("/workers/new")
@page(COMPANY_ADMIN, OPERATOR)
def new_worker():
    return _worker_form("worker_form.html", form=request.form, outcome=None, worker=None)


@workers.post("/workers")
@page(COMPANY_ADMIN, OPERATOR)
def register_worker():
    """The API's POST /api/v1/workers: a company admin's applicant belongs to its own company."""

    def register():
        data = form_input(WorkerCreateSchema())
        data["company_id"] = own_company_unless_operator(data)
        return registry.create_worker(data, principal().user)

    outcome = attempt(register)
    if outcome.problem is not None:
        return _worker_form("worker_form.html", outcome.status, form=request.form, outcome=outcome, worker=None)
    return redirect(url_for("console.workers.worker_page", worker_id=outcome.result.id), 303)


@workers.get("/workers/<id:worker_id>")
@page(COMPANY_ADMIN, OPERATOR)
def worker_page(worker_id, outcome=None, status=200, failed_step=None):
    worker = worker_for_caller(worker_id, shown=True)
    history = CreditEventSchema(many=True).dump(ledger.events_of(worker)) if principal().has_role(OPERATOR) else None
    # The documents listed are a look-up of the worker's file, as GET .../documents records it.
    reader_role = document_reader_role(worker)
    if reader_role is not None:
        documents.record_look_up(worker, principal().user, reader_role, "list")
    return render(
        "worker.html",
        status,
        worker=WorkerSchema().dump(worker),
        documents=DocumentSchema(many=True).dump(documents.documents_of(worker)) if reader_role else [],
        checks=CheckSchema(many=True).dump(checks.checks_of(worker.id)),
        document_kinds=DOCUMENT_KIND_NAMES,
        review_names=DOCUMENT_REVIEW.names,
        check_kinds={kind: CHECK_KIND_NAMES[kind] for kind in CHECK_RESULTS},
        check_results=CHECK_RESULTS,
        facts=facts_proven(worker.certificate),
        result_names=RESULT_NAMES,
        history=history,
        states=STATE_NAMES,
        steps=STEPS,
        outcome=outcome,
        failed_step=failed_step,
        form=request.form,
        services=SERVICE_TYPES,
        offered=offered_steps(worker.certificate.state),
    )


@workers.post("/workers/<id:worker_id>/edit")
@page(COMPANY_ADMIN, OPERATOR)
def edit_worker(worker_id):
    outcome = attempt(
        lambda: registry.update_worker(
            worker_for_caller(worker_id, shown=True), form_input(WorkerUpdateSchema()), principal().user
        )
    )
    if outcome.problem is None:
        return redirect(url_for("console.workers.worker_page", worker_id=worker_id), 303)
    return worker_page.__wrapped__(worker_id, outcome=outcome, status=outcome.status)


def _documents(certificate, actor):
    return certificates.check_documents(certificate, form_input(DocumentsSchema()), actor)


def _training(certificate, actor):
    data = form_input(TrainingSchema())
    return certificates.record_training(certificate, data["hours"], data["trained_on"], actor)


def _exam(certificate, actor):
    data = form_input(ExamSchema())
    return certificates.record_exam(certificate, data["score"], data["passed"], actor)


def _identity(certificate, actor):
    return certificates.verify_identity(certificate, form_input(IdentitySchema())["matched"], actor)


def _standing(action: str, schema):
    def change(certificate, actor):
        return certificates.change_standing(certificate, action, actor, form_input(schema).get("reason") or action)

    return change


def _renew(certificate, actor):
    data = form_input(RenewSchema())
    return certificates.renew(certificate, data.get("health_certificate_valid_until"), actor, data.get("reason"))


# Each lifecycle step as the API's route takes it: its button, and what it does to the locked
# certificate; the states it is offered in are the lifecycle table's (credit.models.LIFECYCLE).
STEPS = {
    "documents": ("check_documents", "审核三证一书", _documents),
    "training": ("record_training", "登记岗前培训", _training),
    "exam": ("pass_exam", "登记考核", _exam),
    "identity": ("verify_identity", "人证合一核验", _identity),
    "issue": ("issue", "发证", lambda certificate, actor: certificates.issue(certificate, actor)),
    "suspend": ("suspend", "暂停", _standing("suspend", ReasonSchema())),
    "reinstate": ("reinstate", "恢复", _standing("reinstate", ReasonSchema())),
    "revoke": ("revoke", "吊销（失信）", _standing("revoke", ReasonSchema())),
    "expire": ("expire", "标记过期", _standing("expire", OptionalReasonSchema())),
    "renew": ("renew", "续期", _renew),
}


@workers.post("/workers/<id:worker_id>/certificate/<any(" + ", ".join(STEPS) + "):step>")
@page(OPERATOR)
def certificate_step(worker_id, step):
    """One lifecycle step, as POST /api/v1/workers/{id}/certificate/{step}: a refusal (409 naming the
    state, 422 naming the document) is shown beside the step's form."""
    act = STEPS[step][2]
    outcome = attempt(lambda: act(certificates.locked_certificate(worker_for_caller(worker_id)), principal().user))
    if outcome.problem is None:
        return redirect(url_for("console.workers.worker_page", worker_id=worker_id), 303)
    return worker_page.__wrapped__(worker_id, outcome=outcome, status=outcome.status, failed_step=step)


@workers.get("/company")
@page(COMPANY_ADMIN)
def company_grade():
    """The company's grade with its explanation (GET /api/v1/companies/{id}/credit), and its workers' stars."""
    company = company_for_caller(int(principal().company_id or 0))  # a company admin's grant names one
    return render(
        "company.html",
        company=CompanySchema().dump(company),
        explanation=ExplanationSchema().dump(ledger.explanation(company)),
    )
