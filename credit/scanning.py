"""The public 安心碼 scan, the busiest public path: the profile behind a token, its answer, the scan
log, and what keeps it off the database when Redis is configured.

- Each process caches the profile row per token (a TTLCache: the least recently used entries
  make room, nothing is dropped wholesale). The cache is only trusted while Redis's
  `credit:version` is unchanged, and every commit that touches a certificate, worker or company
  gives that version a new value after it commits: a rotated code or a red status shows on the
  very next scan in every process. Entries also age out after SCAN_CACHE_SECONDS (at most 1 s),
  which bounds staleness when Redis missed the change (down, hung or partitioned at that moment):
  no acknowledged suspension or rotation goes unseen at the door for longer.
- Scan records are pushed to a Redis list and written to scan_logs in batches (the request that
  fills a batch, or finds its oldest record older than SCAN_LOG_FLUSH_SECONDS, writes it).
- Rate count, record and version take one Redis round trip (a Lua script): this is the hottest
  public path, so its limit is counted here rather than by app.rate_limits, which would cost a
  second round trip.
Without Redis (the embedded default), or while Redis is down, scans read and log straight to the
database and are counted per process by app.rate_limits: slower, never wrong.
"""

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import redis
from cachetools import TTLCache
from flask import current_app, has_app_context, request
from sqlalchemy import bindparam, event, insert, select, text
from sqlalchemy.orm import Session

from app.access import current_principal
from app.clock import in_beijing, today_in_beijing, utcnow
from app.database import after_commit, read_one
from app.errors import NotFound
from app.extensions import db
from app.i18n import _
from app.privacy import mask_name
from app.rate_limits import client_key, retry_after, too_many_requests
from app.redis import redis_client
from credit.certificates import ADVICE, colour, reasons, scan_photo_url
from credit.models import STATE_NAMES, Certificate, Company, ScanLog, Worker
from credit.own_file import viewer_kind
from credit.service_types import named

VERSION_KEY = "credit:version"
LOG_KEY = "credit:scan-log"
CACHE_SIZE = 10_000  # tokens per process
SCAN_RELEVANT = (Certificate, Worker, Company)
# What the resident reads of the background check and the insurance, by result.
BACKGROUND_CHECK_TEXT = {
    "clear": "无犯罪记录（核查于 {checked_on}）",
    "pending": "核查中",
    "record_found": "核查未通过",
}
INSURANCE_TEXT = {"in_force": "保险有效期至 {valid_until}", "pending": "核实中", "not_insured": "未投保"}


# ---------------------------------------------------------------- the profile behind a token

# One Core query of just the columns the profile shows, built once.
SCAN_QUERY = (
    select(
        Certificate.id,
        Certificate.scan_token,
        Certificate.number,
        Certificate.state,
        Certificate.health_certificate_valid_until,
        Certificate.identity_verified_on,
        Certificate.refresher_due_on,
        Certificate.trained_on,
        Certificate.exam_passed_on,
        Certificate.authorisation_signed_on,
        Certificate.criminal_record_result,
        Certificate.criminal_record_checked_on,
        Certificate.criminal_record_valid_until,
        Certificate.insurance_result,
        Certificate.insurance_valid_from,
        Certificate.insurance_valid_until,
        Certificate.updated_at.label("certificate_updated_at"),
        Worker.name,
        Worker.photo_url,
        Worker.photo_key,
        Worker.service_types,
        Worker.skills,
        Worker.stars,
        Worker.rating_count,
        Worker.rating_mean,
        Worker.upheld_complaints,
        Worker.listed_until,
        Worker.updated_at.label("worker_updated_at"),
        Company.name.label("company_name"),
        Company.grade.label("company_grade"),
    )
    .join(Worker, Worker.id == Certificate.worker_id)
    .outerjoin(Company, Company.id == Worker.company_id)
    .where(Certificate.scan_token == bindparam("token"))
)


def find_scannable(token: str):
    """The row behind a 安心碼 (certificate, worker, company); None when the token is unknown or
    rotated, or the worker's authorisation is not signed. Read in one round trip outside any
    transaction (app.database.read_one): it sees every commit made before the scan."""
    row = read_one(db, SCAN_QUERY, {"token": token})
    if row is None or row.authorisation_signed_on is None:
        return None
    return row


def scan_profile(row, today: date) -> dict:
    """The public profile: never the ID number, phone or address.

    Built by hand from the scan's row, unlike the rest of credit (whose schemas serialise ORM
    objects): this is the measured hot path, and its one rendering per day is cached. The colour,
    its reasons and the advice all come from the row already read: no query of their own. The
    scan knows no station (a worker is not bound to one), so the hotline is the platform's."""
    found = reasons(row, today)
    shown_colour = colour(row, today)
    cleared = row.criminal_record_result == "clear"
    insured = row.insurance_result == "in_force"
    return {
        # The uploaded photo, else one kept elsewhere (photo_url as typed), else none.
        "photo_url": scan_photo_url(row.scan_token) if row.photo_key else row.photo_url,
        "name": mask_name(row.name),
        "certificate_number": row.number,
        "state": row.state,
        "state_name": STATE_NAMES[row.state],
        "colour": shown_colour,
        "reasons": [{"code": r.code, "field": r.field, "message": r.message} for r in found],
        "advice": ADVICE[shown_colour],
        "hotline": current_app.config["PLATFORM_HOTLINE"],
        "stars": row.stars,
        "service_types": named(row.service_types),
        "skills": row.skills or [],
        "identity_verified": row.identity_verified_on is not None,
        "training_passed": row.trained_on is not None,
        "exam_passed": row.exam_passed_on is not None,
        "health_certificate_valid_until": row.health_certificate_valid_until,
        # The result and its dates only: the certificate, the policy and their numbers stay in the file.
        "background_check": BACKGROUND_CHECK_TEXT.get(row.criminal_record_result, "").format(
            checked_on=row.criminal_record_checked_on
        )
        or None,
        "background_checked_on": row.criminal_record_checked_on if cleared else None,
        "insurance": INSURANCE_TEXT.get(row.insurance_result, "").format(valid_until=row.insurance_valid_until) or None,
        "insurance_valid_until": row.insurance_valid_until if insured else None,
        # Shown once it has passed: before then a required refresher is between the worker and
        # the platform.
        "refresher_due_on": row.refresher_due_on
        if row.refresher_due_on is not None and row.refresher_due_on < today
        else None,
        "rating_count": row.rating_count,
        "rating_mean": row.rating_mean,
        "complaint_count": row.upheld_complaints,
        "company": None if row.company_name is None else {"name": row.company_name, "grade": row.company_grade},
        "updated_at": max(row.certificate_updated_at, row.worker_updated_at),
    }


def client_family(user_agent: str) -> str:
    """Coarse client class for the scan log; the user agent itself is not kept."""
    agent = user_agent.lower()
    for marker, family in (
        ("micromessenger", "wechat"),
        ("android", "android"),
        ("iphone", "ios"),
        ("ipad", "ios"),
        ("mozilla", "browser"),
    ):
        if marker in agent:
            return family
    return "other"


def _commit_without_waiting_for_the_log() -> None:
    """On PostgreSQL the scan's transaction, which writes only scan records, does not wait for its
    WAL flush: a crash may lose the last scan records written, never anything else, and the scan
    stays fast."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def log_scan(certificate_id: int, channel: str, user_agent: str, viewer: str) -> None:
    """One row per scan, written without waiting for the log (_commit_without_waiting_for_the_log)."""
    _commit_without_waiting_for_the_log()
    db.session.execute(
        insert(ScanLog).values(
            certificate_id=certificate_id,
            scanned_at=utcnow(),
            channel=channel,
            client=client_family(user_agent),
            viewer=viewer,
        )
    )


# ---------------------------------------------------------------- the answer


def scan_answer(token: str, channel: str):
    """The JSON answer to a scan, through the API (GET /scan/{token}) or a mini-program code
    (wechat's GET /wechat/scan/{scene})."""
    outcome = serve(token, channel, request.user_agent.string, render=_scan_json)
    if outcome.retry_after:
        raise too_many_requests(outcome.retry_after, "scans")
    if outcome.answer is None:
        raise NotFound(_("This is not a valid 安心码."), code="not_a_valid_code", field="token")
    return current_app.response_class(
        outcome.answer, mimetype="application/json", headers={"Cache-Control": "no-store"}
    )


# The profile's dates, written as ScanSchema's Date fields write them.
PROFILE_DATES = ("health_certificate_valid_until", "background_checked_on", "insurance_valid_until", "refresher_due_on")


def _scan_json(profile: dict) -> str:
    """The profile as credit.schemas.ScanSchema documents it (tests/credit hold the two to the
    same answer), written without marshmallow: on a scan that misses the cache its dump cost
    more than the database read."""
    written = {name: None if profile[name] is None else profile[name].isoformat() for name in PROFILE_DATES}
    written["updated_at"] = in_beijing(profile["updated_at"]).isoformat()
    return current_app.json.dumps(profile | written)


# ---------------------------------------------------------------- Redis: rate, version, buffered log


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


def admit(token: str, channel: str, user_agent: str, viewer: str) -> Admission:
    """Counts the scan against the client's per-minute limit, buffers its record and reads the
    data version, all in one Redis round trip."""
    client = redis_client()
    if client is None:
        return _admit_without_redis()
    config = current_app.config
    minute = int(time.time() // 60)
    rate_key = f"scan-rate:{client_key()}:{minute}"
    entry = json.dumps([token, time.time(), channel, client_family(user_agent), viewer])
    try:
        script = current_app.extensions.get("scan_admit_script") or current_app.extensions.setdefault(
            "scan_admit_script", client.register_script(ADMIT_SCRIPT)
        )
        count, version, length, oldest = script(
            keys=[rate_key, VERSION_KEY, LOG_KEY], args=[config["SCAN_RATE_LIMIT_PER_MINUTE"], entry, uuid.uuid4().hex]
        )
    except redis.RedisError:  # app.redis logs when Redis stops answering
        return _admit_without_redis()
    if count > config["SCAN_RATE_LIMIT_PER_MINUTE"]:
        return Admission(retry_after=60 - int(time.time()) % 60)
    write_due = (
        length >= config["SCAN_LOG_BATCH"] or time.time() - json.loads(oldest)[1] > config["SCAN_LOG_FLUSH_SECONDS"]
    )
    return Admission(version=version.decode(), buffered=True, write_due=write_due)


def _admit_without_redis() -> Admission:
    return Admission(
        retry_after=retry_after(f"{current_app.config['SCAN_RATE_LIMIT_PER_MINUTE']}/minute", "scan", client_key())
    )


def _profile_cache() -> tuple[TTLCache, threading.Lock]:
    """This process's cache of scannable rows by token (a TTLCache is not thread-safe: its lock
    comes with it)."""
    cache = current_app.extensions.get("scan_cache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "scan_cache", (TTLCache(maxsize=CACHE_SIZE, ttl=current_app.config["SCAN_CACHE_SECONDS"]), threading.Lock())
        )
    return cache


def _scannable(token: str, version: str | None) -> tuple[Certificate | None, dict]:
    """The scannable row behind a token (see find_scannable) and the renderings of its profile
    made so far, from this process's cache while neither the shared data version (Redis's; None
    without Redis) nor this process's own changes have moved since it was read, and for at most
    SCAN_CACHE_SECONDS in any case: the bound when a change made elsewhere did not reach Redis."""
    stamp = (version, current_app.extensions.get("scan_local_version", 0))
    cache, lock = _profile_cache()
    with lock:
        cached = cache.get(token)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    row = find_scannable(token)
    renderings: dict = {}
    with lock:
        cache[token] = (stamp, row, renderings)
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
    viewer = viewer_kind(current_principal())
    admission = admit(token, channel, user_agent, viewer)
    if admission.retry_after:
        return ScanOutcome(retry_after=admission.retry_after)
    certificate, renderings = _scannable(token, admission.version)
    if certificate is None:
        return ScanOutcome()
    settle(admission, certificate.id, channel, user_agent, viewer)
    today = today_in_beijing()  # the colour depends on the day: an expiring health certificate
    if (render, today) not in renderings:
        renderings[(render, today)] = render(scan_profile(certificate, today))
    return ScanOutcome(answer=renderings[(render, today)])


def settle(admission: Admission, certificate_id: int, channel: str, user_agent: str, viewer: str) -> None:
    """Makes sure a served scan is logged: written straight to scan_logs when Redis did not buffer
    it (not configured, or not answering: every look-up of a worker's file is on record, whatever
    Redis does), or, when the buffer is due, the whole batch is written in this request's
    transaction."""
    if not admission.buffered:
        log_scan(certificate_id, channel, user_agent, viewer)
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
    certificate_ids = dict(
        db.session.execute(
            select(Certificate.scan_token, Certificate.id).where(Certificate.scan_token.in_(tokens))
        ).all()
    )
    rows = [
        {
            "certificate_id": certificate_ids[token],
            "scanned_at": datetime.fromtimestamp(at, tz=UTC),
            "channel": channel,
            "client": family,
            # Records buffered before the viewer was kept have four items.
            "viewer": viewer[0] if viewer else None,
        }
        for token, at, channel, family, *viewer in entries
        if token in certificate_ids
    ]
    if rows:
        _commit_without_waiting_for_the_log()
        db.session.execute(insert(ScanLog), rows)
    return len(rows)


@event.listens_for(Session, "after_flush")
def _note_scan_relevant_changes(session, _flush_context):
    if any(isinstance(obj, SCAN_RELEVANT) for obj in (*session.new, *session.dirty, *session.deleted)):
        after_commit(_renew_version, session)


def _renew_version() -> None:
    """After a commit that touched a certificate, worker or company: this process's cached
    profiles are stale at once, and every other process's on its next scan through Redis."""
    if not has_app_context():
        return
    current_app.extensions["scan_local_version"] = current_app.extensions.get("scan_local_version", 0) + 1
    if redis_client() is not None:
        try:
            redis_client().set(VERSION_KEY, uuid.uuid4().hex)
        except redis.RedisError:
            current_app.logger.error(
                "credit:version not renewed (Redis unavailable): scans may lag by up to SCAN_CACHE_SECONDS"
            )
