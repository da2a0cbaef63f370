"""Benchmarks: gunicorn on PostgreSQL + PostGIS, every path measured with wrk in one run and
reported as a ratio of /healthz's requests per second (same machine, same moment).

    make bench                      # or: .venv/bin/python bench/run.py --duration 10
    .venv/bin/python bench/run.py --only booking     # /healthz and the paths whose name starts so
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
LOG_FOLDER = Path(__file__).resolve().parent / "results"


def sh(*args, env=None):
    subprocess.run(args, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def prepare_database(env, database_url: str = DATABASE_URL) -> tuple[str, dict]:
    """A fresh database at `database_url` (the app's DATABASE_URL in `env`) with the stations, the
    demo workers and the booking defaults; returns a green worker's scan token and the booking
    benchmark's environment (a resident's token and the stations offering cleaning)."""
    server = urlsplit(database_url)
    psql = ("psql", "-q", "-h", server.hostname, "-p", str(server.port or 5432), "-U", "postgres", "-d", "postgres")
    database = server.path.lstrip("/")
    sh(*psql, "-c", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    sh(*psql, "-c", f'CREATE DATABASE "{database}"')
    sh(str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade", env=env)
    sh(str(VENV_BIN / "flask"), "--app", "wsgi", "stations", "import", "stations/data/gz_streets.csv", env=env)
    demo = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "credit", "demo"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    sh(str(VENV_BIN / "flask"), "--app", "wsgi", "booking", "defaults", env=env)
    token, stations = subprocess.run(
        [sys.executable, "bench/booking_setup.py"],
        cwd=ROOT,
        env=env | {"PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return re.search(r"green .*/q/(\S+)", demo).group(1), {"BOOKING_TOKEN": token, "BOOKING_STATIONS": stations}


def booking_outcome() -> dict:
    """What the booking, series and engagement runs left: bookings, series and engagement requests
    made, and slots overbooked or out of step with their bookings and held offers (both must be zero)."""
    url = DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        bookings, full_slots, series, engagements = connection.execute(
            "SELECT (SELECT count(*) FROM bookings), (SELECT count(*) FROM booking_slots WHERE booked = capacity), "
            "(SELECT count(*) FROM booking_series), (SELECT count(*) FROM engagements)"
        ).fetchone()
        overbooked = connection.execute("SELECT count(*) FROM booking_slots WHERE booked > capacity").fetchone()[0]
        miscounted = connection.execute(
            "SELECT count(*) FROM booking_slots s WHERE s.booked <> (SELECT count(*) FROM bookings b "
            "WHERE b.slot_id = s.id AND b.status NOT IN ('cancelled', 'rejected')) + (SELECT count(*) "
            "FROM booking_waiting_entries w WHERE w.slot_id = s.id AND w.status = 'offered')"
        ).fetchone()[0]
    return {
        "bookings": bookings,
        "series": series,
        "engagements": engagements,
        "full_slots": full_slots,
        "overbooked_slots": overbooked,
        "slots_out_of_step": miscounted,
    }


def start_gunicorn(env, workers, port=PORT):
    """gunicorn as deployed (gunicorn.conf.py); its JSON request log goes to bench/results/."""
    LOG_FOLDER.mkdir(exist_ok=True)
    log = (LOG_FOLDER / ("gunicorn.log" if port == PORT else f"gunicorn-{port}.log")).open("w")
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env | {"BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
        stdout=log,
        stderr=log,
    )
    for _ in range(600):  # the master loads the app before it listens: seconds on a busy machine
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def wrk(path, duration, connections, extra=(), env=None, base=BASE):
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", *extra, base + path],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else None,
    }


def bench_environment() -> dict:
    """Production shape: PostgreSQL + PostGIS and Redis. wrk is one client and one resident, so
    the per-client scan limit and the per-resident booking and engagement limits are lifted for the run."""
    return os.environ | {
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "APP_ENV": "development",
        "FLASK_APP": "wsgi",
        "SCAN_RATE_LIMIT_PER_MINUTE": "100000000",
        "BOOKING_RATE_LIMIT": "100000000/minute",
        "ENGAGEMENT_RATE_LIMIT": "100000000/minute",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per path")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="measure only the paths whose name starts with NAME (repeatable); /healthz is always measured",
    )
    args = parser.parse_args()

    env = bench_environment()
    scan_token, booking_env = prepare_database(env)
    server = start_gunicorn(env, args.workers)
    try:
        etag = urllib.request.urlopen(BASE + "/api/v1/stations").headers["ETag"]
        runs = [
            ("/healthz", "/healthz", ()),
            ("station list (200)", "/api/v1/stations", ()),
            ("station list (304)", "/api/v1/stations", ("-H", f"If-None-Match: {etag}")),
            ("nearest (random points)", "/api/v1/stations/nearest", ("-s", str(ROOT / "bench" / "nearest.lua"))),
            ("scan (JSON)", f"/api/v1/scan/{scan_token}", ()),
            ("booking (POST, new key)", "/api/v1/bookings", ("-s", str(ROOT / "bench" / "booking.lua"))),
            ("series (POST, 13 dates)", "/api/v1/series", ("-s", str(ROOT / "bench" / "booking.lua"))),
            ("engagement request (POST)", "/api/v1/engagements", ("-s", str(ROOT / "bench" / "engagement.lua"))),
        ]
        results = {
            name: wrk(path, args.duration, args.connections, extra, os.environ | booking_env)
            for name, path, extra in runs
            if name == "/healthz" or not args.only or name.startswith(tuple(args.only))
        }
    finally:
        server.terminate()
        server.wait()

    baseline = results["/healthz"]["rps"]
    print(
        f"\ngunicorn {args.workers} sync workers, wrk -t2 -c{args.connections} -d{args.duration}s, "
        "PostgreSQL + PostGIS, Redis"
    )
    print(f"{'path':<28}{'req/s':>10}{'ratio':>8}  errors")
    for name, result in results.items():
        failures = result["non_2xx_3xx"] or result["socket_errors"] or ""
        print(f"{name:<28}{result['rps']:>10.0f}{result['rps'] / baseline:>8.2f}  {failures}")
    outcome = booking_outcome()
    print(
        f"booking: {outcome['bookings']} bookings made ({outcome['series']} series), "
        f"{outcome['engagements']} engagement requests, "
        f"{outcome['full_slots']} slots full, "
        f"{outcome['overbooked_slots']} overbooked, {outcome['slots_out_of_step']} out of step with their bookings"
    )
    results["booking outcome"] = outcome
    (LOG_FOLDER / f"{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
