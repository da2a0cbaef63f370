"""Where files are kept (a worker's documents and photo): one small interface, two backends.

- `local`: a folder (STORAGE_LOCAL_PATH, by default `files/` in the instance folder), the
  embedded default: `make run` needs nothing else. One host only, or a folder every host mounts.
- `s3`: any S3-compatible object store (AWS, Aliyun OSS, Tencent COS, MinIO) through boto3
  (app/s3_storage.py).

Files are private: nothing here makes a public URL. The app serves each file itself, to those
allowed, so that every look-up is checked and logged (a signed URL would let a file be fetched
again, by anyone holding the link, with no record). Keys are opaque (`new_key`): they never hold
a name or an ID number, as they show up in bucket listings and backups.

Every failure to reach the store is a 503 `storage_unavailable`; callers order their steps so
that a failure leaves nothing half-stored (see `discard_unless_committed`).
"""

import logging
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from app.database import after_rollback
from app.errors import NotFound, Unavailable
from app.i18n import _

log = logging.getLogger(__name__)
KEY_PATTERN = re.compile(r"[a-z]+/[0-9a-f]{32}")


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None:
        """Removes the file; a key that holds nothing is not an error (deleting twice is fine)."""

    def exists(self, key: str) -> bool: ...


def new_key(folder: str) -> str:
    """An opaque key in `folder` (documents, photos): 128 random bits, nothing about the person."""
    return f"{folder}/{secrets.token_hex(16)}"


def _checked(key: str) -> str:
    if KEY_PATTERN.fullmatch(key) is None:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def unavailable() -> Unavailable:
    return Unavailable(_("File storage is unavailable; try again shortly."), code="storage_unavailable")


def missing() -> NotFound:
    return NotFound(_("The stored file is missing."), code="file_missing")


class LocalStorage:
    """Files in a folder, written whole or not at all (a temporary file renamed into place). The
    content type is kept by the record that names the file, not here."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except OSError as error:
            log.error("storage: cannot write %s (%s)", key, error.__class__.__name__)
            raise unavailable() from error

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise missing() from None
        except OSError as error:
            raise unavailable() from error

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as error:
            raise unavailable() from error

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def init_storage(app: Flask) -> None:
    config = app.config
    if config["STORAGE_BACKEND"] == "s3":
        # boto3 and botocore's service models cost a process ~25 MB: only a deployment that
        # stores in S3 loads them.
        from app.s3_storage import S3Storage

        app.extensions["storage"] = S3Storage(config)
    else:
        app.extensions["storage"] = LocalStorage(config["STORAGE_LOCAL_PATH"] or Path(app.instance_path) / "files")


def storage() -> Storage:
    return current_app.extensions["storage"]


def discard_unless_committed(key: str) -> None:
    """The file stored under `key` belongs to a row of this request's transaction: if that
    transaction does not commit (a later step fails, the commit itself fails), the file is removed,
    so no file outlives the record that would have named it."""
    store = storage()

    def discard() -> None:
        try:
            store.delete(key)
        except Unavailable:
            log.error("storage: %s belongs to no record and could not be removed", key)

    after_rollback(discard)
