"""PATCH with RFC 6902: each of the six operations, and all-or-nothing failures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.dialects.rhythm.support import batch_body, exact, open_books, send


@pytest.fixture
def batch(client, tenant):
    books = open_books(client, tenant)
    other = client.post("/batches/acme", headers=books.headers, json=batch_body("Other")).json()
    created = client.post("/batches/acme", headers=books.headers, json=batch_body(
        "Patch me", description="first", dependents=[other["id"]],
        custom_field_values=[{"custom_field_id": "cf", "string_value": "x"}]))
    return books, created.json(), other["id"]


def _patch(client, books, batch_id, operations, status=200):
    response = send(client, "PATCH", f"/batches/acme/{batch_id}", books.headers, operations)
    assert response.status_code == status, response.text
    return exact(response)


def test_add(client, batch):
    books, doc, other = batch
    got = _patch(client, books, doc["id"], [
        {"op": "add", "path": "/recurring_batch_id", "value": "rec-1"},
        {"op": "add", "path": "/custom_field_values/-",
         "value": {"custom_field_id": "amount", "numeric_value": Decimal("12.50")}},
        {"op": "add", "path": "/dependents/0", "value": other}])
    assert got["recurring_batch_id"] == "rec-1"
    assert got["custom_field_values"][1] == {"custom_field_id": "amount",
                                             "numeric_value": Decimal("12.5")}
    assert got["dependents"] == [other]  # the same id twice is one dependent
    assert got["sys_version"] == doc["sys_version"] + 1


def test_remove(client, batch):
    books, doc, _ = batch
    got = _patch(client, books, doc["id"], [{"op": "remove", "path": "/description"},
                                            {"op": "remove", "path": "/dependents/0"}])
    assert got["description"] is None and got["dependents"] == []


def test_replace(client, batch):
    books, doc, _ = batch
    got = _patch(client, books, doc["id"], [
        {"op": "replace", "path": "/name", "value": "Replaced"},
        {"op": "replace", "path": "/custom_field_values/0/string_value", "value": "y"},
        {"op": "replace", "path": "/date", "value": "2026-02-15"}])
    assert (got["name"], got["date"]) == ("Replaced", "2026-02-15")
    assert got["custom_field_values"] == [{"custom_field_id": "cf", "string_value": "y"}]


def test_move(client, batch):
    books, doc, _ = batch
    got = _patch(client, books, doc["id"], [
        {"op": "move", "from": "/description", "path": "/name"}])
    assert (got["name"], got["description"]) == ("first", None)


def test_copy(client, batch):
    books, doc, _ = batch
    got = _patch(client, books, doc["id"], [
        {"op": "copy", "from": "/name", "path": "/description"},
        {"op": "copy", "from": "/sys_fiscal_period_id", "path": "/recurring_batch_id"}])
    assert (got["description"], got["recurring_batch_id"]) == ("Patch me", "FY2026-02")


def test_test(client, batch):
    books, doc, _ = batch
    got = _patch(client, books, doc["id"], [
        {"op": "test", "path": "/name", "value": "Patch me"},
        {"op": "test", "path": "/total", "value": Decimal("0.00")},
        {"op": "test", "path": "/count", "value": 0},
        {"op": "test", "path": "/sys_locked", "value": False},
        {"op": "replace", "path": "/name", "value": "Tested"}])
    assert got["name"] == "Tested"


def _unchanged(client, books, doc):
    """The batch reads exactly as it did when created: nothing of the failed patch applied."""
    assert client.get(f"/batches/acme/{doc['id']}", headers=books.headers).json() == doc


def test_a_failed_test_is_a_409_and_nothing_is_applied(client, batch):
    books, doc, _ = batch
    for test in ({"op": "test", "path": "/name", "value": "something else"},
                 {"op": "test", "path": "/sys_locked", "value": 0},  # false is not 0
                 {"op": "test", "path": "/custom_field_values/3", "value": {}}):
        body = _patch(client, books, doc["id"], [
            {"op": "replace", "path": "/name", "value": "Not applied"},
            {"op": "remove", "path": "/description"}, test], status=409)
        assert set(body) == {"message", "errors"}
        _unchanged(client, books, doc)


@pytest.mark.parametrize("operation", [
    {"op": "replace", "path": "/total", "value": 5},
    {"op": "replace", "path": "/statistics/payment_total", "value": 5},
    {"op": "add", "path": "/sys_external_id", "value": "x"},
    {"op": "remove", "path": "/closed_at"},
    {"op": "replace", "path": "/id", "value": "other"},
    {"op": "move", "from": "/posting_workflow_execution_id", "path": "/description"},
    {"op": "copy", "from": "/name", "path": "/sys_version"},
    {"op": "replace", "path": "/nonexistent", "value": 1},
    {"op": "remove", "path": "/custom_field_values/7"},
    {"op": "replace", "path": "/name/first", "value": "x"},
])
def test_a_read_only_or_missing_path_is_a_400_and_nothing_is_applied(client, batch, operation):
    books, doc, _ = batch
    body = _patch(client, books, doc["id"], [
        {"op": "replace", "path": "/name", "value": "Not applied"}, operation], status=400)
    assert body["message"] and isinstance(body["errors"], list)
    _unchanged(client, books, doc)


def test_status_changes_go_through_the_lifecycle(client, batch):
    books, doc, _ = batch
    closed = _patch(client, books, doc["id"], [
        {"op": "replace", "path": "/status", "value": "closed"}])
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    refused = _patch(client, books, doc["id"], [
        {"op": "replace", "path": "/status", "value": "posted"}], status=409)
    assert "closed" in refused["message"] and "posted" in refused["message"]
    archived = _patch(client, books, doc["id"], [
        {"op": "replace", "path": "/status", "value": "archived"}])
    assert archived["sys_locked"] is True
    locked = _patch(client, books, doc["id"], [
        {"op": "replace", "path": "/name", "value": "Too late"}], status=409)
    assert "locked" in locked["message"]
