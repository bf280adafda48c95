"""Closing open items into batches (``receivables.closing``), the rule behind YourMembership's
POST: which transactions close, where they go, and what stays open. Both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from finbatch.batches import stats as batch_stats
from finbatch.batches.service import Actor
from finbatch.kit.clock import clock
from finbatch.receivables import closing
from finbatch.tenancy import service as tenancy
from finbatch.tenancy.auth import TenantContext
from tests.support.books import Books

ACTOR = Actor("test:closing")


@pytest.fixture
def books(client, tenant) -> Books:
    books = Books.open(client, tenant)
    with clock.freeze(datetime(2026, 1, 5, 15, tzinfo=UTC)):
        for day, commerce, price in (("2026-01-03", "M", "10.00"), ("2026-01-10", "M", "20.00"),
                                     ("2026-01-04", "D", "5.00"), ("2026-01-06", None, "7.00")):
            books.post("/v1/invoices", {"customer_id": books.customer("Ann"), "date": day,
                                        "commerce_type": commerce,
                                        "lines": [{"unit_price": price}]})
        books.payment("Ann", "2026-01-03", "10.00", commerce_type="M")
    return books


def _close(database, tenant_id: int, commerce: str | None, through: date) -> closing.ClosedItems:
    with database.unit_of_work() as session:
        tenant = TenantContext.of(tenancy.require_tenant(session, str(tenant_id)))
        result = closing.close_open_items(session, tenant, commerce_type=commerce, through=through,
                                          actor=ACTOR)
        result.batches = [b.id for b in result.batches]  # type: ignore[misc]
        return result


def _batches(books: Books) -> dict[str, dict]:
    return {b["id"]: b for b in books.get("/v1/batches", limit=100)["items"]}


def _count(database, tenant_id: int, batch_id: str) -> int:
    with database.reading() as session:
        return sum(batch_stats.of_batches(session, tenant_id, [batch_id])[batch_id].counts.values())


def test_part_of_an_open_batch_moves_to_a_new_closed_batch(database, tenant, books):
    before = _batches(books)
    result = _close(database, tenant.id, "M", date(2026, 1, 5))
    assert result.item_count == 2  # the 3 Jan invoice and the 3 Jan payment; not the 10 Jan one
    (closed_id,) = result.batches
    after = _batches(books)
    assert closed_id not in before and after[closed_id]["status"] == "closed"
    assert after[closed_id]["commerce_type"] == "M"
    assert _count(database, tenant.id, closed_id) == 2
    source = next(b for b in before.values() if b["commerce_type"] == "M")
    assert after[source["id"]]["status"] == "open" and _count(database, tenant.id, source["id"]) == 1


def test_a_batch_whose_every_item_qualifies_is_closed_as_it_is(database, tenant, books):
    before = _batches(books)
    donations = next(b["id"] for b in before.values() if b["commerce_type"] == "D")
    result = _close(database, tenant.id, "D", date(2026, 1, 31))
    assert result.batches == [donations] and result.item_count == 1
    assert _batches(books)[donations]["status"] == "closed"
    assert len(_batches(books)) == len(before)  # no new batch, no empty husk


def test_no_commerce_type_closes_every_type_and_nothing_twice(database, tenant, books):
    result = _close(database, tenant.id, None, date(2026, 1, 31))
    assert result.item_count == 5 and len(result.batches) == 3
    assert all(b["status"] == "closed" for b in _batches(books).values())
    again = _close(database, tenant.id, None, date(2026, 1, 31))
    assert again.batches == [] and again.item_count == 0


def test_nothing_dated_early_enough_changes_nothing(database, tenant, books):
    before = _batches(books)
    assert _close(database, tenant.id, "M", date(2026, 1, 2)).batches == []
    assert _batches(books) == before


def test_an_unknown_commerce_type_is_refused(database, tenant, books):
    with pytest.raises(ValueError, match="D, M, S"):
        _close(database, tenant.id, "X", date(2026, 1, 31))
