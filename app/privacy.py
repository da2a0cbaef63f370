"""Personal data (ID numbers, phones, WeChat session keys): encrypted at rest, found by a keyed
hash, shown masked.

Ciphertext layout: 4-byte key id | 12-byte nonce | AES-256-GCM ciphertext and tag. The key id lets
old rows be read after the key is rotated (DATA_ENCRYPTION_OLD_KEYS), so rotation needs no downtime.
"""

import base64
import hashlib
import hmac
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

NONCE_BYTES = 12
KEY_ID_BYTES = 4


def decode_key(encoded: str) -> bytes:
    key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    if len(key) != 32:
        raise ValueError("encryption and hash keys must be 32 bytes, base64-encoded")
    return key


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:KEY_ID_BYTES]


def encrypt(plaintext: str) -> bytes:
    key = current_app.config["DATA_ENCRYPTION_KEY"]
    nonce = os.urandom(NONCE_BYTES)
    return _key_id(key) + nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), None)


def encrypted_with_current_key(blob: bytes) -> bool:
    return blob[:KEY_ID_BYTES] == _key_id(current_app.config["DATA_ENCRYPTION_KEY"])


def decrypt(blob: bytes) -> str:
    keys = {
        _key_id(k): k
        for k in [current_app.config["DATA_ENCRYPTION_KEY"], *current_app.config["DATA_ENCRYPTION_OLD_KEYS"]]
    }
    key_id, nonce, ciphertext = (
        blob[:KEY_ID_BYTES],
        blob[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES],
        blob[KEY_ID_BYTES + NONCE_BYTES :],
    )
    if key_id not in keys:
        raise ValueError("data was encrypted with a key that is no longer configured")
    return AESGCM(keys[key_id]).decrypt(nonce, ciphertext, None).decode()


def blind_index(value: str) -> str:
    """A keyed hash for uniqueness and exact look-up that reveals nothing without the key."""
    return hmac.new(current_app.config["DATA_HASH_KEY"], value.encode(), hashlib.sha256).hexdigest()


class Encrypted(TypeDecorator):
    """A text column stored as AES-GCM ciphertext; the model reads and writes plain text."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(bytes(value))


class EncryptedJSON(Encrypted):
    """A JSON value (e.g. a message's text, which may name a person or an address) stored as
    AES-GCM ciphertext."""

    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else super().process_bind_param(json.dumps(value, ensure_ascii=False), dialect)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(super().process_result_value(value, dialect))


def mask_phone(phone: str | None) -> str | None:
    """138****5678: enough for a person to recognise their own number."""
    if not phone:
        return None
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def mask_name(name: str | None) -> str | None:
    """张*梅, 张*, 欧阳**: the family name and, for three or more characters, the last one."""
    if not name:
        return None
    if len(name) <= 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(id_number: str | None) -> str | None:
    """4401**********123X: region prefix and last four only."""
    if not id_number:
        return None
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]
