"""Recurring series endpoints: a resident books a series, reads it, and cancels the rest of it.
One date is cancelled or rescheduled as the booking it is (POST /bookings/{id}/cancel or
/reschedule); it stays in its series."""

from app.access import caller_key
from app.blueprint import ApiBlueprint
from app.datum import to_wgs84
from app.errors import Forbidden
from app.i18n import _
from app.rate_limits import created_something, rate_limited
from booking import series
from booking.access import actor, series_for_reader, series_for_resident
from booking.schemas import IdempotencyHeaders, SeriesCancelSchema, SeriesCreateSchema, SeriesSchema

PROBLEM_MEANINGS = {
    401: "Not logged in: send Authorization: Bearer <token>",
    403: "The caller may not do this: a step only the series' resident takes, or no bound phone",
    404: "No such series (another resident's counts as none)",
    409: "Not allowed from the series' current status (named in the body)",
}

blp = ApiBlueprint(
    "booking_series",
    __name__,
    url_prefix="/api/v1",
    description="Recurring series of bookings: every N days (weekly), each date booked or not with why",
    problem_meanings=PROBLEM_MEANINGS,
)


@blp.post("/series")
@rate_limited("BOOKING_RATE_LIMIT", "bookings", key=caller_key, counts=created_something)
@blp.requires()
@blp.problems(403, 429)
@blp.arguments(IdempotencyHeaders, location="headers", unknown="exclude", as_kwargs=True)
@blp.arguments(SeriesCreateSchema)
@blp.response(201, SeriesSchema)
@blp.alt_response(
    200, schema=SeriesSchema, description="The series this Idempotency-Key already made (same body): nothing new"
)
def create_series(data, idempotency_key):
    """Book a slot every `every_days` days, `count` times (a weekly cleaning for three months:
    every_days 7, count 13). The first date is within the next 7 days, the others up to
    SERIES_HORIZON_DAYS ahead. Each date is booked if its slot has a place (and the preferred
    worker is free then); `occurrences` says which were and, for the others, why not
    (slot_full, station_closed, not_a_slot_start, beyond_series_horizon, preferred_worker_busy...).
    Retrying with the same Idempotency-Key and body returns the same series."""
    resident = actor()
    if resident.phone is None:
        raise Forbidden(_("Bind a phone number before booking."), code="phone_required")
    data["location"] = dict(
        zip(
            ("lat", "lng"),
            to_wgs84(data["location"]["lat"], data["location"]["lng"], data["location"]["crs"]),
            strict=True,
        )
    )
    made, created = series.create_series(resident, data, idempotency_key)
    return series.readable_series(made.id), 201 if created else 200


@blp.get("/series/<id:series_id>")
@blp.requires()
@blp.problems(404)
@blp.response(200, SeriesSchema)
def get_series(series_id):
    """A series with each date's booking as it is now: its resident, its station's staff and operators."""
    return series_for_reader(series_id)


@blp.post("/series/<id:series_id>/cancel")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(SeriesCancelSchema)
@blp.response(200, SeriesSchema)
def cancel_series(data, series_id):
    """Cancel the rest of my series: every booked date from `from` (now by default) that has not
    started; each freed place goes to its slot's waiting list. The series ends."""
    cancelled = series.cancel_rest(series_for_resident(series_id), actor(), data.get("reason"), data.get("from_"))
    return series.readable_series(cancelled.id)
