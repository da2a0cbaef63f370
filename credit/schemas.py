"""Request and response schemas for workers, companies, certificates, credit and the scan. The
response schemas serialise the ORM objects (and credit.ledger.Explanation) themselves; only the
scan's profile, the hot path, arrives as a ready dict (credit.scanning.scan_profile)."""

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from app.blueprint import UploadSchema
from app.clock import today_in_beijing
from app.fields import BeijingDateTime, FileUpload, FullMatch, RecordId, Text
from app.geography import DISTRICT_CODES_BY_NAME, DISTRICTS
from app.i18n import _, lazy_gettext
from app.paging import CursorPageQuery, PageQuery, cursor_page_schema, page_schema
from app.privacy import mask_id_number, mask_name, mask_phone
from credit import certificates, expiry
from credit.access import sees_company_contact
from credit.identifiers import (
    CREDIT_CODE_PATTERN,
    ID_NUMBER_PATTERN,
    credit_code_problem,
    id_number_problem,
    normal_form,
)
from credit.models import (
    CHECK_KIND_NAMES,
    CHECK_KINDS,
    CHECK_RESULTS,
    COMPANY_GRADES,
    DOCUMENT_KIND_NAMES,
    DOCUMENT_KINDS,
    DOCUMENT_MEDIA_TYPES,
    DOCUMENT_REVIEW,
    INSURANCE,
    OBJECTION_STATES,
    OFFER_STATES,
    REVIEW_STATES,
    STATES,
    VIEWER_NAMES,
)
from credit.scoring import NOT_IN_COHORT, SMALL_COHORT, current_config
from credit.service_types import CODE_OF_NAME, SERVICE_TYPES

PHONE = FullMatch(r"1[3-9]\d{9}", error=lazy_gettext("must be an 11-digit mainland mobile number"))
OTHER_PHONE = FullMatch(
    r"[0-9+\- ()]{5,32}", error=lazy_gettext("must be a phone number: digits, spaces, + - ( ), 5-32 of them")
)
PHOTO = [
    FullMatch(r"https://\S+|/\S+", error=lazy_gettext("must be an https URL or a path on this server")),
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
        raise ma.ValidationError(_("cannot be in the future"))


class DerivedString(fields.Function, fields.String):
    """A fields.Function (its value computed from the object) documented as a string."""


class DerivedFloat(fields.Function, fields.Float):
    """A fields.Function (its value computed from the object) documented as a number."""


class DerivedBoolean(fields.Function, fields.Boolean):
    """A fields.Function (its value computed from the object) documented as a boolean."""


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


class CompanyListQuery(CursorPageQuery):
    grade = fields.String(validate=validate.OneOf(COMPANY_GRADES))
    district = DistrictField()


CompanyPageSchema = cursor_page_schema(CompanySchema, "CompanyPageSchema")


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
    criminal_record_result = fields.String(allow_none=True, metadata={"description": "of the latest check"})
    criminal_record_checked_on = fields.Date(allow_none=True)
    criminal_record_valid_until = fields.Date(
        allow_none=True, metadata={"description": "the check's own end or its re-check date, whichever comes first"}
    )
    insurance_result = fields.String(allow_none=True, metadata={"description": "of the latest policy"})
    insurance_valid_from = fields.Date(allow_none=True)
    insurance_valid_until = fields.Date(allow_none=True)
    refresher_due_on = fields.Date(allow_none=True, metadata={"description": "a refresher course is due by this day"})
    scan_url = DerivedString(
        lambda certificate: certificates.scan_url(certificate) if certificate.scan_token else None,
        allow_none=True,
        metadata={"description": "What the 安心碼 encodes; null before issue"},
    )


class CompanyNameSchema(ma.Schema):
    name = fields.String(required=True)


class MaskedWorkerSchema(ma.Schema):
    """What a resident or station staff see of a worker (a booking's, or at the door): masked
    name, stars, photo, company."""

    id = fields.Integer(required=True)
    name = fields.Function(
        lambda worker: mask_name(worker.name),
        required=True,
        metadata={"type": "string", "description": "masked, e.g. 张*梅"},
    )
    stars = fields.Integer(allow_none=True)
    photo_url = fields.String(allow_none=True)
    company = fields.Pluck(CompanyNameSchema, "name", allow_none=True)


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
    photo_url = fields.String(allow_none=True, metadata={"description": "a photo kept elsewhere, as typed"})
    photo_uploaded = DerivedBoolean(
        lambda worker: worker.photo_key is not None,
        required=True,
        metadata={"description": "a photo was uploaded (PUT .../photo); the scan shows it instead of photo_url"},
    )
    service_types = fields.List(fields.Nested(ServiceTypeSchema), attribute="services")
    skills = fields.List(fields.String())
    years_of_experience = fields.Integer()
    company_id = fields.Integer(allow_none=True)
    stars = fields.Integer(allow_none=True)
    credit_score = fields.Float(allow_none=True)
    certificate = fields.Nested(CertificateSchema, required=True)


class WorkerListQuery(CursorPageQuery):
    company_id = RecordId(metadata={"description": "a company admin sees only its own company"})
    state = fields.String(validate=validate.OneOf(STATES), metadata={"description": "certificate state"})


WorkerPageSchema = cursor_page_schema(WorkerSchema, "WorkerPageSchema")


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


# ---------------------------------------------------------------- background check, insurance, real name

CHECK_KIND = fields.String(
    required=True,
    validate=validate.OneOf(CHECK_KINDS),
    metadata={"description": "criminal_record (无犯罪记录), insurance (从业责任保险) or identity (实名认证)"},
)


class CheckCreateSchema(ma.Schema):
    """A check as an operator read it from a paper certificate or policy."""

    kind = CHECK_KIND
    reference = Text(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "the certificate's or policy's number; never shown on the scan"},
    )
    checked_on = fields.Date(required=True, validate=not_in_future, metadata={"description": "核查日期 / 出具日期"})
    valid_from = fields.Date(metadata={"description": "required for a policy in force"})
    valid_until = fields.Date(metadata={"description": "required for a policy in force"})
    result = fields.String(
        required=True,
        metadata={
            "description": "criminal_record: clear, record_found or pending; insurance: in_force, not_insured "
            "or pending; identity: verified, mismatch or pending"
        },
    )

    @ma.validates_schema
    def fits_the_kind(self, data, **_kwargs):
        kind = data.get("kind")
        if kind is None or "result" not in data:
            return
        if data["result"] not in CHECK_RESULTS[kind]:
            raise ma.ValidationError(
                _("a %(kind)s check is one of %(results)s", kind=kind, results=", ".join(CHECK_RESULTS[kind])), "result"
            )
        if kind == INSURANCE and data["result"] == "in_force":
            missing = [name for name in ("valid_from", "valid_until") if name not in data]
            if missing:
                raise ma.ValidationError({name: [_("required for a policy in force")] for name in missing})
        if "valid_from" in data and "valid_until" in data and data["valid_until"] < data["valid_from"]:
            raise ma.ValidationError(_("cannot end before valid_from"), "valid_until")


class VerificationRequestSchema(ma.Schema):
    kind = CHECK_KIND


class CheckSchema(ma.Schema):
    """A check as operators and the worker's company see it (the reference in full)."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    kind_name = DerivedString(lambda check: CHECK_KIND_NAMES[check.kind], required=True)
    source = fields.String(required=True, metadata={"description": "paper or service"})
    reference = fields.String(allow_none=True)
    checked_on = fields.Date(required=True)
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    result = fields.String(required=True)
    actor_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)


class CheckListSchema(ma.Schema):
    items = fields.List(fields.Nested(CheckSchema), required=True)
    total = fields.Integer(required=True)


class ExpiringQuery(PageQuery):
    within_days = fields.Integer(
        validate=validate.Range(min=0, max=366),
        metadata={"description": "what ends between today (Beijing) and this many days on; EXPIRY_REMINDER_DAYS"},
    )
    company_id = RecordId(metadata={"description": "a company admin sees only its own company"})
    item = fields.String(validate=validate.OneOf(expiry.ITEMS))


class ExpiringItemSchema(ma.Schema):
    worker_id = fields.Integer(required=True)
    worker_name = fields.String(required=True)
    company_id = fields.Integer(allow_none=True)
    item = fields.String(required=True, metadata={"description": "health_certificate, criminal_record or insurance"})
    item_name = fields.String(required=True, metadata={"example": "从业责任保险"})
    valid_until = fields.Date(required=True, metadata={"description": "its last valid day"})
    days_left = fields.Integer(required=True)


ExpiringPageSchema = page_schema(ExpiringItemSchema, "ExpiringPageSchema")


# ---------------------------------------------------------------- documents and photo

ACCEPTED_FILE = "JPEG, PNG or PDF: what its content is decides, not its name or declared type"


class DocumentUploadSchema(UploadSchema):
    """One document of a worker, as multipart/form-data."""

    max_bytes_setting = "DOCUMENT_MAX_BYTES"

    kind = fields.String(
        required=True,
        validate=validate.OneOf(DOCUMENT_KINDS),
        metadata={"description": "which document: " + ", ".join(f"{k} ({n})" for k, n in DOCUMENT_KIND_NAMES.items())},
    )
    file = FileUpload(required=True, metadata={"description": ACCEPTED_FILE + " (DOCUMENT_MAX_BYTES at most)"})
    valid_until = fields.Date(
        metadata={
            "description": "when the certificate on it ends (a health certificate, a policy); kept "
            "DOCUMENT_RETENTION_DAYS after it"
        }
    )


class PhotoUploadSchema(UploadSchema):
    """The worker's photo, as multipart/form-data."""

    max_bytes_setting = "PHOTO_MAX_BYTES"

    file = FileUpload(
        required=True,
        metadata={
            "description": "JPEG, PNG or WebP (its content decides), PHOTO_MAX_BYTES at most; kept re-encoded as a "
            "JPEG of at most PHOTO_SIDE pixels, without EXIF"
        },
    )


class DocumentListQuery(ma.Schema):
    kind = fields.String(validate=validate.OneOf(DOCUMENT_KINDS))


class DocumentSchema(ma.Schema):
    """One version of one document: what it is and proves, its review; the file is fetched apart."""

    id = fields.Integer(required=True)
    worker_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))
    kind_name = DerivedString(lambda document: DOCUMENT_KIND_NAMES[document.kind], required=True)
    proves = DerivedString(
        lambda document: DOCUMENT_KINDS[document.kind],
        required=True,
        metadata={
            "description": "the fact of the file it is the evidence for",
            "example": "health_certificate_valid_until",
        },
    )
    version = fields.Integer(
        required=True, metadata={"description": "1 for the first upload of its kind, then 2, 3..."}
    )
    content_type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_MEDIA_TYPES))
    size_bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    valid_until = fields.Date(allow_none=True)
    review = fields.String(required=True, validate=validate.OneOf(REVIEW_STATES))
    review_name = DerivedString(lambda document: DOCUMENT_REVIEW.names[document.review], required=True)
    refusal_reason = fields.String(allow_none=True)
    reviewed_by_id = fields.Integer(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    uploaded_by_id = fields.Integer(allow_none=True)
    uploaded_at = fields.DateTime(required=True)
    purged_at = fields.DateTime(allow_none=True, metadata={"description": "the file was deleted after retention"})


class DocumentListSchema(ma.Schema):
    items = fields.List(fields.Nested(DocumentSchema), required=True)
    total = fields.Integer(required=True)


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
    def known_kind(self, value, **_kwargs):
        config = current_config()
        if value not in config.kinds("worker") | config.kinds("company"):
            raise ma.ValidationError(_("unknown kind; see credit/scoring.toml"))


class CreditEventSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    value = fields.Float(required=True)
    reason = fields.String(allow_none=True)
    source_ref = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    employer_id = fields.Integer(
        allow_none=True, metadata={"description": "a worker's event: the company employing them when it happened"}
    )
    neutralises_id = fields.Integer(
        allow_none=True, metadata={"description": "an upheld objection's compensating event: the event it cancels"}
    )
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


def _percent(value) -> str:
    return f"{float(value):g}"


def _placement_note(placement) -> str:
    if placement.fallback == NOT_IN_COHORT:
        return _("Not ranked (no worker holding an issued certificate): the grade comes from the score thresholds.")
    if placement.fallback == SMALL_COHORT:
        return _(
            "Only %(size)s active companies, fewer than the %(min)s ranking needs: the grade comes from the score "
            "thresholds.",
            size=placement.cohort_size,
            min=placement.min_cohort,
        )
    band = placement.band
    return _(
        "%(percentile)s%% of the %(size)s active companies score higher: the band from %(start)s%% to %(end)s%% "
        "gives %(level)s.",
        percentile=_percent(placement.percentile),
        size=placement.cohort_size,
        start=_percent(band.from_percent),
        end=_percent(band.to_percent),
        level=band.level,
    )


class BandSchema(ma.Schema):
    level = fields.String(required=True)
    from_percent = fields.Float(required=True, metadata={"description": "included"})
    to_percent = fields.Float(required=True, metadata={"description": "excluded"})


class PlacementSchema(ma.Schema):
    """Serialises a credit.scoring.Placement: how a company graded by rank got its grade."""

    percentile = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "the share (%) of the active companies, this one included, whose score is strictly "
            "higher; null when the company is not among them"
        },
    )
    cohort_size = fields.Integer(required=True, metadata={"description": "the active companies ranked together"})
    min_cohort = fields.Integer(required=True, metadata={"description": "fewer than this: the thresholds grade"})
    band = fields.Nested(BandSchema, required=True, allow_none=True, metadata={"description": "null on a fallback"})
    fallback = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf([SMALL_COHORT, NOT_IN_COHORT]),
        metadata={"description": "why the score thresholds gave the grade instead of a band"},
    )
    note = DerivedString(_placement_note, required=True, metadata={"description": "the rank, in words"})


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
    rank = fields.Nested(
        PlacementSchema,
        required=True,
        allow_none=True,
        attribute="result.placement",
        metadata={"description": "a level graded by rank band: the percentile, the cohort, the band or the fallback"},
    )


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

    photo_url = fields.String(
        allow_none=True,
        metadata={
            "description": "the face to compare at the door: PUBLIC_BASE_URL/api/v1/scan/{token}/photo.jpg once a "
            "photo is uploaded, served while this code is valid; null when there is none (check the certificate)"
        },
    )
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
    background_check = fields.String(
        allow_none=True,
        metadata={"description": "null when none is recorded", "example": "无犯罪记录（核查于 2026-11-02）"},
    )
    background_checked_on = fields.Date(allow_none=True, metadata={"description": "of a clear check"})
    insurance = fields.String(
        allow_none=True,
        metadata={"description": "null when no policy is recorded", "example": "保险有效期至 2027-06-30"},
    )
    insurance_valid_until = fields.Date(allow_none=True, metadata={"description": "of a policy in force"})
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


# ---------------------------------------------------------------- the worker's own side


class OwnWorkerSchema(WorkerSchema):
    """The worker's file as the worker sees it: nothing masked."""

    id_number = DerivedString(lambda worker: worker.id_number, required=True)
    phone = DerivedString(lambda worker: worker.phone, allow_none=True)


class EmploymentSchema(ma.Schema):
    """A credit.models.Employment: one company, from when until when, who ended it."""

    id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)
    company_name = fields.String(required=True, attribute="company.name")
    started_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True, metadata={"description": "null while it lasts"})
    ended_by_role = fields.String(allow_none=True, metadata={"description": "company_admin, worker or operator"})
    end_reason = fields.String(allow_none=True)


class OwnFileSchema(ma.Schema):
    """Serialises a credit.own_file.OwnFile."""

    worker = fields.Nested(OwnWorkerSchema, required=True)
    colour = fields.String(required=True, validate=validate.OneOf(["green", "yellow", "red"]))
    reasons = fields.List(
        fields.Nested(ScanReasonSchema), required=True, metadata={"description": "why not green, worst first"}
    )
    credit = fields.Nested(ExplanationSchema, required=True, metadata={"description": "the stars, explained"})
    employments = fields.List(fields.Nested(EmploymentSchema), required=True, metadata={"description": "oldest first"})


LOOK_WHAT_NAMES = {"scan": "扫码", "file": "档案", "log": "查看记录", "documents": "材料", "photo": "照片"}


class LookSchema(ma.Schema):
    """One row of who looked at the worker (credit.own_file.Look): a scan of the 安心碼 or a look-up
    of the file, of their documents or of their photo."""

    scanned_at = fields.DateTime(required=True, metadata={"description": "when"})
    channel = fields.String(
        required=True,
        metadata={
            "description": "api, page, wxa: a scan; file: read through the app (the file, the documents or the "
            "photo); log: this list was read"
        },
    )
    what = fields.String(
        required=True,
        validate=validate.OneOf(list(LOOK_WHAT_NAMES)),
        metadata={"description": "scan, file, log, documents (the list or one document's file) or photo"},
    )
    what_name = DerivedString(
        lambda look: LOOK_WHAT_NAMES[look.what],
        required=True,
        metadata={"description": "扫码, 档案, 查看记录, 材料 or 照片"},
    )
    viewer = fields.String(
        allow_none=True,
        validate=validate.OneOf(list(VIEWER_NAMES)),
        metadata={"description": "what kind of caller, never who; null for looks before it was kept"},
    )
    viewer_name = DerivedString(
        lambda look: VIEWER_NAMES.get(look.viewer, "未记录"),
        required=True,
        metadata={"description": "居民, 服务站, 企业, 运营, 未登录 or 本人"},
    )


LookPageSchema = page_schema(LookSchema, "LookPageSchema")


class AccountInviteCreateSchema(ma.Schema):
    valid_for_hours = fields.Integer(
        validate=validate.Range(min=1, max=24 * 30), metadata={"description": "default INVITE_LIFETIME_HOURS (72)"}
    )
    note = Text(validate=validate.Length(max=100))


# ---------------------------------------------------------------- objections (异议)


class ObjectionCreateSchema(UploadSchema):
    """An objection, as multipart/form-data: why, and the evidence file if there is one."""

    max_bytes_setting = "DOCUMENT_MAX_BYTES"

    reason = Text(required=True, validate=validate.Length(min=1, max=2000))
    file = FileUpload(
        metadata={
            "description": "the evidence, if any: " + ACCEPTED_FILE + " (DOCUMENT_MAX_BYTES at most); read back "
            "only by the objector and operators, at GET /api/v1/objections/{objection_id}/evidence"
        }
    )


class ObjectionSchema(ma.Schema):
    """A credit.models.Objection."""

    id = fields.Integer(required=True)
    event = fields.Nested(CreditEventSchema, required=True, metadata={"description": "the event objected to"})
    worker_id = fields.Integer(allow_none=True)
    company_id = fields.Integer(allow_none=True)
    objector_id = fields.Integer(required=True)
    objector_role = fields.String(required=True, metadata={"description": "worker or company_admin"})
    reason = fields.String(required=True)
    evidence_content_type = fields.String(
        allow_none=True,
        validate=validate.OneOf(DOCUMENT_MEDIA_TYPES),
        metadata={"description": "the uploaded evidence's type (its file is fetched apart); null without evidence"},
    )
    evidence_size_bytes = fields.Integer(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(OBJECTION_STATES))
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    compensating_event_id = fields.Integer(allow_none=True)


class ObjectionListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(OBJECTION_STATES))
    worker_id = RecordId()
    company_id = RecordId()


ObjectionPageSchema = page_schema(ObjectionSchema, "ObjectionPageSchema")


# ---------------------------------------------------------------- employment


class EmploymentOfferSchema(ma.Schema):
    """A credit.models.EmploymentOffer."""

    id = fields.Integer(required=True)
    worker_id = fields.Integer(required=True)
    company = fields.Nested(ScanCompanySchema, required=True)
    company_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(OFFER_STATES))
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True)


class EmploymentOfferListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(OFFER_STATES))


EmploymentOfferPageSchema = page_schema(EmploymentOfferSchema, "EmploymentOfferPageSchema")
