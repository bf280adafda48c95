"""The batch lifecycle table, locks, auto-close, time zones and derived statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from finbatch.batches import lifecycle
from finbatch.batches.models import ARBatch
from finbatch.kit.clock import clock
from tests.conftest import make_tenant
from tests.support.books import Books

ACTIONS = ["close", "reopen", "verify", "archive"]


def _force_status(database, batch_id: str, status: str) -> None:
    """Put a batch in a status the API reaches only through posting (test setup)."""
    with database.unit_of_work() as session:
        session.execute(update(ARBatch).where(ARBatch.id == batch_id).values(status=status))


def _new_batch(books: Books, **extra) -> dict:
    return books.post("/v1/batches", {"name": "Manual", "business_unit_id": "MAIN",
                                      "date": "2026-02-01", "fiscal_year_id": "FY2026",
                                      "fiscal_period": 2, **extra})


@pytest.mark.parametrize("status", lifecycle.STATUSES)
def test_every_action_follows_the_transition_table(client, tenant, database, status):
    books = Books.open(client, tenant)
    books.post("/v1/fiscal-years", {"year": 2026})
    for action in ACTIONS:
        batch = _new_batch(books)
        _force_status(database, batch["id"], status)
        body = {} if action == "verify" else None
        response = client.post(f"/v1/batches/{batch['id']}/{action}", headers=books.headers, json=body)
        sources, target = lifecycle.ACTIONS[action]
        if status in sources:
            assert response.status_code == 200, (status, action, response.text)
            assert response.json()["status"] == target
        else:
            assert response.status_code == 409, (status, action, response.text)
            problem = response.json()
            assert problem["code"] == "INVALID_TRANSITION"
            assert status in problem["detail"] and target in problem["detail"]
            assert (problem["from_status"], problem["to_status"]) == (status, target)


def test_lifecycle_table_is_the_spec():
    expected = {
        ("open", "close"): "closed", ("closed", "reopen"): "open", ("closed", "verify"): "verified",
        ("closed", "post"): "posting", ("verified", "post"): "posting", ("error", "post"): "posting",
        ("posting", "finish_posting"): "posted", ("posting", "fail_posting"): "error",
        ("posted", "download"): "downloaded", ("posted", "unpost"): "closed",
        ("downloaded", "unpost"): "closed",
    }
    expected |= {(s, "archive"): "archived" for s in lifecycle.STATUSES if s not in ("posting", "archived")}
    actual = {(s, a): t for a, (sources, t) in lifecycle.ACTIONS.items() for s in sources}
    assert actual == expected
    assert lifecycle.LOCKED >= {"posted", "archived"}


def test_closed_batch_refuses_transactions(client, tenant):
    books = Books.open(client, tenant)
    invoice = books.invoice("Ada", "2026-02-03", ("1", "10.00"))
    books.act(invoice["batch_id"], "close")
    explicit = client.post("/v1/invoices", headers=books.headers, json={
        "customer_id": books.customer("Ada"), "date": "2026-02-04", "batch_id": invoice["batch_id"],
        "lines": [{"unit_price": "1.00"}]})
    assert explicit.status_code == 409 and explicit.json()["code"] == "BATCH_NOT_OPEN"
    assert "closed" in explicit.json()["detail"]
    change = client.patch(f"/v1/invoices/{invoice['id']}", headers=books.headers,
                          json={"description": "late edit"})
    assert change.status_code == 409
    delete = client.delete(f"/v1/invoices/{invoice['id']}", headers=books.headers)
    assert delete.status_code == 409
    # bank reconciliation facts may still be recorded on a payment of a closed batch
    payment = books.payment("Ada", "2026-02-05", "3.00")
    books.act(payment["batch_id"], "close")
    cleared = client.patch(f"/v1/payments/{payment['id']}", headers=books.headers,
                           json={"cleared_date": "2026-02-07"})
    assert cleared.status_code == 200 and cleared.json()["cleared_date"] == "2026-02-07"


@pytest.mark.parametrize("status", ["posted", "archived", "downloaded", "posting"])
def test_locked_batches_refuse_changes(client, tenant, database, status):
    books = Books.open(client, tenant)
    books.post("/v1/fiscal-years", {"year": 2026})
    batch = _new_batch(books)
    _force_status(database, batch["id"], status)
    got = books.batch(batch["id"])
    assert got["sys_locked"] is (status in lifecycle.LOCKED)
    response = client.patch(f"/v1/batches/{batch['id']}", headers=books.headers, json={"name": "Renamed"})
    assert response.status_code == 409 and response.json()["code"] == "RECORD_LOCKED"


def test_reopen_is_refused_after_a_posting(client, tenant, database):
    books = Books.open(client, tenant)
    books.post("/v1/fiscal-years", {"year": 2026})
    batch = _new_batch(books)
    books.act(batch["id"], "close")
    with database.unit_of_work() as session:  # as unposting leaves it
        session.execute(update(ARBatch).where(ARBatch.id == batch["id"]).values(
            unposted_at=datetime(2026, 2, 3, tzinfo=UTC)))
    refused = books.act(batch["id"], "reopen", expect=409)
    assert "posted since it was closed" in refused["detail"]


def test_batch_fields_are_validated_and_server_owned(client, tenant):
    books = Books.open(client, tenant)
    books.post("/v1/fiscal-years", {"year": 2026})
    missing_period = client.post("/v1/batches", headers=books.headers, json={
        "name": "X", "business_unit_id": "MAIN", "date": "2026-02-01", "fiscal_year_id": "FY2026",
        "fiscal_period": 13})
    assert missing_period.status_code == 422
    unknown_unit = client.post("/v1/batches", headers=books.headers, json={
        "name": "X", "business_unit_id": "NOPE", "date": "2026-02-01", "fiscal_year_id": "FY2026",
        "fiscal_period": 2})
    assert unknown_unit.status_code == 409 and unknown_unit.json()["code"] == "MISSING_REFERENCE"
    owned = client.post("/v1/batches", headers=books.headers, json={
        "name": "X", "business_unit_id": "MAIN", "date": "2026-02-01", "fiscal_year_id": "FY2026",
        "fiscal_period": 2, "total": "99.00"})
    assert owned.status_code == 422  # server-owned fields are not accepted on /v1
    batch = _new_batch(books, dependents=[], custom_field_values=[{"custom_field_id": "cf1", "string_value": "x"}])
    child = _new_batch(books, dependents=[batch["id"]])
    assert child["dependents"] == [batch["id"]]
    ghost = client.post("/v1/batches", headers=books.headers, json={
        "name": "X", "business_unit_id": "MAIN", "date": "2026-02-01", "fiscal_year_id": "FY2026",
        "fiscal_period": 2, "dependents": ["01a1fd5a-0000-7000-8000-000000000000"]})
    assert ghost.status_code == 409
    invoice = books.invoice("Ada", "2026-02-03", ("1", "10.00"))
    moved_period = client.patch(f"/v1/batches/{invoice['batch_id']}", headers=books.headers,
                                json={"fiscal_period": 5})
    assert moved_period.status_code == 409 and moved_period.json()["code"] == "BATCH_NOT_EMPTY"


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Auckland"])
def test_a_payment_just_after_midnight_on_1_march_lands_in_march(client, database, zone):
    tenant = make_tenant(database, "tz-" + zone.split("/")[1].lower().replace("_", "-"), timezone=zone)
    books = Books.open(client, tenant)
    local = datetime(2026, 3, 1, 0, 16, tzinfo=ZoneInfo(zone))
    instant = local.astimezone(UTC)
    assert instant.month == (3 if zone == "America/New_York" else 2)  # UTC disagrees for Auckland
    payment = books.post("/v1/payments", {"customer_id": books.customer("Ada"), "amount": "25.00",
                                          "occurred_at": instant.isoformat().replace("+00:00", "Z")})
    assert payment["date"] == "2026-03-01"
    batch = books.batch(payment["batch_id"])
    assert (batch["fiscal_year_id"], batch["fiscal_period"]) == ("FY2026", 3)


def test_automatically_close_at_is_honoured(client, tenant):
    books = Books.open(client, tenant)
    start = datetime(2026, 11, 2, 12, tzinfo=UTC)
    with clock.freeze(start):
        invoice = books.invoice("Ada", "2026-11-02", ("1", "10.00"))
        client.patch(f"/v1/batches/{invoice['batch_id']}", headers=books.headers,
                     json={"automatically_close_at": (start + timedelta(hours=1)).isoformat()})
        clock.advance(timedelta(hours=2))
        later = books.invoice("Ada", "2026-11-03", ("1", "20.00"))
    assert later["batch_id"] != invoice["batch_id"]
    closed = books.batch(invoice["batch_id"])
    assert closed["status"] == "closed" and closed["sys_last_modified_by_id"] == "system:auto-close"


def test_batch_list_filters(client, tenant):
    books = Books.open(client, tenant)
    books.post("/v1/fiscal-years", {"year": 2026})
    for name in ("Alpha dues", "beta DUES", "Gamma store"):
        _new_batch(books, name=name)
    names = [b["name"] for b in books.get("/v1/batches", name="dues")["items"]]
    assert sorted(names) == ["Alpha dues", "beta DUES"]
    assert books.get("/v1/batches", status="closed")["items"] == []
    assert len(books.get("/v1/batches", status="open", fiscal_period=2)["items"]) == 3


def test_the_upkeep_sweep_closes_due_batches(client, tenant, database):
    from finbatch.maintenance import close_due_batches_everywhere

    books = Books.open(client, tenant)
    start = datetime(2026, 11, 2, 12, tzinfo=UTC)
    with clock.freeze(start):
        invoice = books.invoice("Ada", "2026-11-02", ("1", "10.00"))
        client.patch(f"/v1/batches/{invoice['batch_id']}", headers=books.headers,
                     json={"automatically_close_at": (start + timedelta(minutes=5)).isoformat()})
        assert close_due_batches_everywhere(database) == 0
        clock.advance(timedelta(minutes=6))
        assert close_due_batches_everywhere(database) == 1
    assert books.batch(invoice["batch_id"])["status"] == "closed"
