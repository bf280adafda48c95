"""The benchmark data set: one tenant with N AR transactions over the 12 periods of FY2026, posted.

Deterministic (``random.Random(seed)``): the same N and seed give the same customers, products,
amounts, dates and accounts on every run and engine (only generated ids and instants differ).

How it is built, and why that is fair to the benchmarks:
- Reference data (tenant, business units, fiscal year, chart, posting rules, tax code, token) goes
  through finbatch's own services, exactly as an administrator's API calls would.
- Transactions, their lines, tax lines and allocations are computed with finbatch's own pricing
  rules and written set-wise with SQLAlchemy Core, which is what the bulk importer does minus the
  per-record validation and change-feed events (the import figure measures those separately).
  Batch statistics and number counters are brought up to date the way the importer does.
- Every batch is then closed and **posted by finbatch's posting job**: the journal the export and
  the list figures read is the product's own, guarded for balance by the database.
- One more closed batch of N/10 transactions is left unposted for ``post_rate``.

The mix resembles a membership association's year: dues, donations, event registrations and
taxed store sales on 1–3 lines; 40 % of invoices paid in full by a card payment (with a merchant
fee) or a cheque in the same batch.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from finbatch import counters
from finbatch.batches import service as batches
from finbatch.batches import stats as batch_stats
from finbatch.batches.service import Actor
from finbatch.bulk import BulkInsert
from finbatch.config import Settings
from finbatch.db import Database, ensure_statistics, refresh_statistics
from finbatch.demo.posting import RULES
from finbatch.demo.setup import CHART
from finbatch.fiscal import service as fiscal
from finbatch.jobs.handlers import Worker
from finbatch.kit import money
from finbatch.kit.clock import utcnow
from finbatch.kit.ids import uuid7
from finbatch.ledger import accounts, posting, rules
from finbatch.receivables import customers
from finbatch.receivables.importer import IMPORTED_TABLES, REFERENCED_TABLES
from finbatch.receivables.models import (
    ARAllocation,
    ARLine,
    ARTaxLine,
    ARTransaction,
    Customer,
)
from finbatch.tenancy import business_units
from finbatch.tenancy import service as tenancy
from finbatch.tenancy.auth import TenantContext

ACTOR = Actor("system:bench")
SLUG = "bench"
YEAR = 2026
CUSTOMERS = 2000
TAX_CODE, TAX_RATE = "ST", Decimal("0.0825")
#: product, unit price (cents), commerce type, business unit, taxed
PRODUCTS = [
    ("DUES-IND", 15000, "M", "MAIN", False),
    ("DUES-FAM", 22500, "M", "MAIN", False),
    ("DONATION", None, "D", "MAIN", False),
    ("CONF-REG", 45000, None, "EVENTS", False),
    ("WORKSHOP", 12500, None, "EVENTS", False),
    ("MUG", 1499, "S", "MAIN", True),
    ("TSHIRT", 2499, "S", "MAIN", True),
    ("BOOK", 3995, "S", "MAIN", True),
]


@dataclass
class Generated:
    """What the figures need to know about the data set."""

    database_url: str
    tenant_id: int
    tenant: TenantContext
    token: str
    transactions: int
    journal_lines: int
    posted_batch_ids: list[str]
    pending_batch_id: str
    pending_transactions: int
    invoice_ids_sorted: list[str] = field(default_factory=list, repr=False)


def database_for(url: str, export_dir: Path | None = None) -> Database:
    settings = Settings(database_url=url, embedded_workers=0)
    if export_dir is not None:
        settings = settings.model_copy(update={"export_dir": export_dir})
    return Database(settings)


# --- reference data ------------------------------------------------------------------------------

def _reference_data(db: Database) -> tuple[TenantContext, str]:
    with db.unit_of_work() as session:
        row = tenancy.create_tenant(session, slug=SLUG, name="Benchmark Association",
                                    timezone="America/New_York", base_currency="USD",
                                    fiscal_year_start_month=1, actor=ACTOR.name)
        tenant = TenantContext.of(row)
        for unit_id, name in (("MAIN", "Association"), ("EVENTS", "Events")):
            business_units.create_business_unit(session, tenant_id=tenant.id, id=unit_id,
                                                name=name, currency="USD", actor=ACTOR.name)
        fiscal.create_fiscal_year(session, tenant_id=tenant.id, start_month=1, year=YEAR,
                                  actor=ACTOR.name)
        for code, name, account_type, parent in CHART:
            accounts.create_account(session, tenant_id=tenant.id, code=code, name=name,
                                    type=account_type, parent_code=parent, actor=ACTOR.name)
        for kind, role, code, product, commerce in RULES:
            rules.create_rule(session, tenant_id=tenant.id, kind=kind, role=role,
                              account_code=code, product=product, commerce_type=commerce,
                              actor=ACTOR.name)
        customers.create_tax_code(session, tenant_id=tenant.id, code=TAX_CODE,
                                  rate=str(TAX_RATE), description="State sales tax",
                                  actor=ACTOR.name)
        now = utcnow()
        session.execute(insert(Customer), [
            {"tenant_id": tenant.id, "id": uuid7(), "code": customer_code(n),
             "name": f"Member {n:05d}", "email": f"member{n}@example.org", "external_ref": None,
             "created_at": now, "modified_at": now, "version": 1} for n in range(CUSTOMERS)])
        token = tenancy.create_token(session, grants={tenant.id: ["admin"]}, name="bench",
                                     expires_in=timedelta(days=2)).secret
    return tenant, token


def customer_code(n: int) -> str:
    return f"M{n:05d}"


# --- transactions --------------------------------------------------------------------------------

@dataclass(slots=True)
class _Rows:
    txns: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    taxes: list[dict] = field(default_factory=list)
    allocs: list[dict] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=lambda: {"invoice": 0, "payment": 0})

    def size(self) -> int:
        return len(self.txns)


def invoice_lines(rng: random.Random) -> tuple[list[tuple[str, int, int]], str | None, str]:
    """[(product, quantity, unit price cents)], commerce type, business unit of one invoice."""
    product, price, commerce, unit, _taxed = rng.choice(PRODUCTS)
    if commerce == "S":
        picks = [rng.choice(PRODUCTS[5:]) for _ in range(rng.randint(1, 3))]
        return [(p[0], rng.randint(1, 4), p[1]) for p in picks], "S", "MAIN"
    amount = price if price is not None else rng.choice((2500, 5000, 10000, 25000, 100000))
    return [(product, 1, amount)], commerce, unit


def _add_invoice_and_payment(rows: _Rows, tenant: TenantContext, rng: random.Random, batch: dict,
                             customer_ids: list[str], day: date, now, *, pay: bool) -> None:
    tid = tenant.id
    lines, commerce, _unit = invoice_lines(rng)
    invoice_id = uuid7()
    customer = rng.choice(customer_ids)
    subtotal, taxable = 0, 0
    for number, (product, quantity, unit_cents) in enumerate(lines, 1):
        amount = quantity * unit_cents
        taxed = product in ("MUG", "TSHIRT", "BOOK")
        subtotal += amount
        taxable += amount if taxed else 0
        rows.lines.append({
            "tenant_id": tid, "transaction_id": invoice_id, "line_number": number,
            "product": product, "description": product.replace("-", " ").title(),
            "quantity": Decimal(quantity), "unit": "each",
            "unit_price": money.to_decimal(unit_cents, "USD"), "amount": amount,
            "tax_code": TAX_CODE if taxed else None, "gl_account_code": None})
    tax = money.round_to_minor(money.to_decimal(taxable, "USD") * TAX_RATE, "USD") if taxable else 0
    if taxable:
        rows.taxes.append({"tenant_id": tid, "transaction_id": invoice_id, "tax_code": TAX_CODE,
                           "description": "State sales tax", "rate": TAX_RATE,
                           "taxable": taxable, "tax": tax})
    total = subtotal + tax
    rows.numbers["invoice"] += 1
    rows.txns.append(_txn(tid, invoice_id, "invoice", rows.numbers["invoice"], batch, customer,
                          day, commerce, total, now, subtotal=subtotal, tax_total=tax,
                          settled=total if pay else 0, due_date=day + timedelta(days=30),
                          terms="Net 30"))
    if not pay:
        return
    payment_id = uuid7()
    card = rng.random() < 0.7
    fee = (total * 29 + 500) // 1000 + 30 if card else 0
    rows.numbers["payment"] += 1
    paid_on = min(day + timedelta(days=rng.randint(0, 3)), _last_day(day))
    rows.txns.append(_txn(tid, payment_id, "payment", rows.numbers["payment"], batch, customer,
                          paid_on, commerce, total, now, fee=min(fee, total),
                          transaction_type="SP", payment_method="card" if card else "check",
                          reference=f"CHK{rows.numbers['payment']:07d}" if not card else None))
    rows.allocs.append({"tenant_id": tid, "id": uuid7(), "source_id": payment_id,
                        "target_id": invoice_id, "amount": total, "created_at": now})


def _last_day(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _txn(tid: int, txn_id: str, kind: str, number: int, batch: dict, customer: str, day: date,
         commerce: str | None, amount: int, now, **extra) -> dict:
    row = {
        "tenant_id": tid, "id": txn_id, "kind": kind, "number": number, "external_ref": None,
        "source_hash": None, "batch_id": batch["id"], "business_unit_id": batch["unit"],
        "customer_id": customer, "currency": "USD", "fx_rate": Decimal(1), "date": day,
        "occurred_at": None, "fiscal_year_id": f"FY{YEAR}", "fiscal_period": batch["period"],
        "commerce_type": commerce, "description": None, "amount": amount, "subtotal": 0,
        "tax_total": 0, "settled": 0, "due_date": None, "location": None, "terms": None,
        "is_void": False, "void_date": None, "transaction_type": None, "fee": 0,
        "payment_account": None, "payment_method": None, "reference": None,
        "cleared_date": None, "payee": None, "requires_follow_up": False, "payment_id": None,
        "created_at": now, "created_by": ACTOR.name, "modified_at": now,
        "modified_by": ACTOR.name, "version": 1}
    row.update(extra)
    return row


def _flush(session, rows: _Rows) -> None:
    for table, data in ((ARTransaction, rows.txns), (ARLine, rows.lines), (ARTaxLine, rows.taxes),
                        (ARAllocation, rows.allocs)):
        if data:
            columns = list(data[0])
            BulkInsert(session, table.__table__, columns).write(
                [tuple(row[c] for c in columns) for row in data])
        data.clear()


def _fill(db: Database, tenant: TenantContext, rng: random.Random, customer_ids: list[str],
          plan: list[tuple[dict, int]]) -> int:
    """Write ``count`` transactions into each planned batch; returns how many were written."""
    rows = _Rows()
    written = 0
    now = utcnow()
    with db.unit_of_work() as session:
        ensure_statistics(session, REFERENCED_TABLES)  # as the importer does
        rows.numbers = {kind: counters.current(session, tenant.id, f"ar:{kind}")
                        for kind in ("invoice", "payment")}
        start_numbers = dict(rows.numbers)
        for batch, count in plan:
            made = 0
            while made < count:
                day = date(YEAR, batch["period"], rng.randint(1, 28))
                pay = count - made >= 2 and rng.random() < 0.4
                _add_invoice_and_payment(rows, tenant, rng, batch, customer_ids, day, now, pay=pay)
                made += 2 if pay else 1
            written += made
            if rows.size() >= 50_000 or batch is plan[-1][0]:
                _flush(session, rows)
        for kind in ("invoice", "payment"):
            used = rows.numbers[kind] - start_numbers[kind]
            if used:
                counters.allocate(session, tenant.id, f"ar:{kind}", used)
        batch_stats.recompute(session, tenant.id, [b["id"] for b, _ in plan])
        refresh_statistics(session, IMPORTED_TABLES, written)  # as the importer does
    return written


def _batch(db: Database, tenant: TenantContext, unit: str, period: int, name: str) -> dict:
    with db.unit_of_work() as session:
        row = batches.create_batch(session, tenant, {
            "name": name, "business_unit_id": unit, "currency_code": "USD",
            "date": date(YEAR, period, 1), "fiscal_year_id": f"FY{YEAR}",
            "fiscal_period": period}, ACTOR)
        return {"id": row.id, "unit": unit, "period": period}


def _close_and_post(db: Database, tenant: TenantContext, batch_ids: list[str], *, post: bool) -> None:
    with db.unit_of_work() as session:
        for batch_id in batch_ids:
            batch = batches.require_batch(session, tenant.id, batch_id, for_update=True)
            batches.apply_action(session, tenant, batch, "close", ACTOR)
            if post:
                posting.start_posting(session, tenant, batch, ACTOR)
    if post:
        Worker(db, name="bench").drain()


def generate(url: str, n: int, *, seed: int = 20261121, progress=print) -> Generated:
    """Build the data set in the (migrated, empty) database at ``url``."""
    rng = random.Random(seed)
    db = database_for(url)
    try:
        tenant, token = _reference_data(db)
        with db.reading() as session:
            customer_ids = [c for (c,) in session.query(Customer.id).filter(
                Customer.tenant_id == tenant.id).order_by(Customer.code)]
        plan = []
        per_batch = n // 24
        for period in range(1, 13):
            for unit in ("MAIN", "EVENTS"):
                count = per_batch if len(plan) < 23 else n - per_batch * 23
                plan.append((_batch(db, tenant, unit, period, f"{unit} {YEAR}-{period:02d}"), count))
        written = _fill(db, tenant, rng, customer_ids, plan)
        progress(f"  generated {written:,} transactions in {len(plan)} batches; posting them")
        posted = [b["id"] for b, _ in plan]
        _close_and_post(db, tenant, posted, post=True)
        pending = _batch(db, tenant, "MAIN", 12, f"MAIN {YEAR}-12 to post")
        pending_count = _fill(db, tenant, rng, customer_ids, [(pending, max(n // 10, 2))])
        _close_and_post(db, tenant, [pending["id"]], post=False)
        with db.reading() as session:
            lines = session.execute(_count_lines(tenant.id)).scalar_one()
        return Generated(url, tenant.id, tenant, token, written, lines, posted, pending["id"],
                         pending_count)
    finally:
        db.engine.dispose()


def _count_lines(tenant_id: int):
    from sqlalchemy import func, select

    from finbatch.ledger.models import JournalLine
    return select(func.count()).select_from(JournalLine).where(JournalLine.tenant_id == tenant_id)


# --- the import file -----------------------------------------------------------------------------

IMPORT_COLUMNS = ["kind", "external_ref", "business_unit_id", "customer_code", "date",
                  "commerce_type", "description", "product", "quantity", "unit_price", "tax_code",
                  "applies_to", "amount", "payment_method", "fee"]


def write_import_csv(path: Path, n: int, *, seed: int = 20261122) -> int:
    """A ``finbatch import`` CSV of ``n`` transactions (invoices on 1–3 lines, 40 % paid);
    returns the number of CSV rows."""
    rng = random.Random(seed)
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(IMPORT_COLUMNS)
        made = 0
        while made < n:
            lines, commerce, unit = invoice_lines(rng)
            ref = f"INV-{made + 1:08d}"
            customer = customer_code(rng.randrange(CUSTOMERS))
            day = date(YEAR, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
            subtotal = taxable = 0
            for product, quantity, cents in lines:
                taxed = product in ("MUG", "TSHIRT", "BOOK")
                subtotal += quantity * cents
                taxable += quantity * cents if taxed else 0
                out.writerow(["invoice", ref, unit, customer, day, commerce or "", "", product, quantity,
                              money.format_minor(cents, "USD"), TAX_CODE if taxed else "", "", "",
                              "", ""])
                rows += 1
            made += 1
            if made < n and rng.random() < 0.4:
                tax = money.round_to_minor(money.to_decimal(taxable, "USD") * TAX_RATE, "USD")
                total = money.format_minor(subtotal + tax, "USD")
                out.writerow(["payment", f"PAY-{made + 1:08d}", unit, customer, day, commerce or "", "",
                              "", "", "", "", ref, total, "card", "0.00"])
                rows += 1
                made += 1
    return rows


if __name__ == "__main__":  # python -m bench.generate URL N: build a data set by hand
    import sys

    generated = generate(sys.argv[1], int(sys.argv[2]))
    print(generated)
