"""One vocabulary: workers' service_types hold service codes (cleaning…) instead of Chinese names,
a station's services are [{"code", "name"}] pairs, and a complaint's decision has a `reason` as
every other decision does.

Revision ID: 0012_one_vocabulary
Revises: 0011_door_entries
Create Date: 2026-12-02 01:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_one_vocabulary"
down_revision = "0011_door_entries"
branch_labels = None
depends_on = None

# The vocabulary as it stood when this ran (credit/service_types.py may grow later).
CODES = {
    "保洁": "cleaning",
    "育婴": "childcare",
    "养老护理": "elderly_care",
    "月嫂": "maternity",
    "家电清洗": "appliance_cleaning",
    "做饭": "cooking",
}
NAMES = {code: name for name, code in CODES.items()}

workers = sa.table("workers", sa.column("id", sa.Integer), sa.column("service_types", sa.JSON))
stations = sa.table("stations", sa.column("code", sa.String), sa.column("services", sa.JSON))


def _rewrite(table, key, column, change):
    connection = op.get_bind()
    for row_key, value in connection.execute(sa.select(table.c[key], table.c[column])).all():
        changed = change(value or [])
        if changed != (value or []):
            connection.execute(table.update().where(table.c[key] == row_key).values({column: changed}))


def upgrade():
    # A name the vocabulary does not know stays as it was: an operator sees it and corrects it.
    _rewrite(workers, "id", "service_types", lambda types: [CODES.get(name, name) for name in types])
    _rewrite(
        stations,
        "code",
        "services",
        lambda listed: [
            item if isinstance(item, dict) else {"code": CODES.get(item, item), "name": item} for item in listed
        ],
    )
    with op.batch_alter_table("booking_complaints") as batch:
        batch.alter_column("result_note", new_column_name="result_reason", existing_type=sa.String(500))


def downgrade():
    with op.batch_alter_table("booking_complaints") as batch:
        batch.alter_column("result_reason", new_column_name="result_note", existing_type=sa.String(500))
    _rewrite(
        stations,
        "code",
        "services",
        lambda listed: [item["name"] if isinstance(item, dict) else item for item in listed],
    )
    _rewrite(workers, "id", "service_types", lambda types: [NAMES.get(code, code) for code in types])
