"""Schema fields shared by every feature."""

from marshmallow import fields, validate

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
