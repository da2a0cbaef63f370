"""A station's follow-up calls due from an index of them alone (issue 18): the page and its count
read the station's completed bookings of the 回访 window (432 at the busiest station) and looked
each one's follow-up up in the city's (498,658 at scale 1: 1,587 buffers for the count, against
890 at 0.01, one B-tree level more, and growing). Each booking now says whether its follow-up is
recorded, kept by triggers on booking_follow_ups (whoever writes one: the service, a data load),
and a partial index holds the completed bookings still due, by station and start: the count and
the page read those entries and no follow-up.

Revision ID: 0043_follow_ups_due
Revises: 0042_company_list_range
Create Date: 2026-12-04 02:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0043_follow_ups_due"
down_revision = "0042_company_list_range"
branch_labels = None
depends_on = None

DUE = "status = 'completed' AND NOT follow_up_recorded"
FILL = (
    "UPDATE bookings SET follow_up_recorded = {yes}"
    " WHERE EXISTS (SELECT 1 FROM booking_follow_ups WHERE booking_follow_ups.booking_id = bookings.id)"
)


def _truth(dialect: str) -> tuple[str, str]:
    return ("true", "false") if dialect == "postgresql" else ("1", "0")


def _triggers(dialect: str) -> list[tuple[str, str, str]]:
    yes, no = _truth(dialect)
    return [
        ("recorded", "INSERT", f"UPDATE bookings SET follow_up_recorded = {yes} WHERE id = NEW.booking_id"),
        ("removed", "DELETE", f"UPDATE bookings SET follow_up_recorded = {no} WHERE id = OLD.booking_id"),
    ]


def upgrade():
    # Not in a batch: SQLite would copy the table and lose its partial indexes.
    op.add_column(
        "bookings",
        sa.Column(
            "follow_up_recorded",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
            comment="its FollowUp exists: kept by the database's triggers on booking_follow_ups (migration 0043)",
        ),
    )
    dialect = op.get_bind().dialect.name
    op.execute(FILL.format(yes=_truth(dialect)[0]))
    for name, event, statement in _triggers(dialect):
        if dialect == "postgresql":
            op.execute(
                f"CREATE FUNCTION booking_follow_up_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {statement}; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER booking_follow_up_{name} AFTER {event} ON booking_follow_ups"
                f" FOR EACH ROW EXECUTE FUNCTION booking_follow_up_{name}()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER booking_follow_up_{name} AFTER {event} ON booking_follow_ups"
                f" FOR EACH ROW BEGIN {statement}; END"
            )
    op.create_index(
        "ix_bookings_station_follow_up_due",
        "bookings",
        ["station_code", "starts_at", "id"],
        postgresql_where=sa.text(DUE),
        sqlite_where=sa.text(DUE),
    )


def downgrade():
    op.drop_index("ix_bookings_station_follow_up_due", table_name="bookings")
    dialect = op.get_bind().dialect.name
    for name, _, _ in _triggers(dialect):
        op.execute(
            f"DROP TRIGGER booking_follow_up_{name}" + (" ON booking_follow_ups" if dialect == "postgresql" else "")
        )
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION booking_follow_up_{name}()")
    op.drop_column("bookings", "follow_up_recorded")
