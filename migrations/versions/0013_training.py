"""Training (培训考核): courses, classes with sessions or lessons, enrolments with their places,
attendance at sessions and time counted on lessons, and exams: a question bank per course, each
course's exam settings and the attempts with their drawn papers; results imported from classes
held elsewhere.

Revision ID: 0013_training
Revises: 0012_one_vocabulary
Create Date: 2026-12-02 01:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_training"
down_revision = "0012_one_vocabulary"
branch_labels = None
depends_on = None

ACTIVE_ENROLMENT = "status IN ('enrolled', 'waiting')"
OPEN_ATTEMPT = "submitted_at IS NULL"


def upgrade():
    op.create_table(
        "training_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("service_types", sa.JSON(), nullable=False, comment="service codes (credit.service_types)"),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column(
            "purpose", sa.String(length=12), nullable=False, comment="pre_job: required for the certificate; refresher"
        ),
        sa.Column("required_hours", sa.Integer(), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False, comment="out of 100"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('theory', 'practical')", name=op.f("ck_training_courses_kind")),
        sa.CheckConstraint("purpose IN ('pre_job', 'refresher')", name=op.f("ck_training_courses_purpose")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_courses")),
    )
    op.create_table(
        "training_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("trainer_name", sa.String(length=32), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True, comment="offline only; online classes take everyone"),
        sa.Column("enrolled", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('online', 'offline')", name=op.f("ck_training_classes_mode")),
        sa.CheckConstraint(
            "capacity IS NULL OR enrolled <= capacity", name=op.f("ck_training_classes_enrolled_within_capacity")
        ),
        sa.CheckConstraint("enrolled >= 0", name=op.f("ck_training_classes_enrolled_not_negative")),
        sa.CheckConstraint(
            "mode = 'online' OR capacity IS NOT NULL", name=op.f("ck_training_classes_offline_has_capacity")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["training_courses.id"], name=op.f("fk_training_classes_course_id_training_courses")
        ),
        sa.ForeignKeyConstraint(
            ["station_code"], ["stations.code"], name=op.f("fk_training_classes_station_code_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_classes")),
    )
    op.create_index(op.f("ix_training_classes_course_id"), "training_classes", ["course_id"])
    op.create_index(op.f("ix_training_classes_district_code"), "training_classes", ["district_code"])
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_training_sessions_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_classes.id"], name=op.f("fk_training_sessions_class_id_training_classes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    op.create_index(op.f("ix_training_sessions_class_id"), "training_sessions", ["class_id"])
    op.create_table(
        "training_lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("video_url", sa.String(length=300), nullable=True),
        sa.Column("required_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("required_minutes > 0", name=op.f("ck_training_lessons_required_minutes_positive")),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_classes.id"], name=op.f("fk_training_lessons_class_id_training_classes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_lessons")),
    )
    op.create_index(op.f("ix_training_lessons_class_id"), "training_lessons", ["class_id"])
    op.create_table(
        "training_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("enrolled_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('enrolled', 'waiting', 'completed', 'cancelled')", name=op.f("ck_training_enrolments_status")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_classes.id"], name=op.f("fk_training_enrolments_class_id_training_classes")
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_training_enrolments_worker_id_workers")),
        sa.ForeignKeyConstraint(
            ["enrolled_by_id"], ["users.id"], name=op.f("fk_training_enrolments_enrolled_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_enrolments")),
    )
    op.create_index(
        "uq_training_enrolments_active",
        "training_enrolments",
        ["class_id", "worker_id"],
        unique=True,
        postgresql_where=sa.text(ACTIVE_ENROLMENT),
        sqlite_where=sa.text(ACTIVE_ENROLMENT),
    )
    op.create_index("ix_training_enrolments_worker_id", "training_enrolments", ["worker_id"])
    op.create_table(
        "training_attendances",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True, comment="who marked it by hand"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("method IN ('qr', 'by_hand')", name=op.f("ck_training_attendances_method")),
        sa.ForeignKeyConstraint(
            ["session_id"], ["training_sessions.id"], name=op.f("fk_training_attendances_session_id_training_sessions")
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_training_attendances_worker_id_workers")),
        sa.ForeignKeyConstraint(
            ["marked_by_id"], ["users.id"], name=op.f("fk_training_attendances_marked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("session_id", "worker_id", name=op.f("pk_training_attendances")),
    )
    op.create_table(
        "training_lesson_progress",
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("counted_seconds", sa.Float(), nullable=False, comment="fractions kept: beats may be sub-second"),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["training_lessons.id"], name=op.f("fk_training_lesson_progress_lesson_id_training_lessons")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name=op.f("fk_training_lesson_progress_worker_id_workers")
        ),
        sa.PrimaryKeyConstraint("lesson_id", "worker_id", name=op.f("pk_training_lesson_progress")),
    )
    op.create_table(
        "training_open_lessons",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_training_open_lessons_worker_id_workers")),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["training_lessons.id"], name=op.f("fk_training_open_lessons_lesson_id_training_lessons")
        ),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_training_open_lessons")),
    )

    op.create_table(
        "training_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False, comment="indices into options; never sent before submission"),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=False, comment="1 easy, 2 medium, 3 hard"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('single', 'multiple', 'true_false')", name=op.f("ck_training_questions_kind")),
        sa.CheckConstraint("difficulty BETWEEN 1 AND 3", name=op.f("ck_training_questions_difficulty")),
        sa.ForeignKeyConstraint(
            ["course_id"], ["training_courses.id"], name=op.f("fk_training_questions_course_id_training_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_questions")),
    )
    op.create_index(op.f("ix_training_questions_course_id"), "training_questions", ["course_id"])
    op.create_table(
        "training_exams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False, comment="practical exams: [{item, points}]"),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("retake_wait_hours", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_training_exams_duration_positive")),
        sa.CheckConstraint("max_attempts > 0", name=op.f("ck_training_exams_max_attempts_positive")),
        sa.CheckConstraint("retake_wait_hours >= 0", name=op.f("ck_training_exams_retake_wait_not_negative")),
        sa.ForeignKeyConstraint(
            ["course_id"], ["training_courses.id"], name=op.f("fk_training_exams_course_id_training_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_exams")),
        sa.UniqueConstraint("course_id", name=op.f("uq_training_exams_course_id")),
    )
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("paper", sa.JSON(), nullable=False, comment="[{question_id, order}]: shown to stored options"),
        sa.Column("answers", sa.JSON(), nullable=False, comment="question id -> shown option indices"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True, comment="out of 100"),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("examiner_name", sa.String(length=32), nullable=True),
        sa.Column("checklist_points", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["training_exams.id"], name=op.f("fk_training_attempts_exam_id_training_exams")
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_training_attempts_worker_id_workers")),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"], name=op.f("fk_training_attempts_started_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attempts")),
    )
    op.create_index(
        "uq_training_attempts_open",
        "training_attempts",
        ["exam_id", "worker_id"],
        unique=True,
        postgresql_where=sa.text(OPEN_ATTEMPT),
        sqlite_where=sa.text(OPEN_ATTEMPT),
    )
    op.create_index("ix_training_attempts_worker_id_exam_id", "training_attempts", ["worker_id", "exam_id"])
    op.create_table(
        "training_external_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hours >= 0", name=op.f("ck_training_external_results_hours_not_negative")),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_training_external_results_score_within_100")),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name=op.f("fk_training_external_results_worker_id_workers")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["training_courses.id"], name=op.f("fk_training_external_results_course_id_training_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_external_results")),
    )
    op.create_index("ix_training_external_results_worker_id", "training_external_results", ["worker_id"])
    op.create_table(
        "training_refresher_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("required_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f("ck_training_refresher_requirements_status")),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name=op.f("fk_training_refresher_requirements_worker_id_workers")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_refresher_requirements_course_id_training_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["required_by_id"], ["users.id"], name=op.f("fk_training_refresher_requirements_required_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_refresher_requirements")),
    )
    op.create_index("ix_training_refresher_requirements_worker_id", "training_refresher_requirements", ["worker_id"])
    # Credit's own fact, which training sets: past it, the code scans yellow.
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(
            sa.Column(
                "refresher_due_on",
                sa.Date(),
                nullable=True,
                comment="a refresher (回炉) course is required by this date; set by whoever requires it",
            )
        )


def downgrade():
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("refresher_due_on")
    op.drop_index("ix_training_refresher_requirements_worker_id", table_name="training_refresher_requirements")
    op.drop_table("training_refresher_requirements")
    op.drop_index("ix_training_external_results_worker_id", table_name="training_external_results")
    op.drop_table("training_external_results")
    op.drop_index("ix_training_attempts_worker_id_exam_id", table_name="training_attempts")
    op.drop_index("uq_training_attempts_open", table_name="training_attempts")
    op.drop_table("training_attempts")
    op.drop_table("training_exams")
    op.drop_index(op.f("ix_training_questions_course_id"), table_name="training_questions")
    op.drop_table("training_questions")
    op.drop_table("training_open_lessons")
    op.drop_table("training_lesson_progress")
    op.drop_table("training_attendances")
    op.drop_index("ix_training_enrolments_worker_id", table_name="training_enrolments")
    op.drop_index("uq_training_enrolments_active", table_name="training_enrolments")
    op.drop_table("training_enrolments")
    op.drop_index(op.f("ix_training_lessons_class_id"), table_name="training_lessons")
    op.drop_table("training_lessons")
    op.drop_index(op.f("ix_training_sessions_class_id"), table_name="training_sessions")
    op.drop_table("training_sessions")
    op.drop_index(op.f("ix_training_classes_district_code"), table_name="training_classes")
    op.drop_index(op.f("ix_training_classes_course_id"), table_name="training_classes")
    op.drop_table("training_classes")
    op.drop_table("training_courses")
