"""The scheduled jobs at city scale, timed: each `flask` command as cron runs it, invoked in one
process against the scale database (so the app's start-up is not counted), with the rows it
says it touched. `recompute-all` runs after a scoring change: scoring.toml with its `version`
bumped, as an operator would after changing a number, so every stored level is rewritten.

    .venv/bin/python bench/jobs.py          # on bench/scale.py's database, as it stands

Run on freshly generated data, each job finds its day's work (scale_features leaves some due);
a second run of any of them touches nothing.
"""

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (name, the command's arguments)
JOBS = [
    ("send-reminders", ["booking", "send-reminders"]),
    ("expire-offers", ["booking", "expire-offers"]),
    ("credit expiry-reminders", ["credit", "expiry-reminders"]),
    ("sanctions end-listings", ["sanctions", "end-listings"]),
    ("complaints escalate", ["complaints", "escalate"]),
    ("statistics roll-up", ["statistics", "roll-up"]),
    ("recompute-all (scoring version bumped)", ["credit", "recompute-all"]),
]


def touched(output: str) -> int:
    """The rows a command reports: the sum of the numbers in its last line (its summary)."""
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    summary = re.sub(r"version \S+|\d+ rounds?", "", summary)  # not counts of rows
    return sum(int(number) for number in re.findall(r"\d+", summary))


def bumped_scoring(folder: Path) -> Path:
    """scoring.toml as it is, with `version` changed: what recompute-all is run after."""
    from credit import scoring

    text = scoring.SCORING_FILE.read_text(encoding="utf-8")
    changed = re.sub(r'^version = "([^"]+)"', r'version = "\1-bench"', text, count=1, flags=re.M)
    path = folder / "scoring.toml"
    path.write_text(changed, encoding="utf-8")
    return path


def run_jobs(names: str | None = None) -> list[dict]:
    """Each job's seconds, the rows it touched and its summary line; `names` keeps only jobs whose
    name contains it."""
    from app import create_app
    from credit import scoring

    app = create_app()
    runner = app.test_cli_runner()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for name, args in JOBS:
            if names and names not in name:
                continue
            if args == ["credit", "recompute-all"]:
                scoring.SCORING_FILE = bumped_scoring(Path(folder))
                scoring.current_config.cache_clear()
            started, cpu = time.monotonic(), time.process_time()
            result = runner.invoke(args=args)
            seconds, cpu = time.monotonic() - started, time.process_time() - cpu
            if result.exit_code != 0:
                raise RuntimeError(f"flask {' '.join(args)} failed: {result.output}{result.exception!r}")
            results.append(
                {
                    "job": name,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "rows": touched(result.stdout),
                    "said": result.stdout,
                }
            )
    return results


def print_jobs(results: list[dict]) -> None:
    """Each job's seconds, the Python process's CPU seconds in them (the database's own time is
    the rest, with the machine's other load), its rows and the milliseconds per row."""
    print(f"{'job':<40}{'seconds':>9}{'cpu s':>8}{'rows':>9}{'ms/row':>8}  said")
    for job in results:
        said = job["said"].strip().splitlines()[-1] if job["said"].strip() else ""
        per_row = f"{1000 * job['seconds'] / job['rows']:.2f}" if job["rows"] else "–"
        print(f"{job['job']:<40}{job['seconds']:>9.2f}{job['cpu_seconds']:>8.2f}{job['rows']:>9}{per_row:>8}  {said}")


if __name__ == "__main__":
    import argparse
    import json
    import os

    import scale

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", help="only the jobs whose name contains this")
    parser.add_argument("--json", action="store_true", help="the figures as JSON (for bench/city.py)")
    args = parser.parse_args()
    os.environ.update({"DATABASE_URL": scale.DATABASE_URL, "APP_ENV": os.environ.get("APP_ENV", "development")})
    timed = run_jobs(args.jobs)
    if args.json:
        print(json.dumps(timed))
    else:
        print_jobs(timed)
