"""How soon a complaint must be answered for its severity (COMPLAINT_DEADLINE_HOURS), and the
complaints of every kind that are past their deadline or near it, soonest first."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, literal, select, union_all

from app.clock import utcnow
from app.extensions import db
from app.paging import Page, written
from complaints.kinds import Complaint, complaint_kinds
from complaints.models import ACCEPTED, SUBMITTED


def set_deadlines(complaint: Complaint) -> None:
    """respond_by and resolve_by from the filing time and the severity; an invalid complaint has
    none (nothing more is owed on it)."""
    hours = current_app.config["COMPLAINT_DEADLINE_HOURS"].get(complaint.severity)
    if hours is None:
        complaint.respond_by = complaint.resolve_by = None
        return
    respond, resolve = hours
    complaint.respond_by = complaint.submitted_at + timedelta(hours=respond)
    complaint.resolve_by = complaint.submitted_at + timedelta(hours=resolve)


def due_at(complaint: Complaint) -> datetime | None:
    """The deadline the complaint is waiting on now: its response while submitted, its decision
    while accepted, none after."""
    return {SUBMITTED: complaint.respond_by, ACCEPTED: complaint.resolve_by}.get(complaint.status)


# The open statuses written into the SQL, not bound: the open complaints' partial indexes (by
# status and deadlines, by station, status and deadlines) serve only a plan that knows the
# statuses, and a statement prepared after a few runs may be planned for any value of its
# parameters. Each status is read apart with the deadline it waits on (a submitted complaint its
# response, an accepted one its decision), so that the deadline is a condition on a column of
# those indexes: as one CASE of both, it was computed for every open complaint of the city (213
# read from the heap at scale 1 to find the 10 overdue).
WAITS_ON = {SUBMITTED: "respond_by", ACCEPTED: "resolve_by"}


def due_complaints(station_code: str | None, within: timedelta, page: int, per_page: int) -> Page:
    """Open complaints of every kind whose current deadline is past or within `within`, the most
    overdue first: one station's (its staff), or every station's and those no station handles
    (operators, station_code None). Only the handling facts are read, never the texts."""
    now = utcnow()
    parts = []
    for kind in complaint_kinds():
        model = kind.model
        station = kind.station_code()
        for status, deadline in WAITS_ON.items():
            due = getattr(model, deadline)
            query = select(
                literal(kind.name).label("kind"),
                model.id.label("id"),
                model.type.label("type"),
                model.severity.label("severity"),
                model.status.label("status"),
                model.submitted_at.label("submitted_at"),
                model.respond_by.label("respond_by"),
                model.resolve_by.label("resolve_by"),
                due.label("due_at"),
                station.label("station_code"),
            ).where(model.status == written(status), due < now + within)
            if station_code is not None:
                query = query.where(station == station_code)
            parts.append(query)
    if not parts:
        return Page([], 0, page, per_page)
    rows = union_all(*parts).subquery()
    total = db.session.scalar(select(func.count()).select_from(rows)) or 0
    ordered = select(rows).order_by(rows.c.due_at, rows.c.kind, rows.c.id).offset((page - 1) * per_page).limit(per_page)
    items = [DueComplaint(**row._mapping, overdue=row.due_at < now) for row in db.session.execute(ordered)]
    return Page(items, total, page, per_page)


@dataclass(frozen=True)
class DueComplaint:
    kind: str
    id: int
    type: str
    severity: str
    status: str
    submitted_at: datetime
    respond_by: datetime
    resolve_by: datetime
    due_at: datetime
    station_code: str | None
    overdue: bool
