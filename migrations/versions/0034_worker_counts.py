"""The workers' figures kept as counts (issue 18): workers per (district, gender, birth year,
stars) and per (district, gender, service), kept by triggers on workers and companies in the
transaction of every write, whatever path writes (the ORM, a Core update, SQL by hand), so that
GET /statistics/workers reads a few thousand counts instead of grouping every worker (and every
service of every worker) on each call: 41× slower at 100,000 workers than at 1,000.

Birth years are kept, not age bands: a band depends on the year it is read in. A key a worker has
no value for is stored as the figures name it: district 'none' (no company), gender 'unknown',
birth year and stars 0. A trigger touches the counts only when a counted column changed, and then
only the groups whose count moved (an update whose groups are the same writes nothing), in key
order, so that writes of different workers contend only where they move the same group.

Filled from the rows as they stand now. A load that bypasses triggers (PostgreSQL's
session_replication_role = replica, as bench/scale.py loads) is followed by `flask statistics
count-workers`, which counts again from the rows. SQLite drops a table's triggers with the
table: a later migration that copies workers or companies (a batch) creates them again.

Revision ID: 0034_worker_counts
Revises: 0033_station_pages
Create Date: 2026-12-02 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0034_worker_counts"
down_revision = "0033_station_pages"
branch_labels = None
depends_on = None

COUNTS = {
    "statistics_worker_counts": ("district", "gender", "birth_year", "stars"),
    "statistics_worker_service_counts": ("district", "gender", "service"),
}
# The worker columns the counts read: a change to one may move the worker between groups.
COUNTED_COLUMNS = ("company_id", "gender", "birth_year", "stars", "service_types")


def _counted(dialect: str, table: str, row: str, district: str, sign: int, joined: str, where: str = "") -> str:
    """The groups of the workers `row` of `joined` (each in `district`), each with `sign`."""
    if table == "statistics_worker_counts":
        return (
            f"SELECT {district} AS district, COALESCE({row}.gender, 'unknown') AS gender, "
            f"COALESCE({row}.birth_year, 0) AS birth_year, COALESCE({row}.stars, 0) AS stars, {sign} AS change "
            f"FROM {joined}{where}"
        )
    elements, kind = (
        ("json_array_elements_text", "json_typeof") if dialect == "postgresql" else ("json_each", "json_type")
    )
    # A list only: JSON null or a scalar counts no service (and never refuses the write).
    codes = f"{elements}(CASE WHEN {kind}({row}.service_types) = 'array' THEN {row}.service_types END)"
    return (
        f"SELECT {district} AS district, COALESCE({row}.gender, 'unknown') AS gender, value AS service, "
        f"{sign} AS change FROM {joined} CROSS JOIN {codes} AS codes{where}"
    )


def _moved(table: str, moves: list[str]) -> str:
    """Adds each group's change to its count; the groups whose change is nought are left alone,
    the others written in key order."""
    columns = ", ".join(COUNTS[table])
    return (
        f"INSERT INTO {table} ({columns}, workers) SELECT {columns}, SUM(change) FROM ("
        + " UNION ALL ".join(moves)
        + f") AS moves GROUP BY {columns} HAVING SUM(change) <> 0 ORDER BY {columns} "
        f"ON CONFLICT ({columns}) DO UPDATE SET workers = {table}.workers + excluded.workers"
    )


def _of_rows(dialect: str, sides: list[tuple[str, int]]) -> list[str]:
    """Each count moved by the workers of each (table of rows, sign)."""
    return [
        _moved(
            table,
            [
                _counted(
                    dialect,
                    table,
                    rows,
                    "COALESCE(companies.district_code, 'none')",
                    sign,
                    f"{rows} LEFT JOIN companies ON companies.id = {rows}.company_id",
                )
                for rows, sign in sides
            ],
        )
        for table in COUNTS
    ]


def _of_row(dialect: str, sides: list[tuple[str, int]]) -> list[str]:
    """Each count moved by the trigger's row of workers, OLD or NEW, each with its sign."""
    district = "COALESCE((SELECT district_code FROM companies WHERE id = {row}.company_id), 'none')"
    return [
        _moved(
            table,
            [_counted(dialect, table, row, district.format(row=row), sign, "(SELECT 1) AS one") for row, sign in sides],
        )
        for table in COUNTS
    ]


def _company_moved(dialect: str) -> list[str]:
    """A company moved to another district: its workers' groups with it."""
    return [
        _moved(
            table,
            [
                _counted(
                    dialect, table, "workers", f"{c}.district_code", s, "workers", f" WHERE workers.company_id = {c}.id"
                )
                for c, s in (("OLD", -1), ("NEW", 1))
            ],
        )
        for table in COUNTS
    ]


def _changed(dialect: str, columns: tuple[str, ...]) -> str:
    def differs(column: str) -> str:
        if dialect == "postgresql":
            # json has no equality; jsonb compares the lists as values.
            cast = "::jsonb" if column == "service_types" else ""
            return f"OLD.{column}{cast} IS DISTINCT FROM NEW.{column}{cast}"
        return f"OLD.{column} IS NOT NEW.{column}"

    return " OR ".join(differs(column) for column in columns)


def _triggers(dialect: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(name, table, what fires it, FOR EACH ..., statements) of every trigger. Per row, so that a
    write that moves no group (most writes of a worker: a score, a date, a photo) costs nothing:
    the app writes workers one row a statement. A single statement over many workers pays a
    write of a group per row, and each write of a group in one transaction leaves one more
    version of its row for the next to walk (every worker's stars in one UPDATE at 100,000
    workers: 18–30 s instead of 3 s); a load that large turns the triggers off and counts again."""
    when = (
        (lambda condition: f"WHEN ({condition})")
        if dialect == "postgresql"
        else (lambda condition: f"WHEN {condition}")
    )
    return [
        ("workers_inserted", "workers", "INSERT", "FOR EACH ROW", _of_row(dialect, [("NEW", 1)])),
        ("workers_deleted", "workers", "DELETE", "FOR EACH ROW", _of_row(dialect, [("OLD", -1)])),
        (
            "workers_updated",
            "workers",
            f"UPDATE OF {', '.join(COUNTED_COLUMNS)}",
            f"FOR EACH ROW {when(_changed(dialect, COUNTED_COLUMNS))}",
            _of_row(dialect, [("OLD", -1), ("NEW", 1)]),
        ),
        (
            "companies_moved",
            "companies",
            "UPDATE OF district_code",
            f"FOR EACH ROW {when(_changed(dialect, ('district_code',)))}",
            _company_moved(dialect),
        ),
    ]


def _create_triggers(dialect: str) -> None:
    for name, table, event, each, statements in _triggers(dialect):
        body = "; ".join(statements)
        if dialect == "postgresql":
            op.execute(
                f"CREATE FUNCTION statistics_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER statistics_{name} AFTER {event} ON {table} {each} EXECUTE FUNCTION statistics_{name}()"
            )
        else:
            op.execute(f"CREATE TRIGGER statistics_{name} AFTER {event} ON {table} {each} BEGIN {body}; END")


def upgrade():
    op.create_table(
        "statistics_worker_counts",
        sa.Column("district", sa.String(length=12), nullable=False, comment="the company's district, or none"),
        sa.Column("gender", sa.String(length=7), nullable=False, comment="male, female or unknown"),
        sa.Column("birth_year", sa.Integer(), nullable=False, comment="0: not known"),
        sa.Column("stars", sa.Integer(), nullable=False, comment="0: none yet"),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*COUNTS["statistics_worker_counts"], name=op.f("pk_statistics_worker_counts")),
    )
    op.create_table(
        "statistics_worker_service_counts",
        sa.Column("district", sa.String(length=12), nullable=False, comment="the company's district, or none"),
        sa.Column("gender", sa.String(length=7), nullable=False, comment="male, female or unknown"),
        sa.Column("service", sa.Text(), nullable=False, comment="a code of the worker's service_types"),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            *COUNTS["statistics_worker_service_counts"], name=op.f("pk_statistics_worker_service_counts")
        ),
    )
    dialect = op.get_bind().dialect.name
    for statement in _of_rows(dialect, [("workers", 1)]):  # filled from the rows as they stand
        op.execute(statement)
    _create_triggers(dialect)


def downgrade():
    dialect = op.get_bind().dialect.name
    for name, table, _, _, _ in _triggers(dialect):
        op.execute(f"DROP TRIGGER statistics_{name}" + (f" ON {table}" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION statistics_{name}()")
    op.drop_table("statistics_worker_service_counts")
    op.drop_table("statistics_worker_counts")
