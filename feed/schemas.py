"""The pull's query and the feed's records (docs/public-credit-feed.md is their dictionary)."""

import marshmallow as ma
from marshmallow import fields, validate

from app.fields import BeijingDateTime
from app.i18n import _
from app.paging import MAX_CURSOR_LENGTH
from feed.models import FEED_VERSION, KINDS
from feed.pulling import Cursor

MAX_LIMIT = 1000
FORMATS = ("json", "csv")


class CursorField(fields.String):
    """The opaque `next_cursor` of an earlier page."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > MAX_CURSOR_LENGTH:
            raise ma.ValidationError(_("longer than any cursor (%(length)s characters)", length=MAX_CURSOR_LENGTH))
        try:
            return Cursor.decode(text)
        except ValueError as error:
            raise ma.ValidationError(_("not a cursor this feed gave: pull again from `since`")) from error


class PullQuery(ma.Schema):
    since = fields.AwareDateTime(
        format="iso",
        metadata={
            "description": "First page only: records whose change occurred at or after this moment, ISO 8601 "
            "with its offset (2026-12-01T00:00:00+08:00); leave out for the whole feed"
        },
    )
    cursor = CursorField(
        metadata={
            "description": "Every later page: the `next_cursor` of the page before (it keeps `since`)",
            "maxLength": MAX_CURSOR_LENGTH,
        },
    )
    format = fields.String(
        validate=validate.OneOf(FORMATS),
        metadata={"description": "json or csv; without it, Accept: text/csv gives CSV, anything else JSON"},
    )
    limit = fields.Integer(
        load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT), metadata={"description": "records per page"}
    )

    @ma.validates_schema
    def one_start(self, data: dict, **_kwargs) -> None:
        if "since" in data and "cursor" in data:
            raise ma.ValidationError(_("give since for the first page or cursor for the next, not both"), "cursor")


class PayloadField(fields.String):
    """A field of the record's payload, null where its kind has none."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return obj.payload.get(attr)


def _payload(**kwargs) -> PayloadField:
    return PayloadField(allow_none=True, **kwargs)


class FeedRecordSchema(ma.Schema):
    """One record. Every record has every field, null where its kind has none, so a CSV's columns
    are the same on every page."""

    feed_version = fields.Constant(FEED_VERSION, required=True, metadata={"description": "the feed's version"})
    id = fields.Integer(required=True, metadata={"description": "the record's number, never reused"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    occurred_at = BeijingDateTime(required=True, metadata={"description": "when the change took effect"})
    recorded_at = BeijingDateTime(required=True, metadata={"description": "when it was written to the feed"})
    subject_type = fields.String(required=True, validate=validate.OneOf(["company", "worker"]))
    credit_code = fields.String(
        allow_none=True, metadata={"description": "统一社会信用代码 of the company, or of the worker's employer"}
    )
    company_name = _payload()
    certificate_number = fields.String(allow_none=True, metadata={"description": "安心服務證 number"})
    worker_name_masked = _payload(metadata={"description": "张*梅"})
    grade_before = _payload()
    grade_after = _payload()
    scoring_version = _payload()
    state_before = _payload()
    state_after = _payload()
    listing_category = _payload()
    listed_from = _payload()
    listed_until = _payload()
    listing_reference = _payload()
    end_reason = _payload()


class FeedPageSchema(ma.Schema):
    version = fields.String(required=True)
    records = fields.List(fields.Nested(FeedRecordSchema), required=True)
    next_cursor = fields.String(
        required=True, metadata={"description": "pass as `cursor` for the next page; kept when the page is empty"}
    )
    has_more = fields.Boolean(required=True, metadata={"description": "more records are ready now"})


CSV_COLUMNS = tuple(FeedRecordSchema().fields)
