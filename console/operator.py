"""Operators' pages: the dashboard (charts and the stations' map), staff invites and the roles
held, and the subscribe messages' outcomes. The review queue and the workers are console/workers.py."""

from pathlib import Path

from flask import Blueprint, current_app, request, send_file
from sqlalchemy import func, select

from accounts import invites, services
from accounts.models import OPERATOR, RoleGrant
from accounts.schemas import GrantListQuery, GrantSchema, InviteCreateSchema, InviteListQuery, InviteSchema
from app.errors import NotFound
from app.extensions import db
from app.geography import DISTRICTS
from app.i18n import _
from booking.models import Booking, Complaint
from console.web import attempt, form_input, menu_entry, page, principal, query_input, render
from credit.models import Certificate, Company, Worker
from stations.models import Station
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
    return render("dashboard.html", figures=dashboard_figures())


def _counted(query) -> dict:
    return {str(key): count for key, count in db.session.execute(query) if key is not None}


def dashboard_figures() -> dict:
    """What the charts draw: one grouped count each, read in the page's own request."""
    issued_month = func.substr(func.cast(Certificate.issued_at, db.String), 1, 7)
    bookings_by_district = _counted(
        select(Station.district_code, func.count(Booking.id))
        .join(Station, Station.code == Booking.station_code)
        .group_by(Station.district_code)
    )
    complaints_by_district = _counted(
        select(Station.district_code, func.count(Complaint.id))
        .join(Booking, Booking.id == Complaint.booking_id)
        .join(Station, Station.code == Booking.station_code)
        .group_by(Station.district_code)
    )
    districts = sorted(DISTRICTS)
    return {
        "districts": [DISTRICTS[code] for code in districts],
        "certificates_by_month": _counted(
            select(issued_month, func.count()).where(Certificate.issued_at.is_not(None)).group_by(issued_month)
        ),
        "certificates_by_district": [
            _counted(
                select(Company.district_code, func.count(Certificate.id))
                .join(Worker, Worker.id == Certificate.worker_id)
                .join(Company, Company.id == Worker.company_id)
                .where(Certificate.issued_at.is_not(None))
                .group_by(Company.district_code)
            ).get(code, 0)
            for code in districts
        ],
        "stars": _counted(select(Worker.stars, func.count()).group_by(Worker.stars)),
        "grades": _counted(select(Company.grade, func.count()).group_by(Company.grade)),
        "bookings_by_district": [bookings_by_district.get(code, 0) for code in districts],
        "complaint_rate_by_district": [
            round(100 * complaints_by_district.get(code, 0) / bookings_by_district[code], 1)
            if bookings_by_district.get(code)
            else 0
            for code in districts
        ],
        "stations": [
            {"name": name, "value": [lng, lat]}
            for name, lat, lng in db.session.execute(
                select(Station.name, Station.lat, Station.lng).where(Station.location.is_not(None))
            )
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
