"""Every text a request or a CSV row may carry into a column fits it: the schema that reads it
allows no more characters than the column holds, so a long value is a 422 naming the field
rather than a 500 from the database (or, on SQLite, a value stored longer than its column)."""

import re

import pytest
from marshmallow import fields, validate
from sqlalchemy import String

from accounts.models import RoleGrant, StaffInvite
from accounts.schemas import InviteCreateSchema, RoleScopeSchema
from app.fields import FullMatch
from booking.models import Booking, ClosedDay, Complaint, FollowUp, NoShow, Rating, StationOffer
from booking.schemas import (
    BookingCreateSchema,
    ClosedDayInputSchema,
    ComplaintInputSchema,
    FollowUpInputSchema,
    IdempotencyHeaders,
    NoShowInputSchema,
    OfferInputSchema,
    RatingInputSchema,
)
from complaints.schemas import ComplaintStepSchema
from credit.models import Certificate, Company, CreditEvent, Worker, WorkerDocument
from credit.schemas import (
    CompanyCreateSchema,
    CompanyRowSchema,
    CreditEventCreateSchema,
    DocumentsSchema,
    DocumentUploadSchema,
    IdentifierRule,
    WorkerCreateSchema,
    WorkerRowSchema,
    WorkerUpdateSchema,
)
from doorstep.models import DoorComplaint, DoorRating
from doorstep.schemas import DoorComplaintInputSchema, DoorRatingInputSchema
from stations.models import Station
from stations.schemas import StationRowSchema

# (schema, model it writes, schema field -> column where the names differ)
WRITES = [
    (CompanyCreateSchema, Company, {}),
    (CompanyRowSchema, Company, {}),
    (WorkerCreateSchema, Worker, {}),
    (WorkerRowSchema, Worker, {}),
    (WorkerUpdateSchema, Worker, {}),
    (DocumentsSchema, Certificate, {}),
    (DocumentUploadSchema, WorkerDocument, {}),
    (CreditEventCreateSchema, CreditEvent, {}),
    (StationRowSchema, Station, {"crs": "source_crs"}),
    (OfferInputSchema, StationOffer, {}),
    (ClosedDayInputSchema, ClosedDay, {}),
    (BookingCreateSchema, Booking, {}),
    (IdempotencyHeaders, Booking, {}),
    (RatingInputSchema, Rating, {}),
    (FollowUpInputSchema, FollowUp, {}),
    (ComplaintInputSchema, Complaint, {}),
    (ComplaintStepSchema, Complaint, {"reason": "result_reason"}),
    (ComplaintStepSchema, DoorComplaint, {"reason": "result_reason"}),
    (NoShowInputSchema, NoShow, {}),
    (DoorRatingInputSchema, DoorRating, {}),
    (DoorComplaintInputSchema, DoorComplaint, {}),
    (RoleScopeSchema, RoleGrant, {}),
    (InviteCreateSchema, StaffInvite, {}),
]


def longest_accepted(field: fields.Field) -> int | None:
    """The most characters the field's rules let through; None when nothing bounds them."""
    bounds: list[int] = []
    for rule in field.validators:
        if isinstance(rule, validate.Length):
            bounds.extend(bound for bound in (rule.equal, rule.max) if bound is not None)
        elif isinstance(rule, validate.OneOf):
            bounds.append(max(len(str(choice)) for choice in rule.choices))
        elif isinstance(rule, FullMatch | IdentifierRule):  # not marshmallow's Regexp, which bounds nothing
            pattern = rule.regex if isinstance(rule, FullMatch) else rule.shape
            bounds.append(re._parser.parse(pattern.pattern, pattern.flags).getwidth()[1])  # the pattern's widest
    return min(bounds, default=None)


def columns_written(schema, model, renamed):
    table = model.__table__
    for name, field in schema._declared_fields.items():
        column = table.columns.get(renamed.get(name, field.attribute or name))
        if isinstance(field, fields.String) and column is not None and isinstance(column.type, String):
            if column.type.length is not None:
                yield name, field, column.type.length


@pytest.mark.parametrize("schema, model, renamed", WRITES, ids=[schema.__name__ for schema, _, _ in WRITES])
def test_no_text_field_accepts_more_than_its_column_holds(schema, model, renamed):
    checked = list(columns_written(schema, model, renamed))
    assert checked, f"{schema.__name__} writes no {model.__name__} column by name: fix the table above"
    too_long = {
        name: (longest_accepted(field), length)
        for name, field, length in checked
        if longest_accepted(field) is None or longest_accepted(field) > length
    }
    assert too_long == {}, "field: (longest accepted, column length)"
