"""Request and response schemas of engagements. Days are Beijing dates, moments Beijing time with
their offset (a time without one is read as Beijing time)."""

import marshmallow as ma
from marshmallow import fields, validate

from app.clock import BEIJING
from app.fields import BEIJING_TIME, BeijingDateTime, FullMatch, RecordId, Text
from app.i18n import _, lazy_gettext
from app.paging import PageQuery, page_schema
from complaints.models import COMPLAINT_STATUSES
from complaints.schemas import HandledComplaintSchema, complaint_type
from credit.schemas import MaskedWorkerSchema
from credit.service_types import SERVICE_TYPES
from engagements.models import (
    DAYS,
    ENGAGEMENT_SERVICES,
    IN_PERSON,
    MONTHS,
    STATUS_NAMES,
    STATUSES,
    VIDEO,
)
from wechat.schemas import shown_text, text_status

LENGTH_UNITS = (DAYS, MONTHS)


def half_hour(value) -> None:
    if value.minute % 30 or value.second or value.microsecond:
        raise ma.ValidationError(_("must be on the hour or the half hour"))


def length_field() -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=1, max=366), metadata={"example": 26})


def unit_field() -> fields.String:
    return fields.String(required=True, validate=validate.OneOf(LENGTH_UNITS), metadata={"example": DAYS})


class EngagementCreateSchema(ma.Schema):
    service_code = fields.String(
        required=True,
        validate=validate.OneOf(ENGAGEMENT_SERVICES),
        metadata={"description": ", ".join(f"{code} {SERVICE_TYPES[code]}" for code in ENGAGEMENT_SERVICES)},
    )
    station_code = Text(
        validate=FullMatch(r"\d{12}", error=lazy_gettext("must be a 12-digit station code")),
        metadata={"description": "the station asked; or company_id"},
    )
    company_id = RecordId(metadata={"description": "the company the resident chose; or station_code"})
    start_day = fields.Date(
        required=True, metadata={"description": "Beijing date, from tomorrow to ENGAGEMENT_MONTHS_AHEAD months ahead"}
    )
    length = length_field()
    length_unit = unit_field()
    live_in = fields.Boolean(required=True, metadata={"description": "住家: every hour of every day"})
    day_starts_at = fields.Time(validate=half_hour, metadata={"description": "Beijing time; needed unless live-in"})
    day_ends_at = fields.Time(validate=half_hour, metadata={"description": "Beijing time; needed unless live-in"})
    address = Text(
        required=True,
        validate=validate.Length(min=4, max=200),
        metadata={"description": "stored encrypted; seen by the resident, the handlers and the chosen worker"},
    )
    needs = Text(allow_none=True, validate=validate.Length(max=1000), metadata={"description": "checked by WeChat"})
    preferred_worker_id = RecordId(allow_none=True)

    @ma.validates_schema
    def one_destination_and_hours(self, data: dict, **_kwargs) -> None:
        if bool(data.get("station_code")) == bool(data.get("company_id")):
            raise ma.ValidationError(_("name either station_code or company_id"), "station_code")
        if not data["live_in"]:
            starts, ends = data.get("day_starts_at"), data.get("day_ends_at")
            if starts is None or ends is None:
                raise ma.ValidationError(_("day_starts_at and day_ends_at are needed unless live_in"), "day_starts_at")
            if ends <= starts:
                raise ma.ValidationError(_("must be after day_starts_at"), "day_ends_at")


class EngagementListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))


class CandidateProposalSchema(ma.Schema):
    worker_ids = fields.List(RecordId(), required=True, validate=validate.Length(min=1, max=20))


class InterviewRequestSchema(ma.Schema):
    candidate_id = RecordId(required=True)
    at = fields.AwareDateTime(default_timezone=BEIJING, required=True, metadata={"description": BEIJING_TIME})
    mode = fields.String(required=True, validate=validate.OneOf((IN_PERSON, VIDEO)))


class CandidateChoiceSchema(ma.Schema):
    candidate_id = RecordId(required=True)


class WorkerConfirmSchema(ma.Schema):
    contract_reference = Text(
        required=True, validate=validate.Length(min=1, max=64), metadata={"description": "the e-contract's reference"}
    )
    contract_signed_on = fields.Date(required=True)


class EngagementCancelSchema(ma.Schema):
    reason = Text(allow_none=True, validate=validate.Length(max=500))


class EngagementEndEarlySchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class EngagementExtendSchema(ma.Schema):
    length = length_field()
    length_unit = unit_field()


class EngagementScanInputSchema(ma.Schema):
    token = fields.String(
        required=True,
        validate=validate.Length(min=1, max=512),
        metadata={"description": "what wx.scanCode returned for the worker's 安心碼"},
    )


class EngagementRatingInputSchema(ma.Schema):
    stars = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    text = Text(allow_none=True, validate=validate.Length(max=500))
    month = fields.Integer(
        validate=validate.Range(min=1, max=12),
        metadata={"description": "rate the n-th month of service (in service); leave out for the rating at the end"},
    )


class EngagementFollowUpInputSchema(ma.Schema):
    satisfied = fields.Boolean(required=True)
    called_at = fields.AwareDateTime(default_timezone=BEIJING, metadata={"description": BEIJING_TIME})
    notes = Text(allow_none=True, validate=validate.Length(max=500))


# ---------------------------------------------------------------- answers


class CandidateWorkerSchema(MaskedWorkerSchema):
    """credit's masked worker, with the years of experience a family weighs."""

    years_of_experience = fields.Integer(allow_none=True)


class CandidateSchema(ma.Schema):
    id = fields.Integer(required=True)
    worker = fields.Nested(CandidateWorkerSchema, required=True)
    proposed_at = BeijingDateTime(required=True)
    interview_at = BeijingDateTime(allow_none=True)
    interview_mode = fields.String(allow_none=True, validate=validate.OneOf((IN_PERSON, VIDEO)))


class EngagementRatingSchema(ma.Schema):
    period = fields.Integer(required=True, metadata={"description": "0 the rating at the end, n the n-th month"})
    stars = fields.Integer(required=True)
    text = shown_text()
    text_status = text_status()
    created_at = BeijingDateTime(required=True)


class EngagementSchema(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    status_name = fields.Function(
        lambda engagement: STATUS_NAMES[engagement.status], required=True, metadata={"type": "string"}
    )
    service_code = fields.String(required=True)
    service_name = fields.Function(
        lambda engagement: SERVICE_TYPES[engagement.service_code], required=True, metadata={"type": "string"}
    )
    station_code = fields.String(allow_none=True)
    company_id = fields.Integer(allow_none=True)
    start_day = fields.Date(required=True)
    last_day = fields.Date(required=True, metadata={"description": "included; an extension or early end moves it"})
    length = fields.Integer(required=True)
    length_unit = fields.String(required=True)
    live_in = fields.Boolean(required=True)
    day_starts_at = fields.Time(allow_none=True)
    day_ends_at = fields.Time(allow_none=True)
    address = fields.String(required=True)
    needs = shown_text()
    text_status = text_status()
    preferred_worker_id = fields.Integer(allow_none=True)
    worker = fields.Nested(CandidateWorkerSchema, allow_none=True, metadata={"description": "the chosen worker"})
    candidates = fields.List(fields.Nested(CandidateSchema), required=True)
    resident_confirmed_at = BeijingDateTime(allow_none=True)
    worker_confirmed_at = BeijingDateTime(allow_none=True)
    contract_reference = fields.String(allow_none=True)
    contract_signed_on = fields.Date(allow_none=True)
    started_at = BeijingDateTime(allow_none=True, metadata={"description": "上户"})
    ended_at = BeijingDateTime(allow_none=True, metadata={"description": "下户, or the early end"})
    ratings = fields.List(fields.Nested(EngagementRatingSchema), required=True)
    created_at = BeijingDateTime(required=True)


class EngagementEventSchema(ma.Schema):
    action = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)
    at = BeijingDateTime(required=True, attribute="created_at")


class EngagementDetailSchema(EngagementSchema):
    events = fields.List(fields.Nested(EngagementEventSchema), required=True)


EngagementPageSchema = page_schema(EngagementSchema, "EngagementPageSchema")


class CandidateWorkerListSchema(ma.Schema):
    items = fields.List(fields.Nested(CandidateWorkerSchema), required=True)
    total = fields.Integer(required=True)


class EngagementScanSchema(ma.Schema):
    engagement_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "start 上户 or end 下户"})
    matched = fields.Boolean(required=True)
    colour = fields.String(required=True)
    worker = fields.Nested(MaskedWorkerSchema, required=True, attribute="scanned_worker")
    scanned_at = BeijingDateTime(required=True)


class EngagementFollowUpSchema(ma.Schema):
    id = fields.Integer(required=True)
    engagement_id = fields.Integer(required=True)
    called_at = BeijingDateTime(required=True)
    satisfied = fields.Boolean(required=True)
    notes = fields.String(allow_none=True)


class EngagementFollowUpDueSchema(ma.Schema):
    engagement = fields.Nested(EngagementSchema, required=True)
    due_since = BeijingDateTime(required=True)


class EngagementFollowUpDueListSchema(ma.Schema):
    items = fields.List(fields.Nested(EngagementFollowUpDueSchema), required=True)
    total = fields.Integer(required=True)


class EngagementComplaintInputSchema(ma.Schema):
    type = complaint_type(required=True)
    text = Text(required=True, validate=validate.Length(min=1, max=1000))


class EngagementComplaintSchema(HandledComplaintSchema):
    engagement_id = fields.Integer(required=True)
    worker_id = fields.Integer(allow_none=True, metadata={"description": "the worker complained of"})
    text = shown_text(required=True)
    text_status = text_status()


class EngagementComplaintListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(COMPLAINT_STATUSES))


class EngagementComplaintListSchema(ma.Schema):
    items = fields.List(fields.Nested(EngagementComplaintSchema), required=True)
    total = fields.Integer(required=True)


EngagementComplaintPageSchema = page_schema(EngagementComplaintSchema, "EngagementComplaintPageSchema")
