"""Soak: a bounded stretch of mixed traffic against gunicorn on PostgreSQL + PostGIS and Redis,
with each worker's memory (resident, and its proportional share of the pages it shares with the
master and the other workers) read before, during and after. Workers are not recycled
during the soak (gunicorn's max_requests is off), so a leak would show.

    make soak                        # or: .venv/bin/python bench/soak.py --minutes 10
"""

import argparse
import os
import subprocess
import time
import urllib.request
from pathlib import Path

from run import BASE, ROOT, bench_environment, prepare_database, start_gunicorn

TARGET_MB = 150


def worker_pids(master_pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    return sorted(int(pid) for pid in found)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def pss_mb(pid: int) -> float:
    """The worker's proportional share: its private pages plus its part of those it shares with the
    master and the other workers (copy-on-write after the preload). RSS counts every shared page
    in full in each worker; the workers' PSS add up to what they take from the host."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no Pss for {pid}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10, help="at most 10")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    minutes = min(args.minutes, 10)

    env = bench_environment() | {"GUNICORN_MAX_REQUESTS": "0"}
    scan_token, _booking_env = prepare_database(env)
    server = start_gunicorn(env, args.workers)
    try:
        etag = urllib.request.urlopen(BASE + "/api/v1/stations").headers["ETag"]
        # Warm every worker up first: the figure that matters is growth under load, not start-up.
        subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", "-d10s", "-s", str(ROOT / "bench" / "mixed.lua"), BASE],
            env=os.environ | {"SCAN_TOKEN": scan_token, "STATIONS_ETAG": etag},
            check=True,
            capture_output=True,
        )
        pids = worker_pids(server.pid)
        before = {pid: rss_mb(pid) for pid in pids}
        shared_before = {pid: pss_mb(pid) for pid in pids}
        load = subprocess.Popen(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{int(minutes * 60)}s",
                "-s",
                str(ROOT / "bench" / "mixed.lua"),
                BASE,
            ],
            env=os.environ | {"SCAN_TOKEN": scan_token, "STATIONS_ETAG": etag},
            stdout=subprocess.PIPE,
            text=True,
        )
        peak = dict(before)
        while load.poll() is None:
            time.sleep(15)
            for pid in pids:
                peak[pid] = max(peak[pid], rss_mb(pid))
        summary = load.stdout.read()
        after = {pid: rss_mb(pid) for pid in pids}
        shared_after = {pid: pss_mb(pid) for pid in pids}
        still_same = worker_pids(server.pid) == pids
    finally:
        server.terminate()
        server.wait()

    print(
        f"\n{minutes:g} min of mixed traffic (nearest, station list 304, scan, /healthz), "
        f"gunicorn {args.workers} workers, wrk -c{args.connections}"
    )
    print(next(line for line in summary.splitlines() if "Requests/sec" in line).strip())
    print(f"{'worker':>8}{'RSS before':>12}{'peak':>8}{'after':>8}{'growth':>8}{'PSS before':>12}{'after':>8}")
    for pid in pids:
        print(
            f"{pid:>8}{before[pid]:>12.1f}{peak[pid]:>8.1f}{after[pid]:>8.1f}{after[pid] - before[pid]:>+8.1f}"
            f"{shared_before[pid]:>12.1f}{shared_after[pid]:>8.1f}"
        )
    print("same worker processes throughout: " + ("yes" if still_same else "NO (a worker was replaced)"))
    worst = max(peak.values())
    worst_share = max(shared_after.values())
    print(
        f"largest worker: RSS {worst:.1f} MB (peak), PSS {worst_share:.1f} MB (after); target < {TARGET_MB} MB "
        f"on PSS, what a worker takes from the host: {'met' if worst_share < TARGET_MB else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
