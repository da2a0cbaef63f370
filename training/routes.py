"""Training's API: courses and classes (operators write, anyone logged in reads), enrolment,
check-in and lessons acting for a worker (training.access.worker_for_caller), the session's
check-in code and attendance by hand (operators, who are the trainers)."""

from sqlalchemy import select

from accounts.models import OPERATOR
from app.blueprint import ApiBlueprint
from app.paging import paginate
from training import checkin, courses, enrolments, lessons
from training.access import (
    ACTING_FOR_A_WORKER,
    actor,
    enrolment_for_caller,
    existing_class,
    existing_course,
    existing_lesson,
    existing_session,
    worker_for_caller,
)
from training.models import Course, Enrolment, TrainingClass
from training.schemas import (
    AttendanceSchema,
    CheckInCodeSchema,
    CheckInSchema,
    ClassCreateSchema,
    ClassListQuery,
    ClassPageSchema,
    ClassSchema,
    CourseCreateSchema,
    CourseListQuery,
    CoursePageSchema,
    CourseSchema,
    EnrolmentCancelSchema,
    EnrolmentPageSchema,
    EnrolmentSchema,
    EnrolSchema,
    LessonProgressSchema,
    MarkAttendanceSchema,
    WorkerOnlySchema,
)

blp = ApiBlueprint(
    "training",
    __name__,
    url_prefix="/api/v1/training",
    description="培训考核: courses, classes, enrolment and attendance",
    problem_meanings={
        404: "No such course, class, session, lesson or enrolment, or a worker the caller does not act for",
        409: "Already enrolled or checked in, no place held, the session not running, the lesson not open, "
        "or not allowed from the enrolment's status",
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
    statement = select(TrainingClass).order_by(TrainingClass.id.desc())
    if "course_id" in query:
        statement = statement.where(TrainingClass.course_id == query["course_id"])
    if "mode" in query:
        statement = statement.where(TrainingClass.mode == query["mode"])
    return paginate(statement, query["page"], query["per_page"])


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
@blp.arguments(ClassListQuery, location="query")
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
