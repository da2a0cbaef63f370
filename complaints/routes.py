"""Complaints due across every kind: a station's staff see their station's complaints past their
deadline (or near it); operators see every station's and those no station handles (door
entries). Each kind's own steps are its feature's routes (booking's, doorstep's)."""

from datetime import timedelta

from accounts.models import OPERATOR, STATION_STAFF
from app.access import require_principal
from app.blueprint import ApiBlueprint
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.i18n import _
from complaints.deadlines import due_complaints
from complaints.schemas import DueComplaintPageSchema, DueComplaintQuery
from stations.models import Station

PROBLEM_MEANINGS = {
    401: "Not logged in: send Authorization: Bearer <token>",
    403: "Not staff of this station, nor an operator",
    404: "No such station",
}

blp = ApiBlueprint(
    "complaints",
    __name__,
    url_prefix="/api/v1",
    description="Complaints of every kind past or near their deadline",
    problem_meanings=PROBLEM_MEANINGS,
)


@blp.get("/stations/<string(length=12):code>/complaints/due")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.arguments(DueComplaintQuery, location="query", as_kwargs=True)
@blp.response(200, DueComplaintPageSchema)
def station_complaints_due(code, within_hours, page, per_page):
    """The station's open complaints past the deadline they wait on (accepted by respond_by,
    decided by resolve_by), or due within `within_hours`, the most overdue first (its own staff)."""
    if db.session.get(Station, code) is None:
        raise NotFound(_("No station has code %(code)s.", code=code))
    principal = require_principal()
    if not principal.has_role(OPERATOR) and principal.station_code != code:
        raise Forbidden(_("Only staff of station %(code)s may do this.", code=code), code="not_station_staff")
    return due_complaints(code, timedelta(hours=within_hours), page, per_page)


@blp.get("/complaints/due")
@blp.requires(OPERATOR)
@blp.arguments(DueComplaintQuery, location="query", as_kwargs=True)
@blp.response(200, DueComplaintPageSchema)
def complaints_due(within_hours, page, per_page):
    """Every open complaint past its deadline, or due within `within_hours`, of every station
    and of every kind, door entries' too (which only operators handle), the most overdue first."""
    return due_complaints(None, timedelta(hours=within_hours), page, per_page)
