"""The schemas every kind of complaint shares: its handling fields and audit trail, the steps'
input, and the list of complaints due. Times are Beijing time with their offset."""

import marshmallow as ma
from marshmallow import fields, validate

from app.fields import BeijingDateTime, Text
from app.paging import PageQuery, page_schema
from complaints.models import (
    COMPLAINT_STATUS_NAMES,
    COMPLAINT_STATUSES,
    COMPLAINT_TYPES,
    ORDINARY,
    SERIOUS,
    SERIOUS_TYPES,
    SEVERITIES,
    SEVERITY_NAMES,
)


def complaint_type(**kwargs) -> fields.String:
    serious = ", ".join(sorted(SERIOUS_TYPES))
    return fields.String(
        validate=validate.OneOf(list(COMPLAINT_TYPES)),
        metadata={
            "description": ", ".join(f"{k} ({v})" for k, v in COMPLAINT_TYPES.items())
            + f"; {serious} are filed as serious (严重), with its short deadlines"
        },
        **kwargs,
    )


class ComplaintEventSchema(ma.Schema):
    action = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)
    at = BeijingDateTime(required=True, attribute="created_at")


class HandledComplaintSchema(ma.Schema):
    """What every kind of complaint shows; a kind's schema adds what it is about."""

    id = fields.Integer(required=True)
    type = fields.String(required=True)
    type_name = fields.Function(
        lambda complaint: COMPLAINT_TYPES[complaint.type], required=True, metadata={"type": "string"}
    )
    status = fields.String(required=True, validate=validate.OneOf(COMPLAINT_STATUSES))
    status_name = fields.Function(
        lambda complaint: COMPLAINT_STATUS_NAMES[complaint.status], required=True, metadata={"type": "string"}
    )
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    severity_name = fields.Function(
        lambda complaint: SEVERITY_NAMES[complaint.severity], required=True, metadata={"type": "string"}
    )
    respond_by = BeijingDateTime(allow_none=True, metadata={"description": "to be accepted by then"})
    resolve_by = BeijingDateTime(allow_none=True, metadata={"description": "to be decided by then"})
    result = fields.String(allow_none=True)
    result_reason = fields.String(allow_none=True)
    submitted_by_id = fields.Integer(required=True)
    submitted_at = BeijingDateTime(required=True)
    accepted_by_id = fields.Integer(allow_none=True)
    accepted_at = BeijingDateTime(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = BeijingDateTime(allow_none=True)
    closed_by_id = fields.Integer(allow_none=True)
    closed_at = BeijingDateTime(allow_none=True)
    events = fields.List(fields.Nested(ComplaintEventSchema), required=True)


class ComplaintStepSchema(ma.Schema):
    reason = Text(allow_none=True, validate=validate.Length(max=500), metadata={"description": "why, for the record"})


class ComplaintAcceptSchema(ComplaintStepSchema):
    severity = fields.String(
        validate=validate.OneOf((ORDINARY, SERIOUS)),
        metadata={
            "description": "the triage: ordinary (一般) or serious (严重: safety, theft, abuse); "
            "left out, the severity it was filed with stands. An invalid one (无效) is invalidated instead."
        },
    )


class DueComplaintSchema(ma.Schema):
    """A complaint waiting on a deadline: the handling facts only, never its text or who filed it."""

    kind = fields.String(required=True, metadata={"description": "booking, door or engagement: which list it is in"})
    id = fields.Integer(required=True)
    type = fields.String(required=True)
    type_name = fields.Function(lambda row: COMPLAINT_TYPES[row.type], required=True, metadata={"type": "string"})
    severity = fields.String(required=True)
    severity_name = fields.Function(
        lambda row: SEVERITY_NAMES[row.severity], required=True, metadata={"type": "string"}
    )
    status = fields.String(required=True)
    station_code = fields.String(allow_none=True, metadata={"description": "none: only operators handle it"})
    submitted_at = BeijingDateTime(required=True)
    respond_by = BeijingDateTime(allow_none=True)
    resolve_by = BeijingDateTime(allow_none=True)
    due_at = BeijingDateTime(required=True, metadata={"description": "the deadline it waits on now"})
    overdue = fields.Boolean(required=True)


DueComplaintPageSchema = page_schema(DueComplaintSchema, "DueComplaintPageSchema")


class DueComplaintQuery(PageQuery):
    within_hours = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=7 * 24),
        metadata={"description": "also those due within this many hours; 0: only the overdue"},
    )
