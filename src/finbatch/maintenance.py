"""Periodic upkeep run inside ``finbatch serve`` (and ``finbatch worker``): closing batches whose
``automatically_close_at`` has passed, and deleting export files past their retention. Safe to run
in several processes at once: each change is a transition under a row lock, and what is already
done is skipped."""

from __future__ import annotations

import logging
import threading

from finbatch.batches import service as batches
from finbatch.db import Database
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy.auth import TenantContext

log = logging.getLogger("finbatch.maintenance")


def close_due_batches_everywhere(db: Database) -> int:
    closed = 0
    with db.reading() as session:
        tenant_ids = tenancy_repo.all_tenant_ids(session, limit=1_000_000)
    for tenant_id in tenant_ids:
        with db.unit_of_work() as session:
            tenant = tenancy_repo.tenant_by_id(session, tenant_id)
            if tenant is not None:
                closed += batches.close_due_batches(session, TenantContext.of(tenant))
    return closed


def expire_exports_everywhere(db: Database) -> int:
    from finbatch.exports.service import expire_exports

    expired = 0
    with db.reading() as session:
        tenant_ids = tenancy_repo.all_tenant_ids(session, limit=1_000_000)
    for tenant_id in tenant_ids:
        with db.unit_of_work() as session:
            expired += expire_exports(session, db.settings, tenant_id)
    return expired


def run_periodically(db: Database, stop: threading.Event, interval_seconds: float = 30.0) -> None:
    while not stop.wait(interval_seconds):
        try:
            closed = close_due_batches_everywhere(db)
            if closed:
                log.info("closed %d batch(es) past their automatic closing time", closed)
            expired = expire_exports_everywhere(db)
            if expired:
                log.info("expired %d export file(s) past their retention", expired)
        except Exception:
            log.exception("maintenance round failed")


def start(db: Database, interval_seconds: float = 30.0) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_periodically, args=(db, stop, interval_seconds),
                              name="finbatch-maintenance", daemon=True)
    thread.start()
    return thread, stop
