"""YM fixtures: ``club_books`` is a membership club's receivables built through /v1 under a frozen
clock (New York, USD, ClientID 2000): dues (M) and donations (D) invoices on several days, so
closing by commerce type and closing date has something to choose from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from finbatch.kit.clock import clock
from tests.support.books import Books

T1 = datetime(2026, 1, 10, 15, 0, tzinfo=UTC)
T2 = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)
T3 = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 1, 21, 17, 30, tzinfo=UTC)


@dataclass
class ClubBooks:
    client_id: int
    headers: dict[str, str]
    books: Books
    invoices: dict[str, dict] = field(default_factory=dict)


@pytest.fixture
def club_books(client, tenant) -> ClubBooks:
    """Dues invoices M1 (10 Jan, two lines, taxed) and M2 (20 Jan); donation D1 (12 Jan, with a
    name that Windows-1252 cannot write); the clock stays at ``NOW`` for the test."""
    books = Books.open(client, tenant)
    club = ClubBooks(tenant.id, tenant.headers(), books)
    with clock.freeze(T1):
        ann = books.customer("Ann Archer")
        club.invoices["M1"] = books.post("/v1/invoices", {
            "customer_id": ann, "date": "2026-01-10", "commerce_type": "M",
            "lines": [{"product": "DUES", "description": "Annual dues", "unit_price": "120.00",
                       "tax_code": "ST"},
                      {"product": "PIN", "description": "Member pin", "quantity": "2",
                       "unit_price": "3.35"}]})
    with clock.freeze(T2):
        zoe = books.customer("Zoë Żak")
        club.invoices["D1"] = books.post("/v1/invoices", {
            "customer_id": zoe, "date": "2026-01-12", "commerce_type": "D",
            "lines": [{"product": "GIFT", "description": "Gift, \"general\" fund",
                       "unit_price": "50.00"}]})
    with clock.freeze(T3):
        club.invoices["M2"] = books.post("/v1/invoices", {
            "customer_id": ann, "date": "2026-01-20", "commerce_type": "M",
            "lines": [{"product": "DUES", "description": "Late dues", "unit_price": "40.00"}]})
    with clock.freeze(NOW):
        yield club
