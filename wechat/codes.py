"""Mini-program codes (小程序码, getwxacodeunlimit) for stations and for workers' 安心碼.

A code carries a `scene` of at most 32 visible characters. A station's scene is its 12-digit
code. A worker's scan token (43 characters) does not fit, so a worker's scene is
`w<certificate id>.<hex>`, the hex being the start of SHA-256 of the current scan token: it
reveals nothing of the token, rotating the token (a lost card) kills the old code too, and
resolving it is one primary-key read plus a constant-time comparison.
"""

import hashlib
import hmac
import re
import threading
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import redis
import requests
from cachetools import TTLCache
from flask import current_app
from sqlalchemy import select

from app.errors import Invalid, NotFound
from app.extensions import db
from app.i18n import _
from app.redis import redis_client
from credit.models import Certificate
from wechat.client import wechat_client
from wechat.errors import calling_wechat, unavailable

SCENE_MAX_LENGTH = 32
WORKER_SCENE = re.compile(r"w(\d{1,10})\.[0-9a-f]{20,30}")
SCAN_TOKEN = re.compile(r"[A-Za-z0-9_-]{10,64}")
CARD_URL_PATH = re.compile(r"/q/([A-Za-z0-9_-]{10,64})/?")
SCANNED_FORMS = (
    "the card's URL (…/q/<token>), its token, or the scene of its mini-program code "
    "(w<id>.<hex>, alone or in the code's page path)"
)
LOCAL_CACHE_LIMIT = 1_000
# What getwxacodeunlimit may answer; the OpenAPI document lists the same media types.
IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
IMAGE_MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def worker_scene(certificate: Certificate) -> str:
    prefix = f"w{certificate.id}."
    digest = hashlib.sha256(f"wxacode:{certificate.scan_token}".encode()).hexdigest()
    return prefix + digest[: SCENE_MAX_LENGTH - len(prefix)]


def scan_token_for_scene(scene: str) -> str:
    """The current scan token behind a worker's scene; 404 for anything else, including the
    scene of a rotated token."""
    match = WORKER_SCENE.fullmatch(scene)
    certificate = db.session.get(Certificate, int(match.group(1))) if match else None
    if (
        certificate is None
        or certificate.scan_token is None
        or not hmac.compare_digest(worker_scene(certificate), scene)
    ):
        raise NotFound(_("This code does not name a valid 安心码."), code="unknown_scene")
    return certificate.scan_token


def token_from_scan(scanned: str) -> str | None:
    """The scan token behind what wx.scanCode gave for a worker's card: the QR's full URL, the
    bare token, or the mini-program code's scene (alone, or in the page path `…?scene=w12.ab…`,
    URL-encoded or not). None when the text is none of these; a scene that names no current
    card (rotated, forged) is refused like an unknown token, as a 404."""
    text = scanned.strip()
    if text.startswith(("http://", "https://")):
        match = CARD_URL_PATH.fullmatch(urlsplit(text).path)
        return match.group(1) if match else None
    scene = unquote(text)
    if "scene=" in scene:
        scene = next(iter(parse_qs(urlsplit(scene).query).get("scene", [])), "")
    if WORKER_SCENE.fullmatch(scene):
        return scan_token_for_scene(scene)
    return text if SCAN_TOKEN.fullmatch(text) else None


def scanned_certificate(scanned: str, *options) -> Certificate:
    """The certificate whose 安心碼 a resident scanned at the door, in whichever form the scan
    gave it (loaded with `options`); a 422 on `token` for anything that names no current card."""
    unknown = Invalid(
        _("This is not a valid 安心码."), code="unknown_token", errors={"token": [_("unknown or replaced 安心码")]}
    )
    try:
        token = token_from_scan(scanned)
    except NotFound:  # the scene of a rotated or forged card
        raise unknown from None
    if token is None:
        raise Invalid(_("This is not a 安心码: send %(forms)s.", forms=SCANNED_FORMS), code="not_a_scan", field="token")
    certificate = db.session.scalar(select(Certificate).where(Certificate.scan_token == token).options(*options))
    if certificate is None:
        raise unknown
    return certificate


class MiniProgramCode(NamedTuple):
    image: bytes
    media_type: str


def image_media_type(content: bytes) -> str | None:
    """The media type of an image, read from its first bytes; None for anything else. WeChat
    documents getwxacodeunlimit's answer only as "an image buffer" and is reported to send JPEG
    where PNG was expected, so whatever image it makes is taken, and served as what it is."""
    for signature, media_type in IMAGE_SIGNATURES:
        if content.startswith(signature):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def mini_program_code(scene: str, page: str) -> MiniProgramCode:
    """The image for a scene and page, in the configured version of the mini-program, from the
    cache (Redis when configured, else this process) or from WeChat. WeChat limits how many codes
    an app may make, so each is made once."""
    config = current_app.config
    made_for = f"{config['WECHAT_APPID']}|{config['WECHAT_ENV_VERSION']}|{page}|{scene}"
    key = "wechat:code:" + hashlib.sha256(made_for.encode()).hexdigest()
    code = _as_code(_cached(key))
    if code is None:
        with calling_wechat():
            answer = wechat_client().get_unlimited_code(scene, page)
        code = _as_code(answer.content if isinstance(answer, requests.Response) else None)
        if code is None:
            raise unavailable(_("WeChat did not return an image for this code."))
        _cache(key, code.image)
    return code


def _as_code(content: bytes | None) -> MiniProgramCode | None:
    """The content as a code if it is an image."""
    if not content:
        return None
    media_type = image_media_type(content)
    return MiniProgramCode(content, media_type) if media_type is not None else None


class LocalCodeCache:
    """Without Redis, each process keeps the codes it made for WECHAT_CODE_CACHE_SECONDS, the
    LOCAL_CACHE_LIMIT most recent of them (the oldest makes way, nothing is dropped wholesale)."""

    def __init__(self, lifetime_seconds: float):
        self._codes: TTLCache = TTLCache(maxsize=LOCAL_CACHE_LIMIT, ttl=lifetime_seconds)
        self._lock = threading.Lock()  # a TTLCache is not safe across threads on its own

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._codes.get(key)

    def set(self, key: str, image: bytes) -> None:
        with self._lock:
            self._codes[key] = image


def _cached(key: str) -> bytes | None:
    client = redis_client()
    if client is not None:
        try:
            cached = client.get(key)
        except redis.RedisError:
            return None
        return cached if isinstance(cached, bytes) else None
    return current_app.extensions["wechat_codes"].get(key)


def _cache(key: str, image: bytes) -> None:
    client = redis_client()
    if client is not None:
        try:
            client.set(key, image, ex=current_app.config["WECHAT_CODE_CACHE_SECONDS"])
        except redis.RedisError:
            current_app.logger.warning("mini-program code not cached: Redis unavailable")
        return
    current_app.extensions["wechat_codes"].set(key, image)
