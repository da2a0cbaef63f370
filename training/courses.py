"""Courses and their classes: an offline class at a station or an address, in sessions; an
online class in lessons. Callers commit; these functions only flush."""

from sqlalchemy import select
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from app.clock import utcnow
from app.errors import Invalid
from app.extensions import db
from app.i18n import _
from app.paging import Page, among, paginate_by_cursor
from stations.models import Station
from training.models import OFFLINE, ONLINE, REFRESHER, ClassSession, Course, Lesson, TrainingClass

# The material a lesson is created with (one at least); its PDF is uploaded to it afterwards
# (PUT /lessons/{id}/pdf: training.materials).
MATERIAL_KINDS = ("text", "video_url")


def create_course(data: dict) -> Course:
    if data.get("required_after_complaint") and data["purpose"] != REFRESHER:
        raise Invalid(
            _("Only a refresher course can be required."), code="not_a_refresher", field="required_after_complaint"
        )
    course = Course(**data)
    db.session.add(course)
    db.session.flush()
    return course


NEWEST_FIRST = (TrainingClass.id.desc(),)  # the classes' one order, "newest" in their cursors


def list_classes(query: dict) -> Page:
    """The classes newest first, of one course or mode if the query says, paged by cursor."""
    statement = select(TrainingClass)
    if "course_id" in query:
        statement = statement.where(TrainingClass.course_id == query["course_id"])
    if "mode" in query:
        statement = statement.where(TrainingClass.mode == query["mode"])
    listing = paginate_by_cursor(
        statement,
        NEWEST_FIRST,
        "newest",
        TrainingClass.id,
        query.get("cursor"),
        query["per_page"],
        page=query["page"],
        load=(lazyload(TrainingClass.sessions), lazyload(TrainingClass.lessons)),
    )
    _load_sessions_and_lessons(listing.items)
    return listing


def _load_sessions_and_lessons(classes: list[TrainingClass]) -> None:
    """The classes' sessions and lessons, each read by one statement of the classes' ids as one
    array (`app.paging.among`), planned once for every page. Joined to the page's statement
    instead, they were hashed whole (every session and lesson of the city read for a page)."""
    ids = [training_class.id for training_class in classes]
    sessions: dict[int, list[ClassSession]] = {class_id: [] for class_id in ids}
    lessons: dict[int, list[Lesson]] = {class_id: [] for class_id in ids}
    if ids:
        for session in db.session.scalars(
            select(ClassSession).where(among(ClassSession.class_id, ids)).order_by(ClassSession.starts_at)
        ):
            sessions[session.class_id].append(session)
        for lesson in db.session.scalars(select(Lesson).where(among(Lesson.class_id, ids)).order_by(Lesson.position)):
            lessons[lesson.class_id].append(lesson)
    for training_class in classes:
        set_committed_value(training_class, "sessions", sessions[training_class.id])
        set_committed_value(training_class, "lessons", lessons[training_class.id])


def create_class(course: Course, data: dict) -> TrainingClass:
    """A class of `course` with its sessions (offline) or lessons (online), all or nothing."""
    sessions, lessons = data.pop("sessions", []), data.pop("lessons", [])
    if data["mode"] == OFFLINE:
        _check_offline(data, sessions, lessons)
        station = db.session.get(Station, data["station_code"]) if data.get("station_code") else None
        if data.get("station_code") and station is None:
            raise Invalid(
                _("No station has code %(code)s.", code=data["station_code"]),
                code="unknown_station",
                field="station_code",
            )
        if station is not None:
            data["district_code"] = station.district_code
            data.setdefault("address", station.address)
    elif data["mode"] == ONLINE:
        _check_online(data, sessions, lessons)
    now = utcnow()
    begins_at = min((session["starts_at"] for session in sessions), default=now)
    training_class = TrainingClass(course_id=course.id, enrolled=0, created_at=now, begins_at=begins_at, **data)
    db.session.add(training_class)
    db.session.flush()
    for session in sessions:
        db.session.add(ClassSession(class_id=training_class.id, **session))
    for position, lesson in enumerate(lessons, start=1):
        db.session.add(Lesson(class_id=training_class.id, position=position, **lesson))
    db.session.flush()
    db.session.refresh(training_class)
    return training_class


def _check_offline(data: dict, sessions: list, lessons: list) -> None:
    if not sessions:
        raise Invalid(_("An offline class needs at least one session."), code="sessions_required", field="sessions")
    if lessons:
        raise Invalid(_("Lessons belong to online classes."), code="lessons_online_only", field="lessons")
    if data.get("capacity") is None:
        raise Invalid(_("An offline class needs a capacity."), code="capacity_required", field="capacity")
    if not data.get("station_code") and not (data.get("address") and data.get("district_code")):
        raise Invalid(
            _("An offline class is held at a station, or at an address in a district."),
            code="place_required",
            field="station_code",
        )
    for index, session in enumerate(sessions):
        if session["ends_at"] <= session["starts_at"]:
            raise Invalid(_("A session must end after it starts."), code="ends_before_start", field=f"sessions.{index}")


def _check_online(data: dict, sessions: list, lessons: list) -> None:
    if not lessons:
        raise Invalid(_("An online class needs at least one lesson."), code="lessons_required", field="lessons")
    if sessions:
        raise Invalid(_("Sessions belong to offline classes."), code="sessions_offline_only", field="sessions")
    for name in ("station_code", "address", "capacity"):
        if data.get(name) is not None:
            raise Invalid(_("An online class has no place and no capacity."), code="online_has_no_place", field=name)
    for index, lesson in enumerate(lessons):
        if not any(lesson.get(kind) for kind in MATERIAL_KINDS):
            raise Invalid(
                _("A lesson needs its material: text or a video address."),
                code="material_required",
                field=f"lessons.{index}",
            )
