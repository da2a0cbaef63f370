"""Request and response schemas of sanctions; responses serialise the ORM objects (and the
look-ups' Standing)."""

import marshmallow as ma
from marshmallow import fields, validate

from app.blueprint import UploadSchema
from app.fields import BeijingDateTime, FileUpload, FullMatch, RecordId, Text
from app.i18n import _
from app.paging import CursorPageQuery, PageQuery, cursor_page_schema, page_schema
from app.privacy import mask_name
from credit.identifiers import ID_NUMBER_PATTERN, id_number_problem
from credit.schemas import ACCEPTED_FILE, DerivedString, Identifier, credit_code_field
from sanctions.cases import DECISIONS
from sanctions.models import (
    CASE_STATUS_NAMES,
    CATEGORIES,
    EVIDENCE_STAGES,
    MEASURE_NAMES,
    MEASURES,
    REPAIR_STATES,
    Listing,
)


def period_days() -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=3650), metadata={"description": "days the measure lasts"})


LONG_TEXT = validate.Length(min=1, max=5000)


def _named(names: dict[str, str]) -> str:
    return ", ".join(f"{code} ({name})" for code, name in names.items())


class CaseCreateSchema(ma.Schema):
    """A case against exactly one party: worker_id or company_id."""

    worker_id = RecordId()
    company_id = RecordId()
    category = fields.String(
        required=True, validate=validate.OneOf(CATEGORIES), metadata={"description": _named(CATEGORIES)}
    )
    facts = Text(required=True, validate=LONG_TEXT)
    measure = fields.String(
        required=True,
        validate=validate.OneOf(MEASURE_NAMES),
        metadata={
            "description": "the measure proposed; a worker's: "
            + _named(MEASURES["worker"])
            + "; a company's: "
            + _named(MEASURES["company"])
        },
    )
    period_days = period_days()


class EvidenceUploadSchema(UploadSchema):
    max_bytes_setting = "DOCUMENT_MAX_BYTES"

    file = FileUpload(required=True, metadata={"description": ACCEPTED_FILE + " (DOCUMENT_MAX_BYTES at most)"})


class StatementSchema(UploadSchema):
    """陈述申辩, as multipart/form-data: the text and a file if there is one."""

    max_bytes_setting = "DOCUMENT_MAX_BYTES"

    statement = Text(required=True, validate=LONG_TEXT)
    file = FileUpload(metadata={"description": "evidence, if any: " + ACCEPTED_FILE})


class DecisionSchema(ma.Schema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(DECISIONS),
        metadata={"description": "uphold (the measure proposed), reduce (a lighter one: measure) or dismiss"},
    )
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))
    measure = fields.String(validate=validate.OneOf(MEASURE_NAMES), metadata={"description": "reduce only"})
    period_days = period_days()


class RepairCreateSchema(UploadSchema):
    """信用修复, as multipart/form-data: what was done to correct it, and evidence if there is one."""

    max_bytes_setting = "DOCUMENT_MAX_BYTES"

    correction = Text(required=True, validate=LONG_TEXT)
    file = FileUpload(metadata={"description": "evidence of correction, if any: " + ACCEPTED_FILE})


class RepairDecisionSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


class EvidenceSchema(ma.Schema):
    id = fields.Integer(required=True)
    stage = fields.String(required=True, validate=validate.OneOf(EVIDENCE_STAGES))
    content_type = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    uploaded_at = BeijingDateTime(required=True)


class SanctionEventSchema(ma.Schema):
    id = fields.Integer(required=True)
    action = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)
    at = BeijingDateTime(required=True)


class CaseSchema(ma.Schema):
    """A case, as operators and the party read it."""

    id = fields.Integer(required=True)
    party = fields.String(required=True, validate=validate.OneOf(("worker", "company")))
    worker_id = fields.Integer(allow_none=True)
    company_id = fields.Integer(allow_none=True)
    category = fields.String(required=True)
    category_name = DerivedString(lambda case: CATEGORIES[case.category], required=True)
    facts = fields.String(required=True)
    proposed_measure = fields.String(required=True)
    proposed_days = fields.Integer(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(CASE_STATUS_NAMES))
    status_name = DerivedString(lambda case: CASE_STATUS_NAMES[case.status], required=True)
    opened_by_id = fields.Integer(allow_none=True)
    opened_at = BeijingDateTime(required=True)
    statement_due_on = fields.Date(required=True)
    statement = fields.String(allow_none=True)
    stated_at = BeijingDateTime(allow_none=True)
    decided_measure = fields.String(allow_none=True)
    decided_days = fields.Integer(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = BeijingDateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    breach_event_id = fields.Integer(allow_none=True)
    measure_from = fields.Date(allow_none=True)
    measure_until = fields.Date(allow_none=True)
    measure_ended_on = fields.Date(allow_none=True)


class CaseDetailSchema(CaseSchema):
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)
    events = fields.List(fields.Nested(SanctionEventSchema), required=True)


class CaseListQuery(CursorPageQuery):
    status = fields.String(validate=validate.OneOf(CASE_STATUS_NAMES))
    worker_id = RecordId()
    company_id = RecordId()


CasePageSchema = cursor_page_schema(CaseSchema, "SanctionCasePageSchema")


class ListingSchema(ma.Schema):
    """A listing as the party and operators read it."""

    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    worker_id = fields.Integer(allow_none=True)
    company_id = fields.Integer(allow_none=True)
    category = fields.String(required=True)
    listed_from = fields.Date(required=True)
    listed_until = fields.Date(required=True)
    status = fields.String(required=True)
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)


class RepairSchema(ma.Schema):
    id = fields.Integer(required=True)
    listing = fields.Nested(ListingSchema, required=True)
    correction = fields.String(required=True)
    applied_at = BeijingDateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf(REPAIR_STATES.names))
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = BeijingDateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    compensating_event_id = fields.Integer(allow_none=True)


class RepairListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(REPAIR_STATES.names))


RepairPageSchema = page_schema(RepairSchema, "SanctionRepairPageSchema")


def _public_name(listing: Listing) -> str | None:
    return mask_name(listing.worker.name) if listing.worker is not None else listing.company.name  # type: ignore[union-attr]


class PublicListingSchema(ma.Schema):
    """An entry of the 失信名单 as the public reads it: a worker's name masked, nothing else personal."""

    party = fields.String(required=True, validate=validate.OneOf(("worker", "company")))
    name = DerivedString(_public_name, metadata={"description": "a worker's masked (张*梅); a company's in full"})
    certificate_number = DerivedString(
        lambda listing: listing.worker.certificate.number if listing.worker is not None else None, allow_none=True
    )
    credit_code = DerivedString(
        lambda listing: listing.company.credit_code if listing.company is not None else None, allow_none=True
    )
    category = fields.String(required=True)
    category_name = DerivedString(lambda listing: CATEGORIES[listing.category], required=True)
    listed_from = fields.Date(required=True)
    listed_until = fields.Date(required=True)


class PublicListingQuery(CursorPageQuery):
    party = fields.String(validate=validate.OneOf(("worker", "company")))


PublicListingPageSchema = cursor_page_schema(PublicListingSchema, "PublicListingPageSchema")


class LookUpQuery(ma.Schema):
    certificate_number = fields.String(validate=FullMatch(r"[A-Za-z0-9]{4,20}"))
    credit_code = credit_code_field()

    @ma.validates_schema
    def exactly_one(self, data: dict, **_kwargs) -> None:
        if ("certificate_number" in data) == ("credit_code" in data):
            raise ma.ValidationError(_("give certificate_number or credit_code, not both"), "certificate_number")


class StandingSchema(ma.Schema):
    """Whether the party is on the 失信名单 today, and if so since when, until when and for what."""

    listed = fields.Boolean(required=True)
    party = fields.String(required=True)
    name = DerivedString(
        lambda standing: mask_name(standing.name) if standing.party == "worker" else standing.name,
        metadata={"description": "a worker's masked; a company's in full"},
    )
    certificate_number = fields.String(allow_none=True)
    credit_code = fields.String(allow_none=True)
    listed_from = DerivedString(lambda s: s.listing and s.listing.listed_from.isoformat(), allow_none=True)
    listed_until = DerivedString(lambda s: s.listing and s.listing.listed_until.isoformat(), allow_none=True)
    category = DerivedString(lambda s: s.listing and s.listing.category, allow_none=True)
    category_name = DerivedString(lambda s: s.listing and CATEGORIES[s.listing.category], allow_none=True)


class WorkerCheckSchema(ma.Schema):
    id_number = Identifier(
        ID_NUMBER_PATTERN,
        id_number_problem,
        required=True,
        metadata={"description": "the worker's 18-character ID number; never stored by the check"},
    )


class WorkerCheckAnswerSchema(ma.Schema):
    found = fields.Boolean(required=True, metadata={"description": "a worker with this ID number is on file"})
    standing = fields.Nested(StandingSchema, allow_none=True)
