"""Waiting-list endpoints: a resident joins the line of a full slot, sees their position, leaves,
and takes the place offered to them (an ordinary, idempotent booking)."""

from app.access import caller_key
from app.blueprint import ApiBlueprint
from app.clock import in_beijing
from app.datum import to_wgs84
from app.errors import Conflict, Forbidden, recorded_problem
from app.i18n import _
from app.rate_limits import created_something, rate_limited
from booking import waiting
from booking.access import actor, entry_for_resident
from booking.schemas import (
    BookingSchema,
    IdempotencyHeaders,
    WaitingEntryDetailSchema,
    WaitingEntryPageSchema,
    WaitingEntrySchema,
    WaitingJoinSchema,
    WaitingListQuery,
    WaitingTakeSchema,
)

PROBLEM_MEANINGS = {
    401: "Not logged in: send Authorization: Bearer <token>",
    403: "No bound phone",
    404: "No such waiting entry (another resident's counts as none)",
    409: "Not allowed from the entry's current status (named in the body), the offer has lapsed, the slot "
    "has free places (book it) or you are booked in it",
}

blp = ApiBlueprint(
    "booking_waiting",
    __name__,
    url_prefix="/api/v1",
    description="Waiting list of full slots: join, position, leave, take the place offered",
    problem_meanings=PROBLEM_MEANINGS,
)


@blp.post("/waiting-entries")
@blp.requires()
@blp.problems(403, 409)
@blp.arguments(WaitingJoinSchema)
@blp.response(201, WaitingEntrySchema)
@blp.alt_response(200, schema=WaitingEntrySchema, description="Already in this slot's line: the same entry")
def join_waiting_list(data):
    """Wait for a place in a full slot. When one frees, the first waiting is offered it by
    subscribe message and it is held for them for WAITING_OFFER_MINUTES; then the next."""
    resident = actor()
    if resident.phone is None:
        raise Forbidden(_("Bind a phone number before booking."), code="phone_required")
    entry, created = waiting.join(resident, data)
    return entry, 201 if created else 200


@blp.get("/waiting-entries")
@blp.requires()
@blp.arguments(WaitingListQuery, location="query", as_kwargs=True)
@blp.response(200, WaitingEntryPageSchema)
def my_waiting_entries(page, per_page, status=None):
    """My waiting entries, latest first."""
    return waiting.entries_of_resident(actor(), status, page, per_page)


@blp.get("/waiting-entries/<id:entry_id>")
@blp.requires()
@blp.problems(404)
@blp.response(200, WaitingEntryDetailSchema)
def get_waiting_entry(entry_id):
    """My waiting entry: its position, or the offer and until when, with its history."""
    return entry_for_resident(entry_id, lock=False)


@blp.post("/waiting-entries/<id:entry_id>/leave")
@blp.requires()
@blp.problems(404, 409)
@blp.response(200, WaitingEntrySchema)
def leave_waiting_list(entry_id):
    """Leave the line; a place held for me goes to the next one waiting."""
    return waiting.leave(entry_for_resident(entry_id), actor())


@blp.post("/waiting-entries/<id:entry_id>/take")
@rate_limited("BOOKING_RATE_LIMIT", "bookings", key=caller_key, counts=created_something)
@blp.requires()
@blp.problems(404, 409, 429)
@blp.arguments(IdempotencyHeaders, location="headers", unknown="exclude", as_kwargs=True)
@blp.arguments(WaitingTakeSchema)
@blp.response(201, BookingSchema)
@blp.alt_response(200, schema=BookingSchema, description="The booking this Idempotency-Key already made (same body)")
def take_offered_place(data, idempotency_key, entry_id):
    """Book the place offered to me, before the offer's time runs out: a booking like any other,
    into the held place. Retrying with the same Idempotency-Key and body returns the same booking.
    An offer that ran out is a 409 offer_lapsed, and the place goes to the next one waiting."""
    entry = entry_for_resident(entry_id)
    held_until = waiting.lapse_if_ran_out(entry)
    if held_until is not None:
        return recorded_problem(
            Conflict(
                _(
                    "The place was held for you until %(until)s; it has gone to the next in line.",
                    until=in_beijing(held_until).strftime("%H:%M"),
                ),
                code="offer_lapsed",
                errors={"status": [entry.status]},
            )
        )
    data["location"] = dict(
        zip(
            ("lat", "lng"),
            to_wgs84(data["location"]["lat"], data["location"]["lng"], data["location"]["crs"]),
            strict=True,
        )
    )
    booking, created = waiting.take(entry, actor(), data, idempotency_key)
    return booking, 201 if created else 200
