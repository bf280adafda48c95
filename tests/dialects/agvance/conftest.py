"""Agvance fixtures: ``farm_books`` is a tenant's receivables built through /v1 under a frozen
clock (New York, USD), so every golden response is the same on every run and both engines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from finbatch.kit.clock import clock
from tests.support.books import Books

T1 = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # invoice 1
T2 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)  # invoice 2
T3 = datetime(2026, 2, 15, 14, 0, tzinfo=UTC)  # credit memo 1, applied to invoice 2
T4 = datetime(2026, 2, 20, 14, 0, tzinfo=UTC)  # invoice 3, paid in full
T5 = datetime(2026, 3, 1, 4, 30, tzinfo=UTC)  # 28 Feb 23:30 in New York: invoices 4, 5, FC 1
T6 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # invoice 5 voided
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


@dataclass
class FarmBooks:
    headers: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)


def _invoice(books: Books, customer: str, day: str, location: str, lines: list[dict], **extra) -> dict:
    return books.post("/v1/invoices", {"customer_id": customer, "date": day, "location": location,
                                       "lines": lines, **extra})


@pytest.fixture
def farm_books(client, tenant) -> FarmBooks:
    """Invoice 1 (G100, two lines, one taxed), 2 (G200, taxed, 10.00 credited by CM1), 3 (G100,
    paid), 4 (G200, partly paid), 5 (G100, void), FC1 (G100, a late fee); the clock stays at
    ``NOW`` for the test."""
    farm = FarmBooks(tenant.headers())
    books = Books(client, tenant.headers())
    with clock.freeze(T1):
        books.post("/v1/business-units", {"id": "MAIN", "name": "Main", "currency": "USD"})
        books.post("/v1/gl-accounts", {"code": "1010", "name": "Bank", "type": "asset"})
        books.post("/v1/gl-accounts", {"code": "4300", "name": "Seed sales", "type": "revenue"})
        books.post("/v1/tax-codes", {"code": "ST", "rate": "0.0825", "description": "State tax"})
        g100 = books.post("/v1/customers", {"name": "Green Acres Farm", "code": "G100"})["id"]
        g200 = books.post("/v1/customers", {"name": "Hilltop Grain", "code": "G200"})["id"]
        farm.ids["1"] = _invoice(books, g100, "2026-01-15", "ELM", [
            {"product": "FERT-28", "description": "Fertilizer 28-0-0", "quantity": "2.5",
             "unit": "gal", "unit_price": "125.50", "tax_code": "ST"},
            {"product": "SEED", "description": "Seed corn", "quantity": "1", "unit": "bag",
             "unit_price": "40.00", "gl_account_code": "4300"}],
            terms="Net 30", due_date="2026-02-14")["id"]
    with clock.freeze(T2):
        farm.ids["2"] = _invoice(books, g200, "2026-02-10", "OAK", [
            {"product": "CHEM", "description": "Herbicide", "unit_price": "300.00",
             "tax_code": "ST"}])["id"]
    with clock.freeze(T3):
        farm.ids["CM1"] = books.post("/v1/credit-memos", {
            "customer_id": g200, "date": "2026-02-15",
            "lines": [{"product": "ADJ", "description": "Price adjustment", "unit_price": "10.00"}],
            "allocations": [{"target_id": farm.ids["2"], "amount": "10.00"}]})["id"]
    with clock.freeze(T4):
        farm.ids["3"] = _invoice(books, g100, "2026-02-20", "ELM", [
            {"product": "FUEL", "description": "Diesel", "quantity": "3", "unit": "gal",
             "unit_price": "33.33"}])["id"]
        books.post("/v1/payments", {"customer_id": g100, "date": "2026-02-20", "amount": "99.99",
                                    "payment_account": "1010",
                                    "allocations": [{"target_id": farm.ids["3"], "amount": "99.99"}]})
    with clock.freeze(T5):
        farm.ids["4"] = _invoice(books, g200, "2026-03-01", "OAK", [
            {"product": "APP", "description": "Custom application", "unit_price": "500.00"}])["id"]
        farm.ids["5"] = _invoice(books, g100, "2026-03-01", "ELM", [
            {"product": "SEED", "description": "Seed corn", "unit_price": "75.00"}])["id"]
        farm.ids["FC1"] = books.post("/v1/debit-memos", {
            "customer_id": g100, "date": "2026-03-01",
            "lines": [{"product": "LATE-FEE", "description": "Finance charge", "unit_price": "15.00"}]})["id"]
        books.post("/v1/payments", {"customer_id": g200, "date": "2026-03-01", "amount": "200.00",
                                    "allocations": [{"target_id": farm.ids["4"], "amount": "200.00"}]})
    with clock.freeze(T6):
        voided = client.post(f"/v1/invoices/{farm.ids['5']}/void", headers=tenant.headers(),
                             json={"void_date": "2026-03-02"})
        assert voided.status_code == 200, voided.text
    with clock.freeze(NOW):
        yield farm
