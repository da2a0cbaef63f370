"""Builders and constants the tests share: the app on each backend, users with roles and session
tokens, valid identifiers, bookings' bodies, the stub WeChat's settings. Fixtures live in
tests/conftest.py and tests/plugins/; this module holds the plain functions they and the tests call."""

import csv
import hashlib
import io
import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic

import psycopg
import time_machine
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from accounts.models import User
from accounts.services import grant_role, start_session
from app import create_app
from app.clock import BEIJING, today_in_beijing, utcnow
from app.extensions import db
from app.privacy import blind_index
from booking.models import Booking, Complaint
from credit import certificates, checks, registry
from credit.identifiers import credit_code_check_character, id_number_check_character
from credit.models import Worker
from stations.importer import StationImportReport, import_stations, validate_station_rows
from tests.wechat.stub import APPID, SECRET, StubWeChat

# The app on each backend ------------------------------------------------------------------------

STATIONS_CSV = Path(__file__).resolve().parent.parent / "stations" / "data" / "gz_streets.csv"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# Every test client calls from 127.0.0.1: the shared apps lift the limits, which the rate-limit
# tests set on apps of their own.
UNLIMITED = {
    "SCAN_RATE_LIMIT_PER_MINUTE": 1_000_000,
    "LOGIN_RATE_LIMIT": "1000000/minute",
    "BOOKING_RATE_LIMIT": "1000000/minute",
    "COMPLAINT_RATE_LIMIT": "1000000/minute",
    "SCAN_PHOTO_RATE_LIMIT": "1000000/minute",
    "DOOR_ENTRY_RATE_LIMIT": "1000000/minute",
    "ENGAGEMENT_RATE_LIMIT": "1000000/minute",
}

# The environment of a production deployment with every required setting.
PRODUCTION_ENVIRONMENT = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql://db/app",
    "SECRET_KEY": "s3cret",
    "DATA_ENCRYPTION_KEY": "A" * 43,
    "DATA_HASH_KEY": "B" * 43,
    "WECHAT_APPID": "wx0123456789abcdef",
    "WECHAT_SECRET": "wechat-s3cret",
    "WECHAT_CALLBACK_TOKEN": "push-token",
    "PUBLIC_BASE_URL": "https://jz.example.cn",
    "STORAGE_BACKEND": "s3",
    "S3_BUCKET": "yangcheng-files",
}


def recreate_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{target.database}"')


def empty_database_url(backend: str, tmp_path: Path, name: str) -> str:
    """An empty database on `backend` ("sqlite" or "postgresql") for a migration test to take up
    and down: a file under `tmp_path`, or a database of the suite's server named after the suite's
    and `name`, created afresh."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    suite = make_url(POSTGRES_URL)
    url = suite.set(database=f"{suite.database}_{name}").render_as_string(hide_password=False)
    recreate_postgres_database(url)
    return url


def load_stations(path: Path) -> StationImportReport:
    with path.open(encoding="utf-8-sig") as csv_file:
        valid, rejected = validate_station_rows(csv.DictReader(csv_file))
    assert not rejected
    report = import_stations(valid, StationImportReport())
    db.session.commit()
    return report


def build_app(database_url: str, **settings):
    from flask_migrate import upgrade

    app = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "STATIONS_VERSION_TTL": 0,
            **UNLIMITED,
            **settings,
        }
    )
    with app.app_context():
        upgrade()  # the migrations themselves are under test on both backends
        load_stations(STATIONS_CSV)
    return app


# The day the suite runs in ----------------------------------------------------------------------

# Beijing's date when the run began. tests/conftest.py holds every test's clock at this day's noon
# (and on from there as the run goes), so a run that crosses midnight still sees one day, and
# "next year", "last month" and "yesterday" below keep meaning what they meant when it began.
TODAY = today_in_beijing()
NOON = datetime.combine(TODAY, time(12), BEIJING).astimezone(UTC)
RUN_STARTED = monotonic()


def the_runs_clock():
    """This process's clock at noon in Beijing of the day the run began, plus the time the run has
    taken so far, ticking on (time-machine). Every test runs under it, and so do the fixtures that
    write rows once per run (the stations, the catalogue): a row they stamp is never later than
    what a test's clock reads, even when the run starts in the afternoon, after that noon."""
    return time_machine.travel(NOON.timestamp() + (monotonic() - RUN_STARTED), tick=True)


@contextmanager
def statements_on(engine: Engine, keep: Callable[[str], bool] = lambda _statement: True) -> Iterator[list[str]]:
    """`with statements_on(engine) as statements:` the SQL sent on `engine` meanwhile (those `keep`
    accepts), to prove what a path costs or where its reads go."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if keep(statement):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def statements_with_parameters(connection) -> Iterator[list[tuple[str, object]]]:
    """`with statements_with_parameters(connection) as sent:` each statement sent on the test's
    connection meanwhile with its parameters (savepoint bookkeeping aside), to explain its plan."""
    sent: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args):
        if "SAVEPOINT" not in statement.upper():
            sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


def plan_nodes(connection, statement: str, parameters) -> list[dict]:
    """Every node of PostgreSQL's plan of `statement` as run (EXPLAIN ANALYZE), index scans
    preferred as on a table of the city's size, where a test's few rows would be read whole."""
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).scalar_one()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    nodes, waiting = [], [plan[0]["Plan"]]
    while waiting:
        node = waiting.pop()
        nodes.append(node)
        waiting.extend(node.get("Plans", ()))
    return nodes


# Users and their session tokens -----------------------------------------------------------------

_openids = itertools.count(1)


def make_user(
    role: str | None = None,
    *,
    station_code: str | None = None,
    company_id: int | None = None,
    worker_id: int | None = None,
    phone: str | None = None,
) -> User:
    user = User(openid=f"test-openid-{next(_openids)}", phone=phone, phone_hash=phone and blind_index(phone))
    db.session.add(user)
    db.session.flush()
    if role:
        grant_role(user, role, station_code=station_code, company_id=company_id, worker_id=worker_id)
    db.session.commit()
    return user


def bearer(user: User) -> dict:
    token = start_session(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


# Workers, companies and certificates --------------------------------------------------------------

_sequence = itertools.count(1)
NEXT_YEAR = (TODAY + timedelta(days=365)).isoformat()
LAST_MONTH = (TODAY - timedelta(days=30)).isoformat()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()


def new_id_number(birth: str = "19850612") -> str:
    first17 = f"440106{birth}{next(_sequence) % 1000:03d}"
    return first17 + id_number_check_character(first17)


def new_credit_code() -> str:
    first17 = f"91440101MA{next(_sequence):07d}"
    return first17 + credit_code_check_character(first17)


DOCUMENTS = {
    "id_card_checked": True,
    "health_certificate_valid_until": NEXT_YEAR,
    "skill_certificate": "育婴员 四级 No.4401-2023-0001",
    "authorisation_signed_on": LAST_MONTH,
}

LIFECYCLE_TO_ISSUE = [
    ("documents", DOCUMENTS),
    ("training", {"hours": 40, "trained_on": LAST_MONTH}),
    ("exam", {"score": 86, "passed": True}),
    ("identity", {"matched": True}),
    ("issue", {}),
]


# The background check and the insurance that green also needs (scoring.toml's [colour]), as an
# operator records them from paper.
CLEAR_BACKGROUND_CHECK = {
    "kind": "criminal_record",
    "reference": "穗公(天)无犯证字〔2026〕0001号",
    "checked_on": LAST_MONTH,
    "result": "clear",
}
INSURANCE_IN_FORCE = {
    "kind": "insurance",
    "reference": "PICC-ZR-2026-0001",
    "checked_on": LAST_MONTH,
    "valid_from": LAST_MONTH,
    "valid_until": NEXT_YEAR,
    "result": "in_force",
}
GREEN_CHECKS = [CLEAR_BACKGROUND_CHECK, INSURANCE_IN_FORCE]


def token_of(worker: dict) -> str:
    return worker["certificate"]["scan_url"].rsplit("/", 1)[1]


def make_issued_worker(name: str, service_types: list[str] | None = None) -> Worker:
    """A worker taken through every certificate step by the credit services (no request, no
    commit), for tests that commit for real from several threads."""
    worker = registry.create_worker(
        {"name": name, "id_number": new_id_number(), "service_types": service_types or []}, None
    )
    certificate = worker.certificate
    certificates.check_documents(
        certificate,
        {**DOCUMENTS, "health_certificate_valid_until": date(2099, 1, 1), "authorisation_signed_on": date(2020, 1, 1)},
        None,
    )
    certificates.record_training(certificate, 40, date(2020, 1, 2), None)
    certificates.record_exam(certificate, 90, True, None)
    certificates.verify_identity(certificate, True, None)
    certificates.issue(certificate, None)
    for fact in GREEN_CHECKS:
        checks.record_check(certificate, {**_dates(fact), "source": "paper"}, None)
    return worker


def complaint_about(booking: Booking, **fields) -> Complaint:
    """A resident's complaint about `booking` as the complaint desk stores it (its station taken
    from the booking, which the station's triage reads by), added to the session; `fields` set the
    rest of its handling."""
    complaint = Complaint(
        booking_id=booking.id,
        station_code=booking.station_code,
        submitted_by_id=booking.resident_id,
        **{"type": "service_quality", "text": "不满意", "status": "submitted", "submitted_at": utcnow()} | fields,
    )
    db.session.add(complaint)
    return complaint


def _dates(body: dict) -> dict:
    return {name: date.fromisoformat(value) if name in DATE_FIELDS else value for name, value in body.items()}


DATE_FIELDS = ("checked_on", "valid_from", "valid_until")


# Bookings ---------------------------------------------------------------------------------------

STATION_A = "440106001000"  # 五山街道, 天河区
STATION_B = "440106002000"  # 员村街道, 天河区
STATION_A_GCJ02 = {"lat": 23.15888, "lng": 113.34684, "crs": "gcj02"}
phones = itertools.count(13800000000)


def slot_start(days_ahead: int = 1, hour: int = 10) -> datetime:
    """A cleaning slot (08:00 + n x 2 h, Beijing time) `days_ahead` days from today."""
    return datetime.combine(today_in_beijing() + timedelta(days=days_ahead), time(hour), BEIJING)


def booking_body(starts_at: datetime | str | None = None, **fields) -> dict:
    starts_at = starts_at or slot_start()
    return {
        "station_code": STATION_A,
        "service_code": "cleaning",
        "starts_at": starts_at.isoformat() if isinstance(starts_at, datetime) else starts_at,
        "address": "天河区五山路 1 号 2 栋 301",
        "location": STATION_A_GCJ02,
        "contact_name": "陈女士",
    } | fields


def key_header(key: str | None = None) -> dict:
    return {"Idempotency-Key": key or uuid.uuid4().hex}


# The stub WeChat (tests/wechat/stub.py) -----------------------------------------------------------

CALLBACK_TOKEN = "push-token-for-tests"
TEMPLATES = {
    "booking_received": "TPL-received",
    "booking_confirmed": "TPL-confirmed",
    "booking_assigned": "TPL-assigned",
    "booking_reminder": "TPL-reminder",
    "expiry_reminder": "TPL-expiry",
    "followup_survey": None,
}  # one kind left unconfigured on purpose


def signed(token=CALLBACK_TOKEN, timestamp="1764000000", nonce="n0nce", **extra) -> dict:
    """The query string of a push from WeChat, signed with `token` as WeChat does."""
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra}


def wechat_settings(stub: StubWeChat, **overrides) -> dict:
    return {
        "WECHAT_APPID": APPID,
        "WECHAT_SECRET": SECRET,
        "WECHAT_API_BASE_URL": stub.url,
        "WECHAT_CALLBACK_TOKEN": CALLBACK_TOKEN,
        "WECHAT_TEMPLATES": TEMPLATES,
        "WECHAT_TIMEOUT_SECONDS": 2.0,
        "WECHAT_ENV_VERSION": "release",
        "WECHAT_MESSAGE_BACKOFF_SECONDS": 0,
        **overrides,
    }


def make_wechat_app(app, stub, **overrides):
    """Another app on the same test database (so the test's transaction covers it)."""
    return create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            **UNLIMITED,
            **wechat_settings(stub, **overrides),
        }
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# Files a worker's side uploads -----------------------------------------------------------------

# A PDF as small as a reader still opens: what matters here is that it starts as PDFs do.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
GUANGZHOU_GPS = {1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 19.0, 12.0)}  # GPSLatitudeRef, ...


def image_bytes(image_format: str = "JPEG", size: tuple[int, int] = (800, 1000), *, gps: bool = False, **save) -> bytes:
    """A picture made at test time (a face-sized gradient), optionally with the GPS EXIF a phone
    writes into its photos."""
    from PIL import Image

    mode = "RGBA" if image_format == "PNG" and save.pop("transparent", False) else "RGB"
    image = Image.linear_gradient("L").resize(size).convert(mode)
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "TestPhone"  # Make
        exif.get_ifd(0x8825).update(GUANGZHOU_GPS)  # the GPS IFD
        save["exif"] = exif
    buffer = io.BytesIO()
    image.save(buffer, image_format, **save)
    return buffer.getvalue()


def upload_part(data: bytes, filename: str = "scan.jpg", content_type: str = "image/jpeg") -> tuple:
    """A multipart file part as the test client sends it."""
    return (io.BytesIO(data), filename, content_type)


def stored_files() -> set[Path]:
    """Every file the local storage of the run's apps holds (tests/conftest.py names the folder)."""
    return {path for path in Path(os.environ["STORAGE_LOCAL_PATH"]).rglob("*") if path.is_file()}


# Statements that make the database refuse every new ledger row, as a failing disk or a lost
# connection would refuse a write: the step after a file is stored.
REFUSE_LEDGER_ROWS = {
    "postgresql": [
        "CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END $$",
        "CREATE TRIGGER refuse_ledger BEFORE INSERT ON credit_events FOR EACH ROW EXECUTE FUNCTION refuse_row()",
    ],
    "sqlite": [
        "CREATE TRIGGER refuse_ledger BEFORE INSERT ON credit_events BEGIN SELECT RAISE(ABORT, 'refused'); END",
    ],
}


# Training ---------------------------------------------------------------------------------------

PRE_JOB_COURSE = {
    "title": "保洁岗前培训",
    "service_types": ["cleaning"],
    "kind": "theory",
    "purpose": "pre_job",
    "required_hours": 8,
    "pass_mark": 80,
}


def session_around_now(hours_before: float = 0.5, hours_after: float = 2.0) -> dict:
    """A session running now (Beijing time, with its offset)."""
    now = datetime.now(BEIJING)
    return {
        "starts_at": (now - timedelta(hours=hours_before)).isoformat(),
        "ends_at": (now + timedelta(hours=hours_after)).isoformat(),
    }


def offline_class_body(capacity: int = 30, sessions: list[dict] | None = None) -> dict:
    return {
        "title": "天河一班",
        "mode": "offline",
        "station_code": STATION_A,
        "trainer_name": "李老师",
        "capacity": capacity,
        "sessions": sessions or [session_around_now()],
    }


def online_class_body(*minutes: int) -> dict:
    return {
        "title": "线上班",
        "mode": "online",
        "lessons": [
            {"title": f"第{index}课", "text": "服务规范", "required_minutes": required}
            for index, required in enumerate(minutes or (10,), start=1)
        ],
    }
