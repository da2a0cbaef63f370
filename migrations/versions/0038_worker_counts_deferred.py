"""The workers' counts deferred by a transaction that writes many workers (PostgreSQL only).

0034's triggers move a worker's counts as each row is written, in key order within the row. A
batch of `flask credit recompute-all` re-stars 500 workers in one transaction: it took the rows
of its first workers' groups and then wanted those of the next, while a rating held one of
those and wanted one the batch held. PostgreSQL aborted one of them (the rating answered 503, or
the batch failed). A transaction that sets `statistics.defer_worker_counts` (transaction-local;
credit.worker_counts.worker_counts_deferred sets it) now has its moves added up in temporary
tables of its own session (`<counts>_moves`, no lock anyone else wants) and moves the counts
once, at its end, in key order, after every row of workers it writes. Every other transaction
counts as before: one setting read per trigger.

SQLite is left as it is: it has one writer at a time, so its triggers cannot deadlock.

Revision ID: 0038_worker_counts_deferred
Revises: 0037_ledger_pages
Create Date: 2026-12-03 16:00:00.000000

"""

import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = "0038_worker_counts_deferred"
down_revision = "0037_ledger_pages"
branch_labels = None
depends_on = None

# 0034's trigger statements, read from it so that the deferred ones cannot drift from them.
_spec = importlib.util.spec_from_file_location("worker_counts_0034", Path(__file__).with_name("0034_worker_counts.py"))
assert _spec is not None and _spec.loader is not None
counts_0034 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(counts_0034)


def _into_moves(statement: str) -> str:
    """A statement of 0034 adding to one of the counts, adding instead to the session's moves of
    it (aliased with the count table's name, which its ON CONFLICT clause names)."""
    for table in counts_0034.COUNTS:
        if statement.startswith(f"INSERT INTO {table} "):
            return statement.replace(f"INSERT INTO {table} ", f"INSERT INTO pg_temp.{table}_moves AS {table} ", 1)
    raise ValueError(statement)


def _create_functions(deferred: bool) -> None:
    for name, _, _, _, statements in counts_0034._triggers("postgresql"):
        body = "; ".join(statements)
        if deferred:
            moves = "; ".join(_into_moves(statement) for statement in statements)
            body = (
                f"IF current_setting('statistics.defer_worker_counts', true) = 'on' THEN {moves}; ELSE {body}; END IF"
            )
        op.execute(
            f"CREATE OR REPLACE FUNCTION statistics_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN NULL; END $$"
        )


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _create_functions(deferred=True)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _create_functions(deferred=False)
