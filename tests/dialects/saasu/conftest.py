"""Saasu fixtures: links are built on Saasu's own host, and ``saasu_file`` is a file shaped like
the seed's sample (FileId 123, AUD, Sydney), built through /v1 under a frozen clock so every
golden response is the same on every run and on both engines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from finbatch.config import Settings
from finbatch.kit.clock import clock
from tests.conftest import make_tenant
from tests.support.books import Books

#: The seed's CreatedDateUtc (Python keeps 6 of its 7 fractional digits).
CREATED = datetime(2024, 3, 21, 18, 0, 7, 361258, tzinfo=UTC)
#: The seed's LastModifiedDateUtc, and when the tests ask.
MODIFIED = datetime(2024, 3, 28, 18, 0, 7, 361258, tzinfo=UTC)
NOW = MODIFIED + timedelta(minutes=5)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, export_dir=tmp_path / "exports",
                    embedded_workers=0, signing_secret="test-signing-secret",
                    public_url="https://api.saasu.com")


@dataclass
class SaasuFile:
    id: int
    headers: dict[str, str]
    token: str
    invoices: list[dict]
    payments: list[dict]


@pytest.fixture
def saasu_file(client, database) -> SaasuFile:
    """FileId 123: payments 1–5 dated January (outside the default window), payment 6 the seed's
    (100.00 with a 10.00 fee, "Payment Test", account 1387, created 21 March and modified 28
    March), payments 7–31 in March, some cleared, some allocated to invoices; one PP payment.
    The clock stays frozen at ``NOW`` for the test."""
    handle = make_tenant(database, "saasu-sample", client_id=123, timezone="Australia/Sydney",
                         currency="AUD")
    with clock.freeze(CREATED - timedelta(days=70)):
        books = Books(client, handle.headers())
        books.post("/v1/business-units", {"id": "MAIN", "name": "Main", "currency": "AUD"})
        books.post("/v1/gl-accounts", {"code": "1387", "name": "Cheque account", "type": "asset"})
        books.post("/v1/gl-accounts", {"code": "BANK-02", "name": "Savings", "type": "asset"})
        invoices = [books.invoice("Acme Pty", f"2024-01-{d:02d}", ("1", "250.00")) for d in (3, 4)]
        payments = [books.payment("Acme Pty", f"2024-01-{10 + n}", f"{n}0.00",
                                  payment_account="1387") for n in range(1, 6)]
    with clock.freeze(CREATED):
        payments.append(books.payment("Acme Pty", "2024-03-22", "100.00", fee="10.00",
                                      description="Payment Test", payment_account="1387"))
    with clock.freeze(MODIFIED):
        updated = client.patch(f"/v1/payments/{payments[-1]['id']}", headers=handle.headers(),
                               json={"description": "Payment Test"})
        assert updated.status_code == 200, updated.text
        for n in range(7, 32):
            extra = {}
            if n % 5 == 0:
                extra["cleared_date"] = str(date(2024, 3, 25))
            if n in (8, 9):
                extra["allocations"] = [{"target_id": invoices[0]["id"], "amount": "50.00"}]
            if n == 10:
                extra["allocations"] = [{"target_id": invoices[1]["id"], "amount": "12.34"}]
            if n == 11:
                payments.append(books.post("/v1/payments", {
                    "transaction_type": "PP", "payee": "Stationery Co", "date": "2024-03-23",
                    "amount": "77.70", "payment_account": "BANK-02", "reference": "PO-11"}))
                continue
            payments.append(books.payment("Acme Pty", f"2024-03-{min(28, 20 + n % 9)}",
                                          f"{n}0.{n:02d}", payment_account="1387",
                                          reference=f"R{n}", **extra))
    with clock.freeze(NOW):
        yield SaasuFile(handle.id, handle.headers(), handle.tokens["admin"], invoices, payments)
