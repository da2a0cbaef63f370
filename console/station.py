"""Station staff's pages: the day's desk (confirm or reject, assign the assignable workers best
first, start, complete, record the 回访), one booking with its history, the follow-ups due, the
complaints, the station's hours and closed days, and the printable day sheet. Every action is the
API route's: the same access check (booking.access) and the same operation."""

import uuid
from typing import Any

import marshmallow as ma
from flask import Blueprint, current_app, redirect, request, url_for

from accounts.models import STATION_STAFF
from app.clock import today_in_beijing, utcnow
from app.datum import to_wgs84
from app.errors import Invalid
from app.i18n import _
from app.paging import PageQuery
from booking import aftercare, assignment, bookings, hours, no_shows, on_behalf, series
from booking import desk as needs_now
from booking.access import actor, booking_for_staff, complaint_for_staff, series_for_reader, station_for_staff
from booking.models import (
    ASSIGNED,
    CALLER_CHANNELS,
    CONFIRMED,
    NO_SHOW_PARTIES,
    OCCURRENCE_OUTCOMES,
    STATUS_NAMES,
)
from booking.schemas import (
    AssignSchema,
    BookingDetailSchema,
    BookingSchema,
    ClosedDayInputSchema,
    ClosedDaySchema,
    ComplaintListQuery,
    ComplaintSchema,
    DeskSchema,
    FollowUpInputSchema,
    IdempotencyHeaders,
    MaskedWorkerSchema,
    NoShowInputSchema,
    NoShowSchema,
    OfferInputSchema,
    OfferSchema,
    OnBehalfBookingSchema,
    RejectSchema,
    SeriesSchema,
    StationBookingListQuery,
)
from complaints import deadlines, handling
from complaints.models import COMPLAINT_STATES, COMPLAINT_STATUS_NAMES, ORDINARY, SERIOUS, SEVERITY_NAMES
from complaints.schemas import ComplaintAcceptSchema, ComplaintStepSchema
from console.web import (
    Outcome,
    attempt,
    form_input,
    is_htmx,
    loaded,
    menu_entry,
    page,
    principal,
    query_input,
    render,
)
from industry_statistics.access import station_in_scope
from industry_statistics.bookings import booking_figures
from industry_statistics.schemas import BookingFiguresSchema, PeriodQuery

station = Blueprint("station", __name__, url_prefix="")

menu_entry(STATION_STAFF, "console.station.desk", "今日工作台")
menu_entry(STATION_STAFF, "console.station.follow_ups", "待回访")
menu_entry(STATION_STAFF, "console.station.complaints", "投诉")
menu_entry(STATION_STAFF, "console.station.opening_hours", "营业时间")
menu_entry(STATION_STAFF, "console.station.figures", "本站数据")


def _own_station() -> str:
    """The station the clerk serves (their grant's scope always names one)."""
    code = str(principal().station_code)
    station_for_staff(code)
    return code


def _row(booking, outcome: Outcome | None = None, search: str | None = None, *, opened: bool = True) -> dict:
    """A booking as the API shows it to staff, with the workers it could be assigned to now (the
    best of them, or those the clerk searched for) once the clerk opened it: `workers` is None
    for a row not opened, which offers to open it (booking_row)."""
    shown = BookingSchema().dump(booking)
    workers: list | None = []
    if booking.status in (CONFIRMED, ASSIGNED):
        workers = MaskedWorkerSchema(many=True).dump(assignment.assignable_workers(booking, search)) if opened else None
    return {"booking": shown, "workers": workers, "outcome": outcome, "search": search}


@station.get("/desk")
@page(STATION_STAFF)
def desk(outcome: Outcome | None = None, status: int = 200):
    """What needs the clerk now (GET /api/v1/stations/{code}/desk: its counts), the day's bookings
    (today in Beijing unless another date is chosen), filterable by status, and the form booking
    on behalf of a caller, with the API's refusal beside its fields. A booking to assign lists its
    assignable workers once the clerk opens it (booking_row), not with the page: a clerk assigns
    one booking at a time, a list read with the page goes stale as the rows before it are
    assigned (offering a worker just given the same hour), and the page read one list of 50
    workers for every confirmed or assigned row (12 queries at scale 1), whichever the clerk
    would open."""
    code = _own_station()
    query = query_input(StationBookingListQuery(), defaults={"date": today_in_beijing().isoformat()})
    latest_first = request.args.get("sort") == "latest"
    listing = bookings.bookings_of_station(
        code,
        query.get("status"),
        query.get("date"),
        query["page"],
        query["per_page"],
        cursor=query.get("cursor"),
        latest_first=latest_first,
    )
    return render(
        "desk.html",
        status,
        needs=DeskSchema().dump(needs_now.desk(code, 1)),
        offers=OfferSchema(many=True).dump(hours.station_offers(code)),
        channels=CALLER_CHANNELS,
        outcome=outcome,
        form=request.form,
        idempotency_key=uuid.uuid4().hex,
        station=station_for_staff(code),
        rows=[_row(booking, opened=False) for booking in listing.items],
        listing=listing,
        query=query,
        sort="latest" if latest_first else "earliest",
        statuses=STATUS_NAMES,
        station_code=code,
    )


def _on_behalf_input(code: str) -> tuple[dict, str]:
    """The form, loaded by the API's own schemas: OnBehalfBookingSchema (its location a point of
    two fields here) and the Idempotency-Key the page carried, so a form sent twice books once."""
    raw: dict[str, Any] = {
        key: request.form[key]
        for key in ("service_code", "starts_at", "address", "contact_name", "caller_name", "caller_phone", "channel")
        if request.form.get(key, "").strip()
    }
    raw["consent"] = request.form.get("consent") == "yes"
    if request.form.get("lat", "").strip() or request.form.get("lng", "").strip():
        raw["location"] = {"lat": request.form.get("lat"), "lng": request.form.get("lng"), "crs": "wgs84"}
    key = loaded(IdempotencyHeaders(), {"Idempotency-Key": request.form.get("idempotency_key", "")})
    data = loaded(OnBehalfBookingSchema(), raw)
    # As the API's route: the station is the clerk's own, the point stored in WGS-84.
    data["station_code"] = code
    point = data["location"]
    data["location"] = dict(zip(("lat", "lng"), to_wgs84(point["lat"], point["lng"], point["crs"]), strict=True))
    return data, key["idempotency_key"]


@station.post("/desk/bookings")
@page(STATION_STAFF)
def book_on_behalf():
    """POST /api/v1/stations/{code}/bookings: a booking for a caller who phones or walks in; the
    clerk holds it until the resident claims it. Then to its page, showing the caller masked."""
    code = _own_station()
    outcome = attempt(lambda: on_behalf.book_on_behalf(actor(), *_on_behalf_input(code)))
    if outcome.problem is not None:
        return desk.__wrapped__(outcome=outcome, status=outcome.status)
    booking, _created = outcome.result
    return redirect(url_for("console.station.booking_page", booking_id=booking.id), 303)


@station.get("/bookings/<id:booking_id>")
@page(STATION_STAFF)
def booking_page(booking_id, outcome: Outcome | None = None, status: int = 200):
    """One booking with its history and the series it is a date of, its no-shows recordable once
    its time has begun, the workers to assign found by `q` (a name or certificate number); another
    station's booking is the API's 404."""
    booking = booking_for_staff(booking_id, lock=False)
    return render(
        "booking.html",
        status,
        row=_row(booking, search=request.args.get("q", "").strip()[:100] or None),
        detail=BookingDetailSchema().dump(booking),
        series_id=series.series_of_booking(booking.id),
        no_show_open=booking.status == ASSIGNED and utcnow() >= booking.starts_at,
        no_shows=NoShowSchema(many=True).dump(no_shows.no_shows_of_booking(booking.id)),
        parties=NO_SHOW_PARTIES,
        no_show_outcome=outcome,
    )


@station.get("/bookings/<id:booking_id>/row")
@page(STATION_STAFF)
def booking_row(booking_id):
    """The desk's row of one booking, opened: with the workers it could be assigned to now, as
    GET /api/v1/bookings/{id}/assignable-workers lists them (htmx swaps it in for the row)."""
    return render("_booking_row.html", row=_row(booking_for_staff(booking_id, lock=False)), action=None)


@station.post("/bookings/<id:booking_id>/no-show")
@page(STATION_STAFF)
def record_no_show(booking_id):
    """POST /api/v1/bookings/{id}/no-show: the resident was not there, or the worker did not come."""

    def record():
        data = form_input(NoShowInputSchema())
        return NoShowSchema().dump(
            no_shows.record_no_show(booking_for_staff(booking_id), data["party"], data.get("notes"), actor())
        )

    outcome = attempt(record)
    if outcome.problem is None:
        return redirect(url_for("console.station.booking_page", booking_id=booking_id), 303)
    return booking_page.__wrapped__(booking_id, outcome=outcome, status=outcome.status)


# What became of a series' date when it was booked (booking.models.OCCURRENCE_OUTCOMES).
OCCURRENCE_NAMES = dict(
    zip(
        OCCURRENCE_OUTCOMES,
        (
            "已预约",
            "时段已满",
            "服务站休息",
            "不是时段的开始时间",
            "超出可预约的日期",
            "超出系列的预约期限",
            "指定人员没空",
        ),
        strict=True,
    )
)


@station.get("/series/<id:series_id>")
@page(STATION_STAFF)
def series_page(series_id):
    """GET /api/v1/series/{id}: each date of a recurring series, booked or why not, with its
    booking as it is now; another station's series is the API's 404. (A slot's waiting list has
    no read for staff in the API, so the console shows none.)"""
    return render("series.html", s=SeriesSchema().dump(series_for_reader(series_id)), outcomes=OCCURRENCE_NAMES)


def _assign(booking):
    data = form_input(AssignSchema())
    worker = assignment.worker_to_assign(data["worker_id"])
    if worker is None:  # the API route's own refusal (booking.routes.assign_worker)
        raise Invalid(
            _("Invalid input: %(fields)s", fields="worker_id"),
            code="unknown_worker",
            errors={"worker_id": [_("no such worker")]},
        )
    return assignment.assign(booking, worker, actor())


# action -> what it does to the staff's booking; each is the API route's operation.
ACTIONS = {
    "confirm": lambda booking: bookings.confirm(booking, actor()),
    "reject": lambda booking: bookings.reject(booking, actor(), form_input(RejectSchema())["reason"]),
    "assign": _assign,
    "start": lambda booking: assignment.start(booking, actor()),
    "complete": lambda booking: assignment.complete(booking, actor()),
    "follow-up": lambda booking: aftercare.record_follow_up(booking, form_input(FollowUpInputSchema()), actor()),
}


@station.post("/bookings/<id:booking_id>/<any(confirm, reject, assign, start, complete, 'follow-up'):action>")
@page(STATION_STAFF)
def booking_action(booking_id, action):
    """One step of the booking: the row comes back as it is now, with the API's refusal beside the
    form when there was one (htmx); without htmx, back to the page it came from."""
    outcome = attempt(lambda: ACTIONS[action](booking_for_staff(booking_id)))
    booking = booking_for_staff(booking_id, lock=False)
    if not is_htmx() and outcome.problem is None:
        return redirect(request.referrer or url_for("console.station.desk"), 303)
    return render("_booking_row.html", outcome.status, row=_row(booking, outcome), action=action)


@station.get("/follow-ups")
@page(STATION_STAFF)
def follow_ups():
    code = _own_station()
    query = query_input(PageQuery())  # a month's calls (FOLLOW_UP_WINDOW_DAYS): paged by number
    listing = aftercare.follow_ups_due(code, query["page"], query["per_page"])
    return render(
        "follow_ups.html",
        rows=[_row(booking) for booking in listing.items],
        listing=listing,
        query=query,
        window_days=current_app.config["FOLLOW_UP_WINDOW_DAYS"],
    )


# A complaint's steps, as the API's POST /api/v1/complaints/{id}/{step} names them, with their buttons.
COMPLAINT_STEPS = {
    "accept": "受理",
    "uphold": "投诉成立",
    "dismiss": "投诉不成立",
    "invalidate": "无效投诉",
    "close": "结案",
}


# The triage's choice (ComplaintAcceptSchema): an invalid complaint is invalidated instead.
TRIAGE_SEVERITIES = {severity: SEVERITY_NAMES[severity] for severity in (ORDINARY, SERIOUS)}


def complaint_steps(complaint) -> list[str]:
    return [step for step in COMPLAINT_STEPS if complaint.status in COMPLAINT_STATES.transitions[step]]


def complaint_row(complaint, schema, outcome: Outcome | None = None) -> dict:
    """A complaint as its API shows it, its steps open now, and whether the deadline it waits on
    (respond_by while submitted, resolve_by while accepted) is past."""
    due = deadlines.due_at(complaint)
    return {
        "complaint": schema.dump(complaint),
        "steps": complaint_steps(complaint),
        "overdue": due is not None and due < utcnow(),
        "waiting_on": {"submitted": "respond_by", "accepted": "resolve_by"}.get(complaint.status),
        "outcome": outcome,
    }


def handle_complaint(complaint, step: str):
    """The API's step: accept with the triage's severity (ComplaintAcceptSchema), the others with a reason."""
    data = form_input(ComplaintAcceptSchema() if step == "accept" else ComplaintStepSchema())
    return handling.handle(complaint, step, actor(), data.get("reason"), data.get("severity"))


COMPLAINT_PAGE: dict[str, Any] = {
    "statuses": COMPLAINT_STATUS_NAMES,
    "step_names": COMPLAINT_STEPS,
    "severities": TRIAGE_SEVERITIES,
}


@station.get("/complaints")
@page(STATION_STAFF)
def complaints():
    """The station's complaints with their severity and deadlines, the one waiting on the nearest
    deadline first; an overdue one is marked."""
    code = _own_station()
    query = query_input(ComplaintListQuery())
    listing = aftercare.complaints_of_station(
        code, query.get("status"), query["page"], query["per_page"], by_deadline=True
    )
    return render(
        "complaints.html",
        rows=[complaint_row(complaint, ComplaintSchema()) for complaint in listing.items],
        listing=listing,
        query=query,
        **COMPLAINT_PAGE,
    )


@station.post("/complaints/<id:complaint_id>/<any(" + ", ".join(COMPLAINT_STEPS) + "):step>")
@page(STATION_STAFF)
def complaint_step(complaint_id, step):
    outcome = attempt(lambda: handle_complaint(complaint_for_staff(complaint_id), step))
    complaint = complaint_for_staff(complaint_id)
    if not is_htmx() and outcome.problem is None:
        return redirect(url_for("console.station.complaints"), 303)
    return render(
        "_complaint_row.html",
        outcome.status,
        row=complaint_row(complaint, ComplaintSchema(), outcome),
        **COMPLAINT_PAGE,
    )


class ClosedDayForm(ClosedDayInputSchema):
    """The API's closing of a day, whose day is in its path: here a field of the form."""

    day = ma.fields.Date(required=True)


@station.get("/opening-hours")
@page(STATION_STAFF)
def opening_hours(outcome: Outcome | None = None, status: int = 200, failed: str | None = None):
    code = _own_station()
    return render(
        "opening_hours.html",
        status,
        offers=OfferSchema(many=True).dump(hours.station_offers(code)),
        closed=ClosedDaySchema(many=True).dump(hours.closed_days(code, today_in_beijing())),
        outcome=outcome,
        failed=failed,
        form=request.form,
    )


def _hours_answer(outcome: Outcome, failed: str):
    if outcome.problem is None:
        return redirect(url_for("console.station.opening_hours"), 303)
    return opening_hours.__wrapped__(outcome=outcome, status=outcome.status, failed=failed)


@station.post("/opening-hours/<string:service_code>")
@page(STATION_STAFF)
def save_offer(service_code):
    """PUT /api/v1/stations/{code}/offers/{service}: hours, slot length and places of a service."""
    code = _own_station()
    return _hours_answer(
        attempt(lambda: hours.save_offer(code, service_code, form_input(OfferInputSchema()))), service_code
    )


@station.post("/closed-days")
@page(STATION_STAFF)
def close_day():
    """PUT /api/v1/stations/{code}/closed-days/{day}: refused (409) while the day has open bookings."""
    code = _own_station()

    def close():
        data = form_input(ClosedDayForm())
        return hours.close_day(code, data["day"], data["reason"], actor())

    return _hours_answer(attempt(close), "closed-day")


class DayForm(ma.Schema):
    day = ma.fields.Date(required=True)


@station.post("/closed-days/reopen")
@page(STATION_STAFF)
def reopen_day():
    """DELETE /api/v1/stations/{code}/closed-days/{day}: the day takes bookings again."""
    code = _own_station()
    return _hours_answer(attempt(lambda: hours.reopen_day(code, form_input(DayForm())["day"])), "reopen")


@station.get("/station-figures")
@page(STATION_STAFF)
def figures():
    """GET /api/v1/statistics/bookings for the clerk's own station (its access check, its period
    and defaults): bookings, completed, cancelled, followed up, satisfied and complained about,
    and their rates. A refused period is shown beside its field."""
    outcome = attempt(lambda: query_input(PeriodQuery()))
    shown = None
    if outcome.problem is None:
        code = station_in_scope(None)
        shown = BookingFiguresSchema().dump(booking_figures(outcome.result["period"], None, code))
    return render("station_figures.html", outcome.status, outcome=outcome, query=outcome.result or {}, figures=shown)


@station.get("/day-sheet")
@page(STATION_STAFF)
def day_sheet():
    """The day's bookings on one printable page (every one, not a page of them)."""
    code = _own_station()
    query = query_input(StationBookingListQuery(), defaults={"date": today_in_beijing().isoformat()})
    listing = bookings.bookings_of_station(code, None, query["date"], 1, 1000)
    return render(
        "day_sheet.html",
        bookings=BookingSchema(many=True).dump(listing.items),
        day=query["date"],
        station=station_for_staff(code),
    )
