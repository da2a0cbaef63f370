"""Scale-out, for real: three application hosts, each in a network namespace of its own running
gunicorn, behind haproxy; a PostgreSQL primary with a streaming replica (two clusters made here),
and Redis. Proves, under mixed traffic, that

  (a) killing one application host loses no acknowledged booking, and fails only the requests that
      were in flight then (those haproxy cut before any answer are sent again by the residents, as
      real clients do; bench/residents.py);
  (b) with the replica stopped, the reads that may lag (station list, nearest, company list) fall
      back to the primary and still answer 200;
  (c) a session and the scan rate limit hold across hosts;

and measures requests per second per path through haproxy with three hosts and with one, and the
replica's lag. Exits non-zero on any violation; removes every namespace, cluster and process it
made, whatever happens.

    make scale-out                  # or: .venv/bin/python bench/scale_out.py --duration 5

Needs root (ip netns), PostgreSQL 15 + PostGIS, redis-server, haproxy and wrk.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
from residents import STALE_OK, Residents
from run import ROOT, VENV_BIN, prepare_database, wrk

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
NETWORK = "10.77.0.0/16"
SERVICES = "10.77.0.1"  # the host-side veth address the databases and Redis listen on
PRIMARY_PORT, REPLICA_PORT, REDIS_PORT = 15432, 15433, 16379
PROOF_PORT, BENCH_PORT = 8790, 8791  # haproxy's two frontends, on the host's loopback
APP_PORT = 8777  # inside each host's namespace
HOSTS = (1, 2, 3)
WORKERS_PER_HOST = 2
SCAN_LIMIT = 60  # per client a minute: the default, kept for the proof
BENCH_PATHS = {
    "/healthz": ("/healthz", ()),
    "station list": ("/api/v1/stations", ()),
    "nearest": ("/api/v1/stations/nearest", ("-s", str(ROOT / "bench" / "nearest.lua"))),
    "company list": ("/api/v1/companies", ()),
    "scan (JSON)": (None, ()),  # the scan token is known once the demo data is in
    "booking (POST)": ("/api/v1/bookings", ("-s", str(ROOT / "bench" / "booking.lua"))),
}


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True, **kwargs)


def as_postgres(*command) -> subprocess.CompletedProcess:
    return run("runuser", "-u", "postgres", "--", *command)


def wait_until(ready, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not come up within {seconds} s")


def host_address(host: int) -> str:
    return f"10.77.{host}.2"


def postgres_url(port: int, driver: str = "postgresql+psycopg") -> str:
    return f"{driver}://postgres@{SERVICES}:{port}/yangcheng"


# The network ----------------------------------------------------------------------------------


def remove_network() -> None:
    """Our namespaces and links, from this run or one that was killed before it could clean up."""
    for host in HOSTS:
        subprocess.run(["ip", "netns", "del", f"yc-app{host}"], capture_output=True)
        subprocess.run(["ip", "link", "del", f"yc-h{host}"], capture_output=True)
    subprocess.run(["ip", "link", "del", "yc-svc"], capture_output=True)
    subprocess.run(["ip", "route", "del", "unreachable", NETWORK], capture_output=True)


def make_services_network() -> None:
    """A veth pair on the host whose one end holds the services' address (no dummy interfaces in
    every kernel); the hosts reach it through their own veth's host end."""
    run("ip", "link", "add", "yc-svc", "type", "veth", "peer", "name", "yc-svc-peer")
    run("ip", "addr", "add", f"{SERVICES}/32", "dev", "yc-svc")
    run("ip", "link", "set", "yc-svc", "up")
    run("ip", "link", "set", "yc-svc-peer", "up")
    # A lost host's address must not be routed anywhere else (the default route leads off this machine).
    run("ip", "route", "add", "unreachable", NETWORK)


def make_host_namespace(host: int) -> None:
    namespace, outside, inside = f"yc-app{host}", f"yc-h{host}", f"yc-n{host}"
    run("ip", "netns", "add", namespace)
    run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
    run("ip", "link", "set", inside, "netns", namespace)
    run("ip", "addr", "add", f"10.77.{host}.1/24", "dev", outside)
    run("ip", "link", "set", outside, "up")
    in_namespace = ("ip", "netns", "exec", namespace)
    run(*in_namespace, "ip", "addr", "add", f"{host_address(host)}/24", "dev", inside)
    run(*in_namespace, "ip", "link", "set", inside, "up")
    run(*in_namespace, "ip", "link", "set", "lo", "up")
    run(*in_namespace, "ip", "route", "add", "default", "via", f"10.77.{host}.1")


# PostgreSQL and Redis -------------------------------------------------------------------------


def start_cluster(data: Path, port: int) -> None:
    as_postgres(
        POSTGRES_BIN / "pg_ctl",
        "-D",
        data,
        "-l",
        data.parent / f"postgres-{port}.log",
        "-w",
        "-o",
        f"-p {port} -k {data.parent} -c listen_addresses={SERVICES}",
        "start",
    )


def stop_cluster(data: Path) -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
        capture_output=True,
    )


def start_primary(folder: Path) -> Path:
    data = folder / "primary"
    as_postgres(POSTGRES_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
    with (data / "postgresql.conf").open("a") as conf:
        # Nine workers with a pool each, on both clusters (a standby needs at least the primary's).
        conf.write("max_connections = 300\nfsync = off\nwal_level = replica\nmax_wal_senders = 5\n")
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write("host all all 10.77.0.0/16 trust\nhost replication all 10.77.0.0/16 trust\n")
    start_cluster(data, PRIMARY_PORT)
    run(POSTGRES_BIN / "createdb", "-h", SERVICES, "-p", PRIMARY_PORT, "-U", "postgres", "yangcheng")
    return data


def start_replica(folder: Path) -> Path:
    """pg_basebackup -R: a copy of the primary that streams its changes and answers reads."""
    data = folder / "replica"
    as_postgres(
        POSTGRES_BIN / "pg_basebackup",
        "-h",
        SERVICES,
        "-p",
        PRIMARY_PORT,
        "-U",
        "postgres",
        "-D",
        data,
        "-R",
        "-X",
        "stream",
    )
    start_cluster(data, REPLICA_PORT)
    return data


def start_redis(folder: Path, processes: list) -> None:
    redis = subprocess.Popen(
        # Bound to the services' private address only, so its protected mode (loopback only) is off.
        [
            *("redis-server", "--bind", SERVICES, "--port", str(REDIS_PORT), "--protected-mode", "no"),
            *("--save", "", "--appendonly", "no"),
        ],
        stdout=(folder / "redis.log").open("w"),
        cwd=folder,
    )
    processes.append(redis)
    wait_until(lambda: accepts_connections(REDIS_PORT), "Redis")


def accepts_connections(port: int) -> bool:
    with socket.create_connection((SERVICES, port), timeout=1):
        return True


def one_value(connection: psycopg.Connection, query: str, *params):
    row = connection.execute(query, params).fetchone()
    assert row is not None, query
    return row[0]


def replica_reads_served(port: int = REPLICA_PORT) -> int:
    with psycopg.connect(postgres_url(port, "postgresql"), connect_timeout=2) as connection:
        return one_value(connection, "SELECT xact_commit FROM pg_stat_database WHERE datname = 'yangcheng'")


# The application hosts and haproxy ------------------------------------------------------------


def app_environment(extra: dict | None = None) -> dict:
    """The same settings on every host, as docs/operations.md asks: one primary, its replica,
    one Redis, one load balancer in front. The booking limit is lifted (one resident books for
    the whole run); the scan limit stays at its default."""
    return os.environ | {
        "APP_ENV": "development",
        "FLASK_APP": "wsgi",
        "DATABASE_URL": postgres_url(PRIMARY_PORT),
        "DATABASE_REPLICA_URL": postgres_url(REPLICA_PORT),
        "REDIS_URL": f"redis://{SERVICES}:{REDIS_PORT}/0",
        "TRUSTED_PROXY_COUNT": "1",
        "SCAN_RATE_LIMIT_PER_MINUTE": str(SCAN_LIMIT),
        "BOOKING_RATE_LIMIT": "100000000/minute",
        "LOGIN_RATE_LIMIT": "100000000/minute",
        **(extra or {}),
    }


def start_app_host(host: int, env: dict, folder: Path) -> subprocess.Popen:
    log = (folder / f"host{host}.log").open("w")
    server = subprocess.Popen(
        ["ip", "netns", "exec", f"yc-app{host}", str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env
        | {
            "BIND": f"0.0.0.0:{APP_PORT}",
            "WEB_CONCURRENCY": str(WORKERS_PER_HOST),
            "PROMETHEUS_MULTIPROC_DIR": str(folder / f"metrics{host}"),
        },
        stdout=log,
        stderr=log,
        start_new_session=True,  # its own process group: killing the host kills every worker
    )
    return server


def wait_for_host(host: int) -> None:
    url = f"http://{host_address(host)}:{APP_PORT}/readyz"
    wait_until(lambda: urllib.request.urlopen(url, timeout=2).status == 200, f"application host {host}", 60)


def kill_app_host(host: int, server: subprocess.Popen) -> None:
    """The host is lost: every gunicorn process killed at once, then its network gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    subprocess.run(["ip", "netns", "del", f"yc-app{host}"], capture_output=True)


HAPROXY_CONFIG = """\
global
    maxconn 4096
    stats socket {folder}/haproxy.sock mode 600 level admin
    log stderr format iso local0

defaults
    mode http
    # Only the requests that went wrong are logged (haproxy.log in bench/results/scale-out-logs/).
    log global
    option httplog
    option dontlog-normal
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    # A request whose connection to a host failed goes to another; one already sent is not retried.
    retries 2
    option redispatch 1

# What residents reach: their address appended to X-Forwarded-For (TRUSTED_PROXY_COUNT=1).
frontend residents
    bind 127.0.0.1:{proof_port}
    option forwardfor
    default_backend hosts

# For throughput figures only: each request from a different made-up address, as a city of
# residents would be, so the per-client scan limit does not cap one wrk client.
frontend city
    bind 127.0.0.1:{bench_port}
    http-request set-header X-Forwarded-For 198.18.%[rand(255)].%[rand(255)]
    default_backend hosts

backend hosts
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    # A host answers its check within 3 s even when every worker is busy; two missed checks take it out.
    timeout check 3s
    default-server inter 500ms fall 2 rise 2
    http-response set-header X-Served-By %[srv_name]
{servers}
"""


def start_haproxy(folder: Path, processes: list) -> None:
    servers = "\n".join(f"    server host{host} {host_address(host)}:{APP_PORT} check" for host in HOSTS)
    config = folder / "haproxy.cfg"
    config.write_text(
        HAPROXY_CONFIG.format(folder=folder, proof_port=PROOF_PORT, bench_port=BENCH_PORT, servers=servers)
    )
    run("haproxy", "-c", "-f", config)
    log = (folder / "haproxy.log").open("w")
    haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=log, stderr=log)
    processes.append(haproxy)

    def every_host_up() -> bool:
        if haproxy.poll() is not None:
            raise SystemExit(f"haproxy exited: {(folder / 'haproxy.log').read_text()}")
        return len(hosts_answering(folder)) == len(HOSTS)

    wait_until(every_host_up, "haproxy with every host up")


def haproxy_command(folder: Path, command: str) -> str:
    with socket.socket(socket.AF_UNIX) as admin:
        admin.connect(str(folder / "haproxy.sock"))
        admin.sendall(command.encode() + b"\n")
        return b"".join(iter(lambda: admin.recv(65536), b"")).decode()


def host_statistics(folder: Path) -> dict[str, dict[str, str]]:
    """haproxy's figures for each host (`show stat`): status, current sessions (scur)..."""
    lines = haproxy_command(folder, "show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
    return {row["svname"]: row for row in rows if row["pxname"] == "hosts" and row["svname"].startswith("host")}


def sessions_on(folder: Path, host: str) -> int:
    """Requests haproxy has under way on that host."""
    return int(host_statistics(folder)[host]["scur"] or 0)


def hosts_answering(folder: Path) -> list[str]:
    """The hosts haproxy's health checks see up."""
    return [name for name, row in host_statistics(folder).items() if row["status"] == "UP"]


def serve_with(folder: Path, hosts: tuple[int, ...]) -> None:
    for host in HOSTS:
        state = "ready" if host in hosts else "maint"
        haproxy_command(folder, f"set server hosts/host{host} state {state}")


# What it measures and proves ------------------------------------------------------------------


def throughput_figures(folder: Path, scan_token: str, booking_env: dict, duration: int) -> dict:
    """Requests per second per path through haproxy (the `city` frontend), with three hosts and
    with one, in the same run."""
    figures: dict[str, dict] = {}
    base = f"http://127.0.0.1:{BENCH_PORT}"
    for hosts in (HOSTS, HOSTS[:1]):
        serve_with(folder, hosts)
        time.sleep(1)
        for name, (path, extra) in BENCH_PATHS.items():
            result = wrk(path or f"/api/v1/scan/{scan_token}", duration, 16, extra, os.environ | booking_env, base)
            figures.setdefault(name, {})[len(hosts)] = result
    serve_with(folder, HOSTS)
    return figures


def prove_a_session_holds_across_hosts() -> list[str]:
    """A token issued by host 1 works on hosts 2 and 3; logged out on host 2, it is refused on 1."""

    def call(host, method, path, token=None):
        request = urllib.request.Request(
            f"http://{host_address(host)}:{APP_PORT}{path}",
            method=method,
            data=b'{"role": "resident"}' if method == "POST" else None,
            headers={"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as refusal:
            return refusal.code, {}

    status, issued = call(1, "POST", "/api/v1/auth/dev-login")
    if status != 201:
        return [f"sessions: dev-login on host 1 answered {status}"]
    token = issued["token"]
    problems = [
        f"sessions: host {host} answered {status} to a token issued by host 1"
        for host in (2, 3)
        if (status := call(host, "GET", "/api/v1/me", token)[0]) != 200
    ]
    call(2, "POST", "/api/v1/auth/logout", token)
    if (status := call(1, "GET", "/api/v1/me", token)[0]) != 401:
        problems.append(f"sessions: host 1 answered {status} to a token logged out on host 2")
    return problems


def prove_the_scan_limit_holds_across_hosts(scan_token: str) -> tuple[list[str], dict]:
    """One client (one address) scans past the limit through haproxy, which spreads its requests
    over the three hosts: the limit is counted once, in Redis, whichever host answers."""
    answers = []
    connection = urllib.request.build_opener()
    for _ in range(SCAN_LIMIT + 30):
        try:
            with connection.open(f"http://127.0.0.1:{PROOF_PORT}/api/v1/scan/{scan_token}", timeout=10) as response:
                answers.append((response.status, response.headers["X-Served-By"]))
        except urllib.error.HTTPError as refusal:
            answers.append((refusal.code, refusal.headers["X-Served-By"]))
    allowed = sum(1 for status, _ in answers if status == 200)
    refusing_hosts = {host for status, host in answers if status == 429}
    answering_hosts = {host for _, host in answers}
    problems = []
    if allowed > SCAN_LIMIT:
        problems.append(f"scan limit: {allowed} scans allowed in a minute, the limit is {SCAN_LIMIT}")
    if len(refusing_hosts) < 2:
        problems.append(f"scan limit: refusals came from {sorted(refusing_hosts)} only")
    return problems, {"allowed": allowed, "refused_by": sorted(refusing_hosts), "answered_by": sorted(answering_hosts)}


class LagSampler:
    """How long a commit on the primary takes to be visible on the replica, sampled every 0.2 s:
    the primary's WAL position, then the replica polled until it has replayed that far."""

    def __init__(self):
        self.lags_ms: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        with (
            psycopg.connect(postgres_url(PRIMARY_PORT, "postgresql"), autocommit=True) as primary,
            psycopg.connect(postgres_url(REPLICA_PORT, "postgresql"), autocommit=True) as replica,
        ):
            while not self._stop.wait(0.2):
                position = one_value(primary, "SELECT pg_current_wal_lsn()")
                started = time.monotonic()
                while not one_value(replica, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", position):
                    time.sleep(0.001)
                self.lags_ms.append((time.monotonic() - started) * 1000)


def bookings_missing_from_primary(booking_ids: list[int]) -> list[int]:
    with psycopg.connect(postgres_url(PRIMARY_PORT, "postgresql")) as connection:
        stored = {row[0] for row in connection.execute("SELECT id FROM bookings WHERE id = ANY(%s)", (booking_ids,))}
    return sorted(set(booking_ids) - stored)


def mixed_traffic_with_faults(folder, servers, replica_data, scan_token, booking_env, seconds, threads) -> dict:
    """Residents through haproxy for `seconds`: a third of the way in, host 3 is killed; two
    thirds in, the replica is stopped. What each fault cost is read from the residents' answers."""
    residents = Residents(
        "127.0.0.1",
        PROOF_PORT,
        scan_token,
        booking_env["BOOKING_TOKEN"],
        booking_env["BOOKING_STATIONS"].split(","),
        threads,
    )
    lag = LagSampler()
    replica_reads_before = replica_reads_served()
    residents.start()
    lag.start()
    time.sleep(seconds / 3)
    in_flight_at_kill = residents.in_flight()
    on_host_3_at_kill = sessions_on(folder, "host3")
    logged_before_kill = (folder / "haproxy.log").stat().st_size
    kill_started = time.monotonic()
    kill_app_host(3, servers[3])
    killed = time.monotonic()
    time.sleep(seconds / 3)
    replica_reads = replica_reads_served() - replica_reads_before
    lag.stop()
    with (folder / "haproxy.log").open() as haproxy_log:
        haproxy_log.seek(logged_before_kill)
        failed_by_server = servers_of_failures(haproxy_log.read())
    replica_stopped_at = time.monotonic()
    stop_cluster(replica_data)
    time.sleep(seconds / 3)
    residents.stop()
    return {
        "residents": residents,
        "in_flight_at_kill": in_flight_at_kill,
        "on_host_3_at_kill": on_host_3_at_kill,
        "kill": (kill_started, killed),
        "failed_by_server": failed_by_server,
        "replica_stopped_at": replica_stopped_at,
        "replica_transactions_before_stop": replica_reads,
        "lags_ms": lag.lags_ms,
        "hosts_up_after": hosts_answering(folder),
    }


# haproxy's httplog line: "... frontend backend/server Tq/Tw/Tc/Tr/Ta status bytes ..."
LOGGED_ANSWER = re.compile(r" (?P<server>[\w-]+/[\w<>-]+) -?\d+/-?\d+/-?\d+/-?\d+/-?\d+ (?P<status>\d{3}) ")


def servers_of_failures(logged: str) -> dict[str, int]:
    """The server haproxy sent each failed request to (5xx or no answer: it logs only those, and
    names <NOSRV> when it found none), from its log."""
    servers: dict[str, int] = {}
    for match in LOGGED_ANSWER.finditer(logged):
        if match["status"].startswith("5") or match["status"] == "000":
            servers[match["server"]] = servers.get(match["server"], 0) + 1
    return servers


def judge_mixed_traffic(outcome: dict) -> tuple[list[str], dict]:
    answers = outcome["residents"].answers
    failed = [answer for answer in answers if answer.failed]
    kill_started, killed = outcome["kill"]
    failed_but_not_in_flight = [answer for answer in failed if answer.ended < kill_started or answer.started > killed]
    unexpected = [
        answer
        for answer in answers
        if 400 <= answer.status < 500 and not (answer.step == "booking" and answer.status == 409)
    ]
    stale_ok_after_stop = [
        answer for answer in answers if answer.step in STALE_OK and answer.started > outcome["replica_stopped_at"]
    ]
    stale_ok_failed = [answer for answer in stale_ok_after_stop if answer.status != 200]
    booked = [answer.booking_id for answer in answers if answer.booking_id is not None]
    missing = bookings_missing_from_primary(booked)
    problems = []
    # In flight on the dying host: those sent before the kill, and those haproxy sent there while its
    # processes and network were being torn down (it cannot know before its next health check).
    sent_while_dying = sum(kill_started <= answer.started <= killed for answer in answers)
    if len(failed) > outcome["in_flight_at_kill"] + sent_while_dying:
        problems.append(
            f"host lost: {len(failed)} requests failed, only {outcome['in_flight_at_kill']} were in flight"
            f" and {sent_while_dying} sent while it was torn down"
        )
    elsewhere = {server: n for server, n in outcome["failed_by_server"].items() if server != "hosts/host3"}
    if elsewhere:
        problems.append(f"host lost: requests failed on hosts that were not killed: {elsewhere}")
    if failed_but_not_in_flight:
        problems.append(
            f"{len(failed_but_not_in_flight)} requests failed that were not in flight when host 3 was killed"
        )
    if missing:
        problems.append(f"host lost: {len(missing)} acknowledged bookings are not in the primary: {missing[:10]}")
    if stale_ok_failed:
        problems.append(f"replica stopped: {len(stale_ok_failed)} stale-ok reads did not answer 200")
    if not stale_ok_after_stop:
        problems.append("replica stopped: no stale-ok read was made after it stopped")
    if outcome["replica_transactions_before_stop"] <= 0:
        problems.append("the replica served no reads while it was up")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected refusals: {sorted({(a.step, a.status) for a in unexpected})}")
    if "host3" in outcome["hosts_up_after"]:
        problems.append("haproxy still sends to the killed host")
    summary = {
        "requests": len(answers),
        "by_host": {
            host: sum(1 for a in answers if a.host == host) for host in sorted({a.host for a in answers if a.host})
        },
        "failed": len(failed),
        # Cut by haproxy before any answer when the host they were sent to vanished, then answered when retried.
        "retried_after_cut": {
            step: sum(1 for a in answers if a.retried and a.step == step and not a.failed)
            for step in sorted({a.step for a in answers if a.retried})
        },
        "failed_by_step": {step: sum(1 for a in failed if a.step == step) for step in sorted({a.step for a in failed})},
        # Each failure: what was asked, its answer (or what came instead), when it started and ended (ms from the kill).
        "failures": [
            (
                a.step,
                a.status or a.error,
                round((a.started - kill_started) * 1000),
                round((a.ended - kill_started) * 1000),
            )
            for a in failed
        ],
        "in_flight_at_kill": outcome["in_flight_at_kill"],
        "on_host_3_at_kill": outcome["on_host_3_at_kill"],
        "failed_by_server": outcome["failed_by_server"],
        "bookings_acknowledged": len(booked),
        "bookings_missing": len(missing),
        "bookings_refused_full": sum(1 for a in answers if a.step == "booking" and a.status == 409),
        "stale_ok_reads_after_replica_stop": len(stale_ok_after_stop),
        "stale_ok_failed_after_replica_stop": len(stale_ok_failed),
        "replica_transactions_while_up": outcome["replica_transactions_before_stop"],
        "replica_lag_ms": lag_summary(outcome["lags_ms"]),
    }
    return problems, summary


def lag_summary(lags_ms: list[float]) -> dict:
    if not lags_ms:
        return {}
    ordered = sorted(lags_ms)
    return {
        "samples": len(ordered),
        "median": round(statistics.median(ordered), 2),
        "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "max": round(ordered[-1], 2),
    }


def print_figures(figures: dict) -> None:
    baseline = figures["/healthz"]
    print(f"\n{'path through haproxy':<22}{'3 hosts':>10}{'1 host':>10}{'3/1':>7}{'ratio (3)':>11}  errors")
    for name, by_hosts in figures.items():
        three, one = by_hosts[3]["rps"], by_hosts[1]["rps"]
        errors = " / ".join(str(by_hosts[n]["non_2xx_3xx"] or by_hosts[n]["socket_errors"] or 0) for n in (3, 1))
        print(f"{name:<22}{three:>10.0f}{one:>10.0f}{three / one:>7.2f}{three / baseline[3]['rps']:>11.2f}  {errors}")


# The run ---------------------------------------------------------------------------------------


class Rig:
    """Everything the run starts, so that it can all be stopped and removed whatever happened."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="yc-scale-out-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.processes: list[subprocess.Popen] = []  # Redis, haproxy
        self.servers: dict[int, subprocess.Popen] = {}  # gunicorn per host
        self.clusters: list[Path] = []  # primary, replica

    def build(self) -> tuple[str, dict]:
        """The network, the databases, Redis, the hosts and haproxy; returns the demo data's scan
        token and the booking environment (bench/run.py's prepare_database)."""
        remove_network()
        make_services_network()
        for host in HOSTS:
            make_host_namespace(host)
        self.clusters.append(start_primary(self.folder))
        self.clusters.append(start_replica(self.folder))
        start_redis(self.folder, self.processes)
        env = app_environment()
        print("loading the schema, the stations and the demo data into the primary ...", flush=True)
        scan_token, booking_env = prepare_database(env, postgres_url(PRIMARY_PORT))
        for host in HOSTS:
            self.servers[host] = start_app_host(host, env, self.folder)
        for host in HOSTS:
            wait_for_host(host)
        start_haproxy(self.folder, self.processes)
        return scan_token, booking_env

    def tear_down(self) -> None:
        for host, server in self.servers.items():
            kill_app_host(host, server)
        for process in self.processes:
            process.kill()
            process.wait()
        for data in self.clusters:
            stop_cluster(data)
        remove_network()
        keep_logs(self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)


def keep_logs(folder: Path) -> None:
    """The servers' logs outlive the run in bench/results/scale-out-logs/, for a failure's post-mortem."""
    kept = ROOT / "bench" / "results" / "scale-out-logs"
    shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir(parents=True)
    for log in folder.glob("*.log"):
        shutil.copy(log, kept / log.name)


def report(figures: dict, scan_limit: dict, traffic: dict, problems: list[str]) -> int:
    print_figures(figures)
    print(f"\nscan limit across hosts: {scan_limit}")
    print(f"mixed traffic: {json.dumps(traffic, ensure_ascii=False, indent=2)}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    everything = {"figures": figures, "scan_limit": scan_limit, "mixed_traffic": traffic, "problems": problems}
    (results / f"scale-out-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(everything, indent=2))
    if problems:
        print("\nVIOLATIONS:\n  " + "\n  ".join(problems))
        return 1
    print(
        "\nscale-out holds: no acknowledged write lost, stale-ok reads survive the replica, limits and sessions shared"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per path for the throughput figures")
    parser.add_argument("--traffic-seconds", type=int, default=30, help="mixed traffic with the two faults")
    parser.add_argument("--threads", type=int, default=8, help="residents calling at once")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("make scale-out needs root (network namespaces)")

    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, through the tear-down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rig = Rig()
    try:
        scan_token, booking_env = rig.build()
        print("throughput through haproxy, 3 hosts then 1 ...", flush=True)
        figures = throughput_figures(rig.folder, scan_token, booking_env, args.duration)
        print("proving sessions and the scan limit across hosts ...", flush=True)
        problems = prove_a_session_holds_across_hosts()
        scan_problems, scan_limit = prove_the_scan_limit_holds_across_hosts(scan_token)
        print(f"mixed traffic for {args.traffic_seconds} s: host 3 killed, then the replica stopped ...", flush=True)
        outcome = mixed_traffic_with_faults(
            rig.folder, rig.servers, rig.clusters[1], scan_token, booking_env, args.traffic_seconds, args.threads
        )
        traffic_problems, traffic = judge_mixed_traffic(outcome)
    finally:
        rig.tear_down()
    return report(figures, scan_limit, traffic, problems + scan_problems + traffic_problems)


if __name__ == "__main__":
    sys.exit(main())
