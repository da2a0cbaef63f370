"""Settings read from the environment, in one place.

Production unless told otherwise: a deployment that forgets APP_ENV refuses to start without its
database, secrets and keys, and never serves dev-login or the public development keys. `make run`
asks for APP_ENV=development, which runs on the embedded default (SQLite + SpatiaLite in the
instance folder, no Redis); the test suite runs as APP_ENV=test. A
setting that does not parse (`SCAN_LOG_BATCH=abc`) stops the start with an error naming it.

Typed settings are read with marshmallow's fields, as environs does; environs itself is not used
because it reads only `os.environ`, and `load_config` takes the environment as an argument so that
tests hand it a plain dict instead of changing the process's environment.
"""

import os
from collections.abc import Mapping
from pathlib import Path

from marshmallow import ValidationError, fields, validate

from app.privacy import decode_key

DEVELOPMENT_ENCRYPTION_KEY = "ZGV2ZWxvcG1lbnQtb25seS1lbmNyeXB0aW9uLWtleSE"
DEVELOPMENT_HASH_KEY = "ZGV2ZWxvcG1lbnQtb25seS1sb29rdXAtaGFzaC1rZXk"


class ConfigError(RuntimeError):
    """A setting is missing, does not parse, or is unsafe for the chosen environment."""


class Settings:
    """Typed values from one environment; every setting that does not parse is collected, and
    `check()` names them all at once."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ
        self.problems: dict[str, str] = {}

    def integer(self, name: str, default: int) -> int:
        return self._parse(name, fields.Integer(), default)

    def number(self, name: str, default: float, *, at_most: float | None = None) -> float:
        return self._parse(name, fields.Float(validate=validate.Range(min=0, max=at_most)), default)

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        return self._parse(name, fields.String(validate=validate.OneOf(choices)), default)

    def _parse(self, name: str, field: fields.Field, default):
        raw = self.environ.get(name)
        if raw is None:
            return default
        try:
            return field.deserialize(raw.strip())
        except ValidationError as error:
            self.problems[name] = f"{name}={raw!r} ({' '.join(error.messages).rstrip('.')})"
            return default

    def check(self) -> None:
        if self.problems:
            raise ConfigError("Invalid settings in the environment: " + "; ".join(self.problems.values()))


def load_config(environ: Mapping[str, str] = os.environ, instance_path: str | Path = "instance") -> dict:
    settings = Settings(environ)
    env = environ.get("APP_ENV", "production")
    if env not in {"development", "production", "test"}:
        raise ConfigError(f"APP_ENV must be development, production or test, not {env!r}")

    database_url = environ.get("DATABASE_URL")
    secret_key = environ.get("SECRET_KEY")
    encryption_key = environ.get("DATA_ENCRYPTION_KEY")
    hash_key = environ.get("DATA_HASH_KEY")
    if env == "production":
        required = {
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret_key,
            "DATA_ENCRYPTION_KEY": encryption_key,
            "DATA_HASH_KEY": hash_key,
            # Without these nobody can log in, WeChat's pushes are refused, and printed
            # codes point at a development address.
            **{
                name: environ.get(name)
                for name in ("WECHAT_APPID", "WECHAT_SECRET", "WECHAT_CALLBACK_TOKEN", "PUBLIC_BASE_URL")
            },
        }
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise ConfigError(f"production needs {', '.join(missing)} in the environment")
    if not database_url:
        database_url = f"sqlite:///{Path(instance_path).resolve() / 'yangcheng.sqlite3'}"

    config = {
        "APP_ENV": env,
        "SECRET_KEY": secret_key or "development-only-secret",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        **replica_settings(settings),
        # Personal data at rest: AES-256-GCM key, old keys still readable, and the HMAC key of the
        # look-up hashes. The defaults are public development keys, refused in production.
        "DATA_ENCRYPTION_KEY": decode_key(encryption_key or DEVELOPMENT_ENCRYPTION_KEY),
        "DATA_ENCRYPTION_OLD_KEYS": [
            decode_key(k) for k in environ.get("DATA_ENCRYPTION_OLD_KEYS", "").split(",") if k
        ],
        "DATA_HASH_KEY": decode_key(hash_key or DEVELOPMENT_HASH_KEY),
        # Bodies are small JSON, anything larger is refused with 413; the upload routes (a
        # worker's documents and photo) allow their own limits (evidence_settings).
        "MAX_CONTENT_LENGTH": settings.integer("MAX_REQUEST_BYTES", 64 * 1024),
        "LOG_LEVEL": environ.get("LOG_LEVEL", "INFO"),
        # The bearer token Prometheus sends to /metrics; unset in production, /metrics is a 404.
        "METRICS_TOKEN": environ.get("METRICS_TOKEN", ""),
        # Load balancers in front of the app; their X-Forwarded-For entries name the client.
        "TRUSTED_PROXY_COUNT": settings.integer("TRUSTED_PROXY_COUNT", 0),
        "SESSION_LIFETIME_DAYS": settings.integer("SESSION_LIFETIME_DAYS", 30),
        # The console's browser sessions last a working day, not a month: desks are shared.
        "CONSOLE_SESSION_HOURS": settings.integer("CONSOLE_SESSION_HOURS", 12),
        # How long a console log-in code waits for its approval from the mini-program.
        "CONSOLE_TICKET_MINUTES": settings.integer("CONSOLE_TICKET_MINUTES", 5),
        "REDIS_URL": environ.get("REDIS_URL") or None,
        # How long a call waits for Redis, and how long a process then skips it (app/redis.py).
        "REDIS_TIMEOUT_SECONDS": settings.number("REDIS_TIMEOUT_SECONDS", 0.25),
        "REDIS_RETRY_SECONDS": settings.number("REDIS_RETRY_SECONDS", 5.0),
        "SPATIALITE_LIBRARY_PATH": environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite"),
        "STATIONS_CACHE_MAX_AGE": settings.integer("STATIONS_CACHE_MAX_AGE", 60),
        "STATIONS_VERSION_TTL": settings.number("STATIONS_VERSION_TTL", 5.0),
        "API_TITLE": "羊城家政 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "v1/openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
        # Printed into every 安心碼 QR code: the public address of this server (required in
        # production); elsewhere this machine at the port gunicorn serves (gunicorn.conf.py's PORT).
        "PUBLIC_BASE_URL": environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{environ.get('PORT', '5000')}"),
        "SCAN_RATE_LIMIT_PER_MINUTE": settings.integer("SCAN_RATE_LIMIT_PER_MINUTE", 60),
        # The number a scan tells a resident to call when a code is not green or not valid. The
        # default is Guangzhou's 12345 government service hotline, which takes domestic-service
        # complaints; a deployment with its own service desk sets its number.
        "PLATFORM_HOTLINE": environ.get("PLATFORM_HOTLINE", "12345"),
        # Per client address: generous, as whole neighbourhoods share one carrier-grade NAT address.
        "LOGIN_RATE_LIMIT": environ.get("LOGIN_RATE_LIMIT", "60/minute"),
        # Per logged-in user: far above what a household needs, far below what a script wants.
        "BOOKING_RATE_LIMIT": environ.get("BOOKING_RATE_LIMIT", "10/hour"),
        "COMPLAINT_RATE_LIMIT": environ.get("COMPLAINT_RATE_LIMIT", "5/hour"),
        # 确认入户 after any scan, per resident: each attempt counts, a refused one too (it is recorded).
        "DOOR_ENTRY_RATE_LIMIT": environ.get("DOOR_ENTRY_RATE_LIMIT", "20/hour"),
        # How long after a door entry its rating and complaints are taken.
        "DOOR_RATING_DAYS": settings.integer("DOOR_RATING_DAYS", 30),
        # With Redis: scan records are written to the database in batches of this many, or once the
        # oldest waits this long. Each process re-reads a scanned profile at least this often: the
        # bound on how long a suspension or a rotated code can go unseen at the door when Redis
        # missed the change (down, hung, partitioned), so never more than a second.
        "SCAN_LOG_BATCH": settings.integer("SCAN_LOG_BATCH", 100),
        "SCAN_LOG_FLUSH_SECONDS": settings.number("SCAN_LOG_FLUSH_SECONDS", 30.0),
        "SCAN_CACHE_SECONDS": settings.number("SCAN_CACHE_SECONDS", 1.0, at_most=1.0),
        # Expiry reminders (flask credit expiry-reminders, the expiring-items list): what ends
        # within this many days (Beijing's calendar) is due.
        "EXPIRY_REMINDER_DAYS": settings.integer("EXPIRY_REMINDER_DAYS", 30),
        # A long filtered list counts its rows up to this many ("1,000 条以上"), not every row of
        # the city, and its page numbers reach as far (app.paging): past them a reader pages by
        # 下一页 (the cursor), whatever the figure; a station's 回访 are due for
        # bookings whose service began within this many days (booking.aftercare.follow_ups_due).
        "LIST_COUNT_CAP": settings.integer("LIST_COUNT_CAP", 1_000),
        "FOLLOW_UP_WINDOW_DAYS": settings.integer("FOLLOW_UP_WINDOW_DAYS", 30),
        **verification_settings(settings),
        # Training check-in codes: signed with this key (a key derived from SECRET_KEY when unset),
        # each valid for the minute it was shown and the next; lessons count time while heartbeats
        # come at least this often (training.lessons).
        "TRAINING_CHECKIN_KEY": (environ.get("TRAINING_CHECKIN_KEY") or "").encode(),
        "TRAINING_HEARTBEAT_SECONDS": settings.integer("TRAINING_HEARTBEAT_SECONDS", 30),
        # A lesson's PDF material at most this large; a refresher an upheld complaint requires is
        # due this many days after (Beijing) today.
        "TRAINING_PDF_MAX_BYTES": settings.integer("TRAINING_PDF_MAX_BYTES", 20 * 1024 * 1024),
        "TRAINING_REFRESHER_DAYS": settings.integer("TRAINING_REFRESHER_DAYS", 30),
        # 失信 cases: the party may state their case (陈述申辩) for this many days after it is opened;
        # a listed party may apply for credit repair this many days after the listing began; the
        # public look-ups of the 失信名单 per client address.
        "SANCTIONS_STATEMENT_DAYS": settings.integer("SANCTIONS_STATEMENT_DAYS", 7),
        "SANCTIONS_REPAIR_MIN_DAYS": settings.integer("SANCTIONS_REPAIR_MIN_DAYS", 90),
        "SANCTIONS_LOOKUP_RATE_LIMIT": environ.get("SANCTIONS_LOOKUP_RATE_LIMIT", "60/minute"),
        **wechat_settings(settings),
        **series_and_waiting_settings(settings),
        **storage_settings(settings, env),
        **evidence_settings(settings),
        **engagement_settings(settings),
        **complaint_settings(settings),
    }
    settings.check()
    return config


def replica_settings(settings: Settings) -> dict:
    """A streaming replica of DATABASE_URL for the reads that may be a second stale (app/replica.py).
    Unset, every read goes to the primary. How long a connection to it may take (whole seconds,
    libpq's floor is 2), and how long a process reads the primary alone after it failed."""
    url = normalise_database_url(settings.environ.get("DATABASE_REPLICA_URL", ""))
    if url and not url.startswith("postgresql"):
        raise ConfigError("DATABASE_REPLICA_URL must be a PostgreSQL URL: a streaming replica of DATABASE_URL")
    return {
        "DATABASE_REPLICA_URL": url or None,
        "DATABASE_REPLICA_CONNECT_TIMEOUT_SECONDS": settings.integer("DATABASE_REPLICA_CONNECT_TIMEOUT_SECONDS", 2),
        "DATABASE_REPLICA_RETRY_SECONDS": settings.number("DATABASE_REPLICA_RETRY_SECONDS", 5.0),
    }


def engagement_settings(settings: Settings) -> dict:
    """Long and live-in engagements (engagements/): how far ahead one may start, how long it may
    last, how many candidates a station proposes, how often a follow-up call is due in service,
    how long after the end the resident may still complain;
    and how many requests a resident may make (per logged-in user)."""
    return {
        "ENGAGEMENT_MONTHS_AHEAD": settings.integer("ENGAGEMENT_MONTHS_AHEAD", 6),
        "ENGAGEMENT_MAX_DAYS": settings.integer("ENGAGEMENT_MAX_DAYS", 366),
        "ENGAGEMENT_MAX_CANDIDATES": settings.integer("ENGAGEMENT_MAX_CANDIDATES", 5),
        "ENGAGEMENT_FOLLOW_UP_DAYS": settings.integer("ENGAGEMENT_FOLLOW_UP_DAYS", 14),
        "ENGAGEMENT_COMPLAINT_DAYS": settings.integer("ENGAGEMENT_COMPLAINT_DAYS", 30),
        "ENGAGEMENT_RATE_LIMIT": settings.environ.get("ENGAGEMENT_RATE_LIMIT", "10/hour"),
    }


def verification_settings(settings: Settings) -> dict:
    """The service that answers background, insurance and real-name checks (credit.verification).
    Unset, it is not configured: asking it is a 503 verification_not_configured, and operators
    record the checks from paper certificates."""
    environ = settings.environ
    return {
        "VERIFICATION_API_BASE_URL": environ.get("VERIFICATION_API_BASE_URL", ""),
        "VERIFICATION_API_KEY": environ.get("VERIFICATION_API_KEY", ""),
        # Seconds to connect and to wait for the answer: an operator is waiting.
        "VERIFICATION_TIMEOUT_SECONDS": settings.number("VERIFICATION_TIMEOUT_SECONDS", 10.0),
    }


def wechat_settings(settings: Settings) -> dict:
    """The mini-program's identity, WeChat's address and what we send through it. The appid and
    secret default to empty: WeChat is then not configured, and nothing is ever sent to it (its
    calls answer 503 wechat_not_configured, subscribe messages are recorded as skipped)."""
    environ = settings.environ
    return {
        "WECHAT_APPID": environ.get("WECHAT_APPID", ""),
        "WECHAT_SECRET": environ.get("WECHAT_SECRET", ""),
        "WECHAT_CALLBACK_TOKEN": environ.get("WECHAT_CALLBACK_TOKEN", ""),
        # A proxy in production, the stub server in tests.
        "WECHAT_API_BASE_URL": environ.get("WECHAT_API_BASE_URL", "https://api.weixin.qq.com/"),
        # The version of the mini-program that codes open and subscribe messages link to: release
        # (published), trial (体验版) or develop (开发版). Only release's pages are checked by WeChat.
        "WECHAT_ENV_VERSION": settings.choice("WECHAT_ENV_VERSION", "release", ("release", "trial", "develop")),
        # Seconds to connect and to wait for each answer: a slow WeChat must not hold requests.
        "WECHAT_TIMEOUT_SECONDS": settings.number("WECHAT_TIMEOUT_SECONDS", 5.0),
        # WECHAT_TEMPLATE_<KIND>: the template id of each kind of subscribe message.
        "WECHAT_TEMPLATES": {
            name.removeprefix("WECHAT_TEMPLATE_").lower(): value
            for name, value in environ.items()
            if name.startswith("WECHAT_TEMPLATE_") and value
        },
        # Published mini-program pages that the codes open (scene passed as the page's `scene`).
        "WECHAT_WORKER_PAGE": environ.get("WECHAT_WORKER_PAGE", "pages/scan/index"),
        "WECHAT_STATION_PAGE": environ.get("WECHAT_STATION_PAGE", "pages/station/index"),
        # The page that approves a console log-in (scene: the ticket), with the person's session.
        "WECHAT_CONSOLE_LOGIN_PAGE": environ.get("WECHAT_CONSOLE_LOGIN_PAGE", "pages/console-login/index"),
        # The page a booking's subscribe messages open, with `?id=<booking id>`.
        "WECHAT_BOOKING_PAGE": environ.get("WECHAT_BOOKING_PAGE", "pages/booking/detail"),
        # The page a training class's subscribe message opens, with `?id=<class id>`.
        "WECHAT_TRAINING_PAGE": environ.get("WECHAT_TRAINING_PAGE", "pages/training/class"),
        # The page a 失信 case's subscribe message opens, with `?id=<case id>`.
        "WECHAT_SANCTIONS_PAGE": environ.get("WECHAT_SANCTIONS_PAGE", "pages/sanctions/case"),
        # The page an engagement's subscribe messages open, with `?id=<engagement id>`.
        "WECHAT_ENGAGEMENT_PAGE": environ.get("WECHAT_ENGAGEMENT_PAGE", "pages/engagement/detail"),
        "WECHAT_CODE_CACHE_SECONDS": settings.integer("WECHAT_CODE_CACHE_SECONDS", 7 * 24 * 3600),
        # A failed send is tried this many times in all, waiting BACKOFF, 2×BACKOFF, 4×... between.
        "WECHAT_MESSAGE_ATTEMPTS": settings.integer("WECHAT_MESSAGE_ATTEMPTS", 5),
        "WECHAT_MESSAGE_BACKOFF_SECONDS": settings.number("WECHAT_MESSAGE_BACKOFF_SECONDS", 30.0),
        "INVITE_LIFETIME_HOURS": settings.integer("INVITE_LIFETIME_HOURS", 72),
    }


def series_and_waiting_settings(settings: Settings) -> dict:
    """Recurring series and the waiting list (booking.series, booking.waiting)."""
    environ = settings.environ
    return {
        # A series: at most this many occurrences, the last within this many days of today (Beijing):
        # a weekly cleaning for three months by default.
        "SERIES_MAX_OCCURRENCES": settings.integer("SERIES_MAX_OCCURRENCES", 13),
        "SERIES_HORIZON_DAYS": settings.integer("SERIES_HORIZON_DAYS", 92),
        # How long a freed place is held for the first resident waiting before it goes to the next.
        "WAITING_OFFER_MINUTES": settings.integer("WAITING_OFFER_MINUTES", 30),
        # The page a waiting-list offer's subscribe message opens, with `?id=<entry id>`.
        "WECHAT_WAITING_PAGE": environ.get("WECHAT_WAITING_PAGE", "pages/booking/waiting"),
    }


def storage_settings(settings: Settings, env: str) -> dict:
    """Where the worker's documents and photo are kept (app/storage.py). Outside production, a
    folder in the instance folder. In production several hosts serve the app, and a file written
    to one host's disk would be missing on the others: STORAGE_BACKEND must be chosen, and `local`
    is accepted there only with STORAGE_LOCAL_PATH naming the folder explicitly (one every host
    mounts, or a deployment of one host), never the instance folder by default."""
    environ = settings.environ
    backend = settings.choice("STORAGE_BACKEND", "local", ("local", "s3"))
    local_path = environ.get("STORAGE_LOCAL_PATH", "")
    if env == "production" and "STORAGE_BACKEND" not in environ:
        raise ConfigError("production needs STORAGE_BACKEND (s3, or local with STORAGE_LOCAL_PATH) in the environment")
    if env == "production" and backend == "local" and not local_path:
        raise ConfigError(
            "STORAGE_BACKEND=local in production needs STORAGE_LOCAL_PATH: a folder every host serving the app "
            "mounts (the instance folder is one host's own)"
        )
    if backend == "s3" and not environ.get("S3_BUCKET"):
        raise ConfigError("STORAGE_BACKEND=s3 needs S3_BUCKET in the environment")
    return {
        "STORAGE_BACKEND": backend,
        "STORAGE_LOCAL_PATH": local_path,
        # Empty: AWS's own endpoint for the region; set for any other S3-compatible store.
        "S3_ENDPOINT_URL": environ.get("S3_ENDPOINT_URL", ""),
        "S3_BUCKET": environ.get("S3_BUCKET", ""),
        "S3_REGION": environ.get("S3_REGION", ""),
        # Empty: boto3's own chain (instance role, ~/.aws); set both for a key pair.
        "S3_ACCESS_KEY_ID": environ.get("S3_ACCESS_KEY_ID", ""),
        "S3_SECRET_ACCESS_KEY": environ.get("S3_SECRET_ACCESS_KEY", ""),
        # virtual (bucket.host, which Aliyun OSS and Tencent COS require), path (host/bucket, MinIO) or auto.
        "S3_ADDRESSING_STYLE": settings.choice("S3_ADDRESSING_STYLE", "auto", ("auto", "virtual", "path")),
        "S3_TIMEOUT_SECONDS": settings.number("S3_TIMEOUT_SECONDS", 10.0),
    }


def evidence_settings(settings: Settings) -> dict:
    """The limits of a worker's uploaded documents and photo, and how long documents are kept."""
    return {
        "DOCUMENT_MAX_BYTES": settings.integer("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024),
        "PHOTO_MAX_BYTES": settings.integer("PHOTO_MAX_BYTES", 5 * 1024 * 1024),
        # A photo larger than this many pixels is refused before it is decoded (a small file can
        # unpack into gigabytes: a decompression bomb); smaller than PHOTO_MIN_SIDE shows no face.
        "PHOTO_MAX_PIXELS": settings.integer("PHOTO_MAX_PIXELS", 40_000_000),
        "PHOTO_MIN_SIDE": settings.integer("PHOTO_MIN_SIDE", 200),
        # The longer side of the photo kept and shown (re-encoded as JPEG).
        "PHOTO_SIDE": settings.integer("PHOTO_SIDE", 600),
        # Photos fetched through 安心碼 per client address: each scan page shows one, and each
        # fetch reads the file store.
        "SCAN_PHOTO_RATE_LIMIT": settings.environ.get("SCAN_PHOTO_RATE_LIMIT", "120/minute"),
        # Days a document is kept after the certificate it holds ends, then deleted by
        # `flask credit purge-documents`.
        "DOCUMENT_RETENTION_DAYS": settings.integer("DOCUMENT_RETENTION_DAYS", 3 * 365),
    }


def complaint_settings(settings: Settings) -> dict:
    """How soon a complaint must be accepted (responded to) and decided (resolved), in hours after
    it was filed, by severity; and whether staff's triage of a complaint as serious suspends the
    worker's certificate pending review (off unless set to "on")."""
    return {
        "COMPLAINT_DEADLINE_HOURS": {
            "ordinary": (
                settings.integer("COMPLAINT_RESPOND_HOURS_ORDINARY", 24),
                settings.integer("COMPLAINT_RESOLVE_HOURS_ORDINARY", 7 * 24),
            ),
            "serious": (
                settings.integer("COMPLAINT_RESPOND_HOURS_SERIOUS", 2),
                settings.integer("COMPLAINT_RESOLVE_HOURS_SERIOUS", 3 * 24),
            ),
        },
        # A station's "what needs me now" lists complaints due within this many hours.
        "COMPLAINT_NEAR_HOURS": settings.integer("COMPLAINT_NEAR_HOURS", 4),
        "COMPLAINT_SERIOUS_SUSPENDS": settings.choice("COMPLAINT_SERIOUS_SUSPENDS", "off", ("on", "off")) == "on",
    }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres URLs, as most hosting panels hand those out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
