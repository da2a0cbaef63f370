"""Where the CPU of one request goes, by process: the gunicorn workers, the PostgreSQL backends of
the bench's database, a Redis of the bench's own and wrk. On a machine whose cores are saturated
(as in every wrk run here) a path's requests per second are the cores divided by its CPU per
request, summed over every process that serves it, so the ratio of two paths' throughputs is the
inverse ratio of their CPU budgets: the ceiling a path's ratio to /healthz cannot pass while
PostgreSQL, Redis and the client share the cores with the app, as they do on this machine.

    .venv/bin/python bench/cpu_budget.py --scale 1 --duration 5      # bench/scale.py's data
    .venv/bin/python bench/cpu_budget.py --scale 1 --paths scan --workers 2 4

The data is bench/scale.py's of that scale (generated with --keep if it is not there yet).
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import city  # the paths with random inputs, as the city run draws them
import run
import scale
import soak

TICK = os.sysconf("SC_CLK_TCK")
APPLICATION = "cpu-budget"  # the app's connections, told from anyone else's on the same database
REDIS_PORT = int(os.environ.get("BENCH_CPU_REDIS_PORT", "6391"))
PATHS = {
    "/healthz": None,
    "scan (JSON, random tokens)": "scan (JSON, random tokens)",
    "scan (page, random tokens)": "scan (page, random tokens)",
    "nearest (random points)": "nearest",
    "booking (POST, random stations)": "booking",
}


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, 0 if it is gone (a backend that closed keeps its CPU uncounted)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def backends(url: str, database: str) -> list[int]:
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s", (database, APPLICATION)
        ).fetchall()
    return [pid for (pid,) in rows]


def snapshot(server_pid: int, redis_pid: int, url: str, database: str) -> dict[str, dict[int, float]]:
    return {
        "app": {pid: cpu_seconds(pid) for pid in soak.worker_pids(server_pid)},
        "postgres": {pid: cpu_seconds(pid) for pid in backends(url, database)},
        "redis": {redis_pid: cpu_seconds(redis_pid)},
    }


def spent(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per kind of process between two snapshots (a process new in `after` started at 0)."""
    return {kind: sum(seconds - before[kind].get(pid, 0.0) for pid, seconds in after[kind].items()) for kind in after}


def measured(request, server, redis_pid, url, database, args) -> dict:
    """wrk on one path; its requests and each kind of process's CPU microseconds per request."""
    path, extra, script_env = request
    city.drained()
    before, children = snapshot(server.pid, redis_pid, url, database), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = run.wrk(path, args.duration, args.connections, extra, os.environ | script_env)
    elapsed = time.perf_counter() - started
    after, done = snapshot(server.pid, redis_pid, url, database), resource.getrusage(resource.RUSAGE_CHILDREN)
    used = spent(before, after)
    used["wrk"] = (done.ru_utime + done.ru_stime) - (children.ru_utime + children.ru_stime)
    requests = result["rps"] * elapsed
    return {"rps": result["rps"], "per_request_us": {kind: s / requests * 1e6 for kind, s in used.items()}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--paths", help="only the paths whose name contains this (and /healthz)")
    args = parser.parse_args()

    redis_dir = tempfile.mkdtemp(prefix="yangcheng-cpu-redis-")
    redis = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no", "--dir", redis_dir],
        stdout=subprocess.DEVNULL,
    )
    database_url = scale.DATABASE_URL + "_" + format(args.scale, "g").replace(".", "_")
    env = run.bench_environment() | {
        "DATABASE_URL": database_url,
        "BENCH_SCALE_DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    }
    try:
        subprocess.run(
            [sys.executable, "bench/scale.py", "--scale", str(args.scale), "--keep"], cwd=run.ROOT, env=env, check=True
        )
        url = database_url.replace("postgresql+psycopg://", "postgresql://")
        database = url.rsplit("/", 1)[1]
        paths, booking = city.all_paths(url, env)

        def request_of(name) -> tuple[str, tuple, dict]:
            """wrk's path, its script arguments and the environment the script reads."""
            if name == "/healthz":
                return "/healthz", (), {}
            if name.startswith("nearest"):
                return "/api/v1/stations/nearest", ("-s", str(run.ROOT / "bench" / "nearest.lua")), {}
            if name.startswith("booking"):
                return "/api/v1/bookings", ("-s", str(run.ROOT / "bench" / "booking.lua")), booking
            listed = Path(redis_dir) / f"paths-{list(PATHS).index(name)}.txt"
            listed.write_text("\n".join(paths[name][0]) + "\n")
            return "/", ("-s", city.PATHS_LUA), {"PATHS_FILE": str(listed)} | paths[name][1]

        rows = []
        for workers in args.workers:
            server = run.start_gunicorn(
                env | {"DATABASE_URL": f"{database_url}?application_name={APPLICATION}"}, workers
            )
            try:
                for name in PATHS:
                    if name != "/healthz" and args.paths and args.paths not in name:
                        continue
                    rows.append((workers, name, measured(request_of(name), server, redis.pid, url, database, args)))
            finally:
                server.terminate()
                server.wait()
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(redis_dir, ignore_errors=True)

    kinds = ("app", "postgres", "redis", "wrk")
    print(
        f"\nscale {args.scale:g}, wrk -t2 -c{args.connections} -d{args.duration}s; CPU µs per request by process, "
        "and the ceiling of each path's ratio to /healthz that its CPU sets (healthz's total / its total)\n"
    )
    print("| workers | path | req/s | ratio | " + " | ".join(kinds) + " | total | ceiling |")
    print("| ---: | --- | ---: | ---: | " + " | ".join("---:" for _ in kinds) + " | ---: | ---: |")
    healthz = {w: r for w, name, r in rows if name == "/healthz"}
    for workers, name, result in rows:
        base = healthz[workers]
        total = sum(result["per_request_us"].values())
        cells = " | ".join(f"{result['per_request_us'][kind]:.0f}" for kind in kinds)
        ceiling = sum(base["per_request_us"].values()) / total
        ratio = result["rps"] / base["rps"]
        print(f"| {workers} | {name} | {result['rps']:.0f} | {ratio:.3f} | {cells} | {total:.0f} | {ceiling:.2f} |")


if __name__ == "__main__":
    main()
