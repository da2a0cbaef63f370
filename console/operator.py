"""Operators' pages: the dashboard (charts and the stations' map), staff invites and the roles
held, and the subscribe messages' outcomes. The review queue and the workers are console/workers.py."""

from pathlib import Path

from flask import Blueprint, current_app, request, send_file

from accounts import invites, services
from accounts.models import OPERATOR, RoleGrant
from accounts.schemas import GrantListQuery, GrantSchema, InviteCreateSchema, InviteListQuery, InviteSchema
from app.errors import NotFound
from app.extensions import db
from app.geography import DISTRICTS
from app.i18n import _
from console.web import attempt, form_input, menu_entry, page, principal, query_input, render
from industry_statistics.bookings import booking_figures
from industry_statistics.certificates import certificate_figures
from industry_statistics.companies import company_figures
from industry_statistics.complaints import complaint_figures
from industry_statistics.periods import Period
from industry_statistics.schemas import (
    BookingFiguresSchema,
    CertificateFiguresSchema,
    CompanyFiguresSchema,
    ComplaintFiguresSchema,
    PeriodDistrictQuery,
    TrainingFiguresSchema,
    WorkerFiguresSchema,
)
from industry_statistics.training_attendance import training_figures
from industry_statistics.workers import worker_figures
from stations.services import located_stations
from wechat import messages
from wechat.schemas import MessageQuery, MessageSchema

operator = Blueprint("operator", __name__, url_prefix="")

menu_entry(OPERATOR, "console.operator.dashboard", "数据总览")
menu_entry(OPERATOR, "console.operator.staff", "邀请")
menu_entry(OPERATOR, "console.operator.roles", "角色")
menu_entry(OPERATOR, "console.operator.message_outcomes", "订阅消息")


@operator.get("/dashboard")
@page(OPERATOR)
def dashboard():
    """The 行业报告 figures as GET /api/v1/statistics/... answers them (the same functions, the same
    period and district query with the same defaults and refusals), drawn as charts, and the
    stations on the districts' map. A refused period is shown beside its field, with no chart."""
    outcome = attempt(lambda: query_input(PeriodDistrictQuery()))
    query = outcome.result or {}
    return render(
        "dashboard.html",
        outcome.status,
        outcome=outcome,
        query=query,
        districts=DISTRICTS,
        figures=dashboard_figures(query["period"], query.get("district")) if outcome.problem is None else None,
    )


def dashboard_figures(period: Period, district: str | None) -> dict:
    """Every chart of the dashboard, each serialised by the statistics API's own schema; and the
    located stations (of the district), each marker coloured in the page by a booking figure."""
    return {
        "certificates": CertificateFiguresSchema().dump(certificate_figures(period, district)),
        "workers": WorkerFiguresSchema().dump(worker_figures(district)),
        "companies": CompanyFiguresSchema().dump(company_figures(district)),
        "bookings": BookingFiguresSchema().dump(booking_figures(period, district, None)),
        "complaints": ComplaintFiguresSchema().dump(complaint_figures(period, district)),
        "training": TrainingFiguresSchema().dump(training_figures(period)),
        "stations": [
            {"code": station.code, "name": station.name, "value": [station.lng, station.lat]}
            for station in located_stations(district)
        ],
    }


@operator.get("/districts.geojson")
@page(OPERATOR)
def district_outlines():
    """The map's outlines, the boundary data the service area is drawn from (no tile server)."""
    return send_file(Path(current_app.root_path) / "data" / "gz_districts.geojson", mimetype="application/geo+json")


@operator.get("/staff")
@page(OPERATOR)
def staff(outcome=None, status=200, created=None):
    query = query_input(InviteListQuery())
    listing = invites.list_invites(query.get("state"), query["page"], query["per_page"])
    return render(
        "staff.html",
        status,
        invites=InviteSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        outcome=outcome,
        created=created,
        form=request.form,
    )


@operator.get("/roles")
@page(OPERATOR)
def roles(outcome=None, status=200):
    """The roles held now, by role, station or company (GET /api/v1/role-grants)."""
    query = query_input(GrantListQuery())
    listing = services.list_grants(
        query.get("user_id"),
        query.get("role"),
        query.get("station_code"),
        query.get("company_id"),
        query["page"],
        query["per_page"],
    )
    return render(
        "roles.html",
        status,
        grants=GrantSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        outcome=outcome,
    )


@operator.post("/invites")
@page(OPERATOR)
def create_invite():
    """POST /api/v1/invites: the code is shown on this answer only."""

    def create():
        data = form_input(InviteCreateSchema())
        lifetime = data.pop("valid_for_hours", current_app.config["INVITE_LIFETIME_HOURS"])
        return invites.create_invite(data.pop("role"), principal().user, lifetime, **data)

    outcome = attempt(create)
    if outcome.problem is not None:
        return staff.__wrapped__(outcome=outcome, status=outcome.status)
    return staff.__wrapped__(created=InviteSchema().dump(outcome.result))


@operator.post("/role-grants/<id:grant_id>/remove")
@page(OPERATOR)
def remove_grant(grant_id):
    def remove():
        grant = db.session.get(RoleGrant, grant_id)
        if grant is None:
            raise NotFound(_("No role grant %(id)s.", id=grant_id), code="unknown_grant")
        return services.remove_grant(grant, principal().user, request.form.get("reason") or None)

    outcome = attempt(remove)
    return roles.__wrapped__(outcome=outcome, status=outcome.status)


@operator.get("/messages")
@page(OPERATOR)
def message_outcomes():
    query = query_input(MessageQuery())
    listing = messages.list_messages(
        query.get("status"), query.get("kind"), query.get("user_id"), query["page"], query["per_page"]
    )
    return render("messages.html", messages=MessageSchema(many=True).dump(listing.items), listing=listing, query=query)
