"""A worker killed while writing an export: nothing downloadable until the job completes after a
restart, and the file is then the same, byte for byte, as a clean run's."""

from __future__ import annotations

import signal
import time
from datetime import date

import pytest

from finbatch.batches import service as batches
from finbatch.batches.service import Actor
from finbatch.exports import service as exports
from finbatch.exports.models import Export
from finbatch.exports.repository import ExportRepository
from finbatch.exports.storage import LocalStorage
from finbatch.jobs.handlers import Worker
from finbatch.ledger import posting
from tests.conftest import make_tenant
from tests.support.processes import start_worker, stop, wait_for
from tests.support.volume import invoices, ledger_ready_tenant

pytestmark = pytest.mark.slow


def _status(database, tenant_id, export_id) -> Export:
    with database.reading() as session:
        return ExportRepository(session, tenant_id).require(export_id)


def test_an_export_killed_mid_write_resumes_to_the_same_file(database, database_url, settings,
                                                              tmp_path):
    handle = make_tenant(database, "bigexport")
    tenant = ledger_ready_tenant(database, handle.id)
    batch_id = invoices(database, tenant, 60_000, day=date(2026, 3, 5))
    with database.unit_of_work() as session:
        batch = batches.require_batch(session, tenant.id, batch_id, for_update=True)
        batches.apply_action(session, tenant, batch, "close", Actor("test"))
        posting.start_posting(session, tenant, batch, Actor("test"))
    Worker(database).drain()
    with database.unit_of_work() as session:
        export, _ = exports.request_export(session, tenant, batch_ids=[batch_id], fmt="gl-csv",
                                           actor=Actor("test"))
        export_id = export.id
    export_dir = settings.export_dir / str(tenant.id) / export_id
    env_url = database_url

    def partial_file_growing() -> bool:
        parts = list(export_dir.glob(".*.part-*")) if export_dir.exists() else []
        return any(p.stat().st_size > 256 * 1024 for p in parts)

    worker = start_worker(env_url, tmp_path / "killed.log", lease_seconds=3,
                          extra_env={"FINBATCH_EXPORT_DIR": str(settings.export_dir)})
    try:
        wait_for(partial_file_growing, timeout=300, interval=0.01, message="the export to be half written")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        stop(worker)
    interrupted = _status(database, tenant.id, export_id)
    assert interrupted.status == "running" and interrupted.storage_key is None
    finals = [p for p in export_dir.iterdir() if not p.name.startswith(".")]
    assert finals == [], "a partial file became visible"
    time.sleep(3.5)  # the dead worker's lease runs out
    second = start_worker(env_url, tmp_path / "second.log", lease_seconds=3,
                          extra_env={"FINBATCH_EXPORT_DIR": str(settings.export_dir)})
    try:
        wait_for(lambda: _status(database, tenant.id, export_id).status in ("complete", "failed"),
                 timeout=300, interval=0.2, message="the resumed export")
    finally:
        stop(second)
    resumed = _status(database, tenant.id, export_id)
    assert resumed.status == "complete", resumed.failure_reason
    assert list(export_dir.glob(".*.part-*")) == []
    with database.unit_of_work() as session:
        clean, _ = exports.request_export(session, tenant, batch_ids=[batch_id], fmt="gl-csv",
                                          force=True, reason="a clean run to compare with",
                                          actor=Actor("test"))
        clean_id = clean.id
    Worker(database).drain()
    again = _status(database, tenant.id, clean_id)
    assert again.status == "complete"
    assert again.sha256 == resumed.sha256 and again.byte_size == resumed.byte_size
    assert again.row_count == resumed.row_count == 120_000
    storage = LocalStorage(settings.export_dir)
    assert storage.exists(resumed.storage_key) and storage.exists(again.storage_key)
