"""An import refreshes statistics for what it wrote into each table, not for one sum given to all:
an import without payments leaves the allocations' statistics alone."""

from __future__ import annotations

from sqlalchemy import event

from tests.features.test_import import GOOD, _setup

INVOICES = """kind,external_ref,business_unit_id,customer_code,date,product,quantity,unit_price
invoice,S-1,MAIN,C1,2026-03-02,TEE,1,10.00
invoice,S-2,MAIN,C1,2026-03-02,TEE,1,10.00
invoice,S-3,MAIN,C2,2026-03-03,TEE,1,10.00
"""


def _import(database, text, tmp_path) -> set[str]:
    """Import ``text`` in this process; the tables it analysed."""
    from finbatch.batches.service import Actor
    from finbatch.receivables import importer
    from finbatch.tenancy import service as tenancy
    from finbatch.tenancy.auth import TenantContext

    path = tmp_path / "file.csv"
    path.write_text(text)
    records = importer.read_records(path, [])
    analysed: set[str] = set()

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("ANALYZE "):
            analysed.update(name.strip() for name in statement[len("ANALYZE "):].split(","))

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with database.unit_of_work() as session:
            report = importer.import_records(
                session, TenantContext.of(tenancy.require_tenant(session, "acme")), records,
                actor=Actor("test"), skip_invalid=False, report=importer.ImportReport())
            assert report.errors == []
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    return analysed


def test_an_import_without_payments_leaves_the_allocations_statistics(client, tenant, database,
                                                                      tmp_path):
    _setup(client, tenant)
    first = _import(database, GOOD, tmp_path)
    assert {"ar_transactions", "ar_allocations"} <= first  # never analysed before
    second = _import(database, INVOICES, tmp_path)
    assert "ar_allocations" not in second
    if database.is_sqlite:  # 3 transactions onto 4 is more than a fifth: analysed again
        assert "ar_transactions" in second
