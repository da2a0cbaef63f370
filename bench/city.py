"""The hot paths at city scale: for each scale, bench/scale.py's data and a gunicorn on it (all
scales served at once, each on its own port), and wrk on every path with random inputs (random
tokens, stations, workers, deep pages, districts, months and feed cursors: what residents, clerks and
the city's platform do, not one cached answer). Each path is run on each scale in turn, round after
round, each time right after a /healthz on the same server, and reported as its median ratio to
that /healthz; its growth from the smallest scale to the largest is the median of the rounds'
growths, each read within one round, so the machine's drift falls on both scales alike. Then each
gunicorn worker's resident memory and the scheduled jobs on the same data (bench/jobs.py), with
their seconds and the rows they touched; all printed and written as Markdown to bench/results/ for
docs/performance.md.

    make bench-city SCALES="0.01 0.1 1"     # or: .venv/bin/python bench/city.py --scales 0.01 0.1
    .venv/bin/python bench/city.py --scales 0.01 --paths console     # only the paths named so
    .venv/bin/python bench/city.py --scales 0.01 1 --keep --rounds 5   # earlier data, migrated; 5 rounds
"""

import argparse
import base64
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: gunicorn, wrk and the environment, shared
import scale
import soak  # worker memory, read as the soak reads it

ROOT = run.ROOT
RESULTS = run.LOG_FOLDER
PATHS_LUA = str(ROOT / "bench" / "paths.lua")
SAMPLE = 2000  # random inputs per path
HEALTHZ = "/healthz"
rng = random.Random(20261202)


def first_row(connection, query: str, *params) -> tuple:
    row = connection.execute(query, params or None).fetchone()
    assert row is not None, f"the generated data has no row for {query}"
    return row


def cursor_of(*values) -> str:
    """A page's cursor as the app gives it out (app.paging.encode_cursor): the page after (or
    before) the row whose sort key is `values`, anywhere in the list."""
    text = json.dumps(list(values), separators=(",", ":"))
    return "v1." + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# The public company list's order (credit.recommendation.COMPANIES_BEST_FIRST) as its cursor holds it.
GRADE_RANK = "CASE grade WHEN 'A' THEN 1 WHEN '2A' THEN 2 WHEN '3A' THEN 3 WHEN '4A' THEN 4 WHEN '5A' THEN 5 ELSE 0 END"
# Random companies of the public list (credit.recommendation.unsanctioned_companies) with a full
# page of it after them: where a client following `next` reads a page of 20, as on every page but
# the last. At 0.01 the list is 30 companies, so a random one is mostly in its last 20 and its
# page half empty (12.5 rows on average against 19.9 at scale 1): the tail is left out at every
# scale, rather than 0.01 given more companies than its workers and statistics have.
PUBLIC_COMPANIES_WITH_A_PAGE_AFTER = f"""
    SELECT rank, credit_score, id FROM (
        SELECT {GRADE_RANK} AS rank, credit_score, id,
               row_number() OVER (ORDER BY {GRADE_RANK}, credit_score NULLS FIRST, id DESC) - 1 AS after_it
        FROM companies
        WHERE (listed_until IS NULL OR listed_until < (now() AT TIME ZONE 'Asia/Shanghai')::date)
          AND (hidden_until IS NULL OR hidden_until < (now() AT TIME ZONE 'Asia/Shanghai')::date)
    ) public WHERE after_it >= 20 ORDER BY random() LIMIT %s
"""

# Random classes with a full page of older ones after them, for the same reason: at 0.01 the list
# is 25 classes, and a page after any of them held 11.6 rows on average against 20 at scale 1.
CLASSES_WITH_A_PAGE_AFTER = """
    SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS after_it FROM training_classes) older
    WHERE after_it >= 20
"""


def sample_paths(connection) -> dict[str, list[str]]:
    """Random inputs drawn from the data itself: scan tokens of issued certificates, stations,
    workers, pages of the public company list after random companies with a full page after them
    (by cursor, as a client following `next` reaches them)."""

    def column(query: str) -> list:
        return [row[0] for row in connection.execute(query, (SAMPLE,)).fetchall()]

    tokens = column("SELECT scan_token FROM certificates WHERE scan_token IS NOT NULL ORDER BY random() LIMIT %s")
    stations = column("SELECT DISTINCT station_code FROM station_offers WHERE service_code = 'cleaning' LIMIT %s")
    workers = column("SELECT id FROM workers ORDER BY random() LIMIT %s")
    companies = connection.execute(PUBLIC_COMPANIES_WITH_A_PAGE_AFTER, (SAMPLE,)).fetchall()
    return {
        "scan (JSON, random tokens)": [f"/api/v1/scan/{t}" for t in tokens],
        "scan (page, random tokens)": [f"/q/{t}" for t in tokens],
        "availability (random stations)": [f"/api/v1/availability?service=cleaning&station={s}" for s in stations],
        "company list (random pages)": [
            f"/api/v1/companies?cursor={cursor_of('grade', 'after', *company)}" for company in companies
        ],
        "worker's credit (operator)": [f"/api/v1/workers/{w}/credit" for w in workers],
    }


def months_back(months: int) -> date:
    today = date.today()
    month = today.year * 12 + today.month - 1 - months
    return date(month // 12, month % 12 + 1, 1)


def random_periods() -> list[str]:
    """`from` and `to` of one to twelve whole months within the last two years (the current one cut
    at today), or none (the default year)."""
    periods = []
    for _ in range(SAMPLE):
        back, months = rng.randint(1, 24), rng.randint(1, 12)
        first, after = months_back(back), months_back(back - months)
        last = min(date.today(), after - timedelta(days=1))
        periods.append("" if rng.random() < 0.2 else f"from={first.isoformat()}&to={last.isoformat()}")
    return periods


def statistics_paths(districts: list[str]) -> dict[str, list[str]]:
    """Every statistics endpoint with random months and districts (operators)."""
    periods = random_periods()

    def district(i: int) -> str:
        return "" if i % 4 == 0 else f"district={districts[i % len(districts)]}"

    def query(*parts: str) -> str:
        joined = "&".join(part for part in parts if part)
        return f"?{joined}" if joined else ""

    return {
        "statistics: certificates": [
            f"/api/v1/statistics/certificates{query(periods[i], district(i))}" for i in range(SAMPLE)
        ],
        "statistics: workers": [f"/api/v1/statistics/workers{query(district(i))}" for i in range(SAMPLE)],
        "statistics: companies": [f"/api/v1/statistics/companies{query(district(i))}" for i in range(SAMPLE)],
        "statistics: bookings": [f"/api/v1/statistics/bookings{query(periods[i], district(i))}" for i in range(SAMPLE)],
        "statistics: complaints": [
            f"/api/v1/statistics/complaints{query(periods[i], district(i))}" for i in range(SAMPLE)
        ],
        "statistics: training": [f"/api/v1/statistics/training{query(periods[i])}" for i in range(SAMPLE)],
    }


def feed_paths(connection) -> list[str]:
    """Pages of the feed after random positions in it (a platform catching up from anywhere),
    as the cursors feed.pulling gives out, and a few first pages from a random day."""
    positions = connection.execute(
        "SELECT xact_id, id FROM feed_records ORDER BY random() LIMIT %s", (SAMPLE,)
    ).fetchall()
    paths = []
    for xact_id, record_id in positions:
        paths.append(f"/api/v1/public-credit/v1/records?cursor={cursor_of(xact_id, record_id, None)}")
    for _ in range(SAMPLE // 10):
        since = date.today() - timedelta(days=rng.randint(1, 700))
        paths.append(f"/api/v1/public-credit/v1/records?since={since.isoformat()}T00:00:00%2B08:00")
    return paths


def console_paths(station: str, connection) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The console's main pages: a station's (the desk and day sheet on random days, the
    complaint triage and follow-ups, its engagements, its figures) and an operator's (the
    dashboard for random months and districts, the worker, certificate and class lists from random
    rows by cursor (下一页 from anywhere in them), companies, complaints due, 失信 cases and
    listings, training figures)."""

    def ids(query: str) -> list[int]:
        return [row[0] for row in connection.execute(query, (SAMPLE,)).fetchall()]

    days = [(date.today() + timedelta(days=rng.randint(-60, 7))).isoformat() for _ in range(SAMPLE)]
    workers = ids("SELECT id FROM workers ORDER BY random() LIMIT %s")
    issued = ids("SELECT worker_id FROM certificates WHERE state = 'issued' ORDER BY random() LIMIT %s")
    classes = ids(CLASSES_WITH_A_PAGE_AFTER + " ORDER BY random() LIMIT %s")
    districts = [row[0] for row in connection.execute("SELECT DISTINCT district_code FROM companies")]
    periods = random_periods()
    staff = {
        "console: desk (staff, random days)": [f"/console/desk?date={day}" for day in days],
        "console: day sheet (staff)": [f"/console/day-sheet?date={day}" for day in days],
        "console: complaints triage (staff)": ["/console/complaints"],
        "console: follow-ups due (staff)": ["/console/follow-ups"],
        "console: engagements (staff)": ["/console/engagements"],
        "console: station figures (staff)": ["/console/station-figures"],
    }
    operator = {
        "console: dashboard (operator)": [
            "/console/dashboard" + (f"?{periods[i]}&district={districts[i % len(districts)]}" if periods[i] else "")
            for i in range(SAMPLE)
        ],
        "console: workers (operator, pages)": [
            f"/console/workers?cursor={cursor_of('id', 'after', worker)}" for worker in workers
        ],
        "console: certificates (operator, pages)": [
            f"/console/certificates?state=issued&cursor={cursor_of('id', 'after', worker)}" for worker in issued
        ],
        "console: companies (operator)": ["/console/companies"],
        # Those due within a week, a page of 10: none of 0.01's 12 open complaints is overdue, so
        # the default page (the overdue) is empty there and holds 10 at 1.
        "console: complaints due (operator, a week, 10 rows)": ["/console/complaints-due?within_hours=168&per_page=10"],
        "console: 失信 cases (operator)": ["/console/sanctions/cases"],
        "console: 失信 listings (operator)": ["/console/sanctions/listings"],
        "console: training classes (operator)": [
            f"/console/training/classes?cursor={cursor_of('newest', 'after', class_id)}" for class_id in classes
        ],
        # Two years: a full page of classes at 0.01 as at 1 (0.01's 25 classes leave most months empty).
        "console: training figures (operator, two years)": [
            f"/console/training/statistics?month_from={months_back(23):%Y-%m}&month_to={months_back(0):%Y-%m}"
        ],
    }
    return staff, operator


def all_paths(url: str, env: dict) -> tuple[dict[str, tuple[list[str], dict[str, str]]], dict[str, str]]:
    """Every path measured but nearest and booking (their own scripts): its random inputs and the
    headers it is read with (the clerks' bearer tokens, the console's web sessions, the feed
    client's key); and the booking script's resident and stations."""
    with psycopg.connect(url) as connection:
        (station,) = first_row(
            connection, "SELECT station_code FROM bookings GROUP BY station_code ORDER BY count(*) DESC LIMIT 1"
        )
        # Random rows of the station's history, as sort keys of the list's order (booking.bookings.STATION_ORDERS).
        station_rows = connection.execute(
            "SELECT starts_at, id FROM bookings WHERE station_code = %s ORDER BY random() LIMIT %s", (station, SAMPLE)
        ).fetchall()
        company, company_workers = first_row(
            connection,
            "SELECT company_id, count(*) FROM workers WHERE company_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
        )
        public = sample_paths(connection)
        statistics = statistics_paths(scale.DISTRICTS)
        feed = feed_paths(connection)
        staff_pages, operator_pages = console_paths(station, connection)
    credentials = json.loads(
        subprocess.run(
            [sys.executable, "bench/city_tokens.py", station, str(company)],
            cwd=ROOT, env=env | {"PYTHONPATH": str(ROOT)}, check=True, capture_output=True, text=True,
        ).stdout.splitlines()[-1]
    )  # fmt: skip
    bearer, web = credentials["bearer"], credentials["web"]

    def with_bearer(role: str) -> dict[str, str]:
        return {"AUTHORIZATION": f"Bearer {bearer[role]}"}

    def with_session(role: str) -> dict[str, str]:
        return {"COOKIE": f"yc_console={web[role]}"}

    worker_pages = max(1, company_workers // 20)
    paths: dict[str, tuple[list[str], dict[str, str]]] = {
        name: (chosen, with_bearer("operator") if "operator" in name else {}) for name, chosen in public.items()
    }
    paths["station's bookings (staff)"] = (
        [
            f"/api/v1/stations/{station}/bookings?cursor={cursor_of('earliest', 'after', starts.isoformat(), booking)}"
            for starts, booking in station_rows
        ],
        with_bearer("station_staff"),
    )
    paths["company's workers (admin)"] = (
        [f"/api/v1/workers?page={1 + i % worker_pages}" for i in range(SAMPLE)],
        with_bearer("company_admin"),
    )
    paths |= {name: (chosen, with_bearer("operator")) for name, chosen in statistics.items()}
    paths["feed page (random cursors)"] = (feed, {"AUTHORIZATION": f"ApiKey {credentials['feed_key']}"})
    paths |= {name: (chosen, with_session("station_staff")) for name, chosen in staff_pages.items()}
    paths |= {name: (chosen, with_session("operator")) for name, chosen in operator_pages.items()}
    booking = {"BOOKING_TOKEN": credentials["resident"], "BOOKING_STATIONS": credentials["booking_stations"]}
    return paths, booking


# PostgreSQL's memory as a production host would set it (a quarter of RAM for shared_buffers, the
# rest counted on as the OS's cache, SSD random reads), for --production-memory.
PRODUCTION_MEMORY = {
    "shared_buffers": "{quarter}MB",
    "effective_cache_size": "{three_quarters}MB",
    "random_page_cost": "1.1",
}


def restart_postgresql() -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"], check=True)
    subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-t", "60"], check=True)


@contextlib.contextmanager
def production_memory(url: str):
    """The bench's PostgreSQL (the local cluster the tests use, 128 MB of shared_buffers by default)
    restarted with PRODUCTION_MEMORY for the run, and put back as it was after it: on a small
    default a city's tables are read from disk, which is not how a production primary runs."""
    ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    settings = {
        name: value.format(quarter=ram_mb // 4, three_quarters=ram_mb * 3 // 4)
        for name, value in PRODUCTION_MEMORY.items()
    }
    with psycopg.connect(url, autocommit=True) as connection:
        for name, value in settings.items():
            connection.execute(f"ALTER SYSTEM SET {name} = '{value}'")
    restart_postgresql()
    print(f"PostgreSQL restarted with {settings}", flush=True)
    try:
        yield settings
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            for name in settings:
                connection.execute(f"ALTER SYSTEM RESET {name}")
        restart_postgresql()


def as_a_serving_primary(url: str) -> None:
    """One scale's database as a primary that has served the city for a while holds it: vacuumed
    (autovacuum is off on this machine's cluster, so what an earlier run or a --keep reuse wrote
    was never; an index-only scan then visits the heap) and every table and index read into
    shared_buffers (pg_prewarm): otherwise the first read of each of the 2,000 random workers,
    tokens or pages since the restart is a disk read, and at scale 1 nearly every read in a
    two-second run is a first one."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
        connection.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        (pages,) = first_row(
            connection,
            "SELECT coalesce(sum(pg_prewarm(c.oid)), 0) FROM pg_class c"
            " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i', 'm')",
        )
    elapsed = time.perf_counter() - started
    print(f"{url.rsplit('/', 1)[-1]}: vacuumed, {pages * 8 // 1024} MB prewarmed in {elapsed:.0f} s", flush=True)


def drained(base: str = run.BASE) -> None:
    """Waits for the requests wrk left queued when its time was up: the sync workers serve them
    still, and a slow path's backlog would be counted against the next path. A /healthz is
    answered once those before it in the listen queue are."""
    urllib.request.urlopen(base + HEALTHZ, timeout=300).read()


def prepared(scale_value: float, args) -> dict:
    """One scale's data (kept from an earlier run of that scale with --keep), its random inputs
    and the environment its gunicorn runs in."""
    database_url = scale.DATABASE_URL + "_" + format(scale_value, "g").replace(".", "_")  # a database per scale
    env = run.bench_environment() | {"DATABASE_URL": database_url, "BENCH_SCALE_DATABASE_URL": database_url}
    generate = [sys.executable, "bench/scale.py", "--scale", str(scale_value), *(["--keep"] if args.keep else [])]
    subprocess.run(generate, cwd=ROOT, env=env, check=True)
    paths, booking = all_paths(database_url.replace("postgresql+psycopg://", "postgresql://"), env)
    return {"value": scale_value, "env": env, "paths": paths, "booking": booking}


def wrk_runs(prepared_scale: dict, base: str, index: int) -> dict[str, tuple[str, tuple, dict]]:
    """Every path of one scale as wrk is to run it: the URL path, wrk's extra arguments (a Lua
    script, a header) and its environment (the script's inputs)."""
    etag = urllib.request.urlopen(base + "/api/v1/stations").headers["ETag"]
    lua = ROOT / "bench"
    booking = os.environ | prepared_scale["booking"]
    runs = {
        "station list (200)": ("/api/v1/stations", (), booking),
        "station list (304)": ("/api/v1/stations", ("-H", f"If-None-Match: {etag}"), booking),
        "nearest (random points)": ("/api/v1/stations/nearest", ("-s", str(lua / "nearest.lua")), booking),
        "booking (POST, random stations)": ("/api/v1/bookings", ("-s", str(lua / "booking.lua")), booking),
    }
    for name, (chosen, headers) in prepared_scale["paths"].items():
        listed = RESULTS / f"paths-{index}-{len(runs)}.txt"
        listed.write_text("\n".join(chosen) + "\n")
        runs[name] = ("/", ("-s", PATHS_LUA), os.environ | {"PATHS_FILE": str(listed)} | headers)
    return runs


def measure(args) -> dict[float, dict]:
    """Every scale's gunicorn at once (each on its own port and database), then --rounds rounds in
    which each path (those whose name contains --paths) is run on each scale in turn, each time
    right after a /healthz on the same server: a path's ratio is to the /healthz seconds before it,
    and its growth is read within one round, so that the machine's drift over the run (another
    process, the CPU's clock) falls on both scales alike. The scales' order alternates by round.
    Then the workers' memory and the jobs (unless --no-jobs)."""
    scales = [prepared(s, args) for s in args.scales]
    if args.production_memory:
        for p in scales:
            as_a_serving_primary(p["env"]["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://"))
    RESULTS.mkdir(exist_ok=True)
    bases = [f"http://127.0.0.1:{run.PORT + i}" for i in range(len(scales))]
    servers = [run.start_gunicorn(p["env"], args.workers, run.PORT + i) for i, p in enumerate(scales)]
    by_scale: dict[float, dict] = {p["value"]: {"rounds": [], "memory_mb": {}} for p in scales}
    try:
        started = [{str(pid): soak.rss_mb(pid) for pid in soak.worker_pids(s.pid)} for s in servers]
        runs = [wrk_runs(p, base, i) for i, (p, base) in enumerate(zip(scales, bases, strict=True))]
        names = [name for name in runs[0] if not args.paths or args.paths in name]
        for round_number in range(args.rounds):
            order = list(range(len(scales)))[:: 1 if round_number % 2 == 0 else -1]
            results: list[dict] = [{} for _ in scales]
            for name in names:
                for i in order:
                    path, extra, env = runs[i][name]
                    drained(bases[i])
                    healthz = run.wrk(HEALTHZ, args.healthz_duration, args.connections, base=bases[i])
                    measured = run.wrk(path, args.duration, args.connections, extra, env, base=bases[i])
                    results[i][name] = measured | {"healthz_rps": healthz["rps"]}
            for i, p in enumerate(scales):
                by_scale[p["value"]]["rounds"].append(results[i])
            print(f"round {round_number + 1} of {args.rounds} done", flush=True)
        for i, p in enumerate(scales):
            by_scale[p["value"]]["memory_after_healthz_mb"] = started[i]
            by_scale[p["value"]]["memory_mb"] = {
                str(pid): {"rss": soak.rss_mb(pid), "pss": soak.pss_mb(pid)} for pid in soak.worker_pids(servers[i].pid)
            }
    finally:
        for server in servers:
            server.terminate()
            server.wait()
    for p in scales:
        jobs = "[]"
        if args.jobs:
            jobs = subprocess.run(
                [sys.executable, "bench/jobs.py", "--json"],
                cwd=ROOT, env=p["env"], check=True, capture_output=True, text=True,
            ).stdout.splitlines()[-1]  # fmt: skip
        by_scale[p["value"]]["jobs"] = json.loads(jobs)
    return by_scale


def ratio(result: dict) -> float:
    return result["rps"] / result["healthz_rps"]


def table(by_scale: dict[float, dict], scales: list[float], args) -> list[str]:
    """The figures as Markdown: each path's median ratio to /healthz per scale, its growth (the
    median of the rounds' growths, with their range), each worker's memory, each job's seconds and
    rows touched."""
    rounds = {s: by_scale[s]["rounds"] for s in scales}
    names = list(rounds[scales[0]][0])
    heading = " | ".join(f"scale {s:g}" for s in scales)
    lines = [
        f"gunicorn {args.workers} sync workers, wrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} rounds; "
        f"each path's requests per second as a ratio of /healthz's ({args.healthz_duration} s just before it on the "
        "same server), median of the rounds; growth: median of the rounds' growths (their range), each round's "
        "ratio at the smallest scale over that at the larger",
        "",
        f"| path | {heading} | "
        + " | ".join(f"growth {scales[0]:g} → {s:g} (range)" for s in scales[1:])
        + " | non-2xx |",
        "| --- | " + " | ".join("---:" for _ in scales) + " | " + " | ".join("---:" for _ in scales[1:]) + " | --- |",
    ]
    for name in names:
        ratios = {s: [ratio(r[name]) for r in rounds[s]] for s in scales}
        growths = []
        for larger in scales[1:]:
            each = sorted(a / b for a, b in zip(ratios[scales[0]], ratios[larger], strict=True))
            growths.append(f"{statistics.median(each):.2f}× ({each[0]:.2f}–{each[-1]:.2f})")
        failures = " ".join(
            f"{s:g}: {sum(r[name]['non_2xx_3xx'] for r in rounds[s])}"
            for s in scales if any(r[name]["non_2xx_3xx"] for r in rounds[s])
        )  # fmt: skip
        shown = " | ".join(f"{statistics.median(ratios[s]):.3f}" for s in scales)
        lines.append(f"| {name} | {shown} | {' | '.join(growths)} | {failures} |")
    healthz = " | ".join(
        f"{statistics.median(r[name]['healthz_rps'] for r in rounds[s] for name in r):.0f}" for s in scales
    )
    lines.append(f"| (/healthz req/s, median) | {healthz} | " + " | ".join("" for _ in scales[1:]) + " |")
    lines += [
        "",
        f"| worker memory after every path: PSS (target < {soak.TARGET_MB} MB), RSS (at start) | {heading} |",
        "| --- | " + " | ".join("---:" for _ in scales) + " |",
    ]
    for k in range(max(len(by_scale[s]["memory_mb"]) for s in scales)):
        cells = []
        for s in scales:
            pids = sorted(by_scale[s]["memory_mb"])
            before, after = by_scale[s]["memory_after_healthz_mb"], by_scale[s]["memory_mb"]
            if k < len(pids):
                at_start = f"{before[pids[k]]:.0f}" if pids[k] in before else "recycled since"
                memory = after[pids[k]]
                cells.append(f"{memory['pss']:.0f} MB, {memory['rss']:.0f} MB ({at_start})")
            else:
                cells.append("–")
        lines.append(f"| worker {k + 1} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"| job: seconds (rows touched) | {heading} |",
        "| --- | " + " | ".join("---:" for _ in scales) + " |",
    ]
    for job in {job["job"]: None for s in scales for job in by_scale[s]["jobs"]}:
        timings = [{t["job"]: t for t in by_scale[s]["jobs"]}.get(job) for s in scales]
        seconds = (f"{t['seconds']:.2f} s ({t['rows']:,})" if t else "–" for t in timings)
        lines.append(f"| {job} | " + " | ".join(seconds) + " |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1])
    parser.add_argument("--duration", type=int, default=5, help="seconds per path and round")
    parser.add_argument("--healthz-duration", type=int, default=2, help="seconds of /healthz before each path")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--production-memory",
        action="store_true",
        help="restart the local PostgreSQL with a production host's memory settings for the run (needs root)"
        " and vacuum each scale's data and read it into its shared_buffers first",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--paths", help="run only the paths whose name contains this (and /healthz)")
    parser.add_argument("--keep", action="store_true", help="reuse each scale's data if generated before (migrated)")
    parser.add_argument("--jobs", action=argparse.BooleanOptionalAction, default=True, help="time the jobs too")
    args = parser.parse_args()
    memory = production_memory("postgresql://postgres@127.0.0.1:5432/postgres")
    with memory if args.production_memory else contextlib.nullcontext():
        by_scale = measure(args)
    lines = table(by_scale, args.scales, args)
    print("\n" + "\n".join(lines))
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"city-{stamp}.md").write_text("\n".join(lines) + "\n")
    (RESULTS / f"city-{stamp}.json").write_text(json.dumps({format(s, "g"): r for s, r in by_scale.items()}, indent=2))
    print(f"\nwritten: bench/results/city-{stamp}.md and .json")


if __name__ == "__main__":
    main()
