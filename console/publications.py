"""信用公示 for operators: the published grade lists and 示范 selections (GET /api/v1/publications)
with each one's public printable page and CSV; publishing a dated grade list (POST
.../grade-lists); the 示范 candidates, each company's row of criteria met or not (GET
.../candidates), with the companies chosen among them published as a selection (POST
.../selections). Every list and action is publication's own service, as its API's routes call it."""

from flask import Blueprint, redirect, request, url_for

from accounts.models import OPERATOR
from app.clock import today_in_beijing
from console.web import attempt, form_input, menu_entry, page, principal, query_input, render
from credit.models import COMPANY_GRADES
from publication import demonstration, publishing
from publication.models import KIND_NAMES
from publication.schemas import (
    CandidateQuery,
    DemonstrationCandidateSchema,
    GradeListCreateSchema,
    PublicationListQuery,
    PublicationSchema,
    SelectionCreateSchema,
)

publications = Blueprint("publications", __name__, url_prefix="/publications")

menu_entry(OPERATOR, "console.publications.publication_list", "信用公示")


@publications.get("")
@page(OPERATOR)
def publication_list(outcome=None, status=200):
    """Every published list, latest first (filterable by kind), and the form publishing a grade list."""
    query = query_input(PublicationListQuery())
    listing = publishing.list_publications(query.get("kind"), query["page"], query["per_page"])
    return render(
        "publications.html",
        status,
        publications=PublicationSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        kinds=KIND_NAMES,
        grades=COMPANY_GRADES,
        this_year=today_in_beijing().year,
        published=request.args.get("published", type=int),
        outcome=outcome,
        form=request.form,
    )


def _published(publication):
    return redirect(url_for("console.publications.publication_list", published=publication.id), 303)


@publications.post("/grade-lists")
@page(OPERATOR)
def publish_grade_list():
    """The companies' grades as they stand now, frozen under the next number of the year."""
    outcome = attempt(lambda: publishing.publish_grade_list(form_input(GradeListCreateSchema()), principal().user))
    if outcome.problem is None:
        return _published(outcome.result)
    return publication_list.__wrapped__(outcome=outcome, status=outcome.status)


@publications.get("/candidates")
@page(OPERATOR)
def candidates(outcome=None, status=200):
    """The companies that may be recommended, best first, each with the 示范 criteria
    (publication/demonstration.toml) it meets or not; the eligible only when asked."""
    query = query_input(CandidateQuery())
    listing = demonstration.list_candidates(query["page"], query["per_page"], eligible_only=query["eligible"])
    return render(
        "candidates.html",
        status,
        candidates=DemonstrationCandidateSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        criteria=demonstration.current_criteria(),
        criterion_names=demonstration.CRITERION_NAMES,
        this_year=today_in_beijing().year,
        chosen=set(request.form.getlist("company_ids")),
        outcome=outcome,
        form=request.form,
    )


@publications.post("/selections")
@page(OPERATOR)
def publish_selection():
    """The companies ticked among the candidates, published as a 示范 selection."""
    outcome = attempt(lambda: publishing.publish_selection(form_input(SelectionCreateSchema()), principal().user))
    if outcome.problem is None:
        return _published(outcome.result)
    return candidates.__wrapped__(outcome=outcome, status=outcome.status)
