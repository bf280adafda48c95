"""Demo step 2: customers, tax codes and three months (September to November 2026) of invoices,
payments, refunds, credits, memos and a write-off, in batches of several statuses.

Everything goes through the receivables service, so the demo exercises the same rules as any
client. A fixed random seed makes the data the same on every machine.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from finbatch.batches import service as batches
from finbatch.batches.repository import BatchFilter, BatchRepository
from finbatch.batches.service import Actor
from finbatch.db import Database
from finbatch.kit.money import format_minor
from finbatch.receivables import customers as customer_service
from finbatch.receivables import service
from finbatch.receivables.inputs import AllocationIn, LineIn, TransactionIn
from finbatch.receivables.repository import CustomerRepository, TaxCodeRepository
from finbatch.tenancy.auth import TenantContext

ACTOR = Actor("system:demo")
FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Radia",
               "Ken", "Margaret", "Tim", "Sophie", "Linus", "Katherine"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus",
              "Perlman", "Thompson", "Hamilton", "Berners-Lee", "Wilson", "Torvalds", "Johnson"]
#: product, description, unit price, commerce type, business unit, tax code, GL override
PRODUCTS = [
    ("DUES-IND", "Individual membership dues", "150.00", "M", "MAIN", None, None),
    ("DUES-FAM", "Family membership dues", "240.00", "M", "MAIN", None, None),
    ("DON-GEN", "General fund donation", "50.00", "D", "MAIN", None, None),
    ("DON-SCH", "Scholarship fund donation", "100.00", "D", "MAIN", None, "4200"),
    ("SHOP-TEE", "Association T-shirt", "24.50", "S", "MAIN", "NY", None),
    ("SHOP-MUG", "Coffee mug", "12.99", "S", "MAIN", "NY", None),
    ("SHOP-BOOK", "Annual proceedings (print)", "39.95", "S", "MAIN", "NY", None),
    ("CONF-REG", "Annual conference registration", "395.00", None, "EVENTS", None, None),
    ("WORKSHOP", "Half-day workshop", "125.00", None, "EVENTS", None, None),
    ("CA-DUES", "Canadian chapter dues", "120.00", "M", "CANADA", None, None),
]
MONTHS = [(2026, 9), (2026, 10), (2026, 11)]
CAD_RATE = "0.7312"


def load_receivables(db: Database, tenant: TenantContext) -> None:
    with db.unit_of_work() as session:
        _load(session, tenant)


def _load(session: Session, tenant: TenantContext) -> None:
    customers = CustomerRepository(session, tenant.id)
    if customers.by_external_ref("demo-c-001") is not None:
        return
    rng = random.Random(2026)
    if TaxCodeRepository(session, tenant.id).get("NY") is None:
        customer_service.create_tax_code(session, tenant_id=tenant.id, code="NY", rate="0.08875",
                                         description="New York sales tax", actor=ACTOR.name)
        customer_service.create_tax_code(session, tenant_id=tenant.id, code="EXEMPT", rate="0",
                                         description="Tax exempt", actor=ACTOR.name)
    people = []
    for n in range(1, 26):
        name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n * 7) % len(LAST_NAMES)]}"
        customer, _ = customer_service.create_customer(
            session, tenant_id=tenant.id, actor=ACTOR.name,
            fields={"name": name, "code": f"M{1000 + n}", "external_ref": f"demo-c-{n:03d}",
                    "email": f"{name.split()[0].lower()}.{n}@example.org"})
        people.append(customer.id)
    for year, month in MONTHS:
        _month(session, tenant, rng, people, year, month)
    _set_batch_statuses(session, tenant)


def _instant(rng: random.Random, year: int, month: int, day: int) -> datetime:
    # business hours in New York, with a few late-night payments around midnight
    hour = rng.choice([9, 10, 11, 13, 14, 15, 16, 23, 4])
    return datetime(year, month, day, hour, rng.randint(0, 59), tzinfo=UTC)


def _month(session: Session, tenant: TenantContext, rng: random.Random, people: list[str],
           year: int, month: int) -> None:
    invoices = []
    for n in range(67):
        product = rng.choice(PRODUCTS)
        code, desc, price, commerce, unit, tax, gl = product
        lines = [LineIn(product=code, description=desc, quantity=str(rng.choice([1, 1, 1, 2, 3])),
                        unit_price=price, tax_code=tax, gl_account_code=gl, unit="ea")]
        if commerce == "S" and rng.random() < 0.5:
            extra = rng.choice([p for p in PRODUCTS if p[3] == "S"])
            lines.append(LineIn(product=extra[0], description=extra[1], quantity="1",
                                unit_price=extra[2], tax_code=extra[5], unit="ea"))
        day = 1 + (n * 28) // 67
        invoice, _ = service.create_transaction(session, tenant, TransactionIn(
            kind="invoice", business_unit_id=unit, customer_id=rng.choice(people),
            currency="CAD" if unit == "CANADA" else None,
            fx_rate=CAD_RATE if unit == "CANADA" else None,
            date=date(year, month, day), due_date=date(year, month, day) + timedelta(days=30),
            commerce_type=commerce, location=rng.choice(["NYC", "ALB", "BUF"]), terms="Net 30",
            external_ref=f"demo-inv-{year}{month:02d}-{n:03d}", lines=lines,
            description=f"{desc} ({month}/{year})"), ACTOR)
        invoices.append(invoice)
    for n, invoice in enumerate(invoices):
        roll = rng.random()
        if roll < 0.55:
            share = invoice.amount
        elif roll < 0.75:
            share = invoice.amount // 2
        else:
            continue
        day = min(28, invoice.date.day + rng.randint(0, 5))
        fee = share * 29 // 1000 + 30 if rng.random() < 0.7 else 0
        payment, _ = service.create_transaction(session, tenant, TransactionIn(
            kind="payment", business_unit_id=invoice.business_unit_id,
            customer_id=invoice.customer_id, currency=invoice.currency,
            fx_rate=_rate(invoice, tenant), occurred_at=_instant(rng, year, month, day),
            commerce_type=invoice.commerce_type,
            amount=_text(share, invoice.currency), fee=_text(min(fee, share), invoice.currency),
            payment_method=rng.choice(["Credit Card", "Check", "ACH"]),
            reference=f"REF-{year}{month:02d}{n:03d}", payment_account="1020",
            cleared_date=date(year, month, day) + timedelta(days=2) if rng.random() < 0.6 else None,
            external_ref=f"demo-pay-{year}{month:02d}-{n:03d}",
            allocations=[AllocationIn(invoice.id, _text(share, invoice.currency))]), ACTOR)
        if n % 17 == 3:  # an occasional refund of part of the payment
            back = share // 4
            if back:
                service.create_transaction(session, tenant, TransactionIn(
                    kind="refund", business_unit_id=invoice.business_unit_id,
                    customer_id=invoice.customer_id, currency=invoice.currency,
                    fx_rate=_rate(invoice, tenant), payment_id=payment.id,
                    date=date(year, month, min(28, day + 2)),
                    commerce_type=invoice.commerce_type, amount=_text(back, invoice.currency),
                    payment_account="1020", payment_method="Credit Card",
                    external_ref=f"demo-ref-{year}{month:02d}-{n:03d}",
                    allocations=[AllocationIn(invoice.id, _text(back, invoice.currency))]), ACTOR)
    open_usd = [i for i in invoices if i.settled == 0 and i.currency == "USD"]
    for n, invoice in enumerate(open_usd[:2]):
        service.create_transaction(session, tenant, TransactionIn(
            kind="credit_memo", business_unit_id=invoice.business_unit_id,
            customer_id=invoice.customer_id, date=date(year, month, 27),
            commerce_type=invoice.commerce_type, external_ref=f"demo-cm-{year}{month:02d}-{n}",
            description="Goodwill adjustment",
            lines=[LineIn(product="ADJ", description="Goodwill adjustment", unit_price="10.00")],
            allocations=[AllocationIn(invoice.id, "10.00")]), ACTOR)
    if month == 10 and open_usd[2:]:
        invoice = open_usd[2]
        service.create_transaction(session, tenant, TransactionIn(
            kind="write_off", business_unit_id=invoice.business_unit_id,
            customer_id=invoice.customer_id, date=date(year, month, 28),
            commerce_type=invoice.commerce_type, external_ref="demo-wo-1",
            amount=_text(invoice.amount - invoice.settled, "USD"), description="Uncollectible",
            allocations=[AllocationIn(invoice.id, _text(invoice.amount - invoice.settled, "USD"))]),
            ACTOR)
    if month == 11:
        service.create_transaction(session, tenant, TransactionIn(
            kind="credit", business_unit_id="MAIN", customer_id=people[0],
            date=date(year, month, 3), commerce_type="M", amount="25.00",
            external_ref="demo-cr-1", description="Volunteer credit"), ACTOR)
        service.create_transaction(session, tenant, TransactionIn(
            kind="debit_memo", business_unit_id="MAIN", customer_id=people[1],
            date=date(year, month, 4), commerce_type="M", external_ref="demo-dm-1",
            lines=[LineIn(product="LATE-FEE", description="Late payment fee", unit_price="15.00")]),
            ACTOR)


def _rate(invoice, tenant: TenantContext) -> str | None:
    return format(invoice.fx_rate, "f") if invoice.currency != tenant.base_currency else None


def _text(minor: int, currency: str) -> str:
    return format_minor(minor, currency)


def _set_batch_statuses(session: Session, tenant: TenantContext) -> None:
    """September verified, October closed, November open (posting comes later)."""
    repo = BatchRepository(session, tenant.id)
    for period, action in ((9, "verify"), (10, "close")):
        page = repo.page(cursor=None, limit=100, filters=BatchFilter(
            fiscal_year_id="FY2026", fiscal_period=period, statuses=["open"]))
        for batch in page.items:
            batches.apply_action(session, tenant, batch, "close", ACTOR)
            if action == "verify":
                batches.apply_action(session, tenant, batch, "verify", ACTOR)
