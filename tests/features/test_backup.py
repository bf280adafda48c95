"""``finbatch backup`` and ``finbatch restore``, run as an operator would, on both engines: a
restored database answers every read exactly as the original did when it was backed up."""

from __future__ import annotations

from fastapi.testclient import TestClient

from finbatch.app import create_app
from finbatch.config import Settings
from finbatch.db import Database
from finbatch.demo import load_demo
from tests.features.test_cli import finbatch

READS = ["/v1/batches?limit=100", "/v1/customers?limit=100", "/v1/invoices?limit=100",
         "/v1/payments?limit=100", "/v1/gl-accounts?limit=100", "/v1/events?limit=100",
         "/v1/ap-batches?limit=100", "/v1/fiscal-years"]


def answers(url: str, token: str, tmp_path) -> dict[str, object]:
    settings = Settings(database_url=url, embedded_workers=0, export_dir=tmp_path / "exports")
    db = Database(settings)
    try:
        with TestClient(create_app(settings, db)) as client:
            out = {}
            for path in READS:
                response = client.get(path, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 200, (path, response.text)
                out[path] = response.json()
            return out
    finally:
        db.dispose()


def test_a_restored_database_answers_as_the_original(settings, database_url, empty_database_url,
                                                     tmp_path):
    db = Database(settings)
    try:
        token = load_demo(db).token
    finally:
        db.dispose()
    before = answers(database_url, token, tmp_path)
    backup_file = tmp_path / "books.backup"
    finbatch(database_url, "backup", str(backup_file))
    assert backup_file.stat().st_size > 0

    # the books move on: a customer more
    settings_now = Settings(database_url=database_url, embedded_workers=0)
    db = Database(settings_now)
    try:
        with TestClient(create_app(settings_now, db)) as client:
            created = client.post("/v1/customers", headers={"Authorization": f"Bearer {token}"},
                                  json={"code": "LATE1", "name": "Late Customer"})
            assert created.status_code == 201, created.text
    finally:
        db.dispose()
    assert answers(database_url, token, tmp_path) != before

    refused = finbatch(database_url, "restore", str(backup_file), check=False)
    assert refused.returncode == 2 and "--force" in refused.stderr
    finbatch(database_url, "restore", str(backup_file), "--force")
    assert answers(database_url, token, tmp_path) == before

    # into a new, empty database (a new machine): no --force needed
    finbatch(empty_database_url, "restore", str(backup_file))
    assert answers(empty_database_url, token, tmp_path) == before


def test_restore_refuses_what_is_not_a_backup_of_its_engine(database_url, engine_name, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    result = finbatch(database_url, "restore", str(junk), "--force", check=False)
    assert result.returncode == 2 and "not a finbatch backup" in result.stderr
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" + b"\0" * 64 if engine_name == "sqlite"
                      else b"SQLite format 3\x00" + b"\0" * 84)
    result = finbatch(database_url, "restore", str(other), "--force", check=False)
    expected = "postgresql backup" if engine_name == "sqlite" else "sqlite backup"
    assert result.returncode == 2 and expected in result.stderr
    missing = finbatch(database_url, "restore", str(tmp_path / "nothing"), check=False)
    assert missing.returncode == 2 and "is not a file" in missing.stderr
