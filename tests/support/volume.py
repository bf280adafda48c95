"""Large data sets for process and volume tests, made through the bulk importer (the API's rules,
written set-wise)."""

from __future__ import annotations

import random
from datetime import date

from finbatch.batches import service as batches
from finbatch.batches.service import Actor
from finbatch.db import Database
from finbatch.jobs.handlers import Worker
from finbatch.ledger import posting, rules
from finbatch.ledger.accounts import create_account
from finbatch.receivables import customers
from finbatch.receivables.importer import ImportReport, Record, import_records
from finbatch.receivables.inputs import LineIn, TransactionIn
from finbatch.tenancy import business_units
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy.auth import TenantContext

ACCOUNTS = [("1010", "Bank", "asset"), ("1100", "Receivables", "asset"),
            ("4000", "Revenue", "revenue")]
RULES = [("invoice", "receivable", "1100"), ("invoice", "revenue", "4000")]


def ledger_ready_tenant(db: Database, tenant_id: int) -> TenantContext:
    with db.unit_of_work() as session:
        tenant = TenantContext.of(tenancy_repo.tenant_by_id(session, tenant_id))
        business_units.create_business_unit(session, tenant_id=tenant_id, id="MAIN", name="Main",
                                            currency=tenant.base_currency, actor="test")
        for code, name, kind in ACCOUNTS:
            create_account(session, tenant_id=tenant_id, code=code, name=name, type=kind, actor="test")
        for kind, role, code in RULES:
            rules.create_rule(session, tenant_id=tenant_id, kind=kind, role=role, account_code=code,
                              actor="test")
        for n in range(20):
            customers.create_customer(session, tenant_id=tenant_id, actor="test",
                                      fields={"name": f"Customer {n}", "code": f"C{n}"})
    return tenant


def invoices(db: Database, tenant: TenantContext, count: int, *, day: date,
             seed: int = 7) -> str:
    """``count`` one-line invoices dated ``day`` in one batch; returns the batch id."""
    rng = random.Random(seed)
    records = [Record(TransactionIn(kind="invoice", date=day, lines=[
        LineIn(quantity="1", unit_price=f"{rng.randint(100, 99999) // 100}.{rng.randint(0, 99):02d}")]),
        [n + 2], customer_code=f"C{n % 20}") for n in range(count)]
    report = ImportReport()
    with db.unit_of_work() as session:
        import_records(session, tenant, records, actor=Actor("test:volume"), skip_invalid=False,
                       report=report)
    assert not report.errors, report.errors[:5]
    assert len(report.batch_ids) == 1
    return next(iter(report.batch_ids))


def close_and_post(db: Database, tenant: TenantContext, batch_id: str) -> None:
    """Close the batch, post it and run the posting job to its end."""
    actor = Actor("test:volume")
    with db.unit_of_work() as session:
        batch = batches.require_batch(session, tenant.id, batch_id, for_update=True)
        batches.apply_action(session, tenant, batch, "close", actor)
        posting.start_posting(session, tenant, batch, actor)
    Worker(db).drain()
