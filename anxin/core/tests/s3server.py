"""An S3-compatible server for the tests: moto's standalone server (a dev dependency), started as
a process of its own on a free port of 127.0.0.1 and spoken to over HTTP by boto3 and
django-storages, as a real service is. Nothing is mocked in the test's process.

The server checks signatures: after the three requests that make the tests' IAM user, its
policy and its access key (INITIAL_NO_AUTH_ACTION_COUNT), every request must be signed
(SigV4) with that key, so a wrong or missing secret is refused as a real service refuses it,
and an unsigned request (a browser following a bare bucket URL) gets 403.

Fixtures (re-exported by anxin/conftest.py): `s3_server` (one per test session), `s3_bucket`
(a fresh private bucket per test, and Anxin's ANXIN_S3_* settings pointing at it) and
`s3_media` (the bucket as the media storage, ANXIN_MEDIA_STORAGE=s3).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

REGION = "us-east-1"
MEDIA_BACKEND = "anxin.core.storage.MediaS3Storage"
TILES_BACKEND = "anxin.core.storage.PublishS3Storage"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key_id: str
    secret_access_key: str

    def client(self, secret: str | None = None) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=secret or self.secret_access_key,
        )


@dataclass(frozen=True)
class S3Bucket:
    server: S3Server
    name: str

    def client(self) -> Any:
        return self.server.client()

    def keys(self, prefix: str = "") -> list[str]:
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        )
        return sorted(o["Key"] for page in pages for o in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return bytes(self.client().get_object(Bucket=self.name, Key=key)["Body"].read())

    def env(self) -> dict[str, str]:
        """Anxin's settings for this bucket, as a child process's environment."""
        return {
            "ANXIN_S3_BUCKET": self.name,
            "ANXIN_S3_ENDPOINT_URL": self.server.endpoint,
            "ANXIN_S3_REGION": REGION,
            "ANXIN_S3_ACCESS_KEY_ID": self.server.access_key_id,
            "ANXIN_S3_SECRET_ACCESS_KEY": self.server.secret_access_key,
            "ANXIN_S3_ADDRESSING_STYLE": "path",
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the S3 server exited: {log.read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the S3 server did not listen on {port}: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    port = _free_port()
    log = tmp_path_factory.mktemp("s3-server") / "moto.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # Three requests without authentication (the IAM user, its policy, its key), then every
    # request is checked against the IAM user's keys and policy.
    env["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(port, proc, log)
        endpoint = f"http://127.0.0.1:{port}"
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        iam.create_user(UserName="anxin")
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
        iam.put_user_policy(UserName="anxin", PolicyName="s3", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="anxin")["AccessKey"]
        yield S3Server(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def s3_bucket(s3_server: S3Server, settings: Any) -> Iterator[S3Bucket]:
    bucket = S3Bucket(s3_server, f"anxin-test-{uuid.uuid4().hex[:16]}")
    client = bucket.client()
    client.create_bucket(Bucket=bucket.name)
    settings.ANXIN_S3_BUCKET = settings.ANXIN_TILES_S3_BUCKET = bucket.name
    settings.ANXIN_S3_ENDPOINT_URL = s3_server.endpoint
    settings.ANXIN_S3_REGION = REGION
    settings.ANXIN_S3_ACCESS_KEY_ID = s3_server.access_key_id
    settings.ANXIN_S3_SECRET_ACCESS_KEY = s3_server.secret_access_key
    settings.ANXIN_S3_SECRET_ACCESS_KEY_PATH = ""
    settings.ANXIN_S3_ADDRESSING_STYLE = "path"
    settings.ANXIN_S3_PREFIX = ""
    settings.ANXIN_TILES_S3_PREFIX = "log"
    yield bucket
    for key in bucket.keys():
        client.delete_object(Bucket=bucket.name, Key=key)
    client.delete_bucket(Bucket=bucket.name)


@pytest.fixture
def s3_media(s3_bucket: S3Bucket, settings: Any) -> S3Bucket:
    """Media in the test's bucket, under the prefix `media` (ANXIN_MEDIA_STORAGE=s3)."""
    settings.ANXIN_MEDIA_STORAGE = "s3"
    settings.ANXIN_S3_PREFIX = "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": MEDIA_BACKEND}}
    return s3_bucket
