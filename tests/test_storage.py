"""File storage (app/storage.py): the local folder and an S3-compatible store behave alike, the
S3 one against a real S3-protocol server (moto's, on 127.0.0.1); configuration fails closed in
production; uploads through the S3 backend store, serve and purge there."""

import pytest
from flask import Flask

from app.config import ConfigError, load_config
from app.errors import NotFound, Unavailable
from app.s3_storage import S3Storage
from app.storage import LocalStorage, new_key
from tests.factories import PDF, PRODUCTION_ENVIRONMENT, TODAY, image_bytes, token_of, upload_part
from tests.plugins.storage import BUCKET, S3_CREDENTIALS


def s3_config(endpoint: str, **overrides) -> dict:
    return {
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": BUCKET,
        "S3_ADDRESSING_STYLE": "path",
        "S3_TIMEOUT_SECONDS": 2.0,
        **S3_CREDENTIALS,
        **overrides,
    }


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path)
    return S3Storage(s3_config(request.getfixturevalue("s3_server")))


def test_a_file_put_is_got_back_until_it_is_deleted(store):
    key = new_key("documents")
    assert not store.exists(key)
    store.put(key, PDF, "application/pdf")
    assert store.exists(key) and store.get(key) == PDF
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # twice is fine: a purge cut short runs again


def test_a_missing_file_is_not_found(store):
    with pytest.raises(NotFound) as missing:
        store.get(new_key("photos"))
    assert missing.value.problem_code == "file_missing"


def test_keys_are_opaque_and_nothing_else_is_a_key(store):
    key = new_key("documents")
    assert key.startswith("documents/") and len(key.split("/")[1]) == 32
    for not_a_key in ("../etc/passwd", "documents/../../x", "documents/张秀梅-440106198506120012"):
        with pytest.raises(ValueError):
            store.put(not_a_key, b"x", "text/plain")


def test_the_s3_object_keeps_its_content_type(s3_server, bucket):
    key = new_key("documents")
    S3Storage(s3_config(s3_server)).put(key, PDF, "application/pdf")
    assert bucket.head_object(Bucket=BUCKET, Key=key)["ContentType"] == "application/pdf"


def test_an_unreachable_s3_store_is_unavailable_not_an_error():
    store = S3Storage(s3_config("http://127.0.0.1:9", S3_TIMEOUT_SECONDS=0.5))
    with pytest.raises(Unavailable) as refused:
        store.put(new_key("documents"), PDF, "application/pdf")
    assert refused.value.problem_code == "storage_unavailable"


# ---------------------------------------------------------------- configuration


def test_outside_production_files_go_to_the_instance_folder_by_default(tmp_path):
    from app.storage import init_storage

    app = Flask(__name__, instance_path=str(tmp_path))
    app.config.update(load_config({"APP_ENV": "development"}, instance_path=tmp_path))
    init_storage(app)
    assert app.extensions["storage"].root == tmp_path / "files"


def test_production_must_choose_where_files_go():
    environ = {name: value for name, value in PRODUCTION_ENVIRONMENT.items() if name != "STORAGE_BACKEND"}
    with pytest.raises(ConfigError, match="STORAGE_BACKEND"):
        load_config(environ)


def test_production_refuses_a_local_folder_unless_it_is_named():
    """Several hosts serve the app: a file on one host's disk is missing on the others."""
    with pytest.raises(ConfigError, match="STORAGE_LOCAL_PATH"):
        load_config(PRODUCTION_ENVIRONMENT | {"STORAGE_BACKEND": "local"})
    shared = load_config(PRODUCTION_ENVIRONMENT | {"STORAGE_BACKEND": "local", "STORAGE_LOCAL_PATH": "/mnt/files"})
    assert shared["STORAGE_LOCAL_PATH"] == "/mnt/files"


def test_s3_needs_a_bucket_and_a_known_backend_name():
    with pytest.raises(ConfigError, match="S3_BUCKET"):
        load_config({"APP_ENV": "development", "STORAGE_BACKEND": "s3"})
    with pytest.raises(ConfigError, match="STORAGE_BACKEND"):
        load_config({"APP_ENV": "development", "STORAGE_BACKEND": "ftp"})


# ---------------------------------------------------------------- the S3 path end to end


@pytest.fixture
def s3_client(s3_app, isolated):
    return s3_app.test_client()


def objects(bucket) -> set[str]:
    return {item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_a_document_uploaded_through_s3_is_stored_served_and_purged_there(
    s3_app, s3_client, make_applicant, operator, bucket
):
    worker = make_applicant()
    before = objects(bucket)
    response = s3_client.post(
        f"/api/v1/workers/{worker['id']}/documents",
        data={"kind": "insurance_policy", "file": upload_part(PDF, "保单.pdf"), "valid_until": "2000-01-01"},
        content_type="multipart/form-data",
        headers=operator,
    )
    assert response.status_code == 201, response.json
    (key,) = objects(bucket) - before
    assert key.startswith("documents/")
    downloaded = s3_client.get(f"/api/v1/workers/{worker['id']}/documents/{response.json['id']}/file", headers=operator)
    assert downloaded.data == PDF

    result = s3_app.test_cli_runner().invoke(args=["credit", "purge-documents"])
    assert "1 document" in result.output, result.output
    assert key not in objects(bucket)


def test_a_photo_uploaded_through_s3_is_shown_at_the_door(s3_client, make_issued, operator):
    worker = make_issued()
    response = s3_client.put(
        f"/api/v1/workers/{worker['id']}/photo",
        data={"file": upload_part(image_bytes("JPEG", gps=True))},
        content_type="multipart/form-data",
        headers=operator,
    )
    assert response.status_code == 200, response.json
    served = s3_client.get(f"/api/v1/scan/{token_of(worker)}/photo.jpg")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"


@pytest.fixture
def unreachable_app(app, isolated):
    """An app whose S3 store does not answer (nothing listens at its address)."""
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "STORAGE_BACKEND": "s3",
            **s3_config("http://127.0.0.1:9", S3_TIMEOUT_SECONDS=0.5),
        }
    )


@pytest.mark.parametrize("upload", ["document", "photo"])
def test_an_upload_the_s3_store_cannot_take_writes_nothing(unreachable_app, make_issued, operator, upload):
    from app.extensions import db
    from credit.models import CreditEvent, Worker, WorkerDocument

    worker = make_issued()
    events_before = db.session.query(CreditEvent).count()
    client = unreachable_app.test_client()
    if upload == "document":
        response = client.post(
            f"/api/v1/workers/{worker['id']}/documents",
            data={"kind": "no_criminal_record", "file": upload_part(PDF), "valid_until": TODAY.isoformat()},
            content_type="multipart/form-data",
            headers=operator,
        )
    else:
        response = client.put(
            f"/api/v1/workers/{worker['id']}/photo",
            data={"file": upload_part(image_bytes("JPEG"))},
            content_type="multipart/form-data",
            headers=operator,
        )
    problem = response.get_json()
    assert response.status_code == 503 and problem and problem["code"] == "storage_unavailable"
    assert response.headers["Retry-After"]
    assert db.session.query(WorkerDocument).count() == 0
    assert db.session.get_one(Worker, worker["id"]).photo_key is None
    assert db.session.query(CreditEvent).count() == events_before


def test_a_purge_the_s3_store_cannot_take_says_so_and_can_run_again(unreachable_app, make_applicant):
    from app.clock import utcnow
    from app.extensions import db
    from credit.models import WorkerDocument

    worker = make_applicant()
    db.session.add(
        WorkerDocument(
            worker_id=worker["id"],
            kind="health_certificate",
            version=1,
            storage_key=new_key("documents"),
            content_type="application/pdf",
            size_bytes=len(PDF),
            sha256="0" * 64,
            valid_until=TODAY.replace(year=TODAY.year - 20),
            uploaded_at=utcnow(),
        )
    )
    db.session.commit()
    result = unreachable_app.test_cli_runner().invoke(args=["credit", "purge-documents"])
    assert result.exit_code != 0 and "File storage is unavailable" in result.output and "run it again" in result.output
    assert db.session.query(WorkerDocument).one().purged_at is None
