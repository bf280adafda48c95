"""Property: whatever the kinds, currencies, amounts and allocations, every journal entry, every
batch and every currency balances exactly."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from finbatch.batches import service as batches
from finbatch.batches.service import Actor
from finbatch.jobs.handlers import Worker
from finbatch.kit.errors import FinbatchError
from finbatch.kit.money import format_minor
from finbatch.ledger import posting
from finbatch.ledger.models import JournalEntry, JournalLine
from finbatch.receivables import service
from finbatch.receivables.inputs import AllocationIn, LineIn, TransactionIn
from finbatch.receivables.models import ARTransaction
from finbatch.receivables.repository import TransactionRepository
from tests.conftest import make_tenant
from tests.support.volume import ledger_ready_tenant

ACTOR = Actor("test")
_counter = itertools.count()
CURRENCIES = {"USD": None, "EUR": "1.0833", "JPY": "0.006634", "KWD": "3.2547"}

quantity = st.sampled_from(["1", "2", "0.5", "3", "7", "0.333"])
price = st.integers(1, 99_999).map(lambda n: f"{n // 100}.{n % 100:02d}")
transaction = st.fixed_dictionaries({
    "kind": st.sampled_from(["invoice", "invoice", "payment", "refund", "credit_memo", "credit",
                             "write_off"]),
    "currency": st.sampled_from(list(CURRENCIES)),
    "lines": st.lists(st.tuples(quantity, price, st.booleans()), min_size=1, max_size=4),
    "share": st.integers(1, 100),
    "fee": st.integers(0, 30),
    "customer": st.integers(0, 2),
})


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(transaction, min_size=1, max_size=20))
def test_every_entry_batch_and_currency_balances(database, specs):
    handle = make_tenant(database, f"pp-{next(_counter)}")
    tenant = ledger_ready_tenant(database, handle.id)
    _extra_rules(database, tenant)
    open_invoices: dict[tuple[str, str], list[str]] = defaultdict(list)
    for spec in specs:
        with database.unit_of_work() as session:
            try:
                _create(session, tenant, spec, open_invoices)
            except FinbatchError:
                session.rollback()
    with database.unit_of_work() as session:
        batch_ids = set(session.execute(select(ARTransaction.batch_id).where(
            ARTransaction.tenant_id == tenant.id).distinct()).scalars())
        for batch_id in batch_ids:
            batch = batches.require_batch(session, tenant.id, batch_id, for_update=True)
            batches.apply_action(session, tenant, batch, "close", ACTOR)
            posting.start_posting(session, tenant, batch, ACTOR)
    Worker(database).drain()
    with database.reading() as session:
        for batch_id in batch_ids:
            assert batches.require_batch(session, tenant.id, batch_id).status == "posted"
        rows = session.execute(select(JournalEntry.id, JournalEntry.batch_id, JournalEntry.currency,
                                      JournalLine.debit, JournalLine.credit, JournalLine.txn_debit,
                                      JournalLine.txn_credit)
                               .join(JournalLine, (JournalLine.tenant_id == JournalEntry.tenant_id)
                                     & (JournalLine.entry_id == JournalEntry.id))
                               .where(JournalEntry.tenant_id == tenant.id)).all()
        amounts = {t.id: t.amount for t in session.execute(select(ARTransaction).where(
            ARTransaction.tenant_id == tenant.id)).scalars()}
        sources = dict(session.execute(select(JournalEntry.id, JournalEntry.source_id).where(
            JournalEntry.tenant_id == tenant.id)).all())
    per_entry, per_batch, per_currency = (defaultdict(lambda: [0, 0, 0, 0]) for _ in range(3))
    for entry_id, batch_id, currency, debit, credit, txn_debit, txn_credit in rows:
        for key, totals in ((entry_id, per_entry), (batch_id, per_batch), (currency, per_currency)):
            totals[key][0] += debit
            totals[key][1] += credit
            totals[key][2] += txn_debit
            totals[key][3] += txn_credit
    for totals in (per_entry, per_batch, per_currency):
        for debit, credit, txn_debit, txn_credit in totals.values():
            assert debit == credit and txn_debit == txn_credit
    for entry_id, (_d, _c, txn_debit, _tc) in per_entry.items():
        # every kind debits exactly its transaction's amount (receivable, revenue + tax, cash + fee)
        assert txn_debit == amounts[sources[entry_id]]
    assert len(per_entry) == sum(1 for a in amounts.values() if a > 0)


def _extra_rules(database, tenant) -> None:
    from finbatch.ledger import rules
    from finbatch.ledger.accounts import create_account
    from finbatch.receivables import customers
    with database.unit_of_work() as session:
        for code, name, kind in (("2200", "Tax", "liability"), ("6100", "Fees", "expense"),
                                 ("4900", "Allowances", "revenue"), ("6200", "Bad debt", "expense")):
            create_account(session, tenant_id=tenant.id, code=code, name=name, type=kind, actor="t")
        for kind, role, code in (("invoice", "tax_payable", "2200"), ("payment", "cash", "1010"),
                                 ("payment", "merchant_fees", "6100"),
                                 ("payment", "receivable", "1100"), ("credit", "allowances", "4900"),
                                 ("write_off", "write_off", "6200")):
            rules.create_rule(session, tenant_id=tenant.id, kind=kind, role=role, account_code=code,
                              actor="t")
        customers.create_tax_code(session, tenant_id=tenant.id, code="ST", rate="0.0825", actor="t")


def _create(session, tenant, spec, open_invoices) -> None:
    currency = spec["currency"]
    common = {"currency": currency, "fx_rate": CURRENCIES[currency], "date": date(2026, 3, 10),
              "customer_id": None}
    from finbatch.receivables.repository import CustomerRepository
    common["customer_id"] = CustomerRepository(session, tenant.id).by_code(f"C{spec['customer']}").id
    key = (common["customer_id"], currency)
    if spec["kind"] in ("invoice", "credit_memo"):
        lines = [LineIn(quantity=q, unit_price=_scale(p, currency), tax_code="ST" if taxed else None)
                 for q, p, taxed in spec["lines"]]
        allocations = []
        if spec["kind"] == "credit_memo" and open_invoices[key]:
            allocations = [AllocationIn(open_invoices[key][0], _scale("0.01", currency))]
        txn, _ = service.create_transaction(session, tenant, TransactionIn(
            kind=spec["kind"], lines=lines, allocations=allocations, **common), ACTOR)
        if spec["kind"] == "invoice":
            open_invoices[key].append(txn.id)
        return
    target = open_invoices[key][-1] if open_invoices[key] else None
    invoice = TransactionRepository(session, tenant.id).get(target) if target else None
    amount = max(1, (invoice.amount - invoice.settled) * spec["share"] // 100) if invoice else spec["share"] * 100
    if spec["kind"] == "refund":
        amount = max(1, invoice.settled // 2) if invoice and invoice.settled else 100
    allocations = [AllocationIn(target, format_minor(amount, currency))] if invoice and (
        spec["kind"] != "refund" or invoice.settled) else []
    fee = format_minor(amount * spec["fee"] // 1000, currency) if spec["kind"] == "payment" else None
    service.create_transaction(session, tenant, TransactionIn(
        kind=spec["kind"], amount=format_minor(amount, currency), fee=fee,
        allocations=allocations, **common), ACTOR)


def _scale(text: str, currency: str) -> str:
    """A price written with the currency's places (JPY has none, KWD three)."""
    if currency == "JPY":
        return text.replace(".", "").lstrip("0") or "1"
    if currency == "KWD":
        return text + "5"
    return text
