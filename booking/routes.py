"""Booking endpoints: the catalogue and station hours, availability, residents' bookings, station
staff's handling, entry confirmation, follow-up, ratings and complaints. Each view loads its
object or 404s, checks the caller's scope (booking.access), and calls one operation; the response
schema serialises what it returns."""

from datetime import date

from accounts.models import OPERATOR, STATION_STAFF, WORKER
from app.access import caller_key, require_principal
from app.blueprint import ApiBlueprint
from app.clock import today_in_beijing
from app.datum import to_wgs84
from app.errors import Conflict, Forbidden, Invalid, NotFound, recorded_problem
from app.extensions import db
from app.geography import inside_guangzhou
from app.i18n import _
from app.privacy import mask_name
from app.rate_limits import created_something, rate_limited
from booking import aftercare, assignment, bookings, desk, hours, no_shows, on_behalf
from booking.access import (
    actor,
    booking_for_reader,
    booking_for_resident,
    booking_for_staff,
    complaint_for_staff,
    existing_station,
    station_for_staff,
)
from booking.availability import nearest_offering_station, offer_of, slots_of_the_week
from booking.models import Service
from booking.schemas import (
    AssignableWorkersQuery,
    AssignmentListQuery,
    AssignSchema,
    AvailabilityQuery,
    AvailabilitySchema,
    BookingCreateSchema,
    BookingDetailSchema,
    BookingListQuery,
    BookingPageSchema,
    BookingSchema,
    CancelSchema,
    ClaimedBookingsSchema,
    ClosedDayInputSchema,
    ClosedDayListSchema,
    ClosedDaySchema,
    ComplaintInputSchema,
    ComplaintListQuery,
    ComplaintPageSchema,
    ComplaintSchema,
    DeskQuery,
    DeskSchema,
    EntryCheckSchema,
    EntrySchema,
    FollowUpInputSchema,
    FollowUpSchema,
    IdempotencyHeaders,
    NoShowInputSchema,
    NoShowListQuery,
    NoShowPageSchema,
    NoShowSchema,
    OfferInputSchema,
    OfferListSchema,
    OfferSchema,
    OnBehalfBookingSchema,
    RatingInputSchema,
    RatingSchema,
    RejectSchema,
    RescheduleSchema,
    ServiceListSchema,
    StationBookingListQuery,
    StationBookingPageSchema,
    WorkerListSchema,
)
from complaints.steps import register_complaint_steps
from credit.certificates import COLOUR_NAMES, GREEN
from stations.models import Station
from stations.services import station_view

PROBLEM_MEANINGS = {
    401: "Not logged in: send Authorization: Bearer <token>",
    403: "The caller may not do this: not their role, another station's, a step only the booking's resident "
    "takes, or no bound phone",
    404: "No such booking, station, service or complaint (another station's or resident's counts as none)",
    409: "Not allowed from the current status (named in the body), the slot is full, the worker is "
    "double-booked, already done once, or changed by someone else at the same moment",
}

blp = ApiBlueprint(
    "booking",
    __name__,
    url_prefix="/api/v1",
    description="One-tap booking: services, slots, bookings, assignment, follow-up, ratings, complaints",
    problem_meanings=PROBLEM_MEANINGS,
)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(
            _("Invalid input: %(fields)s", fields="day"), errors={"day": [_("must be a date, YYYY-MM-DD")]}
        ) from None


def _listing(items: list) -> dict:
    return {"items": items, "total": len(items)}


# ---------------------------------------------------------------- catalogue and hours


@blp.get("/services")
@blp.response(200, ServiceListSchema)
def list_services():
    """The service catalogue (public)."""
    return _listing(hours.catalogue())


@blp.get("/stations/<string(length=12):code>/offers")
@blp.problems(404)
@blp.response(200, OfferListSchema)
def list_offers(code):
    """What a station offers: per service, its days, hours (Beijing time), slot length and places."""
    existing_station(code)
    return _listing(hours.station_offers(code))


@blp.put("/stations/<string(length=12):code>/offers/<string:service_code>")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.arguments(OfferInputSchema)
@blp.response(200, OfferSchema)
def save_offer(settings, code, service_code):
    """Set the station's hours, slot length and places for a service (its own staff). Slots
    already booked keep at least their booked places."""
    station_for_staff(code)
    return hours.save_offer(code, service_code, settings)


@blp.get("/stations/<string(length=12):code>/closed-days")
@blp.problems(404)
@blp.response(200, ClosedDayListSchema)
def list_closed_days(code):
    """Days from today on when the station takes no bookings."""
    existing_station(code)
    return _listing(hours.closed_days(code, today_in_beijing()))


@blp.put("/stations/<string(length=12):code>/closed-days/<string:day>")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(ClosedDayInputSchema)
@blp.response(200, ClosedDaySchema)
def close_day(data, code, day):
    """Close a day (YYYY-MM-DD, Beijing). 409 while the day has open bookings: handle them first."""
    station_for_staff(code)
    return hours.close_day(code, _day(day), data["reason"], actor())


@blp.delete("/stations/<string(length=12):code>/closed-days/<string:day>")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.response(204)
def reopen_day(code, day):
    """Open a closed day again."""
    station_for_staff(code)
    hours.reopen_day(code, _day(day))


# ---------------------------------------------------------------- availability


@blp.get("/availability")
@blp.problems(404)
@blp.arguments(AvailabilityQuery, location="query", as_kwargs=True)
@blp.response(200, AvailabilitySchema)
def availability(service, crs, station=None, lat=None, lng=None):
    """The next 7 days of slots (Beijing time) with places left, for a station, or for the nearest
    station offering the service to a point (GCJ-02 by default)."""
    if db.session.get(Service, service) is None:
        raise NotFound(_("No service %(service)s in the catalogue.", service=service))
    if station is not None:
        found = db.session.get(Station, station)
        if found is None:
            raise NotFound(_("No station has code %(code)s.", code=station), code="unknown_station", field="station")
        offer = offer_of(station, service)
        if offer is None or not offer.active:
            raise NotFound(
                _("Station %(code)s does not offer %(service)s.", code=station, service=service),
                code="not_offered",
                field="service",
            )
        view = station_view(found, crs)
    else:
        if not inside_guangzhou(lat, lng, crs):
            raise Invalid(
                _("This point is outside Guangzhou, where the stations serve."),
                code="outside_service_area",
                errors={"lat": [_("the point is outside Guangzhou")], "lng": [_("the point is outside Guangzhou")]},
            )
        nearest = nearest_offering_station(*to_wgs84(lat, lng, crs), service, crs)
        if nearest is None:
            raise NotFound(_("No station near this point offers %(service)s.", service=service))
        view, offer = nearest
    return {
        "station": view,
        "service": offer.service,
        "slot_minutes": offer.slot_minutes,
        "days": slots_of_the_week(offer),
    }


# ---------------------------------------------------------------- residents


@blp.post("/bookings")
@rate_limited("BOOKING_RATE_LIMIT", "bookings", key=caller_key, counts=created_something)
@blp.requires()
@blp.problems(403, 409, 429)
@blp.arguments(IdempotencyHeaders, location="headers", unknown="exclude", as_kwargs=True)
@blp.arguments(BookingCreateSchema)
@blp.response(201, BookingSchema)
@blp.alt_response(
    200,
    schema=BookingSchema,
    description="The booking this Idempotency-Key already made (same body): nothing new was booked",
)
def create_booking(data, idempotency_key):
    """Book one place in a slot (one tap). Needs a bound phone. Retrying with the same
    Idempotency-Key and body returns the same booking; the key with another body is a 422."""
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
    booking, created = bookings.create_booking(resident, data, idempotency_key)
    return booking, 201 if created else 200


@blp.post("/bookings/claim")
@blp.requires()
@blp.problems(409)
@blp.response(200, ClaimedBookingsSchema)
def claim_bookings():
    """Make mine the bookings a station took on behalf of my phone (the one I bound through
    WeChat) that nobody has claimed yet; claiming again claims nothing more. No bound phone: 409."""
    return _listing(on_behalf.claim_bookings(actor()))


@blp.get("/bookings")
@blp.requires()
@blp.arguments(BookingListQuery, location="query", as_kwargs=True)
@blp.response(200, BookingPageSchema)
def my_bookings(page, per_page, status=None):
    """My own bookings, latest slot first."""
    return bookings.bookings_of_resident(actor(), status, page, per_page)


@blp.get("/me/worker/assignments")
@blp.requires(WORKER)
@blp.arguments(AssignmentListQuery, location="query", as_kwargs=True)
@blp.response(200, BookingPageSchema)
def my_assignments(page, per_page, days):
    """My assignments (a worker's) of today and the next days in Beijing, earliest first: where to
    go, when, and whom to ask for."""
    return bookings.assignments_of_worker(require_principal().worker_id, today_in_beijing(), days, page, per_page)


@blp.get("/bookings/<id:booking_id>")
@blp.requires()
@blp.problems(404)
@blp.response(200, BookingDetailSchema)
def get_booking(booking_id):
    """One booking with its history: its resident, its station's staff and operators only."""
    return booking_for_reader(booking_id)


@blp.post("/bookings/<id:booking_id>/cancel")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(CancelSchema)
@blp.response(200, BookingSchema)
def cancel_booking(data, booking_id):
    """Cancel my booking before the service starts; its place is free again at once."""
    return bookings.cancel(booking_for_resident(booking_id), actor(), data.get("reason"))


@blp.post("/bookings/<id:booking_id>/reschedule")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(RescheduleSchema)
@blp.response(200, BookingSchema)
def reschedule_booking(data, booking_id):
    """已改约: move my booking to another slot; the old place is freed. The assigned worker is
    kept when they are free at the new time (the booking stays assigned); otherwise the station
    confirms the new time (the booking is pending again)."""
    booking = booking_for_resident(booking_id)
    return assignment.reschedule(booking, data["starts_at"], actor(), data.get("reason"))


@blp.post("/bookings/<id:booking_id>/entry")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(EntrySchema)
@blp.response(201, EntryCheckSchema)
def confirm_entry(data, booking_id):
    """确认入户: after scanning the worker's 安心碼 at the door. The wrong worker, or the right one
    whose code is not green, is a 409 telling the resident not to open the door, and the attempt
    stays on record."""
    booking = booking_for_resident(booking_id)
    check = aftercare.confirm_entry(booking, data["token"], actor())
    if booking.worker is None:
        return recorded_problem(
            Conflict(
                _(
                    "No worker is assigned to this booking (the card scanned is %(scanned)s's): "
                    "do not open the door; call the station.",
                    scanned=mask_name(check.scanned_worker.name),
                ),
                code="no_worker_assigned",
                errors={"token": [_("the booking has no assigned worker")]},
            )
        )
    if not check.matched:
        scanned, assigned = mask_name(check.scanned_worker.name), mask_name(booking.worker.name)
        return recorded_problem(
            Conflict(
                _(
                    "This is not the worker assigned to this booking: the card scanned is %(scanned)s's, "
                    "the assigned worker is %(assigned)s. Do not open the door; call the station.",
                    scanned=scanned,
                    assigned=assigned,
                ),
                code="wrong_worker",
                errors={
                    "token": [
                        _(
                            "scanned worker %(scanned)s is not the assigned worker %(assigned)s",
                            scanned=scanned,
                            assigned=assigned,
                        )
                    ]
                },
            )
        )
    if check.colour != GREEN:
        worker = mask_name(check.scanned_worker.name)
        return recorded_problem(
            Conflict(
                _(
                    "%(worker)s's 安心码 is %(colour)s: do not open the door; call the station.",
                    worker=worker,
                    colour=COLOUR_NAMES[check.colour],
                ),
                code="worker_not_green",
                errors={
                    "token": [_("the worker's 安心码 is %(colour)s, not green", colour=COLOUR_NAMES[check.colour])]
                },
            )
        )
    return check


@blp.post("/bookings/<id:booking_id>/rating")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(RatingInputSchema)
@blp.response(201, RatingSchema)
def rate_booking(data, booking_id):
    """Rate my completed booking once (1-5 stars and text); the worker's and company's credit
    levels follow at once."""
    booking = booking_for_resident(booking_id)
    on_behalf.refuse_rating_while_held(booking)
    return aftercare.rate(booking, data["stars"], data.get("text"), actor())


@blp.post("/bookings/<id:booking_id>/complaints")
@rate_limited("COMPLAINT_RATE_LIMIT", "complaints", key=caller_key, counts=created_something)
@blp.requires()
@blp.problems(403, 404, 429)
@blp.arguments(ComplaintInputSchema)
@blp.response(201, ComplaintSchema)
def complain(data, booking_id):
    """Complain about my booking (type and text); the station handles it."""
    booking = booking_for_resident(booking_id)
    return aftercare.complain(booking, data["type"], data["text"], actor())


# ---------------------------------------------------------------- station staff


@blp.get("/stations/<string(length=12):code>/bookings")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.arguments(StationBookingListQuery, location="query", as_kwargs=True)
@blp.response(200, StationBookingPageSchema)
def station_bookings(code, page, per_page, cursor=None, status=None, date=None):
    """The station's bookings by slot time, filterable by status and Beijing date (its own staff).
    Page on by each page's `next` (back by `previous`), with the same filters; `page` reaches only
    the first 1,000. Counted up to 1,000: past that `total` is 1000 and `total_is_lower_bound` true."""
    station_for_staff(code)
    return bookings.bookings_of_station(code, status, date, page, per_page, cursor=cursor)


@blp.post("/stations/<string(length=12):code>/bookings")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(IdempotencyHeaders, location="headers", unknown="exclude", as_kwargs=True)
@blp.arguments(OnBehalfBookingSchema)
@blp.response(201, BookingSchema)
@blp.alt_response(
    200,
    schema=BookingSchema,
    description="The booking this Idempotency-Key already made (same body): nothing new was booked",
)
def book_on_behalf(data, code, idempotency_key):
    """Book for a caller or a walk-in (its own staff): their name and phone (encrypted, shown
    masked), the address, and their consent, which must be given. The caller of this request holds
    the booking (may move or cancel it) until the resident claims it by the same phone (POST
    /bookings/claim); the same checks and the same place-taking as a resident's own booking."""
    staff = actor()
    station_for_staff(code)
    data["station_code"] = code
    data["location"] = dict(
        zip(
            ("lat", "lng"),
            to_wgs84(data["location"]["lat"], data["location"]["lng"], data["location"]["crs"]),
            strict=True,
        )
    )
    booking, created = on_behalf.book_on_behalf(staff, data, idempotency_key)
    return booking, 201 if created else 200


def _staff_step(action: str, operation, summary: str):
    @blp.requires(STATION_STAFF, OPERATOR)
    @blp.doc(summary=summary)
    @blp.problems(404, 409)
    @blp.response(200, BookingSchema)
    def step(booking_id):
        return operation(booking_for_staff(booking_id), actor())

    step.__name__ = action
    blp.route(f"/bookings/<id:booking_id>/{action}", methods=["POST"])(step)


_staff_step("confirm", bookings.confirm, "pending → confirmed (已接单)")
_staff_step("start", assignment.start, "assigned → in_service (服务中)")
_staff_step("complete", assignment.complete, "in_service → completed (已完成)")


@blp.post("/bookings/<id:booking_id>/reject")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(RejectSchema)
@blp.response(200, BookingSchema)
def reject_booking(data, booking_id):
    """pending or confirmed → rejected, with a reason; the place is freed."""
    return bookings.reject(booking_for_staff(booking_id), actor(), data["reason"])


@blp.post("/bookings/<id:booking_id>/assign")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(AssignSchema)
@blp.response(200, BookingSchema)
def assign_worker(data, booking_id):
    """confirmed (or assigned) → assigned (已派单): a worker with an issued, green certificate who
    offers the service and has no other booking at that time (409 if double-booked)."""
    booking = booking_for_staff(booking_id)
    worker = assignment.worker_to_assign(data["worker_id"])
    if worker is None:
        raise Invalid(
            _("Invalid input: %(fields)s", fields="worker_id"),
            code="unknown_worker",
            errors={"worker_id": [_("no such worker")]},
        )
    return assignment.assign(booking, worker, actor())


@blp.get("/bookings/<id:booking_id>/assignable-workers")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(AssignableWorkersQuery, location="query")
@blp.response(200, WorkerListSchema)
def assignable_workers(query, booking_id):
    """Workers the station could assign to this confirmed (or assigned) booking: an issued, green
    certificate, offering the service and free for the booking's time; masked names, best stars
    first, the first `limit` of them (`q` finds the others by name or certificate number). The
    booking's own worker is listed too, for a reassignment."""
    booking = booking_for_staff(booking_id, lock=False)
    return _listing(assignment.assignable_workers(booking, query.get("q") or None, query["limit"]))


@blp.post("/bookings/<id:booking_id>/follow-up")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(FollowUpInputSchema)
@blp.response(201, FollowUpSchema)
def follow_up(data, booking_id):
    """回访 after completion: satisfied or not, notes; the caller is the logged-in staff member."""
    return aftercare.record_follow_up(booking_for_staff(booking_id), data, actor())


@blp.post("/bookings/<id:booking_id>/no-show")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(NoShowInputSchema)
@blp.response(201, NoShowSchema)
def record_no_show(data, booking_id):
    """爽约 of an assigned booking whose time has begun: the resident was not there, or the worker
    did not come (a credit event of the worker's and their company's); once per party, with who
    recorded it and when. A resident's no-show is read by the station's staff only."""
    booking = booking_for_staff(booking_id)
    return no_shows.record_no_show(booking, data["party"], data.get("notes"), actor())


@blp.get("/stations/<string(length=12):code>/no-shows")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.arguments(NoShowListQuery, location="query", as_kwargs=True)
@blp.response(200, NoShowPageSchema)
def station_no_shows(code, page, per_page, party=None):
    """The station's recorded no-shows, latest first (its own staff)."""
    station_for_staff(code)
    return no_shows.no_shows_of_station(code, party, page, per_page)


@blp.get("/stations/<string(length=12):code>/desk")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.arguments(DeskQuery, location="query", as_kwargs=True)
@blp.response(200, DeskSchema)
def station_desk(code, limit):
    """What needs me now (its own staff): unconfirmed bookings, follow-up calls due, and
    complaints past their deadline or near it (COMPLAINT_NEAR_HOURS), each with its count."""
    station_for_staff(code)
    return desk.desk(code, limit)


@blp.get("/stations/<string(length=12):code>/complaints")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.arguments(ComplaintListQuery, location="query", as_kwargs=True)
@blp.response(200, ComplaintPageSchema)
def station_complaints(code, page, per_page, status=None):
    """Complaints about the station's bookings (its own staff)."""
    station_for_staff(code)
    return aftercare.complaints_of_station(code, status, page, per_page)


register_complaint_steps(
    blp, "/complaints", "complaint", (STATION_STAFF, OPERATOR), complaint_for_staff, ComplaintSchema
)
