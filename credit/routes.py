"""Companies, workers and their certificates (operators and company admins), the public grade
list, and the public 安心碼 scan (JSON here, the mobile page in `pages`)."""

import io
from datetime import datetime

import segno
from flask import Blueprint, abort, current_app, render_template, request

from accounts.models import COMPANY_ADMIN, OPERATOR
from app.access import current_principal
from app.blueprint import ApiBlueprint
from app.clock import in_beijing
from app.extensions import db
from app.rate_limits import too_many_requests
from credit import scanning, services
from credit.models import Company, Worker
from credit.schemas import (
    CompanyCreateSchema,
    CompanyListQuery,
    CompanyPageSchema,
    CompanySchema,
    CreditEventCreateSchema,
    CreditEventSchema,
    DocumentsSchema,
    ExamSchema,
    ExplanationSchema,
    HealthCertificateSchema,
    HistorySchema,
    IdentitySchema,
    OptionalReasonSchema,
    ReasonSchema,
    RenewSchema,
    ScanSchema,
    TrainingSchema,
    WorkerCreateSchema,
    WorkerListQuery,
    WorkerPageSchema,
    WorkerSchema,
    WorkerUpdateSchema,
)

PROBLEM_MEANINGS = {
    403: "The caller's role may not do this, or the company is not the company admin's own",
    404: "No such worker or company (another company's worker counts as none)",
    409: "Not allowed from the certificate's current state (named in the body), a duplicate, "
         "or changed by someone else at the same moment",
    422: "A document is missing, expired or unsigned (each named in errors)",
}

blp = ApiBlueprint("credit", __name__, url_prefix="/api/v1",
                   description="Workers, companies, the 安心服務證 certificate, credit levels and the 安心碼 scan",
                   problem_meanings=PROBLEM_MEANINGS)
pages = Blueprint("scan_pages", __name__, template_folder="templates")

QR_SCALE, QR_BORDER = 10, 4
# The scan page loads no script at all; images may come from this server or any https host.
PAGE_SECURITY_POLICY = "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'"




@pages.app_template_filter("beijing_time")
def beijing_time(moment: datetime) -> str:
    """Residents read times in Beijing time, not UTC."""
    return in_beijing(moment).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------- access


OWN_COMPANY_ONLY = "A company admin acts on its own company only."


def worker_for_caller(worker_id: int) -> Worker:
    """The worker, if the caller may act on it: operators on anyone, a company admin on its own
    company's workers. Anyone else's worker is a 404, so its existence is not revealed."""
    principal = current_principal()
    worker = db.session.get(Worker, worker_id)
    if worker is None or not (principal.has_role(OPERATOR)
                              or (principal.company_id is not None and worker.company_id == principal.company_id)):
        abort(404, description=f"No worker {worker_id}.")
    return worker


def company_for_caller(company_id: int) -> Company:
    """The company, if the caller may act on it: operators on any, a company admin on its own.
    Companies are public (the grade list), so another company's admin is refused with a 403."""
    principal = current_principal()
    company = db.session.get(Company, company_id)
    if company is None:
        abort(404, description=f"No company {company_id}.")
    if not (principal.has_role(OPERATOR) or principal.company_id == company_id):
        abort(403, description=OWN_COMPANY_ONLY)
    return company


def actor():
    return current_principal().user


# ---------------------------------------------------------------- companies

@blp.post("/companies")
@blp.requires(OPERATOR)
@blp.problems(409)
@blp.arguments(CompanyCreateSchema)
@blp.response(201, CompanySchema)
def create_company(data):
    """Register a 家政企业 (operators). Its grade follows from the ledger."""
    return services.company_view(services.create_company(data, actor()))


@blp.get("/companies")
@blp.arguments(CompanyListQuery, location="query", as_kwargs=True)
@blp.response(200, CompanyPageSchema)
def list_companies(page, per_page, grade=None, district=None):
    """The public grade list, best score first, filterable by grade and district."""
    items, total = services.list_companies(grade, district, page, per_page)
    return {"items": [services.company_view(c) for c in items], "total": total, "page": page, "per_page": per_page}


@blp.get("/companies/<id:company_id>")
@blp.response(200, CompanySchema)
def get_company(company_id):
    """One company and its grade (public)."""
    company = db.session.get(Company, company_id)
    if company is None:
        abort(404, description=f"No company {company_id}.")
    return services.company_view(company)


@blp.get("/companies/<id:company_id>/credit")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, ExplanationSchema)
def explain_company(company_id):
    """Why the company has its grade: score per dimension, the events that count, config version."""
    return services.explanation(company_for_caller(company_id))


@blp.post("/companies/<id:company_id>/credit-events")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.arguments(CreditEventCreateSchema)
@blp.response(201, CreditEventSchema)
def record_company_event(data, company_id):
    """Record a credit fact about a company (assessment, breach...); its grade follows at once."""
    company = company_for_caller(company_id)
    return services.event_view(services.record_credit_event(company, actor=actor(), **data))


# ---------------------------------------------------------------- workers

@blp.post("/workers")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(409)
@blp.arguments(WorkerCreateSchema)
@blp.response(201, WorkerSchema)
def create_worker(data):
    """A new certificate applicant. A company admin's applicants belong to its own company."""
    principal = current_principal()
    if not principal.has_role(OPERATOR):
        if data.get("company_id", principal.company_id) != principal.company_id:
            abort(403, description=OWN_COMPANY_ONLY)
        data["company_id"] = principal.company_id
    return services.worker_view(services.create_worker(data, actor()))


@blp.get("/workers")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.arguments(WorkerListQuery, location="query", as_kwargs=True)
@blp.response(200, WorkerPageSchema)
def list_workers(page, per_page, company_id=None, state=None):
    """Workers by id, filterable by company and certificate state; a company admin sees its own."""
    principal = current_principal()
    if not principal.has_role(OPERATOR):
        if company_id not in (None, principal.company_id):
            abort(403, description=OWN_COMPANY_ONLY)
        company_id = principal.company_id
    items, total = services.list_workers(company_id, state, page, per_page)
    return {"items": [services.worker_view(w) for w in items], "total": total, "page": page, "per_page": per_page}


@blp.get("/workers/<id:worker_id>")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, WorkerSchema)
def get_worker(worker_id):
    """A worker's file, ID number and phone masked."""
    return services.worker_view(worker_for_caller(worker_id))


@blp.patch("/workers/<id:worker_id>")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.arguments(WorkerUpdateSchema)
@blp.response(200, WorkerSchema)
def update_worker(changes, worker_id):
    """Edit phone, photo, service types, skills or experience; the ledger keeps what changed."""
    return services.worker_view(services.update_worker(worker_for_caller(worker_id), changes, actor()))


@blp.get("/workers/<id:worker_id>/history")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.response(200, HistorySchema)
def worker_history(worker_id):
    """Every transition and credit fact of a worker, oldest first: who, when, why, before/after."""
    events = services.ledger(worker_for_caller(worker_id))
    return {"items": [services.event_view(e) for e in events], "total": len(events)}


@blp.get("/workers/<id:worker_id>/credit")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, ExplanationSchema)
def explain_worker(worker_id):
    """Why the worker has its stars: score per dimension, the events that count, config version."""
    return services.explanation(worker_for_caller(worker_id))


@blp.post("/workers/<id:worker_id>/credit-events")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.arguments(CreditEventCreateSchema)
@blp.response(201, CreditEventSchema)
def record_worker_event(data, worker_id):
    """Record a credit fact about a worker (失信 breach, upheld complaint...); stars follow at once."""
    worker = worker_for_caller(worker_id)
    return services.event_view(services.record_credit_event(worker, actor=actor(), **data))


# ---------------------------------------------------------------- certificate lifecycle (operators)

def _locked(worker_id: int):
    return services.locked_certificate(worker_for_caller(worker_id))


def _lifecycle_view(certificate):
    return services.worker_view(certificate.worker)


@blp.post("/workers/<id:worker_id>/certificate/documents")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(DocumentsSchema)
@blp.response(200, WorkerSchema)
def check_documents(documents, worker_id):
    """applied → documents_checked: the 三证一书, all four complete and valid."""
    return _lifecycle_view(services.check_documents(_locked(worker_id), documents, actor()))


@blp.post("/workers/<id:worker_id>/certificate/training")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(TrainingSchema)
@blp.response(200, WorkerSchema)
def record_training(data, worker_id):
    """documents_checked → trained: pre-job training (岗前培训) attended."""
    return _lifecycle_view(services.record_training(_locked(worker_id), data["hours"], data["trained_on"], actor()))


@blp.post("/workers/<id:worker_id>/certificate/exam")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(ExamSchema)
@blp.response(200, WorkerSchema)
def record_exam(data, worker_id):
    """trained → exam_passed when passed; a failed exam is recorded and changes no state."""
    return _lifecycle_view(services.record_exam(_locked(worker_id), data["score"], data["passed"], actor()))


@blp.post("/workers/<id:worker_id>/certificate/identity")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(IdentitySchema)
@blp.response(200, WorkerSchema)
def verify_identity(data, worker_id):
    """exam_passed → identity_verified when 人证合一 matches; a mismatch is recorded."""
    return _lifecycle_view(services.verify_identity(_locked(worker_id), data["matched"], actor()))


@blp.post("/workers/<id:worker_id>/certificate/issue")
@blp.requires(OPERATOR)
@blp.problems(404, 409, 422)
@blp.response(200, WorkerSchema)
def issue_certificate(worker_id):
    """identity_verified → issued, with a certificate number and a 安心碼; every document must be valid."""
    return _lifecycle_view(services.issue(_locked(worker_id), actor()))


def _standing_route(action: str, summary: str, schema):
    @blp.requires(OPERATOR)
    @blp.doc(summary=summary)
    @blp.problems(404, 409)
    @blp.arguments(schema)
    @blp.response(200, WorkerSchema)
    def change(data, worker_id):
        certificate = _locked(worker_id)
        return _lifecycle_view(services.change_standing(certificate, action, actor(),
                                                        data.get("reason") or action))

    change.__name__ = action
    blp.route(f"/workers/<id:worker_id>/certificate/{action}", methods=["POST"])(change)


_standing_route("suspend", "issued → suspended (e.g. health certificate expired, complaint under review)", ReasonSchema)
_standing_route("reinstate", "suspended → issued", ReasonSchema)
_standing_route("revoke", "issued or suspended → revoked (e.g. 失信)", ReasonSchema)
_standing_route("expire", "issued → expired", OptionalReasonSchema)


@blp.post("/workers/<id:worker_id>/certificate/renew")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(RenewSchema)
@blp.response(200, WorkerSchema)
def renew_certificate(data, worker_id):
    """expired → issued, optionally with a new health certificate; every document must be valid."""
    certificate = _locked(worker_id)
    return _lifecycle_view(services.renew(certificate, data.get("health_certificate_valid_until"), actor(),
                                          data.get("reason")))


@blp.put("/workers/<id:worker_id>/certificate/health-certificate")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(HealthCertificateSchema)
@blp.response(200, WorkerSchema)
def update_health_certificate(data, worker_id):
    """Record a new health certificate's valid-until date (any state)."""
    return _lifecycle_view(services.update_health_certificate(_locked(worker_id), data["valid_until"], actor()))


@blp.post("/workers/<id:worker_id>/certificate/withdraw-authorisation")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(ReasonSchema)
@blp.response(200, WorkerSchema)
def withdraw_authorisation(data, worker_id):
    """The worker withdrew the 信用信息授权书: the scan stops showing the profile at once."""
    return _lifecycle_view(services.withdraw_authorisation(_locked(worker_id), actor(), data["reason"]))


@blp.post("/workers/<id:worker_id>/certificate/rotate-code")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(OptionalReasonSchema)
@blp.response(200, WorkerSchema)
def rotate_code(data, worker_id):
    """A new 安心碼 for a lost or copied card; the old code stops working at once."""
    return _lifecycle_view(services.rotate_scan_token(_locked(worker_id), actor(), data.get("reason")))


def _qr_for(worker_id: int) -> segno.QRCode:
    certificate = worker_for_caller(worker_id).certificate
    if certificate.scan_token is None:
        abort(404, description="This certificate has not been issued, so it has no 安心碼 yet.")
    return segno.make(services.scan_url(certificate), error="m")


def _image(qr: segno.QRCode, kind: str, mimetype: str):
    buffer = io.BytesIO()
    qr.save(buffer, kind=kind, scale=QR_SCALE, border=QR_BORDER)
    response = current_app.response_class(buffer.getvalue(), mimetype=mimetype)
    response.headers["Cache-Control"] = "private, no-store"  # the image is the token
    return response


@blp.get("/workers/<id:worker_id>/certificate/qr.png")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, description="The 安心碼 as a PNG, for printing on the card", content_type="image/png")
def qr_png(worker_id):
    """The 安心碼 QR code (PNG) encoding <PUBLIC_BASE_URL>/q/<token>."""
    return _image(_qr_for(worker_id), "png", "image/png")


@blp.get("/workers/<id:worker_id>/certificate/qr.svg")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, description="The 安心碼 as SVG, for printing on the card", content_type="image/svg+xml")
def qr_svg(worker_id):
    """The 安心碼 QR code (SVG) encoding <PUBLIC_BASE_URL>/q/<token>."""
    return _image(_qr_for(worker_id), "svg", "image/svg+xml")


# ---------------------------------------------------------------- the public scan

@blp.get("/scan/<string:token>")
@blp.response(200, ScanSchema)
@blp.problems(404, 429, meanings={404: "Not a valid 安心碼 (unknown, rotated, or not public)"})
def scan(token):
    """The public profile behind a 安心碼 (no login). Never an ID number, phone or address."""
    return scan_answer(token, "api")


def scan_answer(token: str, channel: str):
    """The JSON answer to a scan, through the API or a mini-program code."""
    outcome = scanning.serve(token, channel, request.user_agent.string, render=_scan_json)
    if outcome.retry_after:
        raise too_many_requests(outcome.retry_after, "scans")
    if outcome.answer is None:
        abort(404, description="This is not a valid 安心码.")
    return current_app.response_class(outcome.answer, mimetype="application/json",
                                      headers={"Cache-Control": "no-store"})


def _scan_json(profile: dict) -> str:
    return current_app.json.dumps(ScanSchema().dump(profile))


@pages.get("/q/<string:token>")
def scan_page(token):
    """What a phone's camera opens: the profile as plain HTML in Chinese, no script needed."""
    outcome = scanning.serve(token, "page", request.user_agent.string, render=_scan_html)
    if outcome.retry_after:
        return _page("credit/scan_refused.html", 429, {"Retry-After": str(outcome.retry_after)},
                     message="扫码过于频繁，请稍后再试。")
    if outcome.answer is None:
        return _page("credit/scan_refused.html", 404, {}, message="不是有效的安心码。")
    return _page_response(outcome.answer, 200, {})


def _scan_html(profile: dict) -> str:
    return render_template("credit/scan.html", profile=profile)


def _page(template: str, status: int, headers: dict, **context):
    return _page_response(render_template(template, **context), status, headers)


def _page_response(html: str, status: int, headers: dict):
    response = current_app.make_response((html, status, headers))
    response.headers["Content-Security-Policy"] = PAGE_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL is the token
    return response
