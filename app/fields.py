"""Schema fields shared by every feature."""

import re

from flask_smorest.fields import Upload  # type: ignore[import-untyped]
from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from app.clock import in_beijing
from app.i18n import _

BEIJING_TIME = "Beijing time (Asia/Shanghai); input without an offset is read as Beijing time"

# Record ids are PostgreSQL `integer`s: a larger number names no record, and must not reach the
# database, where it is an error rather than "not found".
MAX_RECORD_ID = 2**31 - 1


class RecordId(fields.Integer):
    """The id of a record, in a body or a query: a positive 32-bit integer."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(min=1, max=MAX_RECORD_ID), **kwargs)


class PageNumber(fields.Integer):
    """A page of a list, bounded so the offset it implies stays a number the database takes."""

    def __init__(self, **kwargs):
        super().__init__(load_default=1, validate=validate.Range(min=1, max=100_000), **kwargs)


class FullMatch(validate.Regexp):
    """A pattern the whole value must match. marshmallow's Regexp only anchors the start, and a
    `$` there also matches before a final newline, so "13812345678\\n" passed for a phone number
    and was stored with its newline (or overflowed its column). ASCII unless told otherwise: a
    Unicode \\d also takes ４ and ٤, which no code or number here is written with. Anchored
    too, for the OpenAPI document, where a pattern without ^ and $ means "contains"."""

    def __init__(self, regex: str, flags: int = re.ASCII, error: str | None = None):
        super().__init__(f"^(?:{regex})$", flags, error=error)

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class Text(fields.String):
    """A string as a person typed or pasted it: the whitespace around it is not part of it, and
    is dropped before the field's rules see it."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class BeijingDateTime(fields.DateTime):
    """A stored (UTC) moment written in Beijing time, with its +08:00 offset: what residents read."""

    def __init__(self, **kwargs):
        metadata = kwargs.pop("metadata", {})
        super().__init__(
            metadata={"description": "Beijing time (Asia/Shanghai), with its offset", **metadata}, **kwargs
        )

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value and in_beijing(value), attr, obj, **kwargs)


class FileUpload(Upload):
    """A file part of a multipart/form-data body (documented as binary); a text part of that name
    is refused, as it carries no file."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError(_("must be a file (a part with a filename)"))
        return value
