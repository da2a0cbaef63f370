"""Publication's API: the published lists (public: every list, one list's rows paged, its CSV),
publishing a grade list or a 示范 selection and the candidates for one (operators), and the
workers residents choose from (anyone logged in: see choose_workers)."""

from flask import current_app
from sqlalchemy import select

from accounts.models import OPERATOR
from app.access import require_principal
from app.blueprint import ApiBlueprint
from app.paging import PageQuery, paginate
from app.storage import storage
from publication import choosing, demonstration, export, publishing
from publication.access import existing_publication
from publication.models import PublicationEntry
from publication.schemas import (
    CandidatePageSchema,
    CandidateQuery,
    ChoosableWorkerPageSchema,
    ChoosableWorkerQuery,
    EntryPageSchema,
    GradeListCreateSchema,
    PublicationListQuery,
    PublicationPageSchema,
    PublicationSchema,
    SelectionCreateSchema,
)

blp = ApiBlueprint(
    "publication",
    __name__,
    url_prefix="/api/v1",
    description="Published lists: dated grade lists and 示范 selections; choosing a worker",
    problem_meanings={
        404: "No such published list, or no photo of a worker residents may choose",
        409: "Nothing to publish, or another list took this number at the same moment (try again)",
        422: "An unknown company, station or service, or a station that does not offer the service",
    },
)


@blp.get("/publications")
@blp.arguments(PublicationListQuery, location="query")
@blp.response(200, PublicationPageSchema)
def list_publications(query):
    """Every published list, latest first (public)."""
    return publishing.list_publications(query.get("kind"), query["page"], query["per_page"])


@blp.post("/publications/grade-lists")
@blp.requires(OPERATOR)
@blp.problems(409)
@blp.arguments(GradeListCreateSchema)
@blp.response(201, PublicationSchema)
def publish_grade_list(data):
    """Publish the companies' grades as they stand now, numbered (operators). The list never
    changes afterwards; a later one is a new list."""
    return publishing.publish_grade_list(data, require_principal().user)


@blp.get("/publications/candidates")
@blp.requires(OPERATOR)
@blp.arguments(CandidateQuery, location="query")
@blp.response(200, CandidatePageSchema)
def list_candidates(query):
    """Every company that may be recommended, best first, with each 示范 criterion
    (publication/demonstration.toml) it meets or not (operators)."""
    return demonstration.list_candidates(query["page"], query["per_page"], eligible_only=query["eligible"])


@blp.post("/publications/selections")
@blp.requires(OPERATOR)
@blp.problems(409)
@blp.arguments(SelectionCreateSchema)
@blp.response(201, PublicationSchema)
def publish_selection(data):
    """Publish the companies chosen as 示范 (operators), frozen like a grade list."""
    return publishing.publish_selection(data, require_principal().user)


@blp.get("/publications/<id:publication_id>")
@blp.problems(404)
@blp.response(200, PublicationSchema)
def get_publication(publication_id):
    """One published list (public); its rows are .../entries, .../entries.csv and the printable
    page /publications/{id}/print."""
    return existing_publication(publication_id)


@blp.get("/publications/<id:publication_id>/entries")
@blp.problems(404)
@blp.arguments(PageQuery, location="query")
@blp.response(200, EntryPageSchema)
def list_entries(query, publication_id):
    """The list's rows in its order, as they were when it was published (public)."""
    publication = existing_publication(publication_id)
    statement = (
        select(PublicationEntry)
        .where(PublicationEntry.publication_id == publication.id)
        .order_by(PublicationEntry.position)
    )
    return paginate(statement, query["page"], query["per_page"])


@blp.get("/publications/<id:publication_id>/entries.csv")
@blp.problems(404)
@blp.response(200, description="The list as CSV: UTF-8 with a byte-order mark", content_type="text/csv")
def download_entries(publication_id):
    """The list as a spreadsheet file (public): 序号, 企业名称, 统一社会信用代码, 信用等级, 信用分, 所在区."""
    publication = existing_publication(publication_id)
    response = current_app.response_class(export.entries_csv(publication), mimetype="text/csv")
    response.headers["Content-Disposition"] = export.content_disposition(publication)
    return response


@blp.get("/choosable-workers")
@blp.requires()
@blp.arguments(ChoosableWorkerQuery, location="query")
@blp.response(200, ChoosableWorkerPageSchema)
def choose_workers(query):
    """The certified workers of a station (whom it could assign) or of a company who offer the
    service: green only, masked, best first; `id` is what POST /bookings takes as
    preferred_worker_id. For anyone logged in, not the public: it lists faces, and whoever books
    logs in anyway."""
    return choosing.list_workers(query)


@blp.get("/choosable-workers/<id:worker_id>/photo.jpg")
@blp.requires()
@blp.problems(404, 503)
@blp.response(200, description="The photo of a worker residents may choose", content_type="image/jpeg")
def choosable_worker_photo(worker_id):
    """The uploaded photo of a worker the list shows; never cached, so a worker who stops being
    listed stops being shown."""
    response = current_app.response_class(storage().get(choosing.listed_photo_key(worker_id)), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response
