"""Sanctions' API: 失信 cases (operators open, add evidence and decide; the party states their
case), credit repair (the listed party applies; operators decide), and the 失信名单: its public
look-up and list (no login, rate limited), and a company admin's check of a worker before hiring."""

from flask import current_app

from accounts.models import COMPANY_ADMIN, OPERATOR, WORKER
from app.access import require_principal
from app.blueprint import ApiBlueprint
from app.rate_limits import rate_limited
from credit.models import DOCUMENT_MEDIA_TYPES
from sanctions import cases, lookups, repairs
from sanctions.access import (
    case_for_party,
    case_for_reader,
    evidence_for_reader,
    listing_for_party,
    locked_case,
    locked_repair,
    repair_for_reader,
)
from sanctions.evidence import read_evidence
from sanctions.schemas import (
    CaseCreateSchema,
    CaseDetailSchema,
    CaseListQuery,
    CasePageSchema,
    CaseSchema,
    DecisionSchema,
    EvidenceSchema,
    EvidenceUploadSchema,
    LookUpQuery,
    PublicListingPageSchema,
    PublicListingQuery,
    RepairCreateSchema,
    RepairDecisionSchema,
    RepairListQuery,
    RepairPageSchema,
    RepairSchema,
    StandingSchema,
    StatementSchema,
    WorkerCheckAnswerSchema,
    WorkerCheckSchema,
)

blp = ApiBlueprint(
    "sanctions",
    __name__,
    url_prefix="/api/v1/sanctions",
    description="失信惩戒: cases, the 失信名单 and credit repair",
    problem_meanings={
        403: "The caller's role may not do this, or the operator who opened the case would decide it",
        404: "No such case, listing, repair application or evidence of the caller's (or a number not on file)",
        409: "Not allowed from the case's, listing's or repair's status, outside the statement period, before "
        "repair may be applied for, or with a repair pending",
        503: "File storage (or the database) is unavailable just now; nothing was stored",
    },
)
PARTIES = (WORKER, COMPANY_ADMIN)


def _actor():
    return require_principal().user


# ---------------------------------------------------------------- cases


@blp.post("/cases")
@blp.requires(OPERATOR)
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseSchema)
def open_case(data):
    """Open a 失信 case against a worker or a company (operators); the party is told and may state
    their case for SANCTIONS_STATEMENT_DAYS."""
    return cases.open_case(data, _actor())


@blp.get("/cases")
@blp.requires(OPERATOR, *PARTIES)
@blp.arguments(CaseListQuery, location="query", as_kwargs=True)
@blp.response(200, CasePageSchema)
def list_cases(page, per_page, **filters):
    """Cases, newest first: all of them for operators, the caller's own for a worker or a company admin."""
    return cases.list_cases(require_principal(), filters, page, per_page)


@blp.get("/cases/<id:case_id>")
@blp.requires(OPERATOR, *PARTIES)
@blp.problems(404)
@blp.response(200, CaseDetailSchema)
def get_case(case_id):
    """One case with its evidence and every step (the audit)."""
    return case_for_reader(case_id)


@blp.post("/cases/<id:case_id>/evidence")
@blp.requires(OPERATOR)
@blp.problems(404, 409, 413, 415, 503)
@blp.arguments(EvidenceUploadSchema, location="multipart")
@blp.response(201, EvidenceSchema)
def add_evidence(data, case_id):
    """Add a file of evidence to an open case (operators)."""
    return cases.add_evidence(locked_case(case_id), data["file"], _actor())


@blp.post("/cases/<id:case_id>/statement")
@blp.requires(*PARTIES)
@blp.problems(404, 409, 413, 415, 503)
@blp.arguments(StatementSchema, location="multipart")
@blp.response(200, CaseSchema)
def state_case(data, case_id):
    """陈述申辩: the party (the worker, or the company's admin) states their case once, by
    statement_due_on, as multipart/form-data with a file if they have one."""
    return cases.state_case(case_for_party(case_id), _actor(), data["statement"], data.get("file"))


@blp.post("/cases/<id:case_id>/decision")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(DecisionSchema)
@blp.response(200, CaseSchema)
def decide_case(data, case_id):
    """Decide a case (an operator other than the one who opened it): uphold, reduce or dismiss,
    with a reason; not before statement_due_on has passed unless the party has stated their case.
    Upheld or reduced, the measure takes effect at once."""
    return cases.decide(locked_case(case_id), data, _actor())


@blp.get("/evidence/<id:evidence_id>")
@blp.requires(OPERATOR, *PARTIES)
@blp.problems(404, 503)
@blp.response(200, description="The evidence as uploaded", content_type=DOCUMENT_MEDIA_TYPES)
def evidence_file(evidence_id):
    """One file of a case's evidence, as an attachment never cached: operators and the party. The
    read is logged."""
    evidence, role, case = evidence_for_reader(evidence_id)
    stored = read_evidence(evidence, require_principal(), role, case.worker_id)
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- credit repair (信用修复)


@blp.post("/listings/<id:listing_id>/repairs")
@blp.requires(*PARTIES)
@blp.problems(404, 409, 413, 415, 503)
@blp.arguments(RepairCreateSchema, location="multipart")
@blp.response(201, RepairSchema)
def apply_for_repair(data, listing_id):
    """Apply for credit repair of my listing, SANCTIONS_REPAIR_MIN_DAYS after it began, saying what
    was corrected, with evidence if I have it (multipart/form-data)."""
    return repairs.apply_for_repair(
        listing_for_party(listing_id), require_principal(), data["correction"], data.get("file")
    )


@blp.get("/repairs")
@blp.requires(OPERATOR, *PARTIES)
@blp.arguments(RepairListQuery, location="query", as_kwargs=True)
@blp.response(200, RepairPageSchema)
def list_repairs(page, per_page, **filters):
    return repairs.list_repairs(require_principal(), filters, page, per_page)


@blp.get("/repairs/<id:repair_id>")
@blp.requires(OPERATOR, *PARTIES)
@blp.problems(404)
@blp.response(200, RepairSchema)
def get_repair(repair_id):
    return repair_for_reader(repair_id)


def _repair_decision_route(action: str, summary: str):
    @blp.requires(OPERATOR)
    @blp.doc(summary=summary)
    @blp.problems(404, 409)
    @blp.arguments(RepairDecisionSchema)
    @blp.response(200, RepairSchema)
    def decide(data, repair_id):
        return repairs.decide(locked_repair(repair_id), action, _actor(), data["reason"])

    decide.__name__ = f"{action}_repair"
    blp.route(f"/repairs/<id:repair_id>/{action}", methods=["POST"])(decide)


_repair_decision_route("approve", "pending → approved: the listing ends today and the breach no longer counts")
_repair_decision_route("refuse", "pending → refused: the listing runs on")


# ---------------------------------------------------------------- the 失信名单


@blp.get("/look-up")
@blp.arguments(LookUpQuery, location="query", as_kwargs=True)
@blp.response(200, StandingSchema)
@blp.problems(404, 429)
@rate_limited("SANCTIONS_LOOKUP_RATE_LIMIT", "look-ups")
def look_up(certificate_number=None, credit_code=None):
    """Is this certificate number or 统一社会信用代码 on the 失信名单 today: since when, until when,
    for what category of conduct (no login; a worker's name masked, nothing else personal)."""
    return lookups.look_up(certificate_number, credit_code)


@blp.get("/listings")
@blp.arguments(PublicListingQuery, location="query", as_kwargs=True)
@blp.response(200, PublicListingPageSchema)
@blp.problems(429)
@rate_limited("SANCTIONS_LOOKUP_RATE_LIMIT", "look-ups")
def list_current_listings(page, per_page, party=None, cursor=None):
    """The 失信名单 as it stands today, newest first (no login); page on by each page's `next`."""
    return lookups.current_listings(party, page, per_page, cursor)


@blp.post("/worker-checks")
@blp.requires(COMPANY_ADMIN, OPERATOR)
@blp.arguments(WorkerCheckSchema)
@blp.response(200, WorkerCheckAnswerSchema)
def check_worker(data):
    """Before hiring: is the worker with this ID number on the 失信名单 (company admins and
    operators; every check is logged: who, when, which worker, what it answered)."""
    return lookups.check_worker(data["id_number"], require_principal())
