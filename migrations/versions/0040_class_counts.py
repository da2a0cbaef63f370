"""Each class's counts kept on its row (issue 18): its enrolments by status now and its
attendances, kept by triggers on enrolments and attendances (and sessions, should one move to
another class) in the transaction of every write, whatever path writes, so that GET
/api/v1/training/statistics reads one row per class of its period instead of every enrolment and
attendance of them (312,000 rows at scale 1), and a page of classes' figures reads its 20 rows.

`enrolled`, the places taken, is not these counts: it moves only when training.places takes or
gives back a place (a completed enrolment keeps its place, a waiting one holds none), so it says
nothing of completions or waiting, and any row written past those functions (a load, a fixture)
leaves it as it was.

Filled from the rows as they stand now. A load that bypasses triggers (PostgreSQL's
session_replication_role = replica, as bench/scale.py loads) fills them itself from the rows it
loaded. SQLite drops a table's triggers with the table: a later migration that copies
enrolments, attendances or sessions (a batch) creates them again.

Revision ID: 0040_class_counts
Revises: 0039_staff_pages
Create Date: 2026-12-03 17:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0040_class_counts"
down_revision = "0039_staff_pages"
branch_labels = None
depends_on = None

STATUSES = ("enrolled", "waiting", "completed", "cancelled")
COLUMNS = (*(f"enrolments_{status}" for status in STATUSES), "attendances")


def _enrolments_moved(sides: list[tuple[str, int]]) -> str:
    """Moves the counts of the classes of the trigger's enrolment rows (OLD, NEW), each by its
    sign under its status: one statement, so that a change of status writes its class once."""

    def change(status: str) -> str:
        return " ".join(
            f"{'+' if sign > 0 else '-'} CASE WHEN id = {row}.class_id AND {row}.status = '{status}' THEN 1 ELSE 0 END"
            for row, sign in sides
        )

    sets = ", ".join(f"enrolments_{status} = enrolments_{status} {change(status)}" for status in STATUSES)
    classes = ", ".join(f"{row}.class_id" for row, _ in sides)
    return f"UPDATE training_classes SET {sets} WHERE id IN ({classes})"


def _attendances_moved(sides: list[tuple[str, int]]) -> str:
    """Moves the attendances of the classes of the trigger's attendance rows' sessions."""

    def class_of(row: str) -> str:
        return f"(SELECT class_id FROM training_sessions WHERE id = {row}.session_id)"

    change = " ".join(
        f"{'+' if sign > 0 else '-'} CASE WHEN id = {class_of(row)} THEN 1 ELSE 0 END" for row, sign in sides
    )
    classes = ", ".join(class_of(row) for row, _ in sides)
    return f"UPDATE training_classes SET attendances = attendances {change} WHERE id IN ({classes})"


# A session moved to another class takes its attendances with it.
SESSION_MOVED = (
    "UPDATE training_classes SET attendances = attendances"
    " + (CASE WHEN id = NEW.class_id THEN 1 ELSE -1 END)"
    " * (SELECT count(*) FROM training_attendances WHERE session_id = NEW.id)"
    " WHERE id IN (OLD.class_id, NEW.class_id)"
)


def _changed(dialect: str, columns: tuple[str, ...]) -> str:
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{column} {differs} NEW.{column}" for column in columns)


def _triggers(dialect: str) -> list[tuple[str, str, str, str, str]]:
    """(name, table, what fires it, FOR EACH ..., statement) of every trigger: per row, and an
    update only when a counted column changed (a cancellation's reason, a completion's date alone
    write nothing)."""
    when = (
        (lambda condition: f"WHEN ({condition})")
        if dialect == "postgresql"
        else (lambda condition: f"WHEN {condition}")
    )
    return [
        ("enrolment_inserted", "training_enrolments", "INSERT", "FOR EACH ROW", _enrolments_moved([("NEW", 1)])),
        ("enrolment_deleted", "training_enrolments", "DELETE", "FOR EACH ROW", _enrolments_moved([("OLD", -1)])),
        (
            "enrolment_updated",
            "training_enrolments",
            "UPDATE OF class_id, status",
            f"FOR EACH ROW {when(_changed(dialect, ('class_id', 'status')))}",
            _enrolments_moved([("OLD", -1), ("NEW", 1)]),
        ),
        ("attendance_inserted", "training_attendances", "INSERT", "FOR EACH ROW", _attendances_moved([("NEW", 1)])),
        ("attendance_deleted", "training_attendances", "DELETE", "FOR EACH ROW", _attendances_moved([("OLD", -1)])),
        (
            "attendance_updated",
            "training_attendances",
            "UPDATE OF session_id",
            f"FOR EACH ROW {when(_changed(dialect, ('session_id',)))}",
            _attendances_moved([("OLD", -1), ("NEW", 1)]),
        ),
        (
            "session_moved",
            "training_sessions",
            "UPDATE OF class_id",
            f"FOR EACH ROW {when(_changed(dialect, ('class_id',)))}",
            SESSION_MOVED,
        ),
    ]


# Each class's counts from its rows.
FILL = (
    "UPDATE training_classes SET "
    + ", ".join(
        f"enrolments_{status} = (SELECT count(*) FROM training_enrolments"
        f" WHERE class_id = training_classes.id AND status = '{status}')"
        for status in STATUSES
    )
    + ", attendances = (SELECT count(*) FROM training_attendances JOIN training_sessions"
    " ON training_sessions.id = training_attendances.session_id WHERE training_sessions.class_id = training_classes.id)"
)


def upgrade():
    # Not in a batch: SQLite would copy the table, which the rows of its sessions and enrolments
    # refuse (their foreign keys).
    for column in COLUMNS:
        op.add_column(
            "training_classes",
            sa.Column(
                column,
                sa.Integer(),
                nullable=False,
                server_default=sa.text("0"),
                comment="kept by the database's triggers (migration 0040)",
            ),
        )
    op.execute(FILL)
    dialect = op.get_bind().dialect.name
    for name, table, event, each, statement in _triggers(dialect):
        if dialect == "postgresql":
            op.execute(
                f"CREATE FUNCTION training_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {statement}; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER training_{name} AFTER {event} ON {table} {each} EXECUTE FUNCTION training_{name}()"
            )
        else:
            op.execute(f"CREATE TRIGGER training_{name} AFTER {event} ON {table} {each} BEGIN {statement}; END")


def downgrade():
    dialect = op.get_bind().dialect.name
    for name, table, _, _, _ in _triggers(dialect):
        op.execute(f"DROP TRIGGER training_{name}" + (f" ON {table}" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION training_{name}()")
    for column in reversed(COLUMNS):
        op.drop_column("training_classes", column)
