"""The S3-compatible backend of app/storage.py (AWS, Aliyun OSS, Tencent COS, MinIO) through boto3,
in a module of its own: init_storage imports it only when STORAGE_BACKEND is s3."""

import logging

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.storage import _checked, missing, unavailable

log = logging.getLogger(__name__)
MISSING_OBJECT_CODES = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    """Objects in one bucket of an S3-compatible store. A slow store fails the request after
    S3_TIMEOUT_SECONDS rather than holding it."""

    def __init__(self, config: dict):
        self.bucket = config["S3_BUCKET"]
        timeout = config["S3_TIMEOUT_SECONDS"]
        self.client = boto3.client(
            "s3",
            endpoint_url=config["S3_ENDPOINT_URL"] or None,
            region_name=config["S3_REGION"] or None,
            aws_access_key_id=config["S3_ACCESS_KEY_ID"] or None,
            aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"] or None,
            config=Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"max_attempts": 2, "mode": "standard"},
                s3={"addressing_style": config["S3_ADDRESSING_STYLE"]},
            ),
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=content_type)
        except (BotoCoreError, ClientError) as error:
            log.error("storage: cannot write %s (%s)", key, error.__class__.__name__)
            raise unavailable() from error

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=_checked(key))["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING_OBJECT_CODES:
                raise missing() from None
            raise unavailable() from error
        except BotoCoreError as error:
            raise unavailable() from error

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=_checked(key))
        except (BotoCoreError, ClientError) as error:
            raise unavailable() from error

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=_checked(key))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING_OBJECT_CODES:
                return False
            raise unavailable() from error
        except BotoCoreError as error:
            raise unavailable() from error
