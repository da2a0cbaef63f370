"""Door entry endpoints: a resident records 确认入户 after scanning any worker's 安心碼, rates and
complains about the visit, and lists their own entries. Each view loads the caller's own entry
or 404s, and calls one operation; the response schema serialises what it returns."""

from accounts.models import OPERATOR, User
from app.access import caller_key, require_principal
from app.blueprint import ApiBlueprint
from app.errors import Conflict, recorded_problem
from app.i18n import _
from app.paging import PageQuery
from app.rate_limits import created_something, rate_limited
from complaints.steps import register_complaint_steps
from credit.certificates import COLOUR_NAMES
from doorstep import entries
from doorstep.schemas import (
    DoorComplaintInputSchema,
    DoorComplaintListQuery,
    DoorComplaintPageSchema,
    DoorComplaintSchema,
    DoorEntryInputSchema,
    DoorEntryPageSchema,
    DoorEntrySchema,
    DoorRatingInputSchema,
    DoorRatingSchema,
)

PROBLEM_MEANINGS = {
    401: "Not logged in: send Authorization: Bearer <token>",
    403: "Not an operator (door complaints are handled by operators)",
    404: "No such door entry of the caller's (another resident's counts as none): only a worker the caller "
    "recorded at their door can be rated; or no such door complaint",
    409: "The worker's code was not green at the door (do not open the door), the entry was rated already or "
    "through a booking, or its time for a rating and complaints is over; a complaint's step not allowed from "
    "its current status (named in the body)",
}

blp = ApiBlueprint(
    "doorstep",
    __name__,
    url_prefix="/api/v1",
    description="确认入户 after any scan (a hire through a company or direct), its rating and complaints, "
    "and operators' handling of those complaints",
    problem_meanings=PROBLEM_MEANINGS,
)


def resident() -> User:
    return require_principal().user


@blp.post("/door-entries")
@rate_limited("DOOR_ENTRY_RATE_LIMIT", "door entries", key=caller_key)
@blp.requires()
@blp.problems(409, 429)
@blp.arguments(DoorEntryInputSchema)
@blp.response(201, DoorEntrySchema)
def record_door_entry(data):
    """确认入户 without a station booking: after scanning the worker's 安心碼 at the door, record
    who came and the colour the code showed. A code that is not green is a 409 telling the
    resident not to open the door and to call the hotline, and the refusal stays on record. An
    admitted entry takes one rating and complaints for DOOR_RATING_DAYS."""
    entry = entries.record_entry(resident(), data["token"])
    if not entry.admitted:
        return recorded_problem(
            Conflict(
                entries.refusal_detail(entry),
                code="worker_not_green",
                errors={
                    "token": [_("the worker's 安心码 is %(colour)s, not green", colour=COLOUR_NAMES[entry.colour])]
                },
            )
        )
    return entry


@blp.get("/door-entries")
@blp.requires()
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, DoorEntryPageSchema)
def my_door_entries(page, per_page):
    """My door entries, latest first, with their ratings and complaints (texts shown once
    WeChat's content check passed them)."""
    return entries.entries_of_resident(resident(), page, per_page)


@blp.post("/door-entries/<id:entry_id>/rating")
@blp.requires()
@blp.problems(404, 409)
@blp.arguments(DoorRatingInputSchema)
@blp.response(201, DoorRatingSchema)
def rate_door_entry(data, entry_id):
    """Rate the worker I let in, once per entry (1-5 stars and text); the worker's and company's
    credit levels follow at once (kind door_rating). A text WeChat refuses is a 422 on `text`."""
    me = resident()
    return entries.rate(entries.entry_of_resident(entry_id, me), data["stars"], data.get("text"), me)


@blp.post("/door-entries/<id:entry_id>/complaints")
@rate_limited("COMPLAINT_RATE_LIMIT", "complaints", key=caller_key, counts=created_something)
@blp.requires()
@blp.problems(404, 409, 429)
@blp.arguments(DoorComplaintInputSchema)
@blp.response(201, DoorComplaintSchema)
def complain_about_door_entry(data, entry_id):
    """Complain about the worker I let in; it goes on the worker's and company's ledger (kind
    door_complaint). A text WeChat refuses is a 422 on `text`."""
    me = resident()
    return entries.complain(entries.entry_of_resident(entry_id, me), data["type"], data["text"], me)


# ---------------------------------------------------------------- operators handle door complaints


@blp.get("/door-complaints")
@blp.requires(OPERATOR)
@blp.arguments(DoorComplaintListQuery, location="query", as_kwargs=True)
@blp.response(200, DoorComplaintPageSchema)
def list_door_complaints(page, per_page, status=None):
    """Every door complaint, oldest first, with its trail: no station is behind these hires, so
    operators handle them."""
    return entries.door_complaints(status, page, per_page)


register_complaint_steps(
    blp, "/door-complaints", "door_complaint", (OPERATOR,), entries.door_complaint_for_operator, DoorComplaintSchema
)
