"""What /api/v1/statistics/complaints costs on one scale's data, in this process: the city bench's
random periods and districts (bench/city.py statistics_paths), asked through the app with an
operator's bearer, all inside one transaction rolled back at the end (the operator and the session
too, and each `--try "SQL"` run first: an index to try), so the database is left as it was.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_scale_1 \
        .venv/bin/python bench/complaint_statistics.py [--times 200] [--explain 20]

Prints the median and 95th percentile of `--times` requests (and the median of the app's own CPU,
which the machine's load moves less), then for the first `--explain`
paths every statement's plan as auto_explain reports it (shared buffers hit and read, and the rows
of its top node), summed by statement."""

import argparse
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("APP_ENV", "development")

import city
import scale
from sqlalchemy import orm, text

from accounts.models import OPERATOR, User
from accounts.services import grant_role, start_session
from app import create_app
from app.extensions import db

BUFFERS = re.compile(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?")
TOP_ROWS = re.compile(r"actual time=[\d.]+\.\.([\d.]+) rows=(\d+)")
AUTO_EXPLAIN = (
    "LOAD 'auto_explain'",
    "SET auto_explain.log_min_duration = 0",
    "SET auto_explain.log_analyze = on",
    "SET auto_explain.log_buffers = on",
    "SET client_min_messages = log",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--explain", type=int, default=20)
    parser.add_argument("--show", type=int, default=0, help="print this many whole plans")
    parser.add_argument("--try", dest="tried", action="append", default=[], help="SQL run first, rolled back too")
    arguments = parser.parse_args()
    app = create_app({"TESTING": True, "SQLALCHEMY_ECHO": False})
    paths = city.statistics_paths(scale.DISTRICTS)["statistics: complaints"]
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    for statement in arguments.tried:
        connection.execute(text(statement))
    shared_session = db.session
    # A plain Session bound to the connection, as tests/conftest.py's `isolated` binds it.
    db.session = orm.scoped_session(orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))  # type: ignore[arg-type]
    try:
        with app.app_context():
            user = User(openid="bench-complaint-statistics")
            db.session.add(user)
            db.session.flush()
            grant_role(user, OPERATOR)
            headers = {"Authorization": f"Bearer {start_session(user)}"}
            db.session.commit()
        client = app.test_client()
        for path in paths[:20]:
            assert client.get(path, headers=headers).status_code == 200, path
        took, cpu = [], []
        for path in paths[: arguments.times]:
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path, headers=headers)
            took.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        took.sort()
        print(
            f"{arguments.times} requests: median {statistics.median(took):.2f} ms,"
            f" p95 {took[int(len(took) * 0.95) - 1]:.2f} ms, this process's CPU median {statistics.median(cpu):.2f} ms"
        )
        explain(connection, client, headers, paths[: arguments.explain], arguments.show)
    finally:
        db.session.remove()
        db.session = shared_session
        transaction.rollback()
        connection.close()


def explain(connection, client, headers, paths, show: int) -> None:
    plans: list[str] = []
    driver = connection.connection.driver_connection
    driver.add_notice_handler(lambda notice: plans.append(notice.message_primary))
    for statement in AUTO_EXPLAIN:
        connection.execute(text(statement))
    by_statement: dict[str, list[tuple[int, int, int, float]]] = defaultdict(list)
    shown = 0
    for path in paths:
        plans.clear()
        client.get(path, headers=headers)
        for plan in plans:
            if "SAVEPOINT" in plan or "auth_sessions" in plan or "role_grants" in plan:
                continue
            query = plan.split("Query Text:", 1)[-1].split("\n", 1)[0].strip()[:110]
            plan_body = plan.split("\n", 1)[-1]
            match = BUFFERS.search(plan_body)
            hit, read = (int(match.group(1) or 0), int(match.group(2) or 0)) if match else (0, 0)
            top = TOP_ROWS.search(plan_body)
            rows, ms = (int(top.group(2)), float(top.group(1))) if top else (0, 0.0)
            by_statement[query].append((hit, read, rows, ms))
            if shown < show:
                shown += 1
                print(path, "\n", plan, "\n")
    connection.execute(text("SET auto_explain.log_min_duration = -1"))
    print(f"per request over {len(paths)} paths (mean): statement | runs | hit | read | rows | ms")
    for query, runs in by_statement.items():
        n = len(paths)
        print(
            f"  {query} | {len(runs)} | {sum(r[0] for r in runs) / n:.1f} | {sum(r[1] for r in runs) / n:.1f}"
            f" | {sum(r[2] for r in runs) / n:.1f} | {sum(r[3] for r in runs) / n:.2f}"
        )


if __name__ == "__main__":
    main()
