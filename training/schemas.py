"""Request and response schemas of training; responses serialise the ORM objects."""

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from app.blueprint import UploadSchema
from app.clock import today_in_beijing
from app.fields import BeijingDateTime, FileUpload, FullMatch, RecordId, Text
from app.i18n import _, lazy_gettext
from app.paging import CursorPageQuery, PageQuery, cursor_page_schema, page_schema
from credit.schemas import SERVICE_CODES, DistrictField, ServiceTypeSchema
from training.models import ENROLMENT_STATUS_NAMES, KINDS, MODES, PURPOSES, QUESTION_KINDS, REFRESHER_STATUS_NAMES


def not_in_past(value: date) -> None:
    if value < today_in_beijing():
        raise ma.ValidationError(_("cannot be in the past"))


VIDEO_URL = [FullMatch(r"https://\S+", error=lazy_gettext("must be an https URL")), validate.Length(max=300)]


class CourseCreateSchema(ma.Schema):
    title = Text(required=True, validate=validate.Length(min=2, max=100))
    description = Text(validate=validate.Length(max=5000))
    service_types = SERVICE_CODES
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)), metadata={"description": "理论 / 实训"})
    purpose = fields.String(
        required=True,
        validate=validate.OneOf(list(PURPOSES)),
        metadata={"description": "pre_job (岗前, required for the certificate) or refresher (回炉)"},
    )
    required_hours = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    pass_mark = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    required_after_complaint = fields.Boolean(
        load_default=False,
        metadata={
            "description": "a refresher required, TRAINING_REFRESHER_DAYS ahead, of a worker against whom a "
            "complaint in one of its services is upheld"
        },
    )


class CourseSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True)
    service_types = fields.List(fields.String(), required=True)
    services = fields.List(fields.Nested(ServiceTypeSchema), required=True)
    kind = fields.String(required=True)
    kind_name = fields.Function(lambda course: KINDS[course.kind])
    purpose = fields.String(required=True)
    purpose_name = fields.Function(lambda course: PURPOSES[course.purpose])
    required_hours = fields.Integer(required=True)
    pass_mark = fields.Integer(required=True)
    required_after_complaint = fields.Boolean(required=True)


class CourseListQuery(PageQuery):
    purpose = fields.String(validate=validate.OneOf(list(PURPOSES)))


class SessionInSchema(ma.Schema):
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "with its offset"})
    ends_at = fields.AwareDateTime(required=True, metadata={"description": "with its offset"})


class LessonInSchema(ma.Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=100))
    text = Text(validate=validate.Length(max=20000))
    video_url = Text(validate=VIDEO_URL)
    required_minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=600))


class ClassCreateSchema(ma.Schema):
    title = Text(required=True, validate=validate.Length(min=2, max=100))
    mode = fields.String(required=True, validate=validate.OneOf(list(MODES)))
    station_code = fields.String(validate=FullMatch(r"\d{12}", error=lazy_gettext("must be a 12-digit station code")))
    address = Text(validate=validate.Length(min=2, max=200))
    district_code = DistrictField()
    trainer_name = Text(validate=validate.Length(min=1, max=32))
    capacity = fields.Integer(validate=validate.Range(min=1, max=10000))
    sessions = fields.List(fields.Nested(SessionInSchema), validate=validate.Length(max=100))
    lessons = fields.List(fields.Nested(LessonInSchema), validate=validate.Length(max=100))


class ClassSessionSchema(ma.Schema):
    id = fields.Integer(required=True)
    starts_at = BeijingDateTime(required=True)
    ends_at = BeijingDateTime(required=True)


class LessonSchema(ma.Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    title = fields.String(required=True)
    text = fields.String(allow_none=True)
    video_url = fields.String(allow_none=True)
    pdf_url = fields.Function(
        lambda lesson: f"/api/v1/training/lessons/{lesson.id}/pdf" if lesson.pdf_storage_key else None,
        metadata={"type": "string", "nullable": True, "description": "where its PDF is downloaded; null: none"},
    )
    pdf_size_bytes = fields.Integer(allow_none=True)
    required_minutes = fields.Integer(required=True)


class LessonPdfUploadSchema(UploadSchema):
    """A lesson's PDF material, as multipart/form-data."""

    max_bytes_setting = "TRAINING_PDF_MAX_BYTES"

    file = FileUpload(
        required=True, metadata={"description": "a PDF (its content decides), TRAINING_PDF_MAX_BYTES at most"}
    )


class ClassSchema(ma.Schema):
    id = fields.Integer(required=True)
    course = fields.Nested(CourseSchema, required=True)
    title = fields.String(required=True)
    mode = fields.String(required=True)
    mode_name = fields.Function(lambda training_class: MODES[training_class.mode])
    station_code = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    district_code = fields.String(allow_none=True)
    trainer_name = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    enrolled = fields.Integer(required=True)
    places_left = fields.Integer(allow_none=True)
    sessions = fields.List(fields.Nested(ClassSessionSchema), required=True)
    lessons = fields.List(fields.Nested(LessonSchema), required=True)


class ClassListQuery(CursorPageQuery):
    course_id = RecordId()
    mode = fields.String(validate=validate.OneOf(list(MODES)))


class EnrolSchema(ma.Schema):
    worker_id = RecordId(required=True)


class EnrolmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    class_id = fields.Integer(required=True)
    worker_id = fields.Integer(required=True)
    status = fields.String(required=True)
    status_name = fields.Function(lambda enrolment: ENROLMENT_STATUS_NAMES[enrolment.status])
    created_at = BeijingDateTime(required=True)
    completed_on = fields.Date(allow_none=True)
    cancelled_at = BeijingDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)


class EnrolmentCancelSchema(ma.Schema):
    reason = Text(validate=validate.Length(min=1, max=500))


class CheckInSchema(ma.Schema):
    worker_id = RecordId(required=True)
    code = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"description": "the scanned check-in code"}
    )


class MarkAttendanceSchema(ma.Schema):
    worker_id = RecordId(required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class AttendanceSchema(ma.Schema):
    session_id = fields.Integer(required=True)
    worker_id = fields.Integer(required=True)
    method = fields.String(required=True, metadata={"description": "qr or by_hand"})
    marked_by_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    at = BeijingDateTime(required=True)


class CheckInCodeSchema(ma.Schema):
    code = fields.String(required=True, metadata={"description": "shown as a QR code; replaced every minute"})
    valid_until = BeijingDateTime(required=True, metadata={"description": "when the next code replaces it"})


class WorkerOnlySchema(ma.Schema):
    worker_id = RecordId(required=True)


class LessonProgressSchema(ma.Schema):
    lesson_id = fields.Integer(required=True)
    worker_id = fields.Integer(required=True)
    counted_seconds = fields.Function(
        lambda progress: int(progress.counted_seconds), metadata={"type": "integer", "description": "whole seconds"}
    )
    completed_at = BeijingDateTime(allow_none=True)


CoursePageSchema = page_schema(CourseSchema, "CoursePage")
ClassPageSchema = cursor_page_schema(ClassSchema, "ClassPage")
EnrolmentPageSchema = page_schema(EnrolmentSchema, "EnrolmentPage")


# ---------------------------------------------------------------- exams


class DrawRuleSchema(ma.Schema):
    tag = Text(validate=validate.Length(min=1, max=32), metadata={"description": "questions carrying this tag"})
    difficulty = fields.Integer(validate=validate.Range(min=1, max=3))
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=200))


class ChecklistItemSchema(ma.Schema):
    item = Text(required=True, validate=validate.Length(min=1, max=200))
    points = fields.Integer(required=True, validate=validate.Range(min=1, max=100))


class CourseExamSettingsSchema(ma.Schema):
    rules = fields.List(
        fields.Nested(DrawRuleSchema),
        validate=validate.Length(max=20),
        metadata={"description": "a theory course's: how its paper is drawn"},
    )
    checklist = fields.List(
        fields.Nested(ChecklistItemSchema),
        validate=validate.Length(max=50),
        metadata={"description": "a practical course's: what its examiner scores"},
    )
    duration_minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=600))
    max_attempts = fields.Integer(required=True, validate=validate.Range(min=1, max=20))
    retake_wait_hours = fields.Integer(required=True, validate=validate.Range(min=0, max=24 * 90))


class CourseExamSchema(CourseExamSettingsSchema):
    id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    pass_mark = fields.Function(lambda exam: exam.course.pass_mark)


class QuestionCreateSchema(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(QUESTION_KINDS)))
    text = Text(required=True, validate=validate.Length(min=1, max=2000))
    options = fields.List(
        Text(validate=validate.Length(min=1, max=500)), required=True, validate=validate.Length(min=2, max=8)
    )
    answer = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=7)),
        required=True,
        validate=validate.Length(min=1, max=8),
        metadata={"description": "indices (from 0) of the right options"},
    )
    tags = fields.List(Text(validate=validate.Length(min=1, max=32)), validate=validate.Length(max=10))
    difficulty = fields.Integer(required=True, validate=validate.Range(min=1, max=3))


class QuestionSchema(QuestionCreateSchema):
    """A question with its right answer: for operators only."""

    id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)


class PracticalScoreSchema(ma.Schema):
    worker_id = RecordId(required=True)
    examiner_name = Text(required=True, validate=validate.Length(min=1, max=32))
    points = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=100)),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "points given per checklist item, in the checklist's order"},
    )


class StartAttemptSchema(ma.Schema):
    worker_id = RecordId(required=True)


class AnswerSchema(ma.Schema):
    choices = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=7)),
        required=True,
        validate=validate.Length(max=8),
        metadata={"description": "indices (from 0) of the options as this paper shows them"},
    )


class ShownQuestionSchema(ma.Schema):
    question_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    text = fields.String(required=True)
    options = fields.List(fields.String(), required=True)
    chosen = fields.List(fields.Integer(), required=True)
    right = fields.List(
        fields.Integer(), allow_none=True, metadata={"description": "null until the attempt is submitted"}
    )


class AttemptSchema(ma.Schema):
    """An attempt with its paper (an exams.AttemptView); right answers only once submitted."""

    id = fields.Integer(attribute="attempt.id", required=True)
    exam_id = fields.Integer(attribute="attempt.exam_id", required=True)
    worker_id = fields.Integer(attribute="attempt.worker_id", required=True)
    started_at = BeijingDateTime(attribute="attempt.started_at", required=True)
    deadline = BeijingDateTime(attribute="attempt.deadline", required=True)
    submitted_at = BeijingDateTime(attribute="attempt.submitted_at", allow_none=True)
    score = fields.Integer(attribute="attempt.score", allow_none=True)
    passed = fields.Boolean(attribute="attempt.passed", allow_none=True)
    examiner_name = fields.String(attribute="attempt.examiner_name", allow_none=True)
    checklist_points = fields.List(fields.Integer(), attribute="attempt.checklist_points", allow_none=True)
    questions = fields.List(fields.Nested(ShownQuestionSchema), required=True)


QuestionPageSchema = page_schema(QuestionSchema, "QuestionPage")


class RefresherRequireSchema(ma.Schema):
    course_id = RecordId(required=True)
    due_on = fields.Date(required=True, validate=not_in_past)
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class RefresherRequirementSchema(ma.Schema):
    id = fields.Integer(required=True)
    worker_id = fields.Integer(required=True)
    course = fields.Nested(CourseSchema, required=True)
    due_on = fields.Date(required=True)
    reason = fields.String(required=True)
    status = fields.String(required=True)
    status_name = fields.Function(lambda requirement: REFRESHER_STATUS_NAMES[requirement.status])
    required_by_id = fields.Integer(allow_none=True)
    complaint_id = fields.Integer(allow_none=True, metadata={"description": "the upheld complaint that required it"})
    done_on = fields.Date(allow_none=True)


MONTH = FullMatch(r"\d{4}-(0[1-9]|1[0-2])", error=lazy_gettext("must be a month, YYYY-MM"))


class StatisticsQuery(ma.Schema):
    month_from = fields.String(validate=MONTH, metadata={"description": "first month counted, YYYY-MM"})
    month_to = fields.String(validate=MONTH, metadata={"description": "last month counted, YYYY-MM"})


class ClassCountSchema(ma.Schema):
    month = fields.String(required=True, metadata={"description": "YYYY-MM, Beijing time"})
    district_code = fields.String(allow_none=True)
    course_id = fields.Integer(required=True)
    course_title = fields.String(required=True)
    kind = fields.String(required=True)
    mode = fields.String(required=True)
    classes = fields.Integer(required=True, metadata={"description": "班次"})
    enrolments = fields.Integer(required=True, metadata={"description": "人次: workers holding or having held a place"})
    completions = fields.Integer(required=True)
    attendances = fields.Integer(required=True, metadata={"description": "session attendances"})


class PassRateSchema(ma.Schema):
    exam_id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    course_title = fields.String(required=True)
    sat = fields.Integer(required=True, metadata={"description": "workers who sat the exam"})
    passed = fields.Integer(required=True)
    pass_rate = fields.Float(allow_none=True)


class TrainerCountSchema(ma.Schema):
    trainer_name = fields.String(required=True)
    classes = fields.Integer(required=True)
    attendances = fields.Integer(required=True)


class StatisticsSchema(ma.Schema):
    classes = fields.List(fields.Nested(ClassCountSchema), required=True)
    exams = fields.List(fields.Nested(PassRateSchema), required=True)
    trainers = fields.List(fields.Nested(TrainerCountSchema), required=True)


class ClassFiguresQuery(PageQuery):
    """A period of whole months, by default this one (Beijing); a page of its classes."""

    month_from = fields.String(validate=MONTH, metadata={"description": "first month, YYYY-MM; by default month_to"})
    month_to = fields.String(
        validate=MONTH, metadata={"description": "last month, YYYY-MM; by default this month (Beijing)"}
    )

    @ma.validates_schema
    def from_before_to(self, data, **_kwargs):
        month_to = data.get("month_to") or f"{today_in_beijing():%Y-%m}"
        if data.get("month_from", month_to) > month_to:
            raise ma.ValidationError(_("must not be before month_from"), field_name="month_to")

    @ma.post_load
    def months(self, data, **_kwargs):
        month_to = data.get("month_to") or f"{today_in_beijing():%Y-%m}"
        return data | {"month_to": month_to, "month_from": data.get("month_from") or month_to}


class ClassFiguresSchema(ma.Schema):
    """A class of the period: its first session's month (an online class's opening's)."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    course_id = fields.Integer(required=True)
    course_title = fields.String(required=True)
    kind = fields.String(required=True)
    mode = fields.String(required=True)
    district_code = fields.String(allow_none=True)
    trainer_name = fields.String(allow_none=True)
    month = fields.String(required=True, metadata={"description": "YYYY-MM, Beijing time"})
    enrolled = fields.Integer(required=True, metadata={"description": "enrolments holding a place now"})
    waiting = fields.Integer(required=True, metadata={"description": "enrolments waiting for a place now"})
    completed = fields.Integer(required=True)
    cancelled = fields.Integer(required=True)
    attendances = fields.Integer(required=True, metadata={"description": "session attendances"})
    sat = fields.Integer(
        required=True, metadata={"description": "of the workers who completed it, those who sat the course's exam"}
    )
    passed = fields.Integer(required=True, metadata={"description": "of those, the workers who passed (any attempt)"})
    pass_rate = fields.Float(allow_none=True)


ClassFiguresPageSchema = page_schema(ClassFiguresSchema, "ClassFiguresPage")
