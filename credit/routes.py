"""Companies, workers and their certificates (operators and company admins), the public grade
list, and the public 安心碼 scan as JSON (the mobile page is credit.pages)."""

import io

import segno
from flask import current_app, request

from accounts import invites
from accounts.models import COMPANY_ADMIN, OPERATOR, WORKER
from accounts.schemas import InviteSchema
from app.access import current_principal, require_principal
from app.blueprint import ApiBlueprint
from app.clock import today_in_beijing
from app.errors import NotFound
from app.extensions import db
from app.i18n import _
from app.paging import PageQuery
from app.rate_limits import rate_limited
from app.replica import reads_may_lag
from app.storage import storage
from credit import (
    certificates,
    checks,
    documents,
    employment,
    expiry,
    ledger,
    objections,
    own_file,
    photos,
    registry,
    scanning,
    verification,
)
from credit.access import (
    DOCUMENT_READERS,
    company_for_caller,
    documents_worker_for_caller,
    own_company_unless_operator,
    worker_for_caller,
)
from credit.models import DOCUMENT_MEDIA_TYPES, FILE_CHANNEL, PAPER, Company, EmploymentOffer
from credit.schemas import (
    AccountInviteCreateSchema,
    CheckCreateSchema,
    CheckListSchema,
    CheckSchema,
    CompanyCreateSchema,
    CompanyListQuery,
    CompanyPageSchema,
    CompanySchema,
    CompanyUpdateSchema,
    CreditEventCreateSchema,
    CreditEventSchema,
    DocumentListQuery,
    DocumentListSchema,
    DocumentSchema,
    DocumentsSchema,
    DocumentUploadSchema,
    EmploymentOfferListQuery,
    EmploymentOfferPageSchema,
    EmploymentOfferSchema,
    EmploymentSchema,
    ExamSchema,
    ExpiringPageSchema,
    ExpiringQuery,
    ExplanationSchema,
    HealthCertificateSchema,
    HistorySchema,
    IdentitySchema,
    LookPageSchema,
    ObjectionCreateSchema,
    ObjectionListQuery,
    ObjectionPageSchema,
    ObjectionSchema,
    OptionalReasonSchema,
    OwnFileSchema,
    PhotoUploadSchema,
    ReasonSchema,
    RenewSchema,
    ScanSchema,
    TrainingSchema,
    VerificationRequestSchema,
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
    503: "File storage (or the database) is unavailable just now; nothing was stored",
}

blp = ApiBlueprint(
    "credit",
    __name__,
    url_prefix="/api/v1",
    description="Workers, companies, the 安心服務證 certificate, credit levels and the 安心碼 scan",
    problem_meanings=PROBLEM_MEANINGS,
)

QR_SCALE, QR_BORDER = 10, 4
NO_DOCUMENT = {
    404: "No such worker, or no such document of it (another company's worker counts as none; a purged "
    "document's file is document_purged)"
}


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
    return registry.create_company(data, actor())


@blp.get("/companies")
@reads_may_lag
@blp.arguments(CompanyListQuery, location="query", as_kwargs=True)
@blp.response(200, CompanyPageSchema)
def list_companies(page, per_page, grade=None, district=None, cursor=None):
    """The public grade list, best first (highest grade, then score), filterable by grade and district; a
    company on the 失信名单 or hidden by a 失信 measure is left out while the measure lasts. Page on
    by each page's `next` cursor (with the same filters); `page` reaches only the first 1,000."""
    return registry.list_companies(grade, district, page, per_page, cursor=cursor, public=True)


@blp.get("/companies/<id:company_id>")
@blp.response(200, CompanySchema)
def get_company(company_id):
    """One company and its grade (public; its contact in full for operators and its own admin)."""
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound(_("No company %(id)s.", id=company_id))
    return company


@blp.patch("/companies/<id:company_id>")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.arguments(CompanyUpdateSchema)
@blp.response(200, CompanySchema)
def update_company(changes, company_id):
    """Edit the contact, and mark whether its number is the business's, to be published (operators
    and the company's own admin)."""
    return registry.update_company(company_for_caller(company_id), changes, actor())


@blp.get("/companies/<id:company_id>/credit")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, ExplanationSchema)
def explain_company(company_id):
    """Why the company has its grade: score per dimension, the events that count, config version."""
    return ledger.explanation(company_for_caller(company_id))


@blp.post("/companies/<id:company_id>/credit-events")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.arguments(CreditEventCreateSchema)
@blp.response(201, CreditEventSchema)
def record_company_event(data, company_id):
    """Record a credit fact about a company (assessment, breach...); its grade follows at once."""
    return ledger.record_credit_event(company_for_caller(company_id), actor=actor(), **data)


# ---------------------------------------------------------------- workers


@blp.post("/workers")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(409)
@blp.arguments(WorkerCreateSchema)
@blp.response(201, WorkerSchema)
@blp.alt_response(
    202,
    schema=EmploymentOfferSchema,
    description="The worker is on file and works for no company: the company's offer, which the worker accepts",
)
def create_worker(data):
    """A new certificate applicant. A company admin's applicants belong to its own company. A worker
    on file already (the same ID number) is not registered twice: for a company, while they work
    for none, the answer is an offer of employment (202) that they accept through their account,
    keeping their record, certificate, 安心码 and ledger; otherwise a 409."""
    data["company_id"] = own_company_unless_operator(data)
    registered = registry.register_worker(data, actor())
    if isinstance(registered, EmploymentOffer):
        return current_app.response_class(
            current_app.json.dumps(EmploymentOfferSchema().dump(registered)), status=202, mimetype="application/json"
        )
    return registered


@blp.get("/workers")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.arguments(WorkerListQuery, location="query", as_kwargs=True)
@blp.response(200, WorkerPageSchema)
def list_workers(page, per_page, cursor=None, **filters):
    """Workers by id, filterable by company and certificate state; a company admin sees its own.
    Page on by each page's `next` cursor (with the same filters); `page` reaches only the first 1,000."""
    return registry.list_workers(
        own_company_unless_operator(filters), filters.get("state"), page, per_page, cursor=cursor
    )


@blp.get("/workers/<id:worker_id>")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, WorkerSchema)
def get_worker(worker_id):
    """A worker's file, ID number and phone masked. The worker sees that it was read (their list
    of who looked)."""
    worker = worker_for_caller(worker_id, shown=True)
    own_file.record_look(worker, FILE_CHANNEL, own_file.viewer_kind(current_principal()))
    return worker


@blp.patch("/workers/<id:worker_id>")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.arguments(WorkerUpdateSchema)
@blp.response(200, WorkerSchema)
def update_worker(changes, worker_id):
    """Edit phone, photo, service types, skills or experience; the ledger keeps what changed."""
    return registry.update_worker(worker_for_caller(worker_id, shown=True), changes, actor())


@blp.get("/workers/<id:worker_id>/history")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.response(200, HistorySchema)
def worker_history(worker_id):
    """Every transition and credit fact of a worker, oldest first: who, when, why, before/after."""
    events = ledger.events_of(worker_for_caller(worker_id))
    return {"items": events, "total": len(events)}


@blp.get("/workers/<id:worker_id>/credit")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, ExplanationSchema)
def explain_worker(worker_id):
    """Why the worker has its stars: score per dimension, the events that count, config version."""
    return ledger.explanation(worker_for_caller(worker_id))


@blp.post("/workers/<id:worker_id>/credit-events")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.arguments(CreditEventCreateSchema)
@blp.response(201, CreditEventSchema)
def record_worker_event(data, worker_id):
    """Record a credit fact about a worker (失信 breach, upheld complaint...); stars follow at once."""
    return ledger.record_credit_event(worker_for_caller(worker_id), actor=actor(), **data)


# ---------------------------------------------------------------- background check, insurance, real name


@blp.get("/workers/<id:worker_id>/checks")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, CheckListSchema)
def list_checks(worker_id):
    """Every background check, insurance policy and real-name check of the worker, newest first."""
    found = checks.checks_of(worker_for_caller(worker_id).id)
    return {"items": found, "total": len(found)}


@blp.post("/workers/<id:worker_id>/checks")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(CheckCreateSchema)
@blp.response(201, CheckSchema)
def record_check(fact, worker_id):
    """Record a check from a paper certificate or policy (source paper); the colour follows at once."""
    return checks.record_check(_locked(worker_id), {**fact, "source": PAPER}, actor())


@blp.post("/workers/<id:worker_id>/checks/verification")
@blp.requires(OPERATOR)
@blp.problems(
    404,
    409,
    503,
    meanings={503: "The verification service is not configured, did not answer in time or failed: nothing recorded"},
)
@blp.arguments(VerificationRequestSchema)
@blp.response(201, CheckSchema)
def verify_check(data, worker_id):
    """Ask the verification service (source service) and record its answer, negative or not."""
    worker = worker_for_caller(worker_id, shown=True)
    fact = verification.ask(data["kind"], worker.name, worker.id_number)
    return checks.record_check(certificates.locked_certificate(worker), fact, actor())


@blp.get("/expiring-items")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.arguments(ExpiringQuery, location="query", as_kwargs=True)
@blp.response(200, ExpiringPageSchema)
def list_expiring(page, per_page, **filters):
    """Health certificates, background checks and policies ending within `within_days` (Beijing's
    today included), soonest first; a company admin sees its own workers'."""
    within_days = filters.get("within_days", current_app.config["EXPIRY_REMINDER_DAYS"])
    company_id = own_company_unless_operator(filters)
    return expiry.list_expiring(today_in_beijing(), within_days, company_id, filters.get("item"), page, per_page)


# ---------------------------------------------------------------- certificate lifecycle (operators)


def _locked(worker_id: int):
    """The certificate of a worker the caller may act on, row-locked; the answer is the worker."""
    return certificates.locked_certificate(worker_for_caller(worker_id, shown=True))


@blp.post("/workers/<id:worker_id>/certificate/documents")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(DocumentsSchema)
@blp.response(200, WorkerSchema)
def check_documents(documents, worker_id):
    """applied → documents_checked: the 三证一书, all four complete and valid."""
    return certificates.check_documents(_locked(worker_id), documents, actor()).worker


@blp.post("/workers/<id:worker_id>/certificate/training")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(TrainingSchema)
@blp.response(200, WorkerSchema)
def record_training(data, worker_id):
    """documents_checked → trained: pre-job training (岗前培训) attended."""
    return certificates.record_training(_locked(worker_id), data["hours"], data["trained_on"], actor()).worker


@blp.post("/workers/<id:worker_id>/certificate/exam")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(ExamSchema)
@blp.response(200, WorkerSchema)
def record_exam(data, worker_id):
    """trained → exam_passed when passed; a failed exam is recorded and changes no state."""
    return certificates.record_exam(_locked(worker_id), data["score"], data["passed"], actor()).worker


@blp.post("/workers/<id:worker_id>/certificate/identity")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(IdentitySchema)
@blp.response(200, WorkerSchema)
def verify_identity(data, worker_id):
    """exam_passed → identity_verified when 人证合一 matches; a mismatch is recorded."""
    return certificates.verify_identity(_locked(worker_id), data["matched"], actor()).worker


@blp.post("/workers/<id:worker_id>/certificate/issue")
@blp.requires(OPERATOR)
@blp.problems(404, 409, 422)
@blp.response(200, WorkerSchema)
def issue_certificate(worker_id):
    """identity_verified → issued, with a certificate number and a 安心碼; every document must be valid."""
    return certificates.issue(_locked(worker_id), actor()).worker


def _standing_route(action: str, summary: str, schema):
    @blp.requires(OPERATOR)
    @blp.doc(summary=summary)
    @blp.problems(404, 409)
    @blp.arguments(schema)
    @blp.response(200, WorkerSchema)
    def change(data, worker_id):
        certificate = _locked(worker_id)
        return certificates.change_standing(certificate, action, actor(), data.get("reason") or action).worker

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
    return certificates.renew(
        certificate, data.get("health_certificate_valid_until"), actor(), data.get("reason")
    ).worker


@blp.put("/workers/<id:worker_id>/certificate/health-certificate")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(HealthCertificateSchema)
@blp.response(200, WorkerSchema)
def update_health_certificate(data, worker_id):
    """Record a new health certificate's valid-until date (any state)."""
    return certificates.update_health_certificate(_locked(worker_id), data["valid_until"], actor()).worker


@blp.post("/workers/<id:worker_id>/certificate/withdraw-authorisation")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(ReasonSchema)
@blp.response(200, WorkerSchema)
def withdraw_authorisation(data, worker_id):
    """The worker withdrew the 信用信息授权书: the scan stops showing the profile at once."""
    return certificates.withdraw_authorisation(_locked(worker_id), actor(), data["reason"]).worker


@blp.post("/workers/<id:worker_id>/certificate/rotate-code")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(OptionalReasonSchema)
@blp.response(200, WorkerSchema)
def rotate_code(data, worker_id):
    """A new 安心碼 for a lost or copied card; the old code stops working at once."""
    return certificates.rotate_scan_token(_locked(worker_id), actor(), data.get("reason")).worker


def _qr_for(worker_id: int) -> segno.QRCode:
    certificate = worker_for_caller(worker_id).certificate
    if certificate.scan_token is None:
        raise NotFound(_("This certificate has not been issued, so it has no 安心碼 yet."), code="not_issued")
    return segno.make(certificates.scan_url(certificate), error="m")


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


# ---------------------------------------------------------------- documents and photo


@blp.post("/workers/<id:worker_id>/documents")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404, 409, 413, 415, 503)
@blp.arguments(DocumentUploadSchema, location="multipart")
@blp.response(201, DocumentSchema)
def upload_document(data, worker_id):
    """Upload a new version of one of the worker's documents, pending review (operators, the
    worker's company admin). Earlier versions stay on file."""
    worker = worker_for_caller(worker_id)
    return documents.upload(worker, data["kind"], data["file"], data.get("valid_until"), actor())


@blp.get("/workers/<id:worker_id>/documents")
@blp.requires(*DOCUMENT_READERS)
@blp.problems(404)
@blp.arguments(DocumentListQuery, location="query", as_kwargs=True)
@blp.response(200, DocumentListSchema)
def list_documents(worker_id, kind=None):
    """Every version of the worker's documents on file, newest first; the look-up is recorded."""
    worker, role = documents_worker_for_caller(worker_id)
    documents.record_look_up(worker, actor(), role, "list")
    items = documents.documents_of(worker, kind)
    return {"items": items, "total": len(items)}


@blp.get("/workers/<id:worker_id>/documents/<id:document_id>/file")
@blp.requires(*DOCUMENT_READERS)
@blp.problems(404, 503, meanings=NO_DOCUMENT)
@blp.response(200, description="The document as uploaded", content_type=DOCUMENT_MEDIA_TYPES)
def document_file(worker_id, document_id):
    """The file of one document, as an attachment, never cached; the look-up is recorded."""
    worker, role = documents_worker_for_caller(worker_id)
    document = documents.document_of(worker, document_id)
    stored = documents.file_of(document)
    documents.record_look_up(worker, actor(), role, "document", document)
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.post("/workers/<id:worker_id>/documents/<id:document_id>/accept")
@blp.requires(OPERATOR)
@blp.problems(404, 409, meanings=NO_DOCUMENT)
@blp.response(200, DocumentSchema)
def accept_document(worker_id, document_id):
    """pending → accepted: the document proves its fact."""
    document = documents.document_of(worker_for_caller(worker_id), document_id, locked=True)
    return documents.review(document, "accept", actor())


@blp.post("/workers/<id:worker_id>/documents/<id:document_id>/refuse")
@blp.requires(OPERATOR)
@blp.problems(404, 409, meanings=NO_DOCUMENT)
@blp.arguments(ReasonSchema)
@blp.response(200, DocumentSchema)
def refuse_document(data, worker_id, document_id):
    """pending → refused, with the reason (unreadable, expired, another person's...)."""
    document = documents.document_of(worker_for_caller(worker_id), document_id, locked=True)
    return documents.review(document, "refuse", actor(), data["reason"])


@blp.put("/workers/<id:worker_id>/photo")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404, 413, 415, 503)
@blp.arguments(PhotoUploadSchema, location="multipart")
@blp.response(200, WorkerSchema)
def upload_photo(data, worker_id):
    """The worker's photo, shown on the scan from now on in place of the last one (operators,
    the worker's company admin)."""
    return photos.replace_photo(worker_for_caller(worker_id, shown=True), data["file"], actor())


@blp.get("/workers/<id:worker_id>/photo.jpg")
@blp.requires(*DOCUMENT_READERS)
@blp.problems(404, 503, meanings={404: "No such worker (another company's worker counts as none), or no photo"})
@blp.response(200, description="The worker's photo as kept and shown", content_type="image/jpeg")
def worker_photo(worker_id):
    """The photo as the scan shows it, also before the certificate is issued (to compare with the
    ID card, 人证合一); never cached; the look-up is recorded."""
    worker, role = documents_worker_for_caller(worker_id)
    photo = photos.photo_of(worker)
    documents.record_look_up(worker, actor(), role, "photo")
    response = current_app.response_class(photo, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the public scan


@blp.get("/scan/<string:token>")
@blp.response(200, ScanSchema)
@blp.problems(404, 429, meanings={404: "Not a valid 安心碼 (unknown, rotated, or not public)"})
def scan(token):
    """The public profile behind a 安心碼 (no login). Never an ID number, phone or address."""
    return scanning.scan_answer(token, "api")


# ---------------------------------------------------------------- the worker's account and employment


@blp.post("/workers/<id:worker_id>/account-invites")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404, 409)
@blp.arguments(AccountInviteCreateSchema)
@blp.response(201, InviteSchema)
def invite_worker(data, worker_id):
    """A one-time invite for the worker to bind their WeChat account to this file (role worker),
    redeemed with POST /api/v1/invites/redeem. A company admin's invite is good only while the
    worker still works for that company. The code is in this answer only."""
    worker = worker_for_caller(worker_id)
    lifetime = data.get("valid_for_hours", current_app.config["INVITE_LIFETIME_HOURS"])
    principal = require_principal()
    company_id = None if principal.has_role(OPERATOR) else principal.company_id
    return invites.create_invite(
        WORKER, actor(), lifetime, worker_id=worker.id, company_id=company_id, note=data.get("note")
    )


@blp.get("/workers/<id:worker_id>/employments")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, EmploymentSchema(many=True))
def worker_employments(worker_id):
    """The worker's companies, oldest first: from, until, who ended it."""
    return employment.employment_history(worker_for_caller(worker_id))


@blp.post("/workers/<id:worker_id>/employment/end")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404, 409)
@blp.arguments(OptionalReasonSchema)
@blp.response(200, EmploymentSchema)
def end_employment(data, worker_id):
    """The worker leaves the company now: its admin loses the file at once, and another company
    can register the worker (an offer they accept)."""
    role = OPERATOR if require_principal().has_role(OPERATOR) else COMPANY_ADMIN
    return employment.end_employment(worker_for_caller(worker_id), actor(), role, data.get("reason"))


@blp.get("/me/worker")
@blp.requires(WORKER)
@blp.problems(404)
@blp.response(200, OwnFileSchema)
def my_file():
    """My file as it stands, nothing masked: the certificate and its colour with the reasons, my
    stars explained, the expiry dates, my companies."""
    return own_file.own_file(own_file.own_worker())


@blp.get("/me/worker/history")
@blp.requires(WORKER)
@blp.problems(404)
@blp.response(200, HistorySchema)
def my_history():
    """Every event on my ledger, oldest first: what I can object to."""
    events = ledger.events_of(own_file.own_worker())
    return {"items": events, "total": len(events)}


@blp.get("/me/worker/looks")
@blp.requires(WORKER)
@blp.problems(404)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, LookPageSchema)
def who_looked(page, per_page):
    """Who looked at me, newest first: each scan of my 安心码 and each read of my file, my documents
    (材料) or my photo (照片), with when, how and what kind of caller (居民, 服务站, 企业, 运营, 未登录),
    never who. This read is logged too."""
    return own_file.looks_at(own_file.own_worker(), page, per_page)


@blp.post("/me/worker/employment/end")
@blp.requires(WORKER)
@blp.problems(404, 409)
@blp.arguments(OptionalReasonSchema)
@blp.response(200, EmploymentSchema)
def leave_company(data):
    """I leave my company now; my file, certificate, 安心码 and ledger stay mine."""
    return employment.end_employment(own_file.own_worker(), actor(), WORKER, data.get("reason"))


@blp.get("/me/worker/offers")
@blp.requires(WORKER)
@blp.problems(404)
@blp.arguments(EmploymentOfferListQuery, location="query", as_kwargs=True)
@blp.response(200, EmploymentOfferPageSchema)
def my_offers(page, per_page, status=None):
    """Companies that registered me, newest first."""
    return employment.offers_to(own_file.own_worker(), status, page, per_page)


def _offer_route(action: str, summary: str):
    @blp.requires(WORKER)
    @blp.doc(summary=summary)
    @blp.problems(404, 409)
    @blp.response(200, EmploymentOfferSchema)
    def decide(offer_id):
        offer = db.session.get(EmploymentOffer, offer_id)
        if offer is None or offer.worker_id != require_principal().worker_id:
            raise NotFound(_("No employment offer %(id)s.", id=offer_id), code="unknown_offer")
        return employment.decide_offer(offer, action, actor())

    decide.__name__ = f"{action}_offer"
    blp.route(f"/me/worker/offers/<id:offer_id>/{action}", methods=["POST"])(decide)


_offer_route("accept", "Work for this company from now (after leaving any other)")
_offer_route("decline", "Refuse this company's offer")


# ---------------------------------------------------------------- objections (异议)


@blp.post("/credit-events/<id:event_id>/objections")
@blp.requires(WORKER, COMPANY_ADMIN)
@blp.problems(404, 409, 413, 415, 503)
@blp.arguments(ObjectionCreateSchema, location="multipart")
@blp.response(201, ObjectionSchema)
def object_to_event(data, event_id):
    """Object to an event on my own ledger (a worker's) or my company's (its admin's), saying why,
    with an evidence file if I have one (multipart/form-data, with or without the file). One open
    objection per event; an operator upholds or rejects it."""
    principal = require_principal()
    event = objections.event_for_objector(event_id, principal)
    return objections.file_objection(event, principal, data["reason"], data.get("file"))


@blp.get("/objections")
@blp.requires(OPERATOR, WORKER, COMPANY_ADMIN)
@blp.arguments(ObjectionListQuery, location="query", as_kwargs=True)
@blp.response(200, ObjectionPageSchema)
def list_objections(page, per_page, **filters):
    """Objections, newest first, filterable by status: every one for operators, their own ledger's
    for a worker or a company admin."""
    return objections.list_objections(require_principal(), filters, page, per_page)


@blp.get("/objections/<id:objection_id>")
@blp.requires(OPERATOR, WORKER, COMPANY_ADMIN)
@blp.problems(404)
@blp.response(200, ObjectionSchema)
def get_objection(objection_id):
    """One objection and the event it is about."""
    return objections.objection_for_caller(objection_id, require_principal())


@blp.get("/objections/<id:objection_id>/evidence")
@blp.requires(OPERATOR, WORKER, COMPANY_ADMIN)
@blp.problems(404, 503, meanings={404: "No such objection of the caller's ledger, or it has no evidence"})
@blp.response(200, description="The evidence as uploaded", content_type=DOCUMENT_MEDIA_TYPES)
def objection_evidence(objection_id):
    """The evidence uploaded with the objection, as an attachment, never cached: for operators and
    the objector's side (the worker, or their company's admin). The look-up is recorded."""
    principal = require_principal()
    stored = objections.evidence_of(objections.objection_for_caller(objection_id, principal), principal)
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _decision_route(action: str, summary: str):
    @blp.requires(OPERATOR)
    @blp.doc(summary=summary)
    @blp.problems(404, 409)
    @blp.arguments(ReasonSchema)
    @blp.response(200, ObjectionSchema)
    def decide(data, objection_id):
        objection = objections.objection_for_caller(objection_id, require_principal())
        return objections.decide(objection, action, actor(), data["reason"])

    decide.__name__ = f"{action}_objection"
    blp.route(f"/objections/<id:objection_id>/{action}", methods=["POST"])(decide)


_decision_route("uphold", "open → upheld: the event is neutralised and the level moves at once")
_decision_route("reject", "open → rejected: the event stands")


@blp.get("/scan/<string:token>/photo.jpg")
@blp.response(200, description="The worker's photo behind a valid 安心码", content_type="image/jpeg")
@blp.alt_response(304, description="Unchanged since the copy named by If-None-Match")
@blp.problems(404, 429, 503, meanings={404: "Not a valid 安心碼 (unknown, rotated, or not public), or no photo"})
@rate_limited("SCAN_PHOTO_RATE_LIMIT", "photo requests")
def scan_photo(token):
    """The photo the scan shows (no login), for as long as the 安心碼 is valid: caches must ask
    again each time (no-cache), so a rotated or withdrawn code stops showing it at once."""
    etag = photos.etag_of(key := photos.photo_key_for_scan(token))
    if etag in request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(storage().get(key), mimetype="image/jpeg")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL holds the token
    return response
