"""Request and response schemas for workers, companies, certificates, credit and the scan. The
response schemas serialise the ORM objects (and credit.ledger.Explanation) themselves; only the
scan's profile, the hot path, arrives as a ready dict (credit.scanning.scan_profile)."""

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from app.clock import today_in_beijing
from app.fields import BeijingDateTime, FullMatch, RecordId, Text
from app.geography import DISTRICT_CODES_BY_NAME, DISTRICTS
from app.paging import PageQuery, page_schema
from app.privacy import mask_id_number, mask_name, mask_phone
from credit import certificates
from credit.access import sees_company_contact
from credit.identifiers import (
    CREDIT_CODE_PATTERN,
    ID_NUMBER_PATTERN,
    credit_code_problem,
    id_number_problem,
    normal_form,
)
from credit.models import COMPANY_GRADES, STATES
from credit.scoring import current_config
from credit.service_types import CODE_OF_NAME, SERVICE_TYPES

PHONE = FullMatch(r"1[3-9]\d{9}", error="must be an 11-digit mainland mobile number")
OTHER_PHONE = FullMatch(r"[0-9+\- ()]{5,32}", error="must be a phone number: digits, spaces, + - ( ), 5-32 of them")
PHOTO = [
    FullMatch(r"https://\S+|/\S+", error="must be an https URL or a path on this server"),
    validate.Length(max=300),
]
LABELS = fields.List(Text(validate=validate.Length(min=1, max=32)), validate=validate.Length(max=20))
SERVICE_CODES = fields.List(
    fields.String(validate=validate.OneOf(list(SERVICE_TYPES))),
    validate=validate.Length(max=len(SERVICE_TYPES)),
    metadata={"description": "service codes, as in GET /services", "example": ["cleaning", "childcare"]},
)


class ServiceTypeSchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "cleaning"})
    name = fields.String(required=True, metadata={"example": "保洁"})


class IdentifierRule(validate.Validator):
    """A national identifier's check (credit.identifiers), its reason as the message; `shape` is
    its pattern, which bounds its length. (Not `regex`, which the OpenAPI document would give as
    the input's pattern: the input may be in lower case and spaced.)"""

    def __init__(self, shape, problem):
        self.shape, self.problem = shape, problem

    def __call__(self, value: str) -> str:
        problem = self.problem(value)
        if problem:
            raise ma.ValidationError(problem)
        return value


class Identifier(fields.String):
    """An ID number or credit code, read in its normal form (capitals, no spaces) and checked."""

    def __init__(self, shape, problem, **kwargs):
        super().__init__(validate=IdentifierRule(shape, problem), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return normal_form(super()._deserialize(value, attr, data, **kwargs))


def credit_code_field(**kwargs) -> Identifier:
    return Identifier(CREDIT_CODE_PATTERN, credit_code_problem, **kwargs)


def not_in_future(value: date) -> None:
    if value > today_in_beijing():
        raise ma.ValidationError("cannot be in the future")


class DerivedString(fields.Function, fields.String):
    """A fields.Function (its value computed from the object) documented as a string."""


class DerivedFloat(fields.Function, fields.Float):
    """A fields.Function (its value computed from the object) documented as a number."""


class DistrictField(fields.String):
    """A district code (440106) or name (天河区), loaded as the code."""

    def __init__(self, **kwargs):
        super().__init__(
            validate=validate.OneOf(list(DISTRICTS) + list(DISTRICT_CODES_BY_NAME)),
            metadata={"description": "District code (e.g. 440106) or name (e.g. 天河区)"},
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return DISTRICT_CODES_BY_NAME.get(value, value)


# ---------------------------------------------------------------- companies


class CompanyUpdateSchema(ma.Schema):
    """A company's contact and whether its number is published; what is sent changes, the rest stays."""

    contact_name = Text(allow_none=True, validate=validate.Length(max=32))
    contact_phone = Text(allow_none=True, validate=OTHER_PHONE)
    contact_phone_public = fields.Boolean(
        metadata={
            "description": "the company marks contact_phone as its business number, to be published; "
            "false (the default) keeps it for operators and the company's own admin"
        }
    )


class CompanyCreateSchema(CompanyUpdateSchema):
    name = Text(required=True, validate=validate.Length(min=2, max=100))
    credit_code = credit_code_field(
        required=True,
        metadata={"description": "统一社会信用代码, 18 characters (GB 32100)", "example": "91350100M000100Y43"},
    )
    district_code = DistrictField(required=True)


def _contact_name(company) -> str | None:
    return company.contact_name if sees_company_contact(company) else mask_name(company.contact_name)


def _contact_phone(company) -> str | None:
    return company.contact_phone if company.contact_phone_public or sees_company_contact(company) else None


class CompanySchema(ma.Schema):
    """A company as the caller may see it: operators and the company's own admin see its contact as
    entered; anyone else sees the contact's name masked and the number only if the company
    published it."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    credit_code = fields.String(required=True)
    district_code = fields.String(required=True)
    district = DerivedString(lambda company: DISTRICTS[company.district_code], required=True)
    contact_name = DerivedString(
        _contact_name,
        allow_none=True,
        metadata={"description": "a person's name: masked (李*理) unless the caller is an operator or its admin"},
    )
    contact_phone = DerivedString(
        _contact_phone,
        allow_none=True,
        metadata={"description": "null unless published (contact_phone_public), an operator or its admin asks"},
    )
    contact_phone_public = fields.Boolean(required=True)
    grade = fields.String(allow_none=True, metadata={"description": "A, 2A, 3A, 4A or 5A"})
    credit_score = fields.Float(allow_none=True)


class CompanyListQuery(PageQuery):
    grade = fields.String(validate=validate.OneOf(COMPANY_GRADES))
    district = DistrictField()


CompanyPageSchema = page_schema(CompanySchema, "CompanyPageSchema")


# ---------------------------------------------------------------- workers


class WorkerCreateSchema(ma.Schema):
    name = Text(required=True, validate=validate.Length(min=2, max=32))
    id_number = Identifier(
        ID_NUMBER_PATTERN,
        id_number_problem,
        required=True,
        metadata={
            "description": "18-character resident ID number (GB 11643); stored encrypted, only ever shown masked"
        },
    )
    phone = Text(allow_none=True, validate=PHONE)
    photo_url = Text(allow_none=True, validate=PHOTO)
    service_types = SERVICE_CODES
    skills = LABELS
    years_of_experience = fields.Integer(load_default=0, validate=validate.Range(min=0, max=60))
    company_id = RecordId(
        allow_none=True,
        metadata={
            "description": "Required from operators for a company's worker; a company admin's workers always "
            "belong to its own company"
        },
    )


class WorkerUpdateSchema(ma.Schema):
    phone = Text(allow_none=True, validate=PHONE)
    photo_url = Text(allow_none=True, validate=PHOTO)
    service_types = SERVICE_CODES
    skills = LABELS
    years_of_experience = fields.Integer(validate=validate.Range(min=0, max=60))


class CertificateSchema(ma.Schema):
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    number = fields.String(allow_none=True)
    health_certificate_valid_until = fields.Date(allow_none=True)
    authorisation_signed_on = fields.Date(allow_none=True)
    training_hours = fields.Integer(allow_none=True)
    exam_score = fields.Integer(allow_none=True)
    identity_verified_on = fields.Date(allow_none=True)
    refresher_due_on = fields.Date(allow_none=True, metadata={"description": "a refresher course is due by this day"})
    scan_url = DerivedString(
        lambda certificate: certificates.scan_url(certificate) if certificate.scan_token else None,
        allow_none=True,
        metadata={"description": "What the 安心碼 encodes; null before issue"},
    )


class WorkerSchema(ma.Schema):
    """What operators and the worker's company see: personal numbers masked."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    id_number = DerivedString(
        lambda worker: mask_id_number(worker.id_number),
        required=True,
        metadata={"description": "masked, e.g. 1101**********002X"},
    )
    phone = DerivedString(
        lambda worker: mask_phone(worker.phone), allow_none=True, metadata={"description": "masked, e.g. 138****5678"}
    )
    photo_url = fields.String(allow_none=True)
    service_types = fields.List(fields.Nested(ServiceTypeSchema), attribute="services")
    skills = fields.List(fields.String())
    years_of_experience = fields.Integer()
    company_id = fields.Integer(allow_none=True)
    stars = fields.Integer(allow_none=True)
    credit_score = fields.Float(allow_none=True)
    certificate = fields.Nested(CertificateSchema, required=True)


class WorkerListQuery(PageQuery):
    company_id = RecordId(metadata={"description": "a company admin sees only its own company"})
    state = fields.String(validate=validate.OneOf(STATES), metadata={"description": "certificate state"})


WorkerPageSchema = page_schema(WorkerSchema, "WorkerPageSchema")


# ---------------------------------------------------------------- lifecycle steps


class DocumentsSchema(ma.Schema):
    """The 三证一书, all four required."""

    id_card_checked = fields.Boolean(required=True, metadata={"description": "the ID card was seen and matches"})
    health_certificate_valid_until = fields.Date(required=True)
    skill_certificate = Text(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "name and number of the skill or training certificate"},
    )
    authorisation_signed_on = fields.Date(
        required=True, validate=not_in_future, metadata={"description": "date the 信用信息授权书 was signed"}
    )


class TrainingSchema(ma.Schema):
    hours = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    trained_on = fields.Date(required=True, validate=not_in_future)


class ExamSchema(ma.Schema):
    score = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    passed = fields.Boolean(required=True)


class IdentitySchema(ma.Schema):
    matched = fields.Boolean(required=True, metadata={"description": "人证合一: the person matches the ID photo"})


class ReasonSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class OptionalReasonSchema(ma.Schema):
    reason = Text(validate=validate.Length(min=1, max=500))


class RenewSchema(OptionalReasonSchema):
    health_certificate_valid_until = fields.Date()


class HealthCertificateSchema(ma.Schema):
    valid_until = fields.Date(required=True)


# ---------------------------------------------------------------- credit


class CreditEventCreateSchema(ma.Schema):
    kind = Text(
        required=True,
        validate=validate.Length(max=40),
        metadata={"description": "A kind from credit/scoring.toml, e.g. breach, complaint_upheld, rating, follow_up"},
    )
    value = fields.Float(load_default=1.0, validate=validate.Range(min=-1000, max=1000))
    reason = Text(required=True, validate=validate.Length(min=1, max=500))
    source_ref = Text(validate=validate.Length(max=100))

    @ma.validates("kind")
    def known_kind(self, value, **_):
        config = current_config()
        if value not in config.kinds("worker") | config.kinds("company"):
            raise ma.ValidationError("unknown kind; see credit/scoring.toml")


class CreditEventSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    value = fields.Float(required=True)
    reason = fields.String(allow_none=True)
    source_ref = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)


class HistorySchema(ma.Schema):
    items = fields.List(fields.Nested(CreditEventSchema), required=True)
    total = fields.Integer(required=True)


class InputExplanationSchema(ma.Schema):
    kind = fields.String(required=True)
    mode = fields.String(required=True)
    contribution = DerivedFloat(lambda score: round(score.contribution, 4), required=True)
    events = fields.List(fields.Nested(CreditEventSchema), required=True)


class DimensionExplanationSchema(ma.Schema):
    name = fields.String(required=True)
    weight = fields.Float(required=True)
    score = fields.Float(required=True, metadata={"description": "0-100"})
    inputs = fields.List(fields.Nested(InputExplanationSchema), required=True)


class ExplanationSchema(ma.Schema):
    """Serialises a credit.ledger.Explanation."""

    level = fields.String(
        required=True, attribute="result.level", metadata={"description": "1-5 stars for a worker, A-5A for a company"}
    )
    score = fields.Float(required=True, attribute="result.score")
    stored_level = fields.String(required=True, metadata={"description": "the level last recorded"})
    config_version = fields.String(required=True, attribute="result.version")
    config_is_placeholder = fields.Boolean(
        required=True, metadata={"description": "true while the weights are placeholders pending the official standard"}
    )
    as_of = fields.DateTime(required=True)
    capped_by = fields.List(
        fields.Nested(CreditEventSchema),
        required=True,
        attribute="result.capped_by",
        metadata={"description": "events that hold the level down whatever the score (e.g. a 失信 breach)"},
    )
    dimensions = fields.List(fields.Nested(DimensionExplanationSchema), required=True, attribute="result.dimensions")


# ---------------------------------------------------------------- the public scan


class ScanCompanySchema(ma.Schema):
    name = fields.String(required=True)
    grade = fields.String(allow_none=True)


class ScanReasonSchema(ma.Schema):
    code = fields.String(
        required=True,
        validate=validate.OneOf(certificates.REASON_CODES),
    )
    field = fields.String(
        required=True,
        metadata={"description": "the profile field at fault", "example": "health_certificate_valid_until"},
    )
    message = fields.String(required=True, metadata={"example": "健康证有效期至 2026-11-30，已过期。"})


class ScanSchema(ma.Schema):
    """The public profile behind a 安心碼. Never an ID number, phone or address."""

    photo_url = fields.String(allow_none=True)
    name = fields.String(required=True, metadata={"description": "masked, e.g. 张*梅"})
    certificate_number = fields.String(required=True)
    state = fields.String(required=True)
    state_name = fields.String(required=True, metadata={"example": "有效"})
    colour = fields.String(required=True, validate=validate.OneOf(["green", "yellow", "red"]))
    reasons = fields.List(
        fields.Nested(ScanReasonSchema),
        required=True,
        metadata={"description": "why the colour is not green, worst first; empty when green"},
    )
    advice = fields.String(
        required=True, metadata={"description": "what the resident should do", "example": "请勿开门，请联系服务站。"}
    )
    hotline = fields.String(required=True, metadata={"description": "the number to call", "example": "12345"})
    stars = fields.Integer(allow_none=True)
    service_types = fields.List(fields.Nested(ServiceTypeSchema), required=True)
    skills = fields.List(fields.String())
    identity_verified = fields.Boolean(required=True)
    training_passed = fields.Boolean(required=True)
    exam_passed = fields.Boolean(required=True)
    health_certificate_valid_until = fields.Date(allow_none=True)
    refresher_due_on = fields.Date(
        allow_none=True, metadata={"description": "the day a required refresher course was due, once it has passed"}
    )
    rating_count = fields.Integer(required=True)
    rating_mean = fields.Float(allow_none=True)
    complaint_count = fields.Integer(required=True, metadata={"description": "upheld complaints only"})
    company = fields.Nested(ScanCompanySchema, allow_none=True)
    updated_at = BeijingDateTime(required=True)


# ---------------------------------------------------------------- CSV import rows


class CsvRowMixin:
    """A CSV row: blank cells are missing values, lists are separated by semicolons."""

    class Meta:
        unknown = ma.EXCLUDE

    LIST_COLUMNS = ("service_types", "skills")

    @ma.pre_load
    def blank_cells_are_missing_values(self, row, **_):
        cleaned = {
            key: value.strip()
            for key, value in row.items()
            if key is not None and isinstance(value, str) and value.strip()
        }
        for name in self.LIST_COLUMNS:
            if name in cleaned:
                cleaned[name] = [
                    self.list_item(name, item.strip()) for item in cleaned[name].split(";") if item.strip()
                ]
        return cleaned

    def list_item(self, column: str, item: str) -> str:
        return item


class CompanyRowSchema(CsvRowMixin, CompanyCreateSchema):
    pass


class WorkerRowSchema(CsvRowMixin, WorkerCreateSchema):
    company_credit_code = credit_code_field(
        metadata={"description": "the employing company's credit code; empty for an independent worker"},
    )

    def list_item(self, column: str, item: str) -> str:
        """The source system's exports name services in Chinese (保洁;育婴): either word is taken."""
        return CODE_OF_NAME.get(item, item) if column == "service_types" else item
