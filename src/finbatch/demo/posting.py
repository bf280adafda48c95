"""Demo step 3: a complete set of posting rules; September's verified batches and the exported AP
batches posted through the job engine (a worker runs the jobs in this process)."""

from __future__ import annotations

from finbatch.batches import service as batches
from finbatch.batches.repository import BatchFilter, BatchRepository
from finbatch.batches.service import Actor
from finbatch.db import Database
from finbatch.jobs.handlers import Worker
from finbatch.ledger import ap_posting, posting, rules
from finbatch.ledger.rules import PostingRuleRepository
from finbatch.payables.repository import ApBatchRepository
from finbatch.tenancy.auth import TenantContext

ACTOR = Actor("system:demo")

#: kind, role, account code, product, commerce type
RULES = [
    ("invoice", "receivable", "1100", None, None),
    ("invoice", "revenue", "4000", None, None),
    ("invoice", "revenue", "4100", None, "M"),
    ("invoice", "revenue", "4200", None, "D"),
    ("invoice", "revenue", "4300", None, "S"),
    ("invoice", "revenue", "4400", "CONF-REG", None),
    ("invoice", "revenue", "4400", "WORKSHOP", None),
    ("invoice", "deferred_revenue", "2300", "DUES-FAM", None),
    ("invoice", "tax_payable", "2200", None, None),
    ("debit_memo", "revenue", "4500", None, None),
    ("payment", "cash", "1010", None, None),
    ("payment", "merchant_fees", "6100", None, None),
    ("payment", "receivable", "1100", None, None),
    ("purchase_payment", "payable", "2100", None, None),
    ("credit", "allowances", "4900", None, None),
    ("write_off", "write_off", "6200", None, None),
    ("ap_invoice", "payable", "2100", None, None),
    ("ap_invoice", "expense", "6300", None, None),
    ("ap_invoice", "tax_expense", "6500", None, None),
]


def load_posting(db: Database, tenant: TenantContext) -> None:
    with db.unit_of_work() as session:
        if not PostingRuleRepository(session, tenant.id).all():
            for kind, role, code, product, commerce in RULES:
                rules.create_rule(session, tenant_id=tenant.id, kind=kind, role=role,
                                  account_code=code, product=product, commerce_type=commerce,
                                  actor=ACTOR.name)
        verified = BatchRepository(session, tenant.id).page(cursor=None, limit=100, filters=BatchFilter(
            fiscal_year_id="FY2026", fiscal_period=9, statuses=["verified"])).items
        for batch in verified:
            posting.start_posting(session, tenant, batches.require_batch(
                session, tenant.id, batch.id, for_update=True), ACTOR)
        # the AP batches already exported get their journal too (Queued ones are left to post)
        for ap_batch in ApBatchRepository(session, tenant.id).unposted_with_status("Exported"):
            ap_posting.start_ap_posting(session, tenant, ap_batch.id, ACTOR)
    Worker(db, name="demo").drain()
