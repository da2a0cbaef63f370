"""The operators' 失信 pages and the public company list as bench/city.py reads them, in this
process against two scale databases at once: each page's statements per request with
auto_explain's shared buffers and rows per statement (the median over the sample), then its
median and 95th percentile over many requests (no HTTP server), the two scales' requests taken in
turn so that the machine's drift falls on both alike, and the growth from the first to the second.

    .venv/bin/python bench/list_pages.py postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_scale_0_01 \\
        postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_scale_1 [--times 200] [--any-company]

Everything runs in one transaction per database rolled back at the end (the operator and its web
session too): the scale databases are read by others and stay as they were; each `--try "SQL"`
runs first in each (CREATE INDEX is transactional). `--any-company` draws the company list's
cursors after any company, as the city bench did before it kept to those with a full page after
them."""

import argparse
import logging
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("APP_ENV", "development")

import city
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, orm, text

from accounts.models import OPERATOR, User
from accounts.services import grant_role
from accounts.web_sessions import start_web_session
from app import create_app
from app.extensions import db
from console.web import SESSION_COOKIE

BUFFERS = re.compile(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?")
ROWS = re.compile(r"\(actual time=[\d.]+\.\.[\d.]+ rows=(\d+)")
TRACED = 20  # requests of each page whose statements are explained
PAGES = ("console: 失信 cases (operator)", "console: 失信 listings (operator)", "company list (random pages)")


@dataclass
class Scale:
    """One scale database: its app, the connection whose transaction is rolled back, the session
    bound to it, a client with an operator's console session, and the plans auto_explain sends."""

    url: str
    app: Flask
    connection: Connection
    session: orm.scoped_session
    client: FlaskClient
    paths: dict[str, list[str]]
    plans: list[str] = field(default_factory=list)

    def get(self, path: str):
        bind(self.session)
        return self.client.get(path)


def bind(session: orm.scoped_session) -> None:
    """The app's session made this one, as tests/conftest.py's `isolated` does (a plain Session:
    Flask-SQLAlchemy's own would ignore `bind` and pick the engine)."""
    db.session = session


def open_scale(url: str, tried: list[str], any_company: bool) -> Scale:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        connection = db.engine.connect()
    connection.begin()
    session = orm.scoped_session(orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    bind(session)
    for statement in tried:
        connection.exec_driver_sql(statement)
    with app.app_context():
        user = User(openid="bench-list-pages-operator")
        db.session.add(user)
        db.session.flush()
        grant_role(user, OPERATOR)
        token = start_web_session(user)
        db.session.commit()
    companies = connection.exec_driver_sql(
        f"SELECT {city.GRADE_RANK}, credit_score, id FROM companies ORDER BY random() LIMIT %(n)s"
        if any_company
        else city.PUBLIC_COMPANIES_WITH_A_PAGE_AFTER.replace("%s", "%(n)s"),
        {"n": city.SAMPLE},
    ).fetchall()
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, token, path="/console")
    paths = {
        PAGES[0]: ["/console/sanctions/cases"],
        PAGES[1]: ["/console/sanctions/listings"],
        PAGES[2]: [f"/api/v1/companies?cursor={city.cursor_of('grade', 'after', *company)}" for company in companies],
    }
    scale = Scale(url, app, connection, session, client, paths)
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.add_notice_handler(lambda notice: scale.plans.append(notice.message_primary))
    for statement in ("LOAD 'auto_explain'", "SET LOCAL auto_explain.log_analyze = on",
                      "SET LOCAL auto_explain.log_buffers = on", "SET LOCAL client_min_messages = log"):  # fmt: skip
        connection.execute(text(statement))
    return scale


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs=2, help="the smaller scale's database, then the larger's")
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--any-company", action="store_true")
    parser.add_argument("--plans", action="store_true", help="print the first request's plans whole")
    parser.add_argument("--try", dest="tried", action="append", default=[], help="SQL run first (an index to try)")
    arguments = parser.parse_args()
    logging.getLogger("yangcheng.access").setLevel(logging.WARNING)
    scales = [open_scale(url, arguments.tried, arguments.any_company) for url in arguments.urls]
    try:
        for name in PAGES:
            for scale in scales:
                explain(name, scale, arguments.plans)
            took: list[list[float]] = [[] for _ in scales]
            for i in range(arguments.times):
                for scale, times in zip(scales, took, strict=True):
                    path = scale.paths[name][i % len(scale.paths[name])]
                    started = time.perf_counter()
                    scale.get(path)
                    times.append((time.perf_counter() - started) * 1000)
            medians = [statistics.median(times) for times in took]
            print(f"{name}: " + ", ".join(f"{m:.2f} ms" for m in medians) + f" (median of {arguments.times} "
                  f"taken in turn; p95 {', '.join(f'{sorted(t)[int(len(t) * 0.95) - 1]:.2f}' for t in took)}); "
                  f"growth {medians[1] / medians[0]:.2f}x\n")  # fmt: skip
    finally:
        for scale in scales:
            scale.session.remove()
            scale.connection.rollback()
            scale.connection.close()


def explain(name: str, scale: Scale, whole: bool) -> None:
    """TRACED requests of the page with every statement's plan: their statements, buffers and rows."""
    per_request, rows_shown = [], []
    scale.connection.execute(text("SET LOCAL auto_explain.log_min_duration = 0"))
    for i in range(TRACED):
        path = scale.paths[name][i % len(scale.paths[name])]
        scale.plans.clear()
        response = scale.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if response.is_json:
            rows_shown.append(len(response.get_json()["items"]))
        per_request.append([statement_figures(plan) for plan in scale.plans])
        if whole and i == 0:
            print(f"{name}: {path}", *scale.plans, sep="\n")
    scale.connection.execute(text("SET LOCAL auto_explain.log_min_duration = -1"))
    counts = sorted({len(statements) for statements in per_request})
    shown = f"; rows a page {statistics.mean(rows_shown):.1f}" if rows_shown else ""
    print(f"{name} at {scale.url.rsplit('/', 1)[1]}: statements per request {counts}{shown}")
    for position, _ in enumerate(per_request[0]):
        figures = [statements[position] for statements in per_request if len(statements) > position]
        hit = statistics.median(f[0] for f in figures)
        read = statistics.median(f[1] for f in figures)
        rows = statistics.median(f[2] for f in figures)
        print(f"  {position + 1}. buffers hit={hit:g} read={read:g}, rows read={rows:g}  {figures[0][3]}")


def statement_figures(plan: str) -> tuple[int, int, int, str]:
    """A statement's shared buffers (its plan's top node, which sums its children), the rows its
    scans returned (summed over the plan's scans, one loop each) and its first scans."""
    match = BUFFERS.search(plan)
    hit, read = (int(match.group(1) or 0), int(match.group(2) or 0)) if match else (0, 0)
    scans = [line for line in plan.splitlines() if "Scan" in line]
    rows = sum(int(found.group(1)) for line in scans if (found := ROWS.search(line)))
    shown = " | ".join(line.strip().lstrip("-> ").split("  (")[0][:70] for line in scans[:4])
    return hit, read, rows, shown


if __name__ == "__main__":
    main()
