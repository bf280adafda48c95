"""Export files in an S3-compatible store: the same engine, files written through boto3 to a real
S3 endpoint (moto's standalone server, speaking the S3 protocol over HTTP)."""

from __future__ import annotations

import hashlib
import socket

import boto3
import pytest
from fastapi.testclient import TestClient

from finbatch.app import create_app
from finbatch.config import Settings
from finbatch.db import Database
from tests.features.test_exports import _export, _posted_batch
from tests.support.posting import run_jobs


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_settings(settings, s3_endpoint, monkeypatch, tmp_path) -> Settings:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "finbatch-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "finbatch-test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = f"exports-{tmp_path.name.lower().replace('_', '-')[:40]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    return settings.model_copy(update={"export_storage_url": f"s3://{bucket}/finbatch",
                                       "s3_endpoint_url": s3_endpoint})


def test_exports_live_in_the_object_store(s3_settings, database):
    from tests.conftest import make_tenant

    db = Database(s3_settings, engine=database.engine)
    tenant = make_tenant(db, "s3co")
    with TestClient(create_app(s3_settings, db)) as client:
        books, batch = _posted_batch(client, tenant, db)
        export = _export(books, [batch["id"]], fmt="iif").json()
        run_jobs(db)
        done = books.get(f"/v1/exports/{export['id']}")
        assert done["status"] == "complete", done["failure_reason"]
        body = client.get(f"/v1/exports/{export['id']}/download", headers=books.headers).content
        assert hashlib.sha256(body).hexdigest() == done["sha256"]
        bucket = s3_settings.export_storage_url.split("/")[2]
        s3 = boto3.client("s3", endpoint_url=s3_settings.s3_endpoint_url)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
        assert keys == [f"finbatch/{tenant.id}/{export['id']}/{done['file_name']}"]
        stored = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
        assert stored == body
        assert list((s3_settings.export_dir / "uploads").glob("*")) == []  # the scratch copy is gone
