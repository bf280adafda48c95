"""SIGKILL of the API server while clients are writing: after a restart every acknowledged write
is there, nothing is half-written, and retrying every request with its Idempotency-Key leaves
exactly one record per key.

Six clients write invoices (three lines each) and payments applied to them, as fast as a real
server process takes them, until the server is killed under them. What was in flight at the
kill either committed whole or not at all; its retry replays or creates, never duplicates.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from finbatch.receivables.models import ARAllocation, ARLine, ARTransaction
from tests.conftest import make_tenant
from tests.support.books import Books
from tests.support.processes import Server, wait_for

pytestmark = pytest.mark.slow

WRITERS = 6
ACKNOWLEDGED_BEFORE_KILL = 90


def _invoice(customer_id: str, key: str) -> dict:
    return {"customer_id": customer_id, "date": "2026-03-02", "description": key,
            "lines": [{"quantity": "1", "unit_price": "10.00"},
                      {"quantity": "2", "unit_price": "7.25"},
                      {"quantity": "3", "unit_price": "0.10"}]}


def _payment(customer_id: str, key: str, invoice_id: str) -> dict:
    return {"customer_id": customer_id, "date": "2026-03-05", "amount": "5.00",
            "description": key, "allocations": [{"target_id": invoice_id, "amount": "5.00"}]}


class Writers:
    """The clients: every request they sent (key → path and body) and those the server
    acknowledged (key → the created record's id)."""

    def __init__(self, server: Server, headers: dict[str, str], customers: list[str]) -> None:
        self.server, self.headers, self.customers = server, headers, customers
        self.sent: dict[str, tuple[str, dict]] = {}
        self.acknowledged: dict[str, str] = {}
        self.unexpected: list[str] = []
        self._threads = [threading.Thread(target=self._write, args=(w,)) for w in range(WRITERS)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=60)

    def _requests(self, writer: int) -> Iterator[tuple[str, str, dict]]:
        customer = self.customers[writer % len(self.customers)]
        n = 0
        while True:
            key = f"w{writer}-invoice-{n}"
            yield key, "/v1/invoices", _invoice(customer, key)
            invoice_id = self.acknowledged[key]
            yield f"w{writer}-payment-{n}", "/v1/payments", _payment(customer, f"w{writer}-payment-{n}",
                                                                    invoice_id)
            n += 1

    def _write(self, writer: int) -> None:
        with httpx.Client(base_url=self.server.base_url, timeout=60) as client:
            for key, path, body in self._requests(writer):
                self.sent[key] = (path, body)
                try:
                    response = client.post(path, json=body,
                                           headers=self.headers | {"Idempotency-Key": key})
                except httpx.TransportError:
                    return  # the server died under this request
                if response.status_code != 201:
                    self.unexpected.append(f"{key}: {response.status_code} {response.text}")
                    return
                self.acknowledged[key] = response.json()["id"]


def _stored(database, tenant_id: int) -> dict[str, list]:
    """key → the transactions whose description is that key (more than one is a duplicate)."""
    with database.reading() as session:
        rows = session.execute(select(ARTransaction.description, ARTransaction.id).where(
            ARTransaction.tenant_id == tenant_id)).all()
    stored: dict[str, list] = {}
    for key, record_id in rows:
        stored.setdefault(key, []).append(record_id)
    return stored


def _assert_nothing_half_written(database, tenant_id: int) -> None:
    """Each invoice has its three lines and the amount they add up to; each payment its
    allocation; each invoice's settled amount is the sum of what is applied to it."""
    with database.reading() as session:
        transactions = session.execute(select(
            ARTransaction.id, ARTransaction.kind, ARTransaction.amount, ARTransaction.settled).where(
            ARTransaction.tenant_id == tenant_id)).all()
        lines = dict(session.execute(select(ARLine.transaction_id, func.count()).where(
            ARLine.tenant_id == tenant_id).group_by(ARLine.transaction_id)).all())
        applied_from = dict(session.execute(select(ARAllocation.source_id, func.count()).where(
            ARAllocation.tenant_id == tenant_id).group_by(ARAllocation.source_id)).all())
        applied_to = dict(session.execute(select(ARAllocation.target_id, func.sum(
            ARAllocation.amount)).where(ARAllocation.tenant_id == tenant_id).group_by(
            ARAllocation.target_id)).all())
    for record_id, kind, amount, settled in transactions:
        if kind == "invoice":
            assert lines.get(record_id) == 3, f"invoice {record_id} has {lines.get(record_id)} lines"
            assert amount == 2480, f"invoice {record_id} amounts to {amount} cents, not 24.80"
            assert settled == (applied_to.get(record_id) or 0)
        else:
            assert applied_from.get(record_id) == 1, f"payment {record_id} lost its allocation"


def test_a_server_killed_mid_write_keeps_every_acknowledged_write_once(database, database_url,
                                                                       tmp_path):
    tenant = make_tenant(database, "acme")
    server = Server(database_url, tmp_path / "server.log").start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            books = Books.open(client, tenant)
            customers = [books.customer(f"Customer {n}") for n in range(3)]
        writers = Writers(server, tenant.headers(), customers)
        writers.start()
        wait_for(lambda: len(writers.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL or writers.unexpected,
                 timeout=120, message=f"{ACKNOWLEDGED_BEFORE_KILL} acknowledged writes")
        server.kill()
        writers.join()
        assert not writers.unexpected, writers.unexpected
        in_flight = writers.sent.keys() - writers.acknowledged.keys()
        assert in_flight, "the kill caught no request in flight"

        stored = _stored(database, tenant.id)
        assert all(len(ids) == 1 for ids in stored.values()), "a duplicate before any retry"
        for key, record_id in writers.acknowledged.items():
            assert stored.get(key) == [record_id], f"acknowledged {key} was lost"
        assert stored.keys() <= writers.sent.keys()
        _assert_nothing_half_written(database, tenant.id)

        server.start()
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            for key, (path, body) in sorted(writers.sent.items()):
                retried = client.post(path, json=body,
                                      headers=tenant.headers() | {"Idempotency-Key": key})
                assert retried.status_code == 201, f"{key}: {retried.text}"
                if key in writers.acknowledged:
                    assert retried.json()["id"] == writers.acknowledged[key], f"{key} replayed another record"
            batches = client.get("/v1/batches", headers=tenant.headers()).json()["items"]
    finally:
        server.stop()

    stored = _stored(database, tenant.id)
    assert {key: len(ids) for key, ids in stored.items()} == {key: 1 for key in writers.sent}
    _assert_nothing_half_written(database, tenant.id)
    invoices = sum(1 for key in stored if "-invoice-" in key)
    statistics = [batch["statistics"] for batch in batches]
    assert sum(s["number_of_invoices"] for s in statistics) == invoices
    assert sum(Decimal(s["invoice_total"]) for s in statistics) == invoices * Decimal("24.80")
