"""The worker's photo, which the resident compares with the face at the door: checked (a real
JPEG, PNG or WebP image as Pillow reads it, within size and pixel limits, refused before decoding
when it would unpack too large), turned upright, stripped of EXIF (location included) by being
re-encoded as a JPEG no larger than PHOTO_SIDE, and served publicly only through a valid 安心碼.

A new photo replaces the shown one, and the old file is deleted once the replacement commits: a
face no longer shown is not kept. Callers commit; these functions only flush."""

import hashlib
import io
import logging
import warnings

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from accounts.models import User
from app.clock import utcnow
from app.database import after_commit
from app.errors import Invalid, NotFound, TooLarge, Unavailable, UnsupportedMediaType
from app.extensions import db
from app.i18n import _
from app.storage import discard_unless_committed, new_key, storage
from credit.documents import read_limited
from credit.ledger import append_event
from credit.models import Certificate, Worker

log = logging.getLogger(__name__)
FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
WHITE = (255, 255, 255)


def normalised(data: bytes) -> bytes:
    """The photo as it is kept: upright, RGB, at most PHOTO_SIDE on its longer side, JPEG, no
    metadata at all."""
    config = current_app.config
    too_many_pixels = TooLarge(
        _("The photo has more than the %(limit)s pixels allowed.", limit=config["PHOTO_MAX_PIXELS"]), field="file"
    )
    with warnings.catch_warnings():
        # Pillow's own guard against decompression bombs (MAX_IMAGE_PIXELS) as an error, even
        # where it would only warn; ours (PHOTO_MAX_PIXELS) is checked before any decoding.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except (UnidentifiedImageError, OSError):
            raise UnsupportedMediaType(_("The photo must be a JPEG, PNG or WebP image."), field="file") from None
        if image.width * image.height > config["PHOTO_MAX_PIXELS"]:
            raise too_many_pixels
        if min(image.size) < config["PHOTO_MIN_SIDE"]:
            raise Invalid(
                _("The photo must be at least %(side)s pixels on each side.", side=config["PHOTO_MIN_SIDE"]),
                code="photo_too_small",
                field="file",
            )
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
        except (OSError, SyntaxError, ValueError):
            raise UnsupportedMediaType(_("The photo could not be read as an image."), field="file") from None
    upright.thumbnail((config["PHOTO_SIDE"], config["PHOTO_SIDE"]), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    _on_white(upright).save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return output.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (a bare conversion would turn it black)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def replace_photo(worker: Worker, file: FileStorage, actor: User | None) -> Worker:
    """Checks, cleans and stores the uploaded photo, and shows it from the next scan on."""
    return show_photo(worker, normalised(read_limited(file, current_app.config["PHOTO_MAX_BYTES"])), actor)


def show_photo(worker: Worker, photo: bytes, actor: User | None) -> Worker:
    """Stores a normalised photo and shows it in place of the last one."""
    key = new_key("photos")
    discard_unless_committed(key)
    storage().put(key, photo, "image/jpeg")
    replaced = worker.photo_key
    worker.photo_key = key
    worker.updated_at = utcnow()
    append_event(worker, "note", 0, actor, reason="photo uploaded", after={"photo": "replaced" if replaced else "new"})
    if replaced is not None:
        after_commit(lambda: _delete_replaced(replaced))
    return worker


def _delete_replaced(key: str) -> None:
    try:
        storage().delete(key)
    except Unavailable:
        log.error("storage: the replaced photo %s could not be deleted; delete it by hand", key)


def no_photo() -> NotFound:
    return NotFound(_("No photo has been uploaded for this worker."), code="no_photo")


def photo_of(worker: Worker) -> bytes:
    if worker.photo_key is None:
        raise no_photo()
    return storage().get(worker.photo_key)


def etag_of(key: str) -> str:
    """Names the photo for caches without naming its storage key."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def photo_key_for_scan(token: str) -> str:
    """The photo's key behind a 安心碼, under the scan's own rules: an unknown or rotated token,
    or a worker whose authorisation is withdrawn, shows no photo (a 404, as its scan is)."""
    row = db.session.execute(
        select(Worker.photo_key, Certificate.authorisation_signed_on)
        .join(Worker, Worker.id == Certificate.worker_id)
        .where(Certificate.scan_token == token)
    ).one_or_none()
    if row is None or row.authorisation_signed_on is None:
        raise NotFound(_("This is not a valid 安心码."), code="not_a_valid_code", field="token")
    if row.photo_key is None:
        raise no_photo()
    return row.photo_key
