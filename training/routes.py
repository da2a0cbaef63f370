"""Training's API: courses and classes (operators write, anyone logged in reads); enrolment,
check-in, lessons and exam attempts acting for a worker (training.access.worker_for_caller); the
session's check-in code, attendance by hand and practical scores (operators, who are the
trainers and examiners); question banks, exam settings, refreshers and statistics (operators)."""

from flask import current_app
from sqlalchemy import select

from accounts.models import OPERATOR
from app.blueprint import ApiBlueprint
from app.errors import NotFound
from app.i18n import _
from app.paging import PageQuery, paginate
from training import checkin, courses, enrolments, exams, lessons, materials, refreshers, statistics
from training.access import (
    ACTING_FOR_A_WORKER,
    actor,
    attempt_for_caller,
    enrolment_for_caller,
    exam_of,
    existing_class,
    existing_course,
    existing_exam,
    existing_lesson,
    existing_session,
    lesson_for_reader,
    worker_for_caller,
)
from training.models import Course, Enrolment, Question
from training.schemas import (
    AnswerSchema,
    AttemptSchema,
    AttendanceSchema,
    CheckInCodeSchema,
    CheckInSchema,
    ClassCreateSchema,
    ClassFiguresPageSchema,
    ClassFiguresQuery,
    ClassListQuery,
    ClassPageSchema,
    ClassSchema,
    CourseCreateSchema,
    CourseExamSchema,
    CourseExamSettingsSchema,
    CourseListQuery,
    CoursePageSchema,
    CourseSchema,
    EnrolmentCancelSchema,
    EnrolmentPageSchema,
    EnrolmentSchema,
    EnrolSchema,
    LessonPdfUploadSchema,
    LessonProgressSchema,
    LessonSchema,
    MarkAttendanceSchema,
    PracticalScoreSchema,
    QuestionCreateSchema,
    QuestionPageSchema,
    QuestionSchema,
    RefresherRequirementSchema,
    RefresherRequireSchema,
    StartAttemptSchema,
    StatisticsQuery,
    StatisticsSchema,
    WorkerOnlySchema,
)

blp = ApiBlueprint(
    "training",
    __name__,
    url_prefix="/api/v1/training",
    description="培训考核: courses, classes, enrolment and attendance",
    problem_meanings={
        404: "No such course, class, session, lesson, enrolment, exam or attempt, or a worker the caller "
        "does not act for",
        409: "Already enrolled or checked in, no place held, the session not running, the lesson not open, "
        "not allowed from the enrolment's status; an attempt open, submitted or past its deadline, "
        "no retake allowed (yet), or a question bank too small for the exam's rules",
        422: "A check-in code that is forged, of another session or expired, or a class without what its mode needs",
    },
)


# ---------------------------------------------------------------- courses and classes


@blp.post("/courses")
@blp.requires(OPERATOR)
@blp.arguments(CourseCreateSchema)
@blp.response(201, CourseSchema)
def create_course(data):
    """Create a course (operators)."""
    return courses.create_course(data)


@blp.get("/courses")
@blp.requires()
@blp.arguments(CourseListQuery, location="query")
@blp.response(200, CoursePageSchema)
def list_courses(query):
    """The courses, newest first."""
    statement = select(Course).order_by(Course.id.desc())
    if "purpose" in query:
        statement = statement.where(Course.purpose == query["purpose"])
    return paginate(statement, query["page"], query["per_page"])


@blp.get("/courses/<id:course_id>")
@blp.requires()
@blp.problems(404)
@blp.response(200, CourseSchema)
def get_course(course_id):
    return existing_course(course_id)


@blp.post("/courses/<id:course_id>/classes")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.arguments(ClassCreateSchema)
@blp.response(201, ClassSchema)
def create_class(data, course_id):
    """Open a class of the course (operators): offline with a place, sessions and a capacity, or
    online with lessons."""
    return courses.create_class(existing_course(course_id), data)


@blp.get("/classes")
@blp.requires()
@blp.arguments(ClassListQuery, location="query")
@blp.response(200, ClassPageSchema)
def list_classes(query):
    """The classes, newest first; page on by each page's `next` cursor."""
    return courses.list_classes(query)


@blp.get("/classes/<id:class_id>")
@blp.requires()
@blp.problems(404)
@blp.response(200, ClassSchema)
def get_class(class_id):
    return existing_class(class_id)


# ---------------------------------------------------------------- enrolment


@blp.post("/classes/<id:class_id>/enrolments")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404, 409)
@blp.arguments(EnrolSchema)
@blp.response(201, EnrolmentSchema)
def enrol(data, class_id):
    """Enrol a worker: `enrolled` with a place, or `waiting` when the class is full."""
    training_class = existing_class(class_id)
    return enrolments.enrol(training_class, worker_for_caller(data["worker_id"]), actor())


@blp.get("/workers/<id:worker_id>/enrolments")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404)
@blp.arguments(PageQuery, location="query")
@blp.response(200, EnrolmentPageSchema)
def list_worker_enrolments(query, worker_id):
    worker = worker_for_caller(worker_id)
    statement = select(Enrolment).where(Enrolment.worker_id == worker.id).order_by(Enrolment.id.desc())
    return paginate(statement, query["page"], query["per_page"])


@blp.post("/enrolments/<id:enrolment_id>/cancel")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404, 409)
@blp.arguments(EnrolmentCancelSchema)
@blp.response(200, EnrolmentSchema)
def cancel_enrolment(data, enrolment_id):
    """Cancel; the place goes to the first worker waiting."""
    return enrolments.cancel(enrolment_for_caller(enrolment_id), data.get("reason"))


# ---------------------------------------------------------------- attendance


@blp.get("/sessions/<id:session_id>/check-in-code")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.response(200, CheckInCodeSchema)
def get_check_in_code(session_id):
    """The code the trainer shows as a QR code; fetch it again when `valid_until` passes."""
    code, valid_until = checkin.current_code(existing_session(session_id))
    return {"code": code, "valid_until": valid_until}


@blp.post("/sessions/<id:session_id>/check-in")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404, 409)
@blp.arguments(CheckInSchema)
@blp.response(201, AttendanceSchema)
def check_in(data, session_id):
    """The worker checks in with the scanned code while the session runs."""
    session = existing_session(session_id)
    return checkin.check_in(session, worker_for_caller(data["worker_id"]), data["code"], actor())


@blp.post("/sessions/<id:session_id>/attendance")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(MarkAttendanceSchema)
@blp.response(201, AttendanceSchema)
def mark_attendance(data, session_id):
    """The trainer marks a worker present by hand, saying why; who did it is recorded."""
    session = existing_session(session_id)
    return checkin.mark_by_hand(session, worker_for_caller(data["worker_id"]), data["reason"], actor())


@blp.post("/lessons/<id:lesson_id>/open")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404, 409)
@blp.arguments(WorkerOnlySchema)
@blp.response(200, LessonProgressSchema)
def open_lesson(data, lesson_id):
    """Open a lesson (closing any other the worker had open)."""
    lesson = existing_lesson(lesson_id)
    return lessons.open_lesson(lesson, worker_for_caller(data["worker_id"]))


@blp.post("/lessons/<id:lesson_id>/heartbeat")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404, 409)
@blp.arguments(WorkerOnlySchema)
@blp.response(200, LessonProgressSchema)
def lesson_heartbeat(data, lesson_id):
    """Sent by the mini-program every TRAINING_HEARTBEAT_SECONDS while the lesson is followed."""
    lesson = existing_lesson(lesson_id)
    return lessons.heartbeat(lesson, worker_for_caller(data["worker_id"]), actor())


@blp.put("/lessons/<id:lesson_id>/pdf")
@blp.requires(OPERATOR)
@blp.problems(404, 413, 415, 503)
@blp.arguments(LessonPdfUploadSchema, location="multipart")
@blp.response(200, LessonSchema)
def upload_lesson_pdf(data, lesson_id):
    """The lesson's PDF material, in place of any earlier one (operators)."""
    return materials.attach_pdf(existing_lesson(lesson_id), data["file"])


@blp.get("/lessons/<id:lesson_id>/pdf")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(
    404,
    503,
    meanings={
        404: "No such lesson, or not one of a class the caller (or, for a company admin, one of its workers) "
        "is enrolled in; or the lesson has no PDF"
    },
)
@blp.response(200, description="The lesson's PDF", content_type="application/pdf")
def lesson_pdf(lesson_id):
    """The lesson's PDF, as an attachment, never cached: for operators, and for the workers
    enrolled in its class (themselves) and their company admins."""
    lesson = lesson_for_reader(lesson_id)
    data = materials.pdf_of(lesson)
    if data is None:
        raise NotFound(_("Lesson %(id)s has no PDF.", id=lesson_id), code="no_pdf")
    response = current_app.response_class(data, mimetype=materials.PDF)
    response.headers["Content-Disposition"] = f'attachment; filename="{materials.pdf_filename(lesson)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- exams


@blp.put("/courses/<id:course_id>/exam")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.arguments(CourseExamSettingsSchema)
@blp.response(200, CourseExamSchema)
def set_exam(data, course_id):
    """Set how the course's exam is drawn, timed and retaken (operators)."""
    return exams.set_exam(existing_course(course_id), data)


@blp.get("/courses/<id:course_id>/exam")
@blp.requires()
@blp.problems(404)
@blp.response(200, CourseExamSchema)
def get_exam(course_id):
    return exam_of(course_id)


@blp.post("/courses/<id:course_id>/questions")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.arguments(QuestionCreateSchema)
@blp.response(201, QuestionSchema)
def add_question(data, course_id):
    """Add a question to the course's bank (operators)."""
    return exams.add_question(existing_course(course_id), data)


@blp.get("/courses/<id:course_id>/questions")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.arguments(PageQuery, location="query")
@blp.response(200, QuestionPageSchema)
def list_questions(query, course_id):
    """The bank with its right answers (operators only)."""
    course = existing_course(course_id)
    statement = select(Question).where(Question.course_id == course.id).order_by(Question.id)
    return paginate(statement, query["page"], query["per_page"])


@blp.post("/exams/<id:exam_id>/attempts")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404, 409)
@blp.arguments(StartAttemptSchema)
@blp.response(201, AttemptSchema)
def start_attempt(data, exam_id):
    """Start an attempt: a paper drawn for it, without the right answers, and its deadline."""
    exam = existing_exam(exam_id)
    return exams.view(exams.start_attempt(exam, worker_for_caller(data["worker_id"]), actor()))


@blp.post("/exams/<id:exam_id>/practical-scores")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(PracticalScoreSchema)
@blp.response(201, AttemptSchema)
def score_practical_exam(data, exam_id):
    """Record a practical exam: the examiner named, points per checklist item (operators)."""
    exam = existing_exam(exam_id)
    worker = worker_for_caller(data["worker_id"])
    return exams.view(exams.score_practical(exam, worker, data["examiner_name"], data["points"], actor()))


@blp.get("/attempts/<id:attempt_id>")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404)
@blp.response(200, AttemptSchema)
def get_attempt(attempt_id):
    return exams.view(attempt_for_caller(attempt_id))


@blp.put("/attempts/<id:attempt_id>/answers/<id:question_id>")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404, 409)
@blp.arguments(AnswerSchema)
@blp.response(200, AttemptSchema)
def answer_question(data, attempt_id, question_id):
    """Answer one question of the paper; refused once the deadline has passed."""
    attempt = attempt_for_caller(attempt_id, lock=True)
    return exams.view(exams.answer(attempt, question_id, data["choices"]))


@blp.post("/attempts/<id:attempt_id>/submit")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404, 409)
@blp.response(200, AttemptSchema)
def submit_attempt(attempt_id):
    """Hand in: the server scores the answers given before the deadline and shows the right ones."""
    return exams.view(exams.submit(attempt_for_caller(attempt_id, lock=True), actor()))


# ---------------------------------------------------------------- refreshers


@blp.post("/workers/<id:worker_id>/refreshers")
@blp.requires(OPERATOR)
@blp.problems(404)
@blp.arguments(RefresherRequireSchema)
@blp.response(201, RefresherRequirementSchema)
def require_refresher(data, worker_id):
    """Require a refresher (回炉) course of the worker by a date (operators); undone by then, the
    worker's code scans yellow."""
    worker = worker_for_caller(worker_id)
    course = existing_course(data["course_id"])
    return refreshers.require(worker, course, data["due_on"], data["reason"], actor())


@blp.get("/workers/<id:worker_id>/refreshers")
@blp.requires(*ACTING_FOR_A_WORKER)
@blp.problems(404)
@blp.response(200, RefresherRequirementSchema(many=True))
def list_refreshers(worker_id):
    return refreshers.of_worker(worker_for_caller(worker_id))


# ---------------------------------------------------------------- statistics


@blp.get("/statistics")
@blp.requires(OPERATOR)
@blp.arguments(StatisticsQuery, location="query")
@blp.response(200, StatisticsSchema)
def training_statistics(query):
    """Classes (班次), enrolments (人次) and attendances by month, district, course and kind; pass
    rates per exam; trainers' classes (operators). Each class's own figures and pass rate are
    /statistics/classes's, a page at a time."""
    return statistics.statistics(query.get("month_from"), query.get("month_to"))


@blp.get("/statistics/classes")
@blp.requires(OPERATOR)
@blp.arguments(ClassFiguresQuery, location="query")
@blp.response(200, ClassFiguresPageSchema)
def training_class_figures(query):
    """The classes of a period of months (by default this one), newest first, a page at a time:
    each one's enrolments by their status now, attendances, and of its workers who completed it
    and sat the course's exam, those who passed (operators)."""
    return statistics.class_figures(query["month_from"], query["month_to"], query["page"], query["per_page"])
