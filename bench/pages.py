"""The pages a worker's credit explanation touches, statement by statement: `python bench/pages.py
WORKER_ID [WORKER_ID...]` against DATABASE_URL (PostgreSQL) runs ledger.explanation() for each
worker twice, cold (the worker's first read) and warm, inside a transaction it rolls back, with
auto_explain reporting every statement's plan as it runs: shared buffers hit and read per
statement. Each `--try "SQL"` runs first in the same transaction (an index to try: CREATE INDEX
is transactional; its time is printed), so nothing is left behind."""

import argparse
import re
import time

from sqlalchemy import text

from app import create_app
from app.extensions import db
from credit import ledger
from credit.models import Worker

BUFFERS = re.compile(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?")
AUTO_EXPLAIN = (
    "LOAD 'auto_explain'",
    "SET LOCAL auto_explain.log_min_duration = 0",
    "SET LOCAL auto_explain.log_analyze = on",
    "SET LOCAL auto_explain.log_buffers = on",
    "SET LOCAL client_min_messages = log",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workers", nargs="+", type=int)
    parser.add_argument("--try", dest="tried", action="append", default=[])
    arguments = parser.parse_args()
    app = create_app()
    with app.app_context():
        for statement in arguments.tried:
            started = time.perf_counter()
            db.session.execute(text(statement))
            print(f"{statement[:100]}: {time.perf_counter() - started:.1f} s")
        plans: list[str] = []
        driver = db.session.connection().connection.driver_connection
        assert driver is not None
        driver.add_notice_handler(lambda notice: plans.append(notice.message_primary))
        for statement in AUTO_EXPLAIN:
            db.session.execute(text(statement))
        for worker_id in arguments.workers:
            for run in ("cold", "warm"):
                worker = db.session.get_one(Worker, worker_id)
                plans.clear()
                result = ledger.explanation(worker).result
                db.session.expunge_all()
                db.session.execute(text("SET LOCAL auto_explain.log_min_duration = -1"))  # its own plan unlogged
                db.session.execute(text("SET LOCAL auto_explain.log_min_duration = 0"))
                statements, total_hit, total_read = len(plans), 0, 0
                for plan in plans:
                    match = BUFFERS.search(plan)
                    hit, read = (int(match.group(1) or 0), int(match.group(2) or 0)) if match else (0, 0)
                    total_hit, total_read = total_hit + hit, total_read + read
                    scans = [line.strip()[:90] for line in plan.splitlines() if "Scan" in line]
                    print(f"  {run} hit={hit} read={read}  {' | '.join(scans)}")
                events = len(ledger.events_of(db.session.get_one(Worker, worker_id)))
                shown = {e.id for d in result.dimensions for i in d.inputs for e in i.events}
                shown |= {e.id for e in result.capped_by}
                print(
                    f"worker {worker_id} {run} ({events} events, {len(shown)} shown):"
                    f" {statements} statements, shared hit={total_hit} read={total_read}"
                )
        db.session.rollback()


if __name__ == "__main__":
    main()
