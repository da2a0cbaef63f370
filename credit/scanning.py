"""Keeps the 安心碼 scan, the busiest public path, off the database when Redis is configured.

- Each process caches the profile row per token. The cache is only trusted while Redis's
  `credit:version` is unchanged, and every commit that touches a certificate, worker or company
  gives that version a new value after it commits: a rotated code or a red status shows on the
  very next scan in every process. Entries also age out after SCAN_CACHE_SECONDS, which bounds
  staleness if Redis was unreachable at the moment of a change.
- Scan records are pushed to a Redis list and written to scan_logs in batches (the request that
  fills a batch, or finds its oldest record older than SCAN_LOG_FLUSH_SECONDS, writes it).
- Rate count, record and version take one Redis round trip (a Lua script): this is the hottest
  public path, so its limit is counted here rather than by app.rate_limits, which would cost a
  second round trip.
Without Redis (the embedded default), or while Redis is down, scans read and log straight to the
database and are counted per process by app.rate_limits: slower, never wrong.
"""

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import redis
from flask import current_app, has_app_context
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from app.clock import today_in_beijing
from app.database import after_commit
from app.extensions import db
from app.rate_limits import client_key, retry_after
from app.redis import redis_client
from credit.models import Certificate, Company, ScanLog, Worker
from credit.services import client_family, find_scannable, log_scan, scan_profile

VERSION_KEY = "credit:version"
LOG_KEY = "credit:scan-log"
CACHE_LIMIT = 10_000
SCAN_RELEVANT = (Certificate, Worker, Company)


# One round trip per scan: count the client's scan; if within the limit, buffer the scan record;
# return the data version (starting a new one if Redis has none) and the buffer's state.
ADMIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], 61) end
local version = redis.call('GET', KEYS[2])
if not version then
  version = ARGV[3]
  redis.call('SET', KEYS[2], version)
end
if count > tonumber(ARGV[1]) then return {count, version, 0, false} end
local length = redis.call('RPUSH', KEYS[3], ARGV[2])
return {count, version, length, redis.call('LINDEX', KEYS[3], 0)}
"""


@dataclass(frozen=True)
class Admission:
    retry_after: int | None = None  # seconds until this client may scan again; None when allowed
    version: str | None = None  # the credit data version; None when profiles cannot be cached
    buffered: bool = False  # the scan record waits in Redis
    write_due: bool = False  # the buffer is full or old enough to be written to scan_logs


def admit(token: str, channel: str, user_agent: str) -> Admission:
    """Counts the scan against the client's per-minute limit, buffers its record and reads the
    data version, all in one Redis round trip."""
    client = redis_client()
    if client is None:
        return _admit_without_redis()
    config = current_app.config
    minute = int(time.time() // 60)
    rate_key = f"scan-rate:{client_key()}:{minute}"
    entry = json.dumps([token, time.time(), channel, client_family(user_agent)])
    try:
        script = current_app.extensions.setdefault("scan_admit_script", client.register_script(ADMIT_SCRIPT))
        count, version, length, oldest = script(keys=[rate_key, VERSION_KEY, LOG_KEY],
                                                args=[config["SCAN_RATE_LIMIT_PER_MINUTE"], entry, uuid.uuid4().hex])
    except redis.RedisError:
        current_app.logger.warning("scan cache skipped and rate counted per process: Redis unavailable")
        return _admit_without_redis()
    if count > config["SCAN_RATE_LIMIT_PER_MINUTE"]:
        return Admission(retry_after=60 - int(time.time()) % 60)
    write_due = length >= config["SCAN_LOG_BATCH"] or time.time() - json.loads(oldest)[1] > config["SCAN_LOG_FLUSH_SECONDS"]
    return Admission(version=version.decode(), buffered=True, write_due=write_due)


def _admit_without_redis() -> Admission:
    return Admission(retry_after=retry_after(f"{current_app.config['SCAN_RATE_LIMIT_PER_MINUTE']}/minute",
                                             "scan", client_key()))


def _scannable(token: str, version: str | None) -> tuple[Certificate | None, dict]:
    """The scannable row behind a token (see credit.services.find_scannable) and the renderings of
    its profile made so far, from this process's cache when the data version allows."""
    if version is None:
        return find_scannable(token), {}
    cache = current_app.extensions.setdefault("scan_cache", {})
    now = time.monotonic()
    cached_version, cached_at, row, renderings = cache.get(token, (None, 0.0, None, None))
    if cached_version == version and now - cached_at < current_app.config["SCAN_CACHE_SECONDS"]:
        return row, renderings
    row, renderings = find_scannable(token), {}
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[token] = (version, now, row, renderings)
    return row, renderings


@dataclass(frozen=True)
class ScanOutcome:
    answer: object = None  # the rendered profile; None when the token names no scannable certificate
    retry_after: int | None = None  # seconds this client must wait; None when served


def serve(token: str, channel: str, user_agent: str, render: Callable[[dict], object]) -> ScanOutcome:
    """One scan, through any channel (API, page, mini-program code): counted against the client's
    limit and logged. `render` turns the public profile into the answer (JSON, HTML); while the
    data version and the day are unchanged, the process reuses its earlier rendering, so a scan
    costs one Redis round trip."""
    admission = admit(token, channel, user_agent)
    if admission.retry_after:
        return ScanOutcome(retry_after=admission.retry_after)
    certificate, renderings = _scannable(token, admission.version)
    if certificate is None:
        return ScanOutcome()
    settle(admission, certificate.id, channel, user_agent)
    today = today_in_beijing()  # the colour depends on the day: an expiring health certificate
    if (render, today) not in renderings:
        renderings[(render, today)] = render(scan_profile(certificate, today))
    return ScanOutcome(answer=renderings[(render, today)])


def settle(admission: Admission, certificate_id: int, channel: str, user_agent: str) -> None:
    """Makes sure a served scan is logged: written straight to scan_logs when Redis did not buffer
    it, or, when the buffer is due, the whole batch is written in this request's transaction."""
    if not admission.buffered:
        log_scan(certificate_id, channel, user_agent)
    elif admission.write_due:
        write_buffered_scans()


def write_buffered_scans() -> int:
    """Moves a batch of buffered scan records into scan_logs. Records are buffered by token; one
    whose token no longer names a certificate (never valid, or rotated since) is dropped."""
    try:
        entries = [json.loads(e) for e in redis_client().lpop(LOG_KEY, current_app.config["SCAN_LOG_BATCH"]) or []]
    except redis.RedisError:
        return 0
    tokens = {token for token, *_ in entries}
    certificate_ids = dict(db.session.execute(
        select(Certificate.scan_token, Certificate.id).where(Certificate.scan_token.in_(tokens))).all())
    rows = [{"certificate_id": certificate_ids[token], "scanned_at": datetime.fromtimestamp(at, tz=timezone.utc),
             "channel": channel, "client": family}
            for token, at, channel, family in entries if token in certificate_ids]
    if rows:
        db.session.execute(insert(ScanLog), rows)
    return len(rows)


@event.listens_for(Session, "after_flush")
def _note_scan_relevant_changes(session, _flush_context):
    if any(isinstance(obj, SCAN_RELEVANT) for obj in (*session.new, *session.dirty, *session.deleted)):
        after_commit(_renew_version, session)


def _renew_version() -> None:
    if has_app_context() and redis_client() is not None:
        try:
            redis_client().set(VERSION_KEY, uuid.uuid4().hex)
        except redis.RedisError:
            current_app.logger.error("credit:version not renewed (Redis unavailable): scans may lag "
                                     "by up to SCAN_CACHE_SECONDS")
