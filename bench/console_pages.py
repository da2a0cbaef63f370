"""How fast the console's main pages answer, with the demo data (`make run`'s: the stations, the
demo workers, the booking defaults and `flask console demo`'s bookings) on PostgreSQL: each page
rendered many times in this process through the app (no HTTP server, no browser), median and
95th percentile in milliseconds. The issue asks for a median under 100 ms.

    .venv/bin/python bench/console_pages.py [--times 50]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("APP_ENV", "development")

from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF
from accounts.services import development_user
from accounts.web_sessions import start_web_session
from app.clock import today_in_beijing
from app.extensions import db
from booking.hours import seed_defaults
from console.demo import DEMO_STATION, load_demo_bookings
from console.web import SESSION_COOKIE
from credit.demo import load_demo
from credit.models import Company
from tests.factories import build_app, recreate_postgres_database

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_bench_console"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=50)
    times = parser.parse_args().times
    recreate_postgres_database(DATABASE_URL)
    app = build_app(DATABASE_URL, APP_ENV="development")  # migrated, with the stations
    with app.app_context():
        load_demo()
        seed_defaults()
        db.session.commit()
        load_demo_bookings()
        company = db.session.scalar(db.select(Company.id).order_by(Company.id))
        tokens = {
            role: start_web_session(development_user(role, **scope))
            for role, scope in (
                (STATION_STAFF, {"station_code": DEMO_STATION}),
                (COMPANY_ADMIN, {"company_id": company}),
                (OPERATOR, {}),
            )
        }
        db.session.commit()
    tomorrow = (today_in_beijing() + timedelta(days=1)).isoformat()
    pages = {
        STATION_STAFF: [
            f"/console/desk?date={tomorrow}",
            "/console/follow-ups",
            "/console/complaints",
            "/console/opening-hours",
            f"/console/day-sheet?date={tomorrow}",
            "/console/station-figures",
        ],
        COMPANY_ADMIN: ["/console/workers", "/console/company"],
        OPERATOR: [
            "/console/dashboard",
            "/console/certificates?state=issued",
            "/console/workers",
            "/console/companies",
            "/console/staff",
            "/console/roles",
            "/console/messages",
            "/console/publications",
            "/console/publications/candidates",
        ],
    }
    print(f"{'page':<45} {'median ms':>10} {'p95 ms':>8}")
    medians = []
    for role, paths in pages.items():
        client = app.test_client()
        client.set_cookie(SESSION_COOKIE, tokens[role], path="/console")
        for path in paths:
            assert client.get(path).status_code == 200, path
            took = []
            for _ in range(times):
                started = time.perf_counter()
                client.get(path)
                took.append((time.perf_counter() - started) * 1000)
            took.sort()
            medians.append(statistics.median(took))
            print(f"{path:<45} {statistics.median(took):>10.1f} {took[int(len(took) * 0.95) - 1]:>8.1f}")
    print(f"slowest median: {max(medians):.1f} ms")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
