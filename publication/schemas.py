"""What publication reads and answers: publishing a grade list or a selection, the published lists
and their rows, the 示范 candidates with their criteria, and the workers residents choose from."""

import marshmallow as ma
from marshmallow import fields, validate

from app.fields import BeijingDateTime, FullMatch, RecordId, Text
from app.geography import DISTRICTS
from app.i18n import _, lazy_gettext
from app.paging import PageQuery, page_schema
from app.privacy import mask_name
from credit.models import COMPANY_GRADES
from credit.schemas import DerivedString, ServiceTypeSchema
from credit.service_types import SERVICE_TYPES
from publication import choosing
from publication.models import KINDS

TITLE = Text(
    required=True,
    validate=validate.Length(min=2, max=100),
    metadata={"example": "2026年度广州市家政服务企业信用等级名单"},
)
YEAR = fields.Integer(
    validate=validate.Range(min=2000, max=2100),
    metadata={"description": "the year the list is of (年度); this year in Beijing when left out"},
)


class GradeListCreateSchema(ma.Schema):
    title = TITLE
    year = YEAR
    min_grade = fields.String(
        validate=validate.OneOf(COMPANY_GRADES),
        metadata={"description": "only companies of this grade or higher; every graded company when left out"},
    )


class SelectionCreateSchema(ma.Schema):
    title = Text(required=True, validate=validate.Length(min=2, max=100), metadata={"example": "2026年度诚信示范企业"})
    year = YEAR
    company_ids = fields.List(
        RecordId(),
        required=True,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "the companies chosen among the candidates (GET /publications/candidates)"},
    )

    @ma.validates("company_ids")
    def each_once(self, value, **_kwargs):
        if len(set(value)) != len(value):
            raise ma.ValidationError(_("names a company more than once"))


class PublicationListQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(KINDS))


class PublicationSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    kind_name = fields.String(required=True, metadata={"example": "信用等级名单"})
    title = fields.String(required=True)
    year = fields.Integer(required=True)
    sequence = fields.Integer(required=True, metadata={"description": "1, 2, ... within the kind and year"})
    number = fields.String(required=True, metadata={"example": "穗家信〔2026〕1号"})
    published_on = fields.Date(required=True, metadata={"description": "Beijing's date"})
    published_at = BeijingDateTime(required=True)
    scoring_version = fields.String(required=True, metadata={"description": "credit/scoring.toml's version"})
    criteria_version = fields.String(
        allow_none=True, metadata={"description": "publication/demonstration.toml's version (a selection only)"}
    )
    entry_count = fields.Integer(required=True)


PublicationPageSchema = page_schema(PublicationSchema, "PublicationPageSchema")


class PublicationEntrySchema(ma.Schema):
    """A company as the list shows it, as it stood when the list was published."""

    position = fields.Integer(required=True)
    company_id = fields.Integer(required=True)
    company_name = fields.String(required=True)
    credit_code = fields.String(required=True)
    grade = fields.String(allow_none=True)
    credit_score = fields.Float(allow_none=True)
    district_code = fields.String(required=True)
    district = DerivedString(lambda entry: DISTRICTS.get(entry.district_code), required=True)


EntryPageSchema = page_schema(PublicationEntrySchema, "PublicationEntryPageSchema")


class CandidateQuery(PageQuery):
    eligible = fields.Boolean(
        load_default=False, metadata={"description": "only the companies that meet every criterion"}
    )


class CriterionSchema(ma.Schema):
    criterion = fields.String(required=True, metadata={"example": "green_workers"})
    name = fields.String(required=True, metadata={"example": "持绿码服务人员数"})
    value = fields.Raw(
        allow_none=True, metadata={"description": "what the company has; null when there is nothing to measure"}
    )
    threshold = fields.Raw(required=True, metadata={"description": "what the criterion asks (demonstration.toml)"})
    met = fields.Boolean(required=True)


class CandidateCompanySchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    credit_code = fields.String(required=True)
    district_code = fields.String(required=True)
    grade = fields.String(allow_none=True)
    credit_score = fields.Float(allow_none=True)


class DemonstrationCandidateSchema(ma.Schema):
    company = fields.Nested(CandidateCompanySchema, required=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True)
    meets_all = fields.Boolean(required=True)


CandidatePageSchema = page_schema(DemonstrationCandidateSchema, "DemonstrationCandidatePageSchema")


class ChoosableWorkerQuery(PageQuery):
    service = fields.String(
        required=True, validate=validate.OneOf(list(SERVICE_TYPES)), metadata={"description": "e.g. cleaning"}
    )
    station = Text(validate=FullMatch(r"\d{12}", error=lazy_gettext("must be a 12-digit station code")))
    company_id = RecordId()

    @ma.validates_schema
    def station_or_company(self, data, **_kwargs):
        if ("station" in data) == ("company_id" in data):
            raise ma.ValidationError(_("give either station or company_id"), "station")


class ChoosableCompanySchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    grade = fields.String(allow_none=True)


class ChoosableWorkerSchema(ma.Schema):
    """What a resident sees of a worker to choose: the scan's public profile, masked."""

    id = fields.Integer(required=True, metadata={"description": "what POST /bookings takes as preferred_worker_id"})
    name = fields.Function(
        lambda worker: mask_name(worker.name), required=True, metadata={"type": "string", "example": "张*梅"}
    )
    photo_url = DerivedString(choosing.photo_url, allow_none=True)
    stars = fields.Integer(allow_none=True)
    rating_count = fields.Integer(required=True)
    rating_mean = fields.Float(allow_none=True)
    service_types = fields.List(fields.Nested(ServiceTypeSchema), attribute="services", required=True)
    years_of_experience = fields.Integer(required=True)
    company = fields.Nested(ChoosableCompanySchema, allow_none=True)


ChoosableWorkerPageSchema = page_schema(ChoosableWorkerSchema, "ChoosableWorkerPageSchema")
