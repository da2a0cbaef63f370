"""Courses, their classes (班次) with sessions or lessons, enrolments, attendance at sessions and
time spent on lessons."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model
from app.i18n import lazy_gettext
from app.states import StateTable
from credit.models import Worker
from credit.service_types import named

THEORY, PRACTICAL = "theory", "practical"
KINDS = {THEORY: "理论", PRACTICAL: "实训"}
PRE_JOB, REFRESHER = "pre_job", "refresher"
PURPOSES = {PRE_JOB: "岗前培训", REFRESHER: "回炉培训"}
ONLINE, OFFLINE = "online", "offline"
MODES = {ONLINE: "线上", OFFLINE: "线下"}

ENROLLED, WAITING, COMPLETED, CANCELLED = "enrolled", "waiting", "completed", "cancelled"
ENROLMENT_STATUS_NAMES = {ENROLLED: "已报名", WAITING: "候补", COMPLETED: "已结业", CANCELLED: "已取消"}
ENROLMENT_STATES = StateTable(
    transitions={
        "cancel": {ENROLLED: CANCELLED, WAITING: CANCELLED},
        "complete": {ENROLLED: COMPLETED},
        "promote": {WAITING: ENROLLED},
    },
    names=ENROLMENT_STATUS_NAMES,
    field="status",
    subject=lazy_gettext("the enrolment is"),
)
ACTIVE_ENROLMENT = "status IN ('enrolled', 'waiting')"
QR, BY_HAND = "qr", "by_hand"


def _in(values) -> str:
    return ", ".join(repr(value) for value in values)


class Course(Model):
    """A course: what it teaches, for which services, the hours it requires and its pass mark."""

    __tablename__ = "training_courses"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(KINDS)})", name="kind"),
        CheckConstraint(f"purpose IN ({_in(PURPOSES)})", name="purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list, comment="service codes (credit.service_types)")
    kind: Mapped[str] = mapped_column(String(12))
    purpose: Mapped[str] = mapped_column(String(12), comment="pre_job: required for the certificate; refresher")
    required_hours: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer, comment="out of 100")
    required_after_complaint: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        comment="a refresher required of a worker when a complaint against them is upheld, in its services",
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    @property
    def services(self) -> list[dict[str, str]]:
        return named(self.service_types)


class TrainingClass(Model):
    """A run of a course (班次): offline at a station or an address, in sessions, for at most
    `capacity` people; or online, in lessons. `enrolled` moves only by conditional UPDATEs under
    the CHECK (training.places), as booking's slot places do."""

    __tablename__ = "training_classes"
    __table_args__ = (
        CheckConstraint(f"mode IN ({_in(MODES)})", name="mode"),
        CheckConstraint("capacity IS NULL OR enrolled <= capacity", name="enrolled_within_capacity"),
        CheckConstraint("enrolled >= 0", name="enrolled_not_negative"),
        CheckConstraint("mode = 'online' OR capacity IS NOT NULL", name="offline_has_capacity"),
        # A period's classes, by when they begin: the figures page them from this index.
        Index("ix_training_classes_begins_at_id", "begins_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(8))
    station_code: Mapped[str | None] = mapped_column(ForeignKey("stations.code"))
    address: Mapped[str | None] = mapped_column(String(200))
    district_code: Mapped[str | None] = mapped_column(String(6), index=True)
    trainer_name: Mapped[str | None] = mapped_column(String(32))
    capacity: Mapped[int | None] = mapped_column(Integer, comment="offline only; online classes take everyone")
    enrolled: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Its enrolments by status now and its attendances, kept by the database's triggers in the
    # transaction of every write (migration 0040): the statistics read them, not the rows. Never
    # written here.
    enrolments_enrolled: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    enrolments_waiting: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    enrolments_completed: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    enrolments_cancelled: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    attendances: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The month a class counts in. Its sessions are written with it and never changed after.
    begins_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, comment="its first session's start; an online class's opening"
    )

    course: Mapped[Course] = relationship(lazy="joined", innerjoin=True)
    sessions: Mapped[list["ClassSession"]] = relationship(
        order_by="ClassSession.starts_at", lazy="selectin", back_populates="training_class"
    )
    lessons: Mapped[list["Lesson"]] = relationship(
        order_by="Lesson.position", lazy="selectin", back_populates="training_class"
    )

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.enrolled


class ClassSession(Model):
    """One sitting of an offline class; attendance is taken per session."""

    __tablename__ = "training_sessions"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)

    training_class: Mapped[TrainingClass] = relationship(back_populates="sessions")


class Lesson(Model):
    """One lesson of an online class: its material (text, a video address, a PDF uploaded to the
    file storage under `pdf_storage_key`: training.materials) and the minutes a worker must spend
    on it."""

    __tablename__ = "training_lessons"
    __table_args__ = (CheckConstraint("required_minutes > 0", name="required_minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)
    video_url: Mapped[str | None] = mapped_column(String(300))
    pdf_storage_key: Mapped[str | None] = mapped_column(String(50), comment="app.storage key of the PDF")
    pdf_size_bytes: Mapped[int | None] = mapped_column(Integer)
    required_minutes: Mapped[int] = mapped_column(Integer)

    training_class: Mapped[TrainingClass] = relationship(back_populates="lessons")


class Enrolment(Model):
    """A worker in a class: enrolled (holding a place), waiting for one, completed or cancelled.
    A worker has at most one active (enrolled or waiting) enrolment per class."""

    __tablename__ = "training_enrolments"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(ENROLMENT_STATUS_NAMES)})", name="status"),
        Index(
            "uq_training_enrolments_active",
            "class_id",
            "worker_id",
            unique=True,
            postgresql_where=text(ACTIVE_ENROLMENT),
            sqlite_where=text(ACTIVE_ENROLMENT),
        ),
        Index("ix_training_enrolments_worker_id", "worker_id"),
        # By class, whatever the status: a page of the figures counts its classes' enrolments.
        Index("ix_training_enrolments_class_id", "class_id"),
        # By when it was made and completed: the statistics' rollup finds those since it last ran.
        Index("ix_training_enrolments_created_at", "created_at"),
        Index("ix_training_enrolments_completed_on", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    status: Mapped[str] = mapped_column(String(12))
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    completed_on: Mapped[date | None] = mapped_column(Date)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    training_class: Mapped[TrainingClass] = relationship(lazy="joined", innerjoin=True)
    worker: Mapped[Worker] = relationship(lazy="joined", innerjoin=True)


class Attendance(Model):
    """A worker present at a session: by the check-in code, or marked by hand (who and why, for
    the audit). The primary key makes a second check-in of the same worker a conflict."""

    __tablename__ = "training_attendances"
    __table_args__ = (
        CheckConstraint(f"method IN ({_in((QR, BY_HAND))})", name="method"),
        Index("ix_training_attendances_at", "at"),
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="who marked it by hand")
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LessonProgress(Model):
    """The time counted on one lesson for one worker."""

    __tablename__ = "training_lesson_progress"

    lesson_id: Mapped[int] = mapped_column(ForeignKey("training_lessons.id"), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    counted_seconds: Mapped[float] = mapped_column(
        Float, default=0.0, comment="fractions kept: beats may be sub-second"
    )
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OpenLesson(Model):
    """The one lesson a worker has open: opening another replaces it, so time is never counted
    on two lessons at once. Heartbeats count from `last_beat_at`."""

    __tablename__ = "training_open_lessons"

    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("training_lessons.id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_beat_at: Mapped[datetime] = mapped_column(UtcDateTime)


# ---------------------------------------------------------------- exams

SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"
QUESTION_KINDS = {SINGLE: "单选题", MULTIPLE: "多选题", TRUE_FALSE: "判断题"}
OPEN_ATTEMPT = "submitted_at IS NULL"


def _submitted_at(context) -> datetime | None:
    """An attempt written submitted (a practical exam's) was recorded then."""
    return context.get_current_parameters()["submitted_at"]


class Question(Model):
    """One question of a course's bank: its options and the indices of the right ones."""

    __tablename__ = "training_questions"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(QUESTION_KINDS)})", name="kind"),
        CheckConstraint("difficulty BETWEEN 1 AND 3", name="difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[list[int]] = mapped_column(JSON, comment="indices into options; never sent before submission")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    difficulty: Mapped[int] = mapped_column(Integer, comment="1 easy, 2 medium, 3 hard")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Exam(Model):
    """The exam closing a course: for a theory course, how a paper is drawn (`rules`: [{tag,
    difficulty, count}]); for a practical one, the checklist an examiner scores ([{item, points}]);
    how long an attempt lasts and how often it may be retaken. Its pass mark is the course's."""

    __tablename__ = "training_exams"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("max_attempts > 0", name="max_attempts_positive"),
        CheckConstraint("retake_wait_hours >= 0", name="retake_wait_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), unique=True)
    rules: Mapped[list[dict]] = mapped_column(JSON, default=list)
    checklist: Mapped[list[dict]] = mapped_column(JSON, default=list, comment="practical exams: [{item, points}]")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    retake_wait_hours: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    course: Mapped[Course] = relationship(lazy="joined", innerjoin=True)


class Attempt(Model):
    """One sitting of an exam by a worker: the paper drawn for it (questions in their shown order,
    each with its options' shown order), the answers given (shown option indices), its deadline
    and, once submitted, its score. One open attempt per worker and exam (the partial index)."""

    __tablename__ = "training_attempts"
    __table_args__ = (
        Index(
            "uq_training_attempts_open",
            "exam_id",
            "worker_id",
            unique=True,
            postgresql_where=text(OPEN_ATTEMPT),
            sqlite_where=text(OPEN_ATTEMPT),
        ),
        Index("ix_training_attempts_worker_id_exam_id", "worker_id", "exam_id"),
        Index("ix_training_attempts_submitted_at", "submitted_at"),
        Index("ix_training_attempts_recorded_at", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("training_exams.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    paper: Mapped[list[dict]] = mapped_column(JSON, comment="[{question_id, order}]: shown to stored options")
    answers: Mapped[dict] = mapped_column(JSON, default=dict, comment="question id -> shown option indices")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime,
        default=_submitted_at,
        comment="when the result was recorded: a late submission's submitted_at is its deadline, earlier",
    )
    score: Mapped[int | None] = mapped_column(Integer, comment="out of 100")
    passed: Mapped[bool | None] = mapped_column(Boolean)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A practical exam's: the examiner (named, and the operator recording it) and the points given
    # per checklist item.
    examiner_name: Mapped[str | None] = mapped_column(String(32))
    checklist_points: Mapped[list[int] | None] = mapped_column(JSON)

    exam: Mapped[Exam] = relationship(lazy="joined", innerjoin=True)


class ExamCounts(Model):
    """The workers who sat an exam and those who passed it (at any attempt), of the results
    recorded before the training rollup's mark (app.rollup_marks), kept by `flask statistics
    roll-up` (training.statistics), so that an exam's pass rate reads its row and the results
    recorded since, not every attempt."""

    __tablename__ = "training_exam_counts"

    exam_id: Mapped[int] = mapped_column(ForeignKey("training_exams.id"), primary_key=True, autoincrement=False)
    sat: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)


class ExternalResult(Model):
    """A result of a class held elsewhere, imported in bulk (training.importer): the worker found
    by the keyed hash of the ID number, the course, its hours, the exam score and the date."""

    __tablename__ = "training_external_results"
    __table_args__ = (
        CheckConstraint("hours >= 0", name="hours_not_negative"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_within_100"),
        Index("ix_training_external_results_worker_id", "worker_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"))
    hours: Mapped[int] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    taken_on: Mapped[date] = mapped_column(Date)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


OPEN, DONE = "open", "done"
REFRESHER_STATUS_NAMES = {OPEN: "待完成", DONE: "已完成"}


class RefresherRequirement(Model):
    """A refresher (回炉) course required of a worker by a date, by an operator with a reason, or
    by an upheld complaint (`complaint_id`, once per complaint). The earliest open one's date is
    the certificate's refresher_due_on (credit's fact), so the code scans yellow once it passes
    undone."""

    __tablename__ = "training_refresher_requirements"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(REFRESHER_STATUS_NAMES)})", name="status"),
        Index("ix_training_refresher_requirements_worker_id", "worker_id"),
        Index("uq_training_refresher_requirements_complaint_id", "complaint_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"))
    due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default=OPEN)
    required_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    complaint_id: Mapped[int | None] = mapped_column(
        Integer, comment="the upheld complaint (booking_complaints.id) that required it"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    done_on: Mapped[date | None] = mapped_column(Date)

    course: Mapped[Course] = relationship(lazy="joined", innerjoin=True)
