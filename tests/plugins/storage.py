"""A real S3-protocol server for the S3 backend: moto's standalone server on 127.0.0.1, started
once per run, and an app on the test database that keeps its files there."""

import boto3
import pytest
from moto.server import ThreadedMotoServer

from app import create_app
from tests.factories import REFUSE_LEDGER_ROWS, UNLIMITED

BUCKET = "yangcheng-evidence"
S3_CREDENTIALS = {"S3_ACCESS_KEY_ID": "test-key", "S3_SECRET_ACCESS_KEY": "test-secret", "S3_REGION": "us-east-1"}


@pytest.fixture(scope="session")
def s3_server():
    """The server's address; the bucket exists."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3_client(endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_CREDENTIALS["S3_REGION"],
        aws_access_key_id=S3_CREDENTIALS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_CREDENTIALS["S3_SECRET_ACCESS_KEY"],
    )


@pytest.fixture
def bucket(s3_server):
    """The bucket as a boto3 client sees it, to check what the app stored."""
    return s3_client(s3_server)


@pytest.fixture(scope="session")
def s3_app(app, s3_server):
    """Another app on the same test database (so the test's transaction covers it), its files in S3."""
    return create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            **UNLIMITED,
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": s3_server,
            "S3_BUCKET": BUCKET,
            "S3_ADDRESSING_STYLE": "path",
            **S3_CREDENTIALS,
        }
    )


@pytest.fixture
def database_refuses_the_ledger_row(isolated):
    """Call it, and from then on in this test (whose transaction is rolled back, trigger and
    all) the database refuses the ledger row an upload writes after storing its file."""

    def refuse():
        for statement in REFUSE_LEDGER_ROWS[isolated.dialect.name]:
            isolated.exec_driver_sql(statement)

    return refuse
