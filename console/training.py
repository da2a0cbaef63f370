"""Training on the console: operators run courses and classes (create them, show a session's
check-in code as a QR code for the room, see who came and mark a worker present by hand, read the
班次 and 人次 figures of a period); company admins enrol their workers and cancel. Every action is training's
own service behind the same access checks as its API (training.access)."""

import re
from collections import Counter
from datetime import date, datetime, timedelta

import segno
from flask import Blueprint, redirect, request, url_for
from sqlalchemy import select

from accounts.models import COMPANY_ADMIN, OPERATOR
from app.clock import BEIJING, utcnow
from app.errors import Invalid
from app.extensions import db
from app.fields import RecordId
from app.geography import DISTRICTS
from app.i18n import _
from app.paging import PageQuery
from console.web import attempt, form_input, loaded, menu_entry, page, principal, query_input, render
from credit import registry
from credit.access import company_for_caller
from credit.service_types import SERVICE_TYPES
from industry_statistics.charts import Chart
from industry_statistics.periods import Period, month_days
from industry_statistics.training_attendance import training_figures as training_figures_of
from training import checkin, courses, enrolments, statistics
from training.access import actor, enrolment_for_caller, existing_class, existing_course, existing_session
from training.access import worker_for_caller as trainee_for_caller
from training.models import ENROLMENT_STATUS_NAMES, KINDS, MODES, ONLINE, PURPOSES, Course, TrainingClass
from training.schemas import (
    ClassCreateSchema,
    ClassFiguresQuery,
    ClassListQuery,
    ClassSchema,
    CourseCreateSchema,
    CourseSchema,
    EnrolmentCancelSchema,
    EnrolmentSchema,
    EnrolSchema,
    MarkAttendanceSchema,
)

training = Blueprint("training", __name__, url_prefix="/training")

menu_entry(OPERATOR, "console.training.classes", "培训管理")
menu_entry(COMPANY_ADMIN, "console.training.company_enrolments", "培训报名")

# One session per line of the class form: "2026-12-10 09:00-12:00".
SESSION_LINE = re.compile(r"(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[-–~至]\s*(\d{1,2}:\d{2})")
# One lesson per line: "title｜minutes" (full- or half-width bar).
LESSON_LINE = re.compile(r"(.+?)\s*[|｜]\s*(\d+)\s*")
OPEN_CLASSES_SHOWN = 100


class ClassFormSchema(ClassCreateSchema):
    """The API's new class, with the course it names in its path chosen on the form instead."""

    course_id = RecordId(required=True)


class EnrolFormSchema(EnrolSchema):
    """The API's enrolment, with the class it names in its path chosen on the form instead."""

    class_id = RecordId(required=True)


@training.get("/classes")
@page(OPERATOR)
def classes(outcome=None, status=200, failed=None):
    """The classes, newest first, filterable by course and mode; the courses, with the forms that
    create a course or a class of one."""
    query = query_input(ClassListQuery())
    listing = courses.list_classes(query)
    all_courses = db.session.scalars(select(Course).order_by(Course.id.desc())).all()
    return render(
        "training_classes.html",
        status,
        classes=ClassSchema(many=True).dump(listing.items),
        listing=listing,
        query=query,
        courses=CourseSchema(many=True).dump(all_courses),
        modes=MODES,
        kinds=KINDS,
        purposes=PURPOSES,
        districts=DISTRICTS,
        service_types=SERVICE_TYPES,
        outcome=outcome,
        failed=failed,
        form=request.form,
    )


@training.post("/courses")
@page(OPERATOR)
def create_course():
    outcome = attempt(lambda: courses.create_course(form_input(CourseCreateSchema())))
    if outcome.problem is None:
        return redirect(url_for("console.training.classes"), 303)
    return classes.__wrapped__(outcome=outcome, status=outcome.status, failed="course")


@training.post("/classes")
@page(OPERATOR)
def create_class():
    def create():
        data = _class_input()
        return courses.create_class(existing_course(data.pop("course_id")), data)

    outcome = attempt(create)
    if outcome.problem is None:
        return redirect(url_for("console.training.class_page", class_id=outcome.result.id), 303)
    return classes.__wrapped__(outcome=outcome, status=outcome.status, failed="class")


def _class_input() -> dict:
    """The class form read by the API's own schema: its sessions and lessons are written one per
    line, as a person at a desk writes them, and turned into the API's lists first."""
    fields = ("course_id", "title", "mode", "station_code", "address", "district_code", "trainer_name", "capacity")
    raw: dict = {name: request.form[name].strip() for name in fields if request.form.get(name, "").strip()}
    if raw.get("mode") == ONLINE:
        raw["lessons"] = [_lesson(line) for line in _lines("lessons")]
    else:
        raw["sessions"] = [_session(line) for line in _lines("sessions")]
    return loaded(ClassFormSchema(), raw)


def _lines(name: str) -> list[str]:
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


def _session(line: str) -> dict:
    found = SESSION_LINE.fullmatch(line)
    if found is None:
        raise Invalid(
            _("Write each session as 2026-12-10 09:00-12:00, not %(line)s.", line=line),
            code="unreadable_session",
            field="sessions",
        )
    day, start, end = found.groups()
    try:
        starts_at = datetime.strptime(f"{day} {start}", "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
        ends_at = datetime.strptime(f"{day} {end}", "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    except ValueError:
        raise Invalid(
            _("%(line)s is not a real date and time.", line=line), code="unreadable_session", field="sessions"
        ) from None
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def _lesson(line: str) -> dict:
    found = LESSON_LINE.fullmatch(line)
    if found is None:
        raise Invalid(
            _("Write each lesson as a title｜minutes, not %(line)s.", line=line),
            code="unreadable_lesson",
            field="lessons",
        )
    return {"title": found.group(1), "required_minutes": found.group(2)}


@training.get("/classes/<id:class_id>")
@page(OPERATOR)
def class_page(class_id, outcome=None, status=200, failed=None):
    """One class: its sessions (each with its check-in code while it runs or is about to), who is
    enrolled or waiting, and who attended each session."""
    training_class = existing_class(class_id)
    roster = enrolments.roster(training_class)
    now = utcnow()
    return render(
        "training_class.html",
        status,
        training_class=ClassSchema().dump(training_class),
        roster=[
            {
                "enrolment": EnrolmentSchema().dump(line.enrolment),
                "name": line.enrolment.worker.name,
                "attended": line.attended,
            }
            for line in roster
        ],
        present=Counter(session_id for line in roster for session_id in line.attended),
        code_shown={s.id for s in training_class.sessions if s.starts_at - timedelta(minutes=30) <= now < s.ends_at},
        statuses=ENROLMENT_STATUS_NAMES,
        outcome=outcome,
        failed=failed,
    )


@training.get("/sessions/<id:session_id>/check-in-code")
@page(OPERATOR)
def check_in_code(session_id):
    """The code as the room sees it, a QR code the workers scan with the mini-program; the page
    asks again each minute, when the code is replaced."""
    code, valid_until = checkin.current_code(existing_session(session_id))
    qr = segno.make(code, error="m").svg_inline(scale=6, title=_("Check-in code"))
    return render("_check_in_code.html", qr=qr, code=code, valid_until=valid_until, session_id=session_id)


@training.post("/sessions/<id:session_id>/attendance")
@page(OPERATOR)
def mark_attendance(session_id):
    """The trainer marks a worker present by hand, saying why (the API's POST .../attendance)."""
    session = existing_session(session_id)
    class_id = session.class_id

    def mark():
        data = form_input(MarkAttendanceSchema())
        return checkin.mark_by_hand(session, trainee_for_caller(data["worker_id"]), data["reason"], actor())

    outcome = attempt(mark)
    if outcome.problem is None:
        return redirect(url_for("console.training.class_page", class_id=class_id), 303)
    return class_page.__wrapped__(class_id, outcome=outcome, status=outcome.status, failed=session_id)


@training.get("/statistics")
@page(OPERATOR)
def training_figures():
    """The training figures of a period of months (by default this one, Beijing): each course's
    enrolments made, completions, attendances and exam results in the period, read from the
    statistics' rollup as GET /api/v1/statistics/training answers them; then the classes whose
    first session falls in the period, 20 a page, each with its enrolments by their status now,
    its attendances and its pass rate (GET /api/v1/training/statistics/classes). A refused month
    is shown beside its field, with no figure."""
    outcome = attempt(lambda: query_input(ClassFiguresQuery()))
    query = outcome.result or {}
    courses_of_period = listing = None
    if outcome.problem is None:
        courses_of_period = _course_rows(training_figures_of(_period(query["month_from"], query["month_to"])).by_course)
        listing = statistics.class_figures(query["month_from"], query["month_to"], query["page"], query["per_page"])
    return render(
        "training_statistics.html",
        outcome.status,
        outcome=outcome,
        query=query,
        courses=courses_of_period,
        listing=listing,
        modes=MODES,
    )


def _period(month_from: str, month_to: str) -> Period:
    """The months as the statistics count a period: their days, the last month's whole."""
    return Period(date.fromisoformat(f"{month_from}-01"), month_days(date.fromisoformat(f"{month_to}-01"))[1])


def _course_rows(by_course: Chart) -> list[dict]:
    """The chart's courses as table rows: {"course": title, figure: value, ...}."""
    return [
        {"course": label} | {series.key: series.data[i] for series in by_course.series}
        for i, label in enumerate(by_course.labels)
    ]


@training.get("/enrolments")
@page(COMPANY_ADMIN)
def company_enrolments(outcome=None, status=200, failed=None):
    """The company's workers' enrolments, newest first, with the form enrolling one of its workers
    in a class that is still open."""
    query = query_input(PageQuery())
    company = company_for_caller(int(principal().company_id or 0))  # a company admin's grant names one
    listing = enrolments.enrolments_of_company(company.id, None, query["page"], query["per_page"])
    workers = registry.list_workers(company.id, None, 1, 100)
    open_classes = db.session.scalars(
        select(TrainingClass).order_by(TrainingClass.id.desc()).limit(OPEN_CLASSES_SHOWN)
    ).all()
    now = utcnow()
    return render(
        "training_enrolments.html",
        status,
        enrolments=[
            EnrolmentSchema().dump(e) | {"worker_name": e.worker.name, "class_title": e.training_class.title}
            for e in listing.items
        ],
        listing=listing,
        query=query,
        workers=workers.items,
        classes=[c for c in open_classes if not c.sessions or c.sessions[-1].ends_at > now],
        statuses=ENROLMENT_STATUS_NAMES,
        outcome=outcome,
        failed=failed,
        form=request.form,
    )


@training.post("/enrolments")
@page(COMPANY_ADMIN)
def enrol():
    def enrol_worker():
        data = form_input(EnrolFormSchema())
        return enrolments.enrol(existing_class(data["class_id"]), trainee_for_caller(data["worker_id"]), actor())

    outcome = attempt(enrol_worker)
    if outcome.problem is None:
        return redirect(url_for("console.training.company_enrolments"), 303)
    return company_enrolments.__wrapped__(outcome=outcome, status=outcome.status, failed="enrol")


@training.post("/enrolments/<id:enrolment_id>/cancel")
@page(COMPANY_ADMIN)
def cancel(enrolment_id):
    def cancel_enrolment():
        reason = form_input(EnrolmentCancelSchema()).get("reason")
        return enrolments.cancel(enrolment_for_caller(enrolment_id), reason)

    outcome = attempt(cancel_enrolment)
    if outcome.problem is None:
        return redirect(url_for("console.training.company_enrolments"), 303)
    return company_enrolments.__wrapped__(outcome=outcome, status=outcome.status, failed=enrolment_id)
