"""Booking endpoints: the catalogue and station hours, availability, residents' bookings, station
staff's handling, entry confirmation, follow-up, ratings and complaints. Each view loads its
object or 404s, checks the caller's scope, and calls one service."""

from datetime import date

from flask import abort

from accounts.models import OPERATOR, STATION_STAFF
from app.access import caller_key, current_principal
from app.blueprint import ApiBlueprint
from app.clock import in_beijing, today_in_beijing
from app.errors import Conflict, recorded_problem
from app.extensions import db
from app.rate_limits import rate_limited
from booking import services
from booking.models import Booking, Service
from booking.schemas import (
    AssignSchema,
    AvailabilityQuery,
    AvailabilitySchema,
    BookingCreateSchema,
    BookingListQuery,
    BookingPageSchema,
    BookingSchema,
    CancelSchema,
    ClosedDayInputSchema,
    ClosedDayListSchema,
    ClosedDaySchema,
    ComplaintInputSchema,
    ComplaintListQuery,
    ComplaintPageSchema,
    ComplaintSchema,
    ComplaintStepSchema,
    EntryCheckSchema,
    EntrySchema,
    FollowUpInputSchema,
    FollowUpSchema,
    IdempotencyHeaders,
    OfferInputSchema,
    OfferListSchema,
    OfferSchema,
    RatingInputSchema,
    RatingSchema,
    RejectSchema,
    RescheduleSchema,
    ServiceListSchema,
    StationBookingListQuery,
    WorkerListSchema,
)
from credit.models import Worker
from stations.datum import to_wgs84
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

blp = ApiBlueprint("booking", __name__, url_prefix="/api/v1",
                   description="One-tap booking: services, slots, bookings, assignment, follow-up, ratings, complaints",
                   problem_meanings=PROBLEM_MEANINGS)


# ---------------------------------------------------------------- access

def _is_staff_of(station_code: str) -> bool:
    principal = current_principal()
    return principal.has_role(OPERATOR) or (principal.has_role(STATION_STAFF)
                                            and principal.station_code == station_code)


def station_for_staff(code: str) -> Station:
    """A station the caller runs: its staff, or an operator. Another station's staff get 403."""
    station = db.session.get(Station, code)
    if station is None:
        abort(404, description=f"No station has code {code}.")
    if not _is_staff_of(code):
        abort(403, description=f"Only staff of station {code} may do this.")
    return station


def booking_for_staff(booking_id: int, lock: bool = True) -> Booking:
    """The booking, row-locked unless only read, if the caller is staff of its station (or an
    operator); any other station's booking is a 404, so its existence is not revealed."""
    booking = services.locked_booking(booking_id) if lock else db.session.get(Booking, booking_id)
    if booking is None or not _is_staff_of(booking.station_code):
        abort(404, description=f"No booking {booking_id}.")
    return booking


def _readable(booking: Booking) -> bool:
    """Who may know the booking exists: its resident, its station's staff and operators."""
    return booking.resident_id == actor().id or _is_staff_of(booking.station_code)


def booking_for_resident(booking_id: int) -> Booking:
    """The caller's own booking, row-locked. Others who can read it (its station's staff,
    operators) are refused with a 403; to anyone else it is a 404, so its existence is not revealed."""
    booking = services.locked_booking(booking_id)
    if booking is None or not _readable(booking):
        abort(404, description=f"No booking {booking_id}.")
    if booking.resident_id != actor().id:
        abort(403, description="Only the resident who booked may do this.")
    return booking


def actor():
    return current_principal().user


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise services.Invalid("Invalid input: day", {"day": ["must be a date, YYYY-MM-DD"]}) from None


# ---------------------------------------------------------------- catalogue and hours

@blp.get("/services")
@blp.response(200, ServiceListSchema)
def list_services():
    """The service catalogue (public)."""
    items = [services.service_view(s) for s in services.catalogue()]
    return {"items": items, "total": len(items)}


@blp.get("/stations/<string(length=12):code>/offers")
@blp.problems(404)
@blp.response(200, OfferListSchema)
def list_offers(code):
    """What a station offers: per service, its days, hours (Beijing time), slot length and places."""
    if db.session.get(Station, code) is None:
        abort(404, description=f"No station has code {code}.")
    items = [services.offer_view(o) for o in services.station_offers(code)]
    return {"items": items, "total": len(items)}


@blp.put("/stations/<string(length=12):code>/offers/<string:service_code>")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.arguments(OfferInputSchema)
@blp.response(200, OfferSchema)
def save_offer(settings, code, service_code):
    """Set the station's hours, slot length and places for a service (its own staff). Slots
    already booked keep at least their booked places."""
    station_for_staff(code)
    return services.offer_view(services.save_offer(code, service_code, settings))


@blp.get("/stations/<string(length=12):code>/closed-days")
@blp.problems(404)
@blp.response(200, ClosedDayListSchema)
def list_closed_days(code):
    """Days from today on when the station takes no bookings."""
    if db.session.get(Station, code) is None:
        abort(404, description=f"No station has code {code}.")
    items = [{"day": c.day, "reason": c.reason} for c in services.closed_days(code, today_in_beijing())]
    return {"items": items, "total": len(items)}


@blp.put("/stations/<string(length=12):code>/closed-days/<string:day>")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(ClosedDayInputSchema)
@blp.response(200, ClosedDaySchema)
def close_day(data, code, day):
    """Close a day (YYYY-MM-DD, Beijing). 409 while the day has open bookings: handle them first."""
    station_for_staff(code)
    closed = services.close_day(code, _day(day), data["reason"], actor())
    return {"day": closed.day, "reason": closed.reason}


@blp.delete("/stations/<string(length=12):code>/closed-days/<string:day>")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.response(204)
def reopen_day(code, day):
    """Open a closed day again."""
    station_for_staff(code)
    services.reopen_day(code, _day(day))


# ---------------------------------------------------------------- availability

@blp.get("/availability")
@blp.problems(404)
@blp.arguments(AvailabilityQuery, location="query", as_kwargs=True)
@blp.response(200, AvailabilitySchema)
def availability(service, crs, station=None, lat=None, lng=None):
    """The next 7 days of slots (Beijing time) with places left, for a station, or for the nearest
    station offering the service to a point (GCJ-02 by default)."""
    if db.session.get(Service, service) is None:
        abort(404, description=f"No service {service} in the catalogue.")
    if station is not None:
        found = db.session.get(Station, station)
        offer = services.offer_of(station, service)
        if found is None or offer is None or not offer.active:
            abort(404, description=f"Station {station} does not offer {service}.")
        view = station_view(found, crs)
    else:
        nearest = services.nearest_offering_station(*to_wgs84(lat, lng, crs), service, crs)
        if nearest is None:
            abort(404, description=f"No station near this point offers {service}.")
        view, offer = nearest
    return {"station": view, "service": services.service_view(offer.service), "slot_minutes": offer.slot_minutes,
            "days": services.availability(offer)}


# ---------------------------------------------------------------- residents

@blp.post("/bookings")
@rate_limited("BOOKING_RATE_LIMIT", "bookings", key=caller_key)
@blp.requires()
@blp.problems(403, 409, 429)
@blp.arguments(IdempotencyHeaders, location="headers", unknown="exclude", as_kwargs=True)
@blp.arguments(BookingCreateSchema)
@blp.response(201, BookingSchema)
@blp.alt_response(200, schema=BookingSchema,
                  description="The booking this Idempotency-Key already made (same body): nothing new was booked")
def create_booking(data, idempotency_key):
    """Book one place in a slot (one tap). Needs a bound phone. Retrying with the same
    Idempotency-Key and body returns the same booking; the key with another body is a 422."""
    resident = actor()
    if resident.phone is None:
        abort(403, description="Bind a phone number before booking.")
    data["location"] = dict(zip(("lat", "lng"), to_wgs84(data["location"]["lat"], data["location"]["lng"],
                                                         data["location"]["crs"])))
    booking, created = services.create_booking(resident, data, idempotency_key)
    return services.booking_view(booking), 201 if created else 200


@blp.get("/bookings")
@blp.requires()
@blp.arguments(BookingListQuery, location="query", as_kwargs=True)
@blp.response(200, BookingPageSchema)
def my_bookings(page, per_page, status=None):
    """My own bookings, latest slot first."""
    items, total = services.bookings_of_resident(actor(), status, page, per_page)
    return {"items": [services.booking_view(b) for b in items], "total": total, "page": page, "per_page": per_page}


@blp.get("/bookings/<id:booking_id>")
@blp.requires()
@blp.problems(404)
@blp.response(200, BookingSchema)
def get_booking(booking_id):
    """One booking with its history: its resident, its station's staff and operators only."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not _readable(booking):
        abort(404, description=f"No booking {booking_id}.")
    return services.booking_view(booking, with_events=True)


@blp.post("/bookings/<id:booking_id>/cancel")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(CancelSchema)
@blp.response(200, BookingSchema)
def cancel_booking(data, booking_id):
    """Cancel my booking before the service starts; its place is free again at once."""
    return services.booking_view(services.cancel(booking_for_resident(booking_id), actor(), data.get("reason")))


@blp.post("/bookings/<id:booking_id>/reschedule")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(RescheduleSchema)
@blp.response(200, BookingSchema)
def reschedule_booking(data, booking_id):
    """已改约: move my booking to another slot; the old place is freed and the station confirms
    the new time (the booking is pending again)."""
    booking = booking_for_resident(booking_id)
    return services.booking_view(services.reschedule(booking, data["starts_at"], actor(), data.get("reason")))


@blp.post("/bookings/<id:booking_id>/entry")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(EntrySchema)
@blp.response(201, EntryCheckSchema)
def confirm_entry(data, booking_id):
    """确认入户: after scanning the worker's 安心碼 at the door. The wrong worker is a 409 naming
    both (masked), and the attempt stays on record."""
    booking = booking_for_resident(booking_id)
    check = services.confirm_entry(booking, data["token"], actor())
    if not check.matched:
        scanned, assigned = services.worker_summary(check.scanned_worker_id), services.worker_summary(booking.worker_id)
        return recorded_problem(Conflict(
            f"这不是本订单的服务人员：扫到的是 {scanned['name']}，派单的是 {assigned['name']}。请勿开门，并联系服务站。",
            code="wrong_worker",
            errors={"token": [f"scanned worker {scanned['name']} is not the assigned worker {assigned['name']}"]}))
    return services.entry_check_view(check)


@blp.post("/bookings/<id:booking_id>/rating")
@blp.requires()
@blp.problems(403, 404, 409)
@blp.arguments(RatingInputSchema)
@blp.response(201, RatingSchema)
def rate_booking(data, booking_id):
    """Rate my completed booking once (1-5 stars and text); the worker's and company's credit
    levels follow at once."""
    rating = services.rate(booking_for_resident(booking_id), data["stars"], data.get("text"), actor())
    return {"booking_id": rating.booking_id, "stars": rating.stars, "text": rating.text,
            "created_at": in_beijing(rating.created_at)}


@blp.post("/bookings/<id:booking_id>/complaints")
@rate_limited("COMPLAINT_RATE_LIMIT", "complaints", key=caller_key)
@blp.requires()
@blp.problems(403, 404, 429)
@blp.arguments(ComplaintInputSchema)
@blp.response(201, ComplaintSchema)
def complain(data, booking_id):
    """Complain about my booking (type and text); the station handles it."""
    booking = booking_for_resident(booking_id)
    return services.complaint_view(services.complain(booking, data["type"], data["text"], actor()))


# ---------------------------------------------------------------- station staff

@blp.get("/stations/<string(length=12):code>/bookings")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.arguments(StationBookingListQuery, location="query", as_kwargs=True)
@blp.response(200, BookingPageSchema)
def station_bookings(code, page, per_page, status=None, date=None):
    """The station's bookings by slot time, filterable by status and Beijing date (its own staff)."""
    station_for_staff(code)
    items, total = services.bookings_of_station(code, status, date, page, per_page)
    return {"items": [services.booking_view(b) for b in items], "total": total, "page": page, "per_page": per_page}


def _staff_step(action: str, summary: str):
    @blp.requires(STATION_STAFF, OPERATOR)
    @blp.doc(summary=summary)
    @blp.problems(404, 409)
    @blp.response(200, BookingSchema)
    def step(booking_id):
        booking = booking_for_staff(booking_id)
        return services.booking_view(getattr(services, action)(booking, actor()))

    step.__name__ = action
    blp.route(f"/bookings/<id:booking_id>/{action}", methods=["POST"])(step)


_staff_step("confirm", "pending → confirmed (已接单)")
_staff_step("start", "assigned → in_service (服务中)")
_staff_step("complete", "in_service → completed (已完成)")


@blp.post("/bookings/<id:booking_id>/reject")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(RejectSchema)
@blp.response(200, BookingSchema)
def reject_booking(data, booking_id):
    """pending or confirmed → rejected, with a reason; the place is freed."""
    return services.booking_view(services.reject(booking_for_staff(booking_id), actor(), data["reason"]))


@blp.post("/bookings/<id:booking_id>/assign")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(AssignSchema)
@blp.response(200, BookingSchema)
def assign_worker(data, booking_id):
    """confirmed (or assigned) → assigned (已派单): a worker with an issued, green certificate who
    offers the service and has no other booking at that time (409 if double-booked)."""
    booking = booking_for_staff(booking_id)
    worker = db.session.get(Worker, data["worker_id"])
    if worker is None:
        raise services.Invalid("Invalid input: worker_id", {"worker_id": ["no such worker"]})
    return services.booking_view(services.assign(booking, worker, actor()))


@blp.get("/bookings/<id:booking_id>/assignable-workers")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.response(200, WorkerListSchema)
def assignable_workers(booking_id):
    """Workers the station could assign to this confirmed (or assigned) booking: an issued, green
    certificate, offering the service and free for the booking's time; masked names, best stars
    first. The booking's own worker is listed too, for a reassignment."""
    workers = services.assignable_workers(booking_for_staff(booking_id, lock=False))
    return {"items": [services.worker_view(worker) for worker in workers], "total": len(workers)}


@blp.post("/bookings/<id:booking_id>/follow-up")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404, 409)
@blp.arguments(FollowUpInputSchema)
@blp.response(201, FollowUpSchema)
def follow_up(data, booking_id):
    """回访 after completion: satisfied or not, notes; the caller is the logged-in staff member."""
    record = services.record_follow_up(booking_for_staff(booking_id), data, actor())
    return {"booking_id": record.booking_id, "caller_id": record.caller_id,
            "called_at": in_beijing(record.called_at), "satisfied": record.satisfied, "notes": record.notes}


@blp.get("/stations/<string(length=12):code>/complaints")
@blp.requires(STATION_STAFF, OPERATOR)
@blp.problems(404)
@blp.arguments(ComplaintListQuery, location="query", as_kwargs=True)
@blp.response(200, ComplaintPageSchema)
def station_complaints(code, page, per_page, status=None):
    """Complaints about the station's bookings (its own staff)."""
    station_for_staff(code)
    items, total = services.complaints_of_station(code, status, page, per_page)
    return {"items": [services.complaint_view(c) for c in items], "total": total, "page": page, "per_page": per_page}


def _complaint_step(action: str, summary: str):
    @blp.requires(STATION_STAFF, OPERATOR)
    @blp.doc(summary=summary)
    @blp.problems(404, 409)
    @blp.arguments(ComplaintStepSchema)
    @blp.response(200, ComplaintSchema)
    def step(data, complaint_id):
        complaint = services.locked_complaint(complaint_id)
        if complaint is None or not _is_staff_of(complaint.booking.station_code):
            abort(404, description=f"No complaint {complaint_id}.")
        return services.complaint_view(services.handle_complaint(complaint, action, actor(), data.get("note")))

    step.__name__ = f"{action}_complaint"
    blp.route(f"/complaints/<id:complaint_id>/{action}", methods=["POST"])(step)


_complaint_step("accept", "submitted → accepted (受理)")
_complaint_step("uphold", "accepted → upheld: lowers the worker's and company's credit")
_complaint_step("dismiss", "accepted → dismissed: lowers nothing")
_complaint_step("invalidate", "accepted → invalid: lowers nothing")
_complaint_step("close", "upheld, dismissed or invalid → closed")
