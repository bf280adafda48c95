"""The finbatch command, run as an operator would: real processes, output parsed by a script."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from fastapi.testclient import TestClient

from finbatch.app import create_app
from finbatch.config import Settings
from finbatch.db import Database


def finbatch(url: str, *args: str, check: bool = True,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "FINBATCH_DATABASE_URL": url, **(env or {})}
    result = subprocess.run([sys.executable, "-m", "finbatch.cli", *args], env=env,
                            capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_operator_script(empty_database_url, tmp_path):
    url = empty_database_url
    finbatch(url, "db", "upgrade")
    finbatch(url, "db", "upgrade")  # idempotent
    tenant = json.loads(finbatch(url, "tenant", "create", "acme", "--name", "Acme Corp",
                                 "--client-id", "4242", "--timezone", "Europe/Berlin",
                                 "--currency", "EUR", "--fiscal-year-start", "7").stdout)
    assert tenant == {"slug": "acme", "id": 4242, "name": "Acme Corp", "base_currency": "EUR",
                      "timezone": "Europe/Berlin", "fiscal_year_start_month": 7, "locale": "en-US"}
    viewer = finbatch(url, "token", "create", "--tenant", "acme", "--role", "viewer",
                      "--expires-in", "2h").stdout.strip()
    admin = finbatch(url, "token", "create", "--tenant", "4242", "--role", "admin").stdout.strip()
    assert viewer.startswith("fbt_") and "\n" not in viewer
    user_id = finbatch(url, "user", "create", "--tenant", "acme", "--username", "ops",
                       "--role", "accountant", "--password", "correct horse").stdout.strip()
    assert len(user_id) == 36

    settings = Settings(database_url=url, embedded_workers=0, export_dir=tmp_path)
    db = Database(settings)
    try:
        with TestClient(create_app(settings, db)) as client:
            assert client.get("/v1/gl-accounts", headers={"Authorization": f"Bearer {viewer}"}).status_code == 200
            denied = client.post("/v1/gl-accounts", headers={"Authorization": f"Bearer {viewer}"},
                                 json={"code": "1", "name": "A", "type": "asset"})
            assert denied.status_code == 403
            users = client.get("/v1/users", headers={"Authorization": f"Bearer {admin}"}).json()
            assert [u["username"] for u in users["items"]] == ["ops"]
    finally:
        db.dispose()


def test_cli_errors_are_clear(empty_database_url):
    url = empty_database_url
    finbatch(url, "db", "upgrade")
    bad = finbatch(url, "tenant", "create", "x", "--name", "X", "--timezone", "Nowhere/Land", check=False)
    assert bad.returncode == 2 and "timezone" in bad.stderr and bad.stdout == ""
    missing = finbatch(url, "token", "create", "--tenant", "nope", "--role", "admin", check=False)
    assert missing.returncode == 2 and "not found" in missing.stderr
    role = finbatch(url, "tenant", "create", "x", "--name", "X")
    assert role.returncode == 0
    bad_role = finbatch(url, "token", "create", "--tenant", "x", "--role", "root", check=False)
    assert bad_role.returncode == 2 and "unknown role" in bad_role.stderr


def test_demo_creates_tenant_and_prints_an_admin_token(empty_database_url, tmp_path):
    url = empty_database_url
    finbatch(url, "db", "upgrade")
    first = finbatch(url, "demo")
    token = first.stdout.strip()
    assert token.startswith("fbt_") and "created demo tenant" in first.stderr
    again = finbatch(url, "demo", "--if-empty")
    assert "found demo tenant" in again.stderr and again.stdout.strip().startswith("fbt_")

    settings = Settings(database_url=url, embedded_workers=0, export_dir=tmp_path)
    db = Database(settings)
    try:
        with TestClient(create_app(settings, db)) as client:
            auth = {"Authorization": f"Bearer {token}"}
            accounts = client.get("/v1/gl-accounts", headers=auth).json()["items"]
            codes = [a["code"] for a in accounts]
            assert len(codes) == len(set(codes)) >= 20
            receivable = next(a for a in accounts if a["code"] == "1100")
            assert receivable["full_name"] == "Assets:Accounts Receivable"
            units = client.get("/v1/business-units", headers=auth).json()["items"]
            assert {u["id"] for u in units} == {"MAIN", "EVENTS", "CANADA"}
            years = client.get("/v1/fiscal-years", headers=auth).json()["items"]
            assert [y["id"] for y in years] == ["FY2025", "FY2026"]
            tenant = client.get("/v1/tenants/demo", headers=auth).json()
            assert tenant["id"] == 1000 and tenant["timezone"] == "America/New_York"
    finally:
        db.dispose()


def test_demo_if_empty_leaves_a_real_installation_alone(empty_database_url):
    url = empty_database_url
    finbatch(url, "db", "upgrade")
    finbatch(url, "tenant", "create", "prod", "--name", "Production")
    result = finbatch(url, "demo", "--if-empty")
    assert result.stdout == "" and "not loaded" in result.stderr


def test_post_command_posts_a_batch_with_progress(empty_database_url, tmp_path):
    url = empty_database_url
    finbatch(url, "db", "upgrade")
    token = finbatch(url, "demo").stdout.strip()
    settings = Settings(database_url=url, embedded_workers=0, export_dir=tmp_path)
    db = Database(settings)
    try:
        with TestClient(create_app(settings, db)) as client:
            auth = {"Authorization": f"Bearer {token}"}
            september = client.get("/v1/batches", headers=auth, params={"fiscal_period": 9}).json()["items"]
            assert september and {b["status"] for b in september} == {"posted"}  # the demo posts them
            october = client.get("/v1/batches", headers=auth,
                                 params={"fiscal_period": 10, "status": "closed"}).json()["items"]
            target = october[0]
            result = finbatch(url, "post", target["id"], "--tenant", "demo")
            job = json.loads(result.stdout)
            assert job["status"] == "succeeded" and job["result"]["entries"] > 0
            assert client.get(f"/v1/batches/{target['id']}", headers=auth).json()["status"] == "posted"
            again = finbatch(url, "post", target["id"], "--tenant", "demo", check=False)
            assert again.returncode == 2 and "posted" in again.stderr
    finally:
        db.dispose()


def test_export_command_writes_the_file(empty_database_url, tmp_path):
    import hashlib

    url = empty_database_url
    finbatch(url, "db", "upgrade")
    token = finbatch(url, "demo").stdout.strip()
    settings = Settings(database_url=url, embedded_workers=0, export_dir=tmp_path)
    db = Database(settings)
    try:
        with TestClient(create_app(settings, db)) as client:
            posted = client.get("/v1/batches", headers={"Authorization": f"Bearer {token}"},
                                params={"status": "posted"}).json()["items"]
    finally:
        db.dispose()
    out = tmp_path / "september.iif"
    store = {"FINBATCH_EXPORT_DIR": str(tmp_path / "store")}
    result = finbatch(url, "export", posted[0]["id"], "--format", "iif", "--out", str(out),
                      "--tenant", "demo", env=store)
    summary = json.loads(result.stdout)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == summary["sha256"]
    assert out.read_bytes().startswith(b"!TRNS")
    again = finbatch(url, "export", posted[0]["id"], "--format", "iif", "--out", str(tmp_path / "b.iif"),
                     "--tenant", "demo", env=store)
    assert json.loads(again.stdout)["id"] == summary["id"]  # the same export, its file again
    elsewhere = finbatch(url, "export", posted[0]["id"], "--format", "iif", "--out",
                         str(tmp_path / "c.iif"), "--tenant", "demo", check=False,
                         env={"FINBATCH_EXPORT_DIR": str(tmp_path / "empty")})
    assert elsewhere.returncode == 1 and "missing" in elsewhere.stderr
    assert "Traceback" not in elsewhere.stderr
