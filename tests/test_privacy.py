"""Personal data: masked for display, encrypted at rest, readable after a key rotation."""

import os

import pytest
from cryptography.exceptions import InvalidTag

from app import create_app
from app.privacy import blind_index, decrypt, encrypt, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize("name, masked", [("张三梅", "张*梅"), ("李四", "李*"), ("欧阳娜娜", "欧**娜"), ("王", "王")])
def test_names_keep_the_family_name_and_the_last_character(name, masked):
    assert mask_name(name) == masked


def test_phones_and_id_numbers_show_only_enough_to_recognise_them():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("44010619900307123X") == "4401**********123X"


def app_with(**keys):
    return create_app({"TESTING": True, **{name.upper(): value for name, value in keys.items()}})


def test_ciphertext_differs_every_time_and_decrypts_back():
    with app_with(data_encryption_key=os.urandom(32)).app_context():
        first, second = encrypt("13812345678"), encrypt("13812345678")
        assert first != second and b"5678" not in first
        assert decrypt(first) == "13812345678"


def test_after_rotating_the_key_old_data_still_reads_and_new_data_uses_the_new_key():
    old_key, new_key = os.urandom(32), os.urandom(32)
    with app_with(data_encryption_key=old_key).app_context():
        stored = encrypt("44010619900307123X")
    with app_with(data_encryption_key=new_key, data_encryption_old_keys=[old_key]).app_context():
        assert decrypt(stored) == "44010619900307123X"
    with app_with(data_encryption_key=new_key).app_context():
        with pytest.raises(ValueError, match="no longer configured"):
            decrypt(stored)


def test_tampered_ciphertext_is_refused():
    with app_with(data_encryption_key=os.urandom(32)).app_context():
        stored = bytearray(encrypt("13812345678"))
        stored[-1] ^= 1
        with pytest.raises(InvalidTag):
            decrypt(bytes(stored))


def test_look_up_hashes_are_stable_and_depend_on_the_key():
    key = os.urandom(32)
    with app_with(data_hash_key=key).app_context():
        first = blind_index("13812345678")
    with app_with(data_hash_key=key).app_context():
        assert blind_index("13812345678") == first
    with app_with(data_hash_key=os.urandom(32)).app_context():
        assert blind_index("13812345678") != first


# ---- the public-credit feed (GET /api/v1/public-credit/v1/records; tests/feed pulls a real worker's)
def test_the_public_credit_feed_has_no_field_for_an_id_number_a_phone_or_a_full_name():
    from feed.models import KIND_FIELDS
    from feed.schemas import CSV_COLUMNS

    published = set(CSV_COLUMNS) | {name for names in KIND_FIELDS.values() for name in names}
    assert not {name for name in published if "id_number" in name or "phone" in name or name.endswith("_name")} - {
        "company_name"
    }
    assert "worker_name_masked" in published and "worker_name" not in published
