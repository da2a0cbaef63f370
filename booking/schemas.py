"""Request and response schemas of booking: they validate input and write the OpenAPI document.
Times are Beijing time (Asia/Shanghai) with their offset; a time without one is read as Beijing
time."""

import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy import inspect

from app.clock import BEIJING
from app.fields import BEIJING_TIME, BeijingDateTime, FullMatch, RecordId, Text
from app.i18n import _, lazy_gettext
from app.paging import CursorPageQuery, PageQuery, cursor_page_schema, page_schema
from app.privacy import mask_name, mask_phone
from booking.models import (
    ASSIGNABLE_LISTED,
    BLOCK_MINUTES,
    CALLER_CHANNELS,
    COMPLETED,
    NO_SHOW_PARTIES,
    OCCURRENCE_OUTCOMES,
    SERIES_STATUS_NAMES,
    SERIES_STATUSES,
    STATUS_NAMES,
    STATUSES,
    WAITING,
    WAITING_STATUS_NAMES,
    WAITING_STATUSES,
)
from complaints.models import COMPLAINT_STATUSES
from complaints.schemas import DueComplaintPageSchema, HandledComplaintSchema, complaint_type
from credit.schemas import MaskedWorkerSchema
from stations.schemas import CRS_DESCRIPTION, LocationSchema, StationSchema, crs_field
from stations.services import location_view, station_name
from wechat.schemas import shown_text, text_status


def beijing_datetime(**kwargs) -> fields.AwareDateTime:
    metadata = kwargs.pop("metadata", {})
    return fields.AwareDateTime(default_timezone=BEIJING, metadata={"description": BEIJING_TIME, **metadata}, **kwargs)


def whole_blocks(value: int) -> None:
    if value % BLOCK_MINUTES:
        raise ma.ValidationError(_("must be a multiple of %(minutes)s", minutes=BLOCK_MINUTES))


def half_hour(value) -> None:
    if value.minute % 30 or value.second or value.microsecond:
        raise ma.ValidationError(_("must be on the hour or the half hour"))


# ---------------------------------------------------------------- catalogue and hours


class ServiceSchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "cleaning"})
    name = fields.String(
        required=True,
        metadata={"description": "the Chinese name; workers' service_types hold the code", "example": "保洁"},
    )
    description = fields.String(allow_none=True)
    typical_minutes = fields.Integer(required=True)


class ServiceListSchema(ma.Schema):
    items = fields.List(fields.Nested(ServiceSchema), required=True)
    total = fields.Integer(required=True)


class OfferInputSchema(ma.Schema):
    weekdays = Text(
        load_default="1234567",
        validate=FullMatch(
            r"(?!.*(.).*\1)[1-7]{1,7}", error=lazy_gettext("ISO weekday digits 1 (Monday) to 7, each at most once")
        ),
        metadata={"description": "ISO weekdays open, 1 = Monday", "example": "12345"},
    )
    opens_at = fields.Time(required=True, validate=half_hour, metadata={"description": "Beijing time, e.g. 08:00"})
    closes_at = fields.Time(required=True, validate=half_hour, metadata={"description": "Beijing time, e.g. 18:00"})
    slot_minutes = fields.Integer(required=True, validate=[validate.Range(min=BLOCK_MINUTES, max=720), whole_blocks])
    capacity = fields.Integer(
        required=True, validate=validate.Range(min=1, max=100), metadata={"description": "places per slot"}
    )
    active = fields.Boolean(load_default=True)

    @ma.validates_schema
    def closes_after_opening(self, data, **_kwargs):
        if "opens_at" in data and "closes_at" in data and data["closes_at"] <= data["opens_at"]:
            raise ma.ValidationError(_("must be after opens_at"), "closes_at")


class OfferSchema(ma.Schema):
    station_code = fields.String(required=True)
    service = fields.Nested(ServiceSchema, required=True)
    weekdays = fields.String(required=True)
    opens_at = fields.Time(required=True)
    closes_at = fields.Time(required=True)
    slot_minutes = fields.Integer(required=True)
    capacity = fields.Integer(required=True)
    active = fields.Boolean(required=True)


class OfferListSchema(ma.Schema):
    items = fields.List(fields.Nested(OfferSchema), required=True)
    total = fields.Integer(required=True)


class ClosedDayInputSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=200))


class ClosedDaySchema(ma.Schema):
    day = fields.Date(required=True)
    reason = fields.String(required=True)


class ClosedDayListSchema(ma.Schema):
    items = fields.List(fields.Nested(ClosedDaySchema), required=True)
    total = fields.Integer(required=True)


# ---------------------------------------------------------------- availability


class AvailabilityQuery(ma.Schema):
    service = fields.String(required=True, metadata={"description": "service code, e.g. cleaning"})
    station = Text(
        validate=FullMatch(r"\d{12}", error=lazy_gettext("must be a 12-digit station code")),
        metadata={"description": "a station's code; or give lat and lng for the nearest"},
    )
    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lng = fields.Float(validate=validate.Range(min=-180, max=180))
    crs = crs_field("gcj02")

    @ma.validates_schema
    def station_or_point(self, data, **_kwargs):
        has_point = "lat" in data and "lng" in data
        if "station" in data and ("lat" in data or "lng" in data):
            raise ma.ValidationError(_("give either station or lat and lng, not both"), "station")
        if "station" not in data and not has_point:
            missing = [name for name in ("lat", "lng") if name not in data]
            raise ma.ValidationError({name: [_("needed when no station is given")] for name in missing})


class SlotSchema(ma.Schema):
    starts_at = fields.DateTime(required=True, metadata={"description": BEIJING_TIME})
    ends_at = fields.DateTime(required=True, metadata={"description": BEIJING_TIME})
    capacity = fields.Integer(required=True)
    remaining = fields.Integer(required=True, metadata={"description": "places still free"})


class AvailabilityDaySchema(ma.Schema):
    date = fields.Date(required=True, metadata={"description": "Beijing date"})
    closed = fields.Boolean(required=True)
    closed_reason = fields.String(allow_none=True)
    slots = fields.List(fields.Nested(SlotSchema), required=True)


class AvailabilitySchema(ma.Schema):
    station = fields.Nested(StationSchema, required=True, metadata={"description": "as GET /stations/{code} shows it"})
    service = fields.Nested(ServiceSchema, required=True)
    slot_minutes = fields.Integer(required=True)
    days = fields.List(fields.Nested(AvailabilityDaySchema), required=True)


# ---------------------------------------------------------------- bookings


class PointSchema(ma.Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    crs = crs_field("gcj02")


class IdempotencyHeaders(ma.Schema):
    idempotency_key = fields.String(
        required=True,
        data_key="Idempotency-Key",
        validate=FullMatch(r"[\x21-\x7e]{8,64}", error=lazy_gettext("8-64 visible ASCII characters")),
        metadata={
            "description": "A new random key (e.g. a UUID) per booking the resident means to make; "
            "retrying with the same key and body returns the same booking"
        },
    )


class BookingCreateSchema(ma.Schema):
    station_code = Text(
        required=True, validate=FullMatch(r"\d{12}", error=lazy_gettext("must be a 12-digit station code"))
    )
    service_code = Text(required=True, validate=validate.Length(min=1, max=32))
    starts_at = beijing_datetime(required=True, metadata={"description": "a slot's start from /availability"})
    address = Text(
        required=True,
        validate=validate.Length(min=4, max=200),
        metadata={"description": "stored encrypted; seen by the resident and the station"},
    )
    location = fields.Nested(
        PointSchema, required=True, metadata={"description": "the address's point; " + CRS_DESCRIPTION}
    )
    contact_name = Text(allow_none=True, validate=validate.Length(max=32))
    notes = Text(allow_none=True, validate=validate.Length(max=500))
    preferred_worker_id = RecordId(allow_none=True)


class BookingListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))


class AssignmentListQuery(PageQuery):
    days = fields.Integer(
        load_default=7, validate=validate.Range(min=1, max=31), metadata={"description": "today and the days after"}
    )


class StationBookingListQuery(CursorPageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
    date = fields.Date(metadata={"description": "Beijing date of the slot"})


class AssignableWorkersQuery(ma.Schema):
    q = Text(
        validate=validate.Length(max=100),
        metadata={
            "description": "part of a worker's name, or a certificate number in full: finds those not listed first"
        },
    )
    limit = fields.Integer(
        load_default=ASSIGNABLE_LISTED,
        validate=validate.Range(min=1, max=200),
        metadata={"description": "how many are listed, the best first"},
    )


class WorkerListSchema(ma.Schema):
    items = fields.List(fields.Nested(MaskedWorkerSchema), required=True)
    total = fields.Integer(required=True)


class BookingEventSchema(ma.Schema):
    action = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)
    at = BeijingDateTime(required=True, attribute="created_at")


class RatingSummarySchema(ma.Schema):
    stars = fields.Integer(required=True)
    text = shown_text()
    text_status = text_status()


class CompletedRating(fields.Nested):
    """A booking's rating; null unless it is completed and rated (only a completed booking can have
    been rated: the others' answers do not look)."""

    def __init__(self, **kwargs):
        super().__init__(RatingSummarySchema, allow_none=True, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return obj.rating if obj.status == COMPLETED else None


class AddressPoint(fields.Nested):
    """A booking's point (its lat and lng, WGS-84) as the answer writes it: GCJ-02."""

    def __init__(self, **kwargs):
        super().__init__(LocationSchema, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return location_view(obj, "gcj02")


def _station_name(booking) -> str:
    """A list loads its bookings' stations with the page; one booking's answer (the booking path
    is the measured hot one) reads stations' per-process table of names instead of a query."""
    if "station" in inspect(booking).unloaded:
        return station_name(booking.station_code)
    return booking.station.name


class MaskedCallerSchema(ma.Schema):
    """Whom a booking taken on behalf is for, masked as residents' data is everywhere."""

    name = fields.Function(lambda caller: mask_name(caller.name), required=True, metadata={"type": "string"})
    phone = fields.Function(lambda caller: mask_phone(caller.phone), required=True, metadata={"type": "string"})
    channel = fields.String(required=True, validate=validate.OneOf(list(CALLER_CHANNELS)))
    consent_at = BeijingDateTime(required=True)
    claimed_at = BeijingDateTime(allow_none=True, metadata={"description": "when the resident claimed it"})


class BookingSchema(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    status_name = fields.Function(
        lambda booking: STATUS_NAMES[booking.status], required=True, metadata={"type": "string", "example": "待接单"}
    )
    rescheduled = fields.Function(
        lambda booking: booking.reschedule_count > 0,
        required=True,
        metadata={"type": "boolean", "description": "已改约: moved at least once"},
    )
    station_code = fields.String(required=True)
    station_name = fields.Function(_station_name, required=True, metadata={"type": "string"})
    service = fields.Nested(ServiceSchema, required=True)
    starts_at = BeijingDateTime(required=True)
    ends_at = BeijingDateTime(required=True)
    address = fields.String(required=True)
    location = AddressPoint(required=True, metadata={"description": "the address's point, in GCJ-02"})
    contact_name = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    preferred_worker_id = fields.Integer(allow_none=True)
    worker = fields.Nested(MaskedWorkerSchema, allow_none=True)
    caller = fields.Nested(
        MaskedCallerSchema, allow_none=True, metadata={"description": "booked on behalf of: masked; else null"}
    )
    entry_confirmed_at = BeijingDateTime(allow_none=True)
    rating = CompletedRating(
        required=True, metadata={"description": "stars and text once the completed booking is rated; else null"}
    )
    created_at = BeijingDateTime(required=True)


class BookingDetailSchema(BookingSchema):
    events = fields.List(
        fields.Nested(BookingEventSchema),
        required=True,
        metadata={"description": "every transition and fact, oldest first"},
    )


BookingPageSchema = page_schema(BookingSchema, "BookingPageSchema")
StationBookingPageSchema = cursor_page_schema(BookingSchema, "StationBookingPageSchema", capped=True)


class RejectSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class CancelSchema(ma.Schema):
    reason = Text(allow_none=True, validate=validate.Length(max=500))


class RescheduleSchema(ma.Schema):
    reason = Text(allow_none=True, validate=validate.Length(max=500))
    starts_at = beijing_datetime(required=True, metadata={"description": "the new slot's start"})


class AssignSchema(ma.Schema):
    worker_id = RecordId(required=True)


class EntrySchema(ma.Schema):
    token = fields.String(
        required=True,
        validate=validate.Length(min=1, max=512),
        metadata={
            "description": "what wx.scanCode returned for the worker's card: the QR's full URL "
            "(…/q/<token>), the bare token, or the mini-program code's scene (w<id>.<hex>) or page path"
        },
    )


class EntryCheckSchema(ma.Schema):
    booking_id = fields.Integer(required=True)
    matched = fields.Boolean(required=True)
    colour = fields.String(required=True, metadata={"description": "green, yellow or red at the door"})
    worker = fields.Nested(MaskedWorkerSchema, required=True, attribute="scanned_worker")
    checked_at = BeijingDateTime(required=True)


class RatingInputSchema(ma.Schema):
    stars = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    text = Text(allow_none=True, validate=validate.Length(max=500))


class RatingSchema(ma.Schema):
    booking_id = fields.Integer(required=True)
    stars = fields.Integer(required=True)
    text = shown_text()
    text_status = text_status()
    created_at = BeijingDateTime(required=True)


class FollowUpInputSchema(ma.Schema):
    satisfied = fields.Boolean(required=True)
    called_at = beijing_datetime(metadata={"description": "when the call was made; now when left out"})
    notes = Text(allow_none=True, validate=validate.Length(max=500))


class FollowUpSchema(ma.Schema):
    booking_id = fields.Integer(required=True)
    caller_id = fields.Integer(required=True)
    called_at = BeijingDateTime(required=True)
    satisfied = fields.Boolean(required=True)
    notes = fields.String(allow_none=True)


class ComplaintInputSchema(ma.Schema):
    type = complaint_type(required=True)
    text = Text(required=True, validate=validate.Length(min=1, max=1000))


class ComplaintSchema(HandledComplaintSchema):
    booking_id = fields.Integer(required=True)
    text = shown_text(required=True)
    text_status = text_status()


class ComplaintListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(COMPLAINT_STATUSES))


ComplaintPageSchema = page_schema(ComplaintSchema, "ComplaintPageSchema")


# ---------------------------------------------------------------- recurring series


class SeriesCreateSchema(BookingCreateSchema):
    starts_at = beijing_datetime(
        required=True, metadata={"description": "the first date's slot start, within the next 7 days"}
    )
    every_days = fields.Integer(
        load_default=7,
        validate=validate.Range(min=1, max=31),
        metadata={"description": "days between dates: 7 for weekly"},
    )
    count = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "how many dates, at most SERIES_MAX_OCCURRENCES (13 unless configured)"},
    )


class SeriesOccurrenceSchema(ma.Schema):
    position = fields.Integer(required=True, metadata={"description": "0 for the first date"})
    planned_starts_at = BeijingDateTime(required=True, metadata={"description": "the date as the series planned it"})
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(OCCURRENCE_OUTCOMES),
        metadata={"description": "booked, or why not: " + ", ".join(OCCURRENCE_OUTCOMES[1:])},
    )
    booking = fields.Nested(
        BookingSchema, allow_none=True, metadata={"description": "the date's booking as it is now; null if not booked"}
    )


class SeriesEventSchema(ma.Schema):
    action = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)
    at = BeijingDateTime(required=True, attribute="created_at")


class SeriesSchema(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(SERIES_STATUSES))
    status_name = fields.Function(
        lambda series: SERIES_STATUS_NAMES[series.status], required=True, metadata={"type": "string"}
    )
    station_code = fields.String(required=True)
    service = fields.Nested(ServiceSchema, required=True)
    first_starts_at = BeijingDateTime(required=True)
    every_days = fields.Integer(required=True)
    count = fields.Integer(required=True)
    preferred_worker_id = fields.Integer(allow_none=True)
    booked = fields.Function(
        lambda series: sum(o.booking_id is not None for o in series.occurrences),
        required=True,
        metadata={"type": "integer", "description": "dates booked"},
    )
    occurrences = fields.List(fields.Nested(SeriesOccurrenceSchema), required=True)
    events = fields.List(fields.Nested(SeriesEventSchema), required=True)
    created_at = BeijingDateTime(required=True)


class SeriesCancelSchema(ma.Schema):
    reason = Text(allow_none=True, validate=validate.Length(max=500))
    from_ = beijing_datetime(
        data_key="from",
        metadata={"description": "cancel the dates starting at or after this moment; now when left out"},
    )


# ---------------------------------------------------------------- waiting list


class WaitingJoinSchema(ma.Schema):
    station_code = Text(
        required=True, validate=FullMatch(r"\d{12}", error=lazy_gettext("must be a 12-digit station code"))
    )
    service_code = Text(required=True, validate=validate.Length(min=1, max=32))
    starts_at = beijing_datetime(required=True, metadata={"description": "the full slot's start"})


class WaitingTakeSchema(BookingCreateSchema):
    """A booking of the offered place: where and for whom; the slot is the waiting entry's."""

    class Meta:
        exclude = ("station_code", "service_code", "starts_at")


class WaitingEventSchema(ma.Schema):
    action = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    at = BeijingDateTime(required=True, attribute="created_at")


class WaitingEntrySchema(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(WAITING_STATUSES))
    status_name = fields.Function(
        lambda entry: WAITING_STATUS_NAMES[entry.status], required=True, metadata={"type": "string"}
    )
    position = fields.Function(
        lambda entry: entry.position if entry.status == WAITING else None,
        allow_none=True,
        metadata={"type": "integer", "description": "1 for the next to be offered a place; null unless waiting"},
    )
    station_code = fields.String(required=True)
    station_name = fields.Function(lambda entry: station_name(entry.station_code), metadata={"type": "string"})
    service = fields.Nested(ServiceSchema, required=True)
    starts_at = BeijingDateTime(required=True)
    offer_expires_at = BeijingDateTime(
        allow_none=True, metadata={"description": "while offered: take the place before this"}
    )
    booking_id = fields.Integer(allow_none=True, metadata={"description": "the booking, once taken"})
    created_at = BeijingDateTime(required=True)


class WaitingEntryDetailSchema(WaitingEntrySchema):
    events = fields.List(fields.Nested(WaitingEventSchema), required=True)


class WaitingListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(WAITING_STATUSES))


WaitingEntryPageSchema = page_schema(WaitingEntrySchema, "WaitingEntryPageSchema")


class DeskQuery(ma.Schema):
    limit = fields.Integer(
        load_default=10, validate=validate.Range(min=1, max=50), metadata={"description": "rows of each list"}
    )


class DeskSchema(ma.Schema):
    """What needs the station's staff now: each list with its count (total) and its first rows."""

    unconfirmed = fields.Nested(
        page_schema(BookingSchema, "DeskBookingsSchema"),
        required=True,
        metadata={"description": "pending bookings, the oldest first"},
    )
    follow_ups_due = fields.Nested(
        page_schema(BookingSchema, "DeskFollowUpsSchema"),
        required=True,
        metadata={"description": "completed bookings whose 回访 is not recorded, the longest waiting first"},
    )
    complaints_due = fields.Nested(
        DueComplaintPageSchema,
        required=True,
        metadata={"description": "open complaints past their deadline or due within near_hours, most overdue first"},
    )
    near_hours = fields.Integer(required=True, metadata={"description": "COMPLAINT_NEAR_HOURS"})


class NoShowInputSchema(ma.Schema):
    party = fields.String(
        required=True,
        validate=validate.OneOf(list(NO_SHOW_PARTIES)),
        metadata={"description": ", ".join(f"{k} ({v})" for k, v in NO_SHOW_PARTIES.items())},
    )
    notes = Text(allow_none=True, validate=validate.Length(max=500))


class NoShowSchema(ma.Schema):
    id = fields.Integer(required=True)
    booking_id = fields.Integer(required=True)
    party = fields.String(required=True)
    party_name = fields.Function(lambda row: NO_SHOW_PARTIES[row.party], required=True, metadata={"type": "string"})
    worker_id = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    recorded_by_id = fields.Integer(required=True)
    recorded_at = BeijingDateTime(required=True)


NoShowPageSchema = page_schema(NoShowSchema, "NoShowPageSchema")


class NoShowListQuery(PageQuery):
    party = fields.String(validate=validate.OneOf(list(NO_SHOW_PARTIES)))


class OnBehalfBookingSchema(BookingCreateSchema):
    """A booking a station's staff take for a caller or a walk-in: the station is the path's."""

    class Meta:
        exclude = ("station_code",)

    caller_name = Text(required=True, validate=validate.Length(min=1, max=32), metadata={"description": "encrypted"})
    caller_phone = Text(
        required=True,
        validate=FullMatch(r"1[3-9]\d{9}", error=lazy_gettext("must be an 11-digit mainland mobile number")),
        metadata={"description": "encrypted; the resident claims the booking with this phone bound in WeChat"},
    )
    channel = fields.String(
        required=True,
        validate=validate.OneOf(list(CALLER_CHANNELS)),
        metadata={"description": ", ".join(f"{k} ({v})" for k, v in CALLER_CHANNELS.items())},
    )
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=lazy_gettext("the caller must agree to their name and phone being kept")),
        metadata={"description": "the caller agreed to their name, phone and address being kept for the booking"},
    )


class ClaimedBookingsSchema(ma.Schema):
    items = fields.List(fields.Nested(BookingSchema), required=True)
    total = fields.Integer(required=True)
