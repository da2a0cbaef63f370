"""Request and response schemas of door entries, their ratings and complaints. Times are
Beijing time with their offset."""

import marshmallow as ma
from marshmallow import fields, validate

from app.fields import BeijingDateTime, Text
from app.paging import PageQuery, page_schema
from complaints.models import COMPLAINT_STATUSES
from complaints.schemas import HandledComplaintSchema, complaint_type
from credit.certificates import GREEN, RED, YELLOW
from credit.schemas import MaskedWorkerSchema
from doorstep.entries import feedback_until
from wechat.codes import SCANNED_FORMS
from wechat.schemas import shown_text, text_status


class DoorEntryInputSchema(ma.Schema):
    token = fields.String(
        required=True,
        validate=validate.Length(min=1, max=512),
        metadata={"description": f"what wx.scanCode returned for the worker's card: {SCANNED_FORMS}"},
    )


class DoorRatingInputSchema(ma.Schema):
    stars = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    text = Text(allow_none=True, validate=validate.Length(max=500))


class DoorRatingSchema(ma.Schema):
    entry_id = fields.Integer(required=True)
    stars = fields.Integer(required=True)
    text = shown_text()
    text_status = text_status()
    created_at = BeijingDateTime(required=True)


class DoorComplaintInputSchema(ma.Schema):
    type = complaint_type(load_default="other")
    text = Text(required=True, validate=validate.Length(min=1, max=1000))


class DoorComplaintSchema(HandledComplaintSchema):
    entry_id = fields.Integer(required=True)
    text = shown_text(required=True)
    text_status = text_status()


class DoorComplaintListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(COMPLAINT_STATUSES))


DoorComplaintPageSchema = page_schema(DoorComplaintSchema, "DoorComplaintPageSchema")


class FeedbackUntil(BeijingDateTime):
    """Until when the entry takes a rating and complaints: a moment of configuration, not a column."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return feedback_until(obj)


class DoorEntrySchema(ma.Schema):
    id = fields.Integer(required=True)
    worker = fields.Nested(MaskedWorkerSchema, required=True)
    colour = fields.String(
        required=True,
        validate=validate.OneOf((GREEN, YELLOW, RED)),
        metadata={"description": "the 安心碼's colour when it was scanned"},
    )
    admitted = fields.Boolean(
        required=True, metadata={"description": "green at the door: only an admitted entry can be rated"}
    )
    scanned_at = BeijingDateTime(required=True)
    feedback_until = FeedbackUntil(
        required=True, metadata={"description": "the rating and complaints are taken until then (DOOR_RATING_DAYS)"}
    )
    rating = fields.Nested(DoorRatingSchema, allow_none=True, required=True)
    complaints = fields.List(fields.Nested(DoorComplaintSchema), required=True)


DoorEntryPageSchema = page_schema(DoorEntrySchema, "DoorEntryPageSchema")
