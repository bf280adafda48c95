"""An import on SQLite inserts with a larger page cache and gives the connection its own back."""

from __future__ import annotations

import pytest

from tests.features.test_import import GOOD, _setup


def test_the_page_cache_is_larger_while_inserting_and_restored_after(client, tenant, database,
                                                                     tmp_path, monkeypatch):
    from finbatch.batches.service import Actor
    from finbatch.receivables import importer
    from finbatch.tenancy import service as tenancy
    from finbatch.tenancy.auth import TenantContext

    if not database.is_sqlite:
        pytest.skip("the page cache is SQLite's")
    _setup(client, tenant)
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    records = importer.read_records(path, [])
    seen: list[int] = []
    insert_all = importer._insert_all

    def spying(session, model, rows, progress):
        seen.append(session.connection().exec_driver_sql("PRAGMA cache_size").scalar())
        insert_all(session, model, rows, progress)

    monkeypatch.setattr(importer, "_insert_all", spying)
    with database.unit_of_work() as session:
        before = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        report = importer.import_records(
            session, TenantContext.of(tenancy.require_tenant(session, "acme")), records,
            actor=Actor("test"), skip_invalid=False, report=importer.ImportReport())
        after = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
    assert (report.created, report.errors) == (4, [])
    assert set(seen) == {-importer.IMPORT_PAGE_CACHE_KIB}
    assert after == before != -importer.IMPORT_PAGE_CACHE_KIB


def test_a_failed_insert_still_gives_the_connection_its_page_cache_back(client, tenant, database,
                                                                        tmp_path, monkeypatch):
    from finbatch.batches.service import Actor
    from finbatch.receivables import importer
    from finbatch.tenancy import service as tenancy
    from finbatch.tenancy.auth import TenantContext

    if not database.is_sqlite:
        pytest.skip("the page cache is SQLite's")
    _setup(client, tenant)
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    records = importer.read_records(path, [])
    insert_all = importer._insert_all

    def failing(session, model, rows, progress):
        insert_all(session, model, rows, progress)
        raise RuntimeError("the disk is full")  # after the first table's rows went in

    monkeypatch.setattr(importer, "_insert_all", failing)
    session = database.write_session()
    try:
        before = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        with pytest.raises(RuntimeError, match="disk is full"):
            importer.import_records(
                session, TenantContext.of(tenancy.require_tenant(session, "acme")), records,
                actor=Actor("test"), skip_invalid=False, report=importer.ImportReport())
        # the same pooled connection, before the rollback gives it back to the pool
        assert session.connection().exec_driver_sql("PRAGMA cache_size").scalar() == before
    finally:
        session.rollback()
        session.close()
