"""Objections (异议) to credit events: operators' queue of open ones, upheld or rejected with a
reason (POST /api/v1/objections/{id}/uphold or reject), and a company admin's own company's,
as GET /api/v1/objections shows each of them."""

from flask import Blueprint, redirect, request, url_for

from accounts.models import COMPANY_ADMIN, OPERATOR
from console.web import attempt, form_input, menu_entry, page, principal, query_input, render
from credit import objections as objection_service
from credit.models import OBJECTION_TABLE
from credit.schemas import ObjectionListQuery, ObjectionSchema, ReasonSchema

objections = Blueprint("objections", __name__, url_prefix="")

menu_entry(COMPANY_ADMIN, "console.objections.objection_list", "本企业异议")
menu_entry(OPERATOR, "console.objections.objection_list", "异议处理")


@objections.get("/objections")
@page(OPERATOR, COMPANY_ADMIN)
def objection_list(outcome=None, status=200, failed=None):
    """Operators see the open ones first of all (the queue); a company admin its company's, any status."""
    defaults = {"status": "open"} if principal().has_role(OPERATOR) else None
    query = query_input(ObjectionListQuery(), defaults=defaults)
    listing = objection_service.list_objections(principal(), query, query["page"], query["per_page"])
    return render(
        "objections.html",
        status,
        objections=ObjectionSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        statuses=OBJECTION_TABLE.names,
        outcome=outcome,
        failed=failed,
        form=request.form,
    )


@objections.post("/objections/<id:objection_id>/<any(uphold, reject):action>")
@page(OPERATOR)
def decide(objection_id, action):
    def decision():
        reason = form_input(ReasonSchema())["reason"]
        objection = objection_service.objection_for_caller(objection_id, principal())
        return objection_service.decide(objection, action, principal().user, reason)

    outcome = attempt(decision)
    if outcome.problem is None:
        return redirect(url_for("console.objections.objection_list"), 303)
    return objection_list.__wrapped__(outcome=outcome, status=outcome.status, failed=objection_id)
