"""Inputs that used to reach the database as something it rejects (a 500 on PostgreSQL) and the
savepoint that keeps a transaction's earlier change events."""

from __future__ import annotations

import pytest

from finbatch.events.models import Event
from finbatch.events.service import record_change, savepoint
from finbatch.kit.cursors import encode_cursor
from tests.support.books import Books


@pytest.fixture
def books(client, tenant):
    books = Books.open(client, tenant)
    books.post("/v1/fiscal-years", {"year": 2026})
    return books


def _batch(**extra):
    return {"name": "X", "business_unit_id": "MAIN", "date": "2026-02-01",
            "fiscal_year_id": "FY2026", "fiscal_period": 2, **extra}


def test_dependents_that_cannot_be_batch_ids_are_missing_references(client, books):
    response = client.post("/v1/batches", headers=books.headers, json=_batch(dependents=["string"]))
    assert response.status_code == 409 and response.json()["code"] == "MISSING_REFERENCE"


def test_a_forged_cursor_is_a_400(client, books):
    for values in (["x"], [1]):
        response = client.get("/v1/batches", headers=books.headers,
                              params={"cursor": encode_cursor(values)})
        assert response.status_code == 400 and response.json()["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize(("field", "length"), [("recurring_batch_id", 65), ("currency_symbol", 9)])
def test_values_longer_than_their_columns_are_refused(client, books, field, length):
    response = client.post("/v1/batches", headers=books.headers, json=_batch(**{field: "r" * length}))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_a_failed_savepoint_keeps_the_events_queued_before_it(database, tenant):
    with database.unit_of_work() as session:
        record_change(session, tenant_id=tenant.id, type="created", record_kind="probe",
                      record_id="kept", actor="test", data=None)
        with pytest.raises(RuntimeError), savepoint(session):
            record_change(session, tenant_id=tenant.id, type="created", record_kind="probe",
                          record_id="dropped", actor="test", data=None)
            raise RuntimeError("this operation fails on its own")
        with savepoint(session):
            record_change(session, tenant_id=tenant.id, type="created", record_kind="probe",
                          record_id="also kept", actor="test", data=None)
    with database.reading() as session:
        ids = [e.record_id for e in session.query(Event).filter_by(record_kind="probe")
               .order_by(Event.sequence)]
    assert ids == ["kept", "also kept"]
