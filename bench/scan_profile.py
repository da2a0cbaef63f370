"""Where a scan that misses the cache spends its time: scans random tokens through the app with
one client (no HTTP server, no load), each token once per second at most, so that every scan
reads its row as a resident's random scan does; then prints the mean wall and CPU time of
/healthz, of the scan and of each of its steps (docs/performance.md).

    PYTHONPATH=. DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_scale \
        REDIS_URL=redis://127.0.0.1:6379/11 SCAN_RATE_LIMIT_PER_MINUTE=100000000 \
        .venv/bin/python bench/scan_profile.py json 3000     # or: page

Run it against bench/scale.py's data (any scale: it draws 5,000 tokens of issued certificates).
"""

import functools
import sys
import time
from collections import defaultdict

from sqlalchemy import text

from app import create_app
from app.extensions import db
from credit import pages, scanning

WARM_UP = 200
# (module, function): the steps of one scan, in the order they run.
STEPS = [
    (scanning, "admit"),
    (scanning, "find_scannable"),
    (scanning, "scan_profile"),
    (scanning, "_scan_json"),
    (pages, "_scan_html"),
    (scanning, "write_buffered_scans"),
]


def timed_steps(wall: dict, cpu: dict) -> None:
    for owner, name in STEPS:
        function = getattr(owner, name)

        @functools.wraps(function)
        def timed(*args, _function=function, _name=name, **kwargs):
            started, used = time.perf_counter(), time.process_time()
            try:
                return _function(*args, **kwargs)
            finally:
                wall[_name] += time.perf_counter() - started
                cpu[_name] += time.process_time() - used

        setattr(owner, name, timed)


def per_request(client, paths: list[str]) -> tuple[float, float]:
    """Mean wall and CPU microseconds per request."""
    started, used = time.perf_counter(), time.process_time()
    for path in paths:
        assert client.get(path).status_code == 200, path
    return (time.perf_counter() - started) / len(paths) * 1e6, (time.process_time() - used) / len(paths) * 1e6


def main(kind: str, count: int) -> None:
    app = create_app({"LOG_LEVEL": "WARNING"})
    with app.app_context():
        tokens = db.session.scalars(
            text("SELECT scan_token FROM certificates WHERE scan_token IS NOT NULL ORDER BY random() LIMIT 5000")
        ).all()
        db.session.remove()
    prefix = {"json": "/api/v1/scan/", "page": "/q/"}[kind]
    scans = [prefix + tokens[n % len(tokens)] for n in range(count)]
    client = app.test_client()
    per_request(client, scans[:WARM_UP] + ["/healthz"] * WARM_UP)
    wall: dict = defaultdict(float)
    cpu: dict = defaultdict(float)
    timed_steps(wall, cpu)
    healthz = per_request(client, ["/healthz"] * count)
    time.sleep(app.config["SCAN_CACHE_SECONDS"])  # the warm-up's entries have aged out
    scan = per_request(client, scans)
    print(f"{'µs per request':<28}{'wall':>8}{'CPU':>8}")
    print(f"{'/healthz':<28}{healthz[0]:>8.0f}{healthz[1]:>8.0f}")
    print(f"{'scan (' + kind + ', cache miss)':<28}{scan[0]:>8.0f}{scan[1]:>8.0f}")
    for _owner, name in STEPS:
        if name in wall:
            print(f"  {name:<26}{wall[name] / count * 1e6:>8.0f}{cpu[name] / count * 1e6:>8.0f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "json", int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
