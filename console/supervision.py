"""Operators' 投诉督办: the complaints of every station past their deadline or near it (GET
/api/v1/complaints/due), and the door complaints no station handles, triaged and decided here
as /api/v1/door-complaints/{id}/{step} does (the same look-up, the same handling)."""

from datetime import timedelta
from typing import Any

from flask import Blueprint, redirect, url_for

from accounts.models import OPERATOR
from complaints.deadlines import due_complaints
from complaints.schemas import DueComplaintQuery, DueComplaintSchema
from console.station import COMPLAINT_PAGE, COMPLAINT_STEPS, complaint_row, handle_complaint
from console.web import attempt, is_htmx, menu_entry, page, query_input, render
from doorstep import entries
from doorstep.schemas import DoorComplaintListQuery, DoorComplaintSchema

supervision = Blueprint("supervision", __name__, url_prefix="")

menu_entry(OPERATOR, "console.supervision.complaints_due", "投诉督办")

DOOR_PAGE: dict[str, Any] = COMPLAINT_PAGE | {"step_base": "/console/door-complaints/"}


@supervision.get("/complaints-due")
@page(OPERATOR)
def complaints_due():
    """Every open complaint past the deadline it waits on, or due within `within_hours`, of every
    station and kind, the most overdue first: the handling facts only, never the texts."""
    query = query_input(DueComplaintQuery())
    listing = due_complaints(None, timedelta(hours=query["within_hours"]), query["page"], query["per_page"])
    return render(
        "complaints_due.html",
        rows=DueComplaintSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        statuses=COMPLAINT_PAGE["statuses"],
    )


@supervision.get("/door-complaints")
@page(OPERATOR)
def door_complaints():
    """GET /api/v1/door-complaints, each with its severity, deadlines and the steps open now."""
    query = query_input(DoorComplaintListQuery())
    listing = entries.door_complaints(query.get("status"), query["page"], query["per_page"])
    return render(
        "door_complaints.html",
        rows=[complaint_row(complaint, DoorComplaintSchema()) for complaint in listing.items],
        listing=listing,
        query=query,
        **DOOR_PAGE,
    )


@supervision.post("/door-complaints/<id:complaint_id>/<any(" + ", ".join(COMPLAINT_STEPS) + "):step>")
@page(OPERATOR)
def door_complaint_step(complaint_id, step):
    outcome = attempt(lambda: handle_complaint(entries.door_complaint_for_operator(complaint_id), step))
    complaint = entries.door_complaint_for_operator(complaint_id)
    if not is_htmx() and outcome.problem is None:
        return redirect(url_for("console.supervision.door_complaints"), 303)
    return render(
        "_complaint_row.html",
        outcome.status,
        row=complaint_row(complaint, DoorComplaintSchema(), outcome),
        **DOOR_PAGE,
    )
