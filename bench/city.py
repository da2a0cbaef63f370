"""The hot paths at city scale: for each scale, bench/scale.py's data, gunicorn on it, and wrk on
every path with random inputs (random tokens, stations, workers and deep pages: what residents and
clerks do, not one cached answer), each path's requests per second as a ratio of /healthz's in
the same run; then each path's growth from the smallest scale to the largest.

    make bench-city SCALES="0.01 0.1 1"     # or: .venv/bin/python bench/city.py --scales 0.01 0.1
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: gunicorn, wrk and the environment, shared
import scale

ROOT = run.ROOT
RESULTS = run.LOG_FOLDER
PATHS_LUA = str(ROOT / "bench" / "paths.lua")
SAMPLE = 2000  # random inputs per path


def first_row(connection, query: str, *params) -> tuple:
    row = connection.execute(query, params or None).fetchone()
    assert row is not None, f"the generated data has no row for {query}"
    return row


def sample_paths(url: str) -> dict[str, list[str]]:
    """Random inputs drawn from the data itself: scan tokens of issued certificates, stations,
    workers, deep pages of the public lists."""
    with psycopg.connect(url) as connection:

        def column(query: str) -> list:
            return [row[0] for row in connection.execute(query, (SAMPLE,)).fetchall()]

        tokens = column("SELECT scan_token FROM certificates WHERE scan_token IS NOT NULL ORDER BY random() LIMIT %s")
        stations = column("SELECT DISTINCT station_code FROM station_offers WHERE service_code = 'cleaning' LIMIT %s")
        workers = column("SELECT id FROM workers ORDER BY random() LIMIT %s")
        (companies,) = first_row(connection, "SELECT count(*) FROM companies")
    company_pages = max(1, companies // 20)
    return {
        "scan (JSON, random tokens)": [f"/api/v1/scan/{t}" for t in tokens],
        "scan (page, random tokens)": [f"/q/{t}" for t in tokens],
        "availability (random stations)": [f"/api/v1/availability?service=cleaning&station={s}" for s in stations],
        "company list (random pages)": [
            f"/api/v1/companies?page={1 + i * 7919 % company_pages}" for i in range(SAMPLE)
        ],
        "worker's credit (operator)": [f"/api/v1/workers/{w}/credit" for w in workers],
    }


def clerk_paths(url: str, env: dict) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The clerks' lists, read with their own tokens: the busiest station's booking list (deep
    pages too) and the largest company's worker list."""
    with psycopg.connect(url) as connection:
        (station,) = first_row(
            connection, "SELECT station_code FROM bookings GROUP BY station_code ORDER BY count(*) DESC LIMIT 1"
        )
        (station_bookings,) = first_row(connection, "SELECT count(*) FROM bookings WHERE station_code = %s", station)
        company, company_workers = first_row(
            connection,
            "SELECT company_id, count(*) FROM workers WHERE company_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
        )
    tokens = subprocess.run(
        [sys.executable, "bench/city_tokens.py", station, str(company)],
        cwd=ROOT, env=env | {"PYTHONPATH": str(ROOT)}, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    operator, staff, admin = tokens
    station_pages = max(1, station_bookings // 20)
    worker_pages = max(1, company_workers // 20)
    paths = {
        "station's bookings (staff)": [
            f"/api/v1/stations/{station}/bookings?page={1 + i * 7919 % station_pages}" for i in range(SAMPLE)
        ],
        "company's workers (admin)": [f"/api/v1/workers?page={1 + i % worker_pages}" for i in range(SAMPLE)],
    }
    return paths, {
        "station's bookings (staff)": staff,
        "company's workers (admin)": admin,
        "worker's credit (operator)": operator,
    }


def measure(scale_value: float, duration: int, connections: int, workers: int, only: list[str]) -> dict:
    env = run.bench_environment() | {"DATABASE_URL": scale.DATABASE_URL}
    subprocess.run([sys.executable, "bench/scale.py", "--scale", str(scale_value)], cwd=ROOT, env=env, check=True)
    url = scale.DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    paths = sample_paths(url)
    more, bearers = clerk_paths(url, env)
    paths |= more
    wanted = [name for name in ["nearest (random points)", *paths] if not only or any(o in name for o in only)]
    RESULTS.mkdir(exist_ok=True)
    server = run.start_gunicorn(env, workers)
    try:
        results = {"/healthz": run.wrk("/healthz", duration, connections)}
        if "nearest (random points)" in wanted:
            results["nearest (random points)"] = run.wrk(
                "/api/v1/stations/nearest", duration, connections, ("-s", str(ROOT / "bench" / "nearest.lua"))
            )
        for name, chosen in paths.items():
            if name not in wanted:
                continue
            listed = RESULTS / f"paths-{len(results)}.txt"
            listed.write_text("\n".join(chosen) + "\n")
            results[name] = run.wrk(
                "/", duration, connections, ("-s", PATHS_LUA),
                os.environ | {"PATHS_FILE": str(listed), "BEARER": bearers.get(name, "")},
            )  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1])
    parser.add_argument("--duration", type=int, default=10, help="seconds per path")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--paths", nargs="+", default=[], help="measure only the paths whose names contain one of these"
    )
    args = parser.parse_args()
    by_scale = {s: measure(s, args.duration, args.connections, args.workers, args.paths) for s in args.scales}
    names = list(next(iter(by_scale.values())))
    print(f"\ngunicorn {args.workers} sync workers, wrk -t2 -c{args.connections} -d{args.duration}s; ratio to /healthz")
    print(f"{'path':<34}" + "".join(f"{'scale ' + format(s, 'g'):>12}" for s in args.scales) + f"{'growth':>9}  errors")
    for name in names:
        ratios = [by_scale[s][name]["rps"] / by_scale[s]["/healthz"]["rps"] for s in args.scales]
        growth = ratios[0] / ratios[-1] if ratios[-1] else float("inf")
        failures = " ".join(
            f"{s:g}:{r['non_2xx_3xx'] or r['socket_errors']}"
            for s in args.scales if (r := by_scale[s][name])["non_2xx_3xx"] or r["socket_errors"]
        )  # fmt: skip
        print(f"{name:<34}" + "".join(f"{ratio:>12.3f}" for ratio in ratios) + f"{growth:>8.2f}×  {failures}")
    (RESULTS / f"city-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(
        {format(s, "g"): r for s, r in by_scale.items()}, indent=2
    ))  # fmt: skip


if __name__ == "__main__":
    main()
