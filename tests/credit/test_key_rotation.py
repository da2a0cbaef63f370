"""Rotating the key that protects ID numbers and phones, without downtime and without loss."""

import os

import pytest
from sqlalchemy import text

from app.privacy import KEY_ID_BYTES, _key_id, decrypt
from tests.factories import new_id_number

NEW_KEY = os.urandom(32)


def stored_blobs(isolated, worker_id):
    return isolated.execute(text("SELECT id_number, phone FROM workers WHERE id = :id"), {"id": worker_id}).one()


@pytest.fixture
def rotate(app, monkeypatch):
    """Deploys a new key, listing the one in use until now as old."""

    def deploy_new_key():
        monkeypatch.setitem(app.config, "DATA_ENCRYPTION_OLD_KEYS", [app.config["DATA_ENCRYPTION_KEY"]])
        monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEY", NEW_KEY)

    return deploy_new_key


def test_workers_stay_readable_while_the_old_key_is_listed(make_applicant, client, operator, rotate):
    worker = make_applicant(id_number=new_id_number(), phone="13812345678")
    rotate()
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["phone"] == "138****5678"


def test_reencrypt_moves_every_value_to_the_new_key_so_the_old_one_can_go(
    app, make_applicant, cli, isolated, rotate, monkeypatch, client, operator
):
    id_number = new_id_number()
    worker = make_applicant(id_number=id_number, phone="13812345678")
    rotate()

    result = cli("keys", "reencrypt")
    assert result.exit_code == 0 and "workers: 1 rows re-encrypted" in result.output

    for blob in stored_blobs(isolated, worker["id"]):
        assert bytes(blob)[:KEY_ID_BYTES] == _key_id(NEW_KEY)
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_OLD_KEYS", [])
    with app.app_context():
        assert decrypt(bytes(stored_blobs(isolated, worker["id"])[0])) == id_number
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["phone"] == "138****5678"
    assert "workers: 0 rows re-encrypted" in cli("keys", "reencrypt").output


def test_after_a_new_hash_key_rehash_makes_id_numbers_findable_again(
    app, make_applicant, client, operator, cli, monkeypatch
):
    id_number = new_id_number()
    make_applicant(id_number=id_number)
    monkeypatch.setitem(app.config, "DATA_HASH_KEY", os.urandom(32))

    result = cli("keys", "rehash")
    assert result.exit_code == 0 and "workers: 1 rows re-hashed" in result.output
    duplicate = client.post("/api/v1/workers", json={"name": "重复申请", "id_number": id_number}, headers=operator)
    assert duplicate.status_code == 409 and "id_number" in duplicate.json["errors"]
    assert "workers: 0 rows re-hashed" in cli("keys", "rehash").output
