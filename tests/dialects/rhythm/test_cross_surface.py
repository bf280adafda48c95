"""One store, two surfaces: a batch written through Rhythm reads the same through /v1, and the
reverse, with identical fields and amounts (Rhythm's exact JSON numbers, /v1's decimal strings)."""

from __future__ import annotations

from decimal import Decimal

from tests.dialects.rhythm.support import batch_body, exact, open_books, send

AMOUNT_FIELDS = {"total"}
STAT_AMOUNTS = {"credit_memo_total", "credit_total", "debit_memo_total", "invoice_total",
                "payment_total", "refund_total", "write_off_total"}


def _assert_same(rhythm: dict, native: dict) -> None:
    """Every Rhythm field is in the /v1 batch with the same value; amounts equal as decimals,
    numbers on Rhythm and strings on /v1."""
    for name, value in rhythm.items():
        assert name in native, name
        if name in AMOUNT_FIELDS:
            assert isinstance(value, Decimal) and isinstance(native[name], str), name
            assert value == Decimal(native[name]), name
        elif name == "statistics":
            assert value.keys() == native[name].keys()
            for key, stat in value.items():
                if key in STAT_AMOUNTS:
                    assert isinstance(stat, Decimal) and stat == Decimal(native[name][key]), key
                else:
                    assert stat == native[name][key], key
        else:
            assert value == native[name], name


def _native(client, books, batch_id: str) -> dict:
    response = client.get(f"/v1/batches/{batch_id}", headers=books.headers)
    assert response.status_code == 200, response.text
    return exact(response)


def _money(books, batch_id: str) -> None:
    ada = books.customer("Ada")
    for kind, amount in (("payments", "100.10"), ("payments", "0.20"), ("refunds", "30.05")):
        books.post(f"/v1/{kind}", {"customer_id": ada, "business_unit_id": "MAIN",
                                   "date": "2026-02-03", "amount": amount, "batch_id": batch_id})
    books.invoice("Ada", "2026-02-03", ("3", "19.99"), batch_id=batch_id)


def test_a_batch_created_through_rhythm_reads_the_same_through_v1(client, tenant):
    books = open_books(client, tenant)
    other = client.post("/batches/acme", headers=books.headers, json=batch_body("Other")).json()
    created = send(client, "POST", "/batches/acme", books.headers, batch_body(
        "Through Rhythm", description="d", currency_symbol="US$", type="deferred revenue",
        recurring_batch_id="rec-1", dependents=[other["id"]],
        automatically_close_at="2026-12-31T23:59:59Z",
        custom_field_values=[{"custom_field_id": "cf", "numeric_value": Decimal("0.1"),
                              "string_value": "s"}]))
    assert created.status_code == 201, created.text
    batch_id = created.json()["id"]
    _money(books, batch_id)
    rhythm = exact(client.get(f"/batches/acme/{batch_id}", headers=books.headers))
    native = _native(client, books, batch_id)
    _assert_same(rhythm, native)
    assert rhythm["custom_field_values"][0]["numeric_value"] == Decimal("0.1")
    assert rhythm["total"] == Decimal("70.25") and native["total"] == "70.25"
    assert rhythm["count"] == native["count"] == 3
    assert rhythm["statistics"]["invoice_total"] == Decimal("59.97")
    assert rhythm["statistics"]["number_of_invoices"] == 1


def test_a_batch_created_through_v1_reads_the_same_through_rhythm(client, tenant):
    books = open_books(client, tenant)
    native = books.post("/v1/batches", batch_body(
        "Through v1", description="native", type="cost of goods sold",
        custom_field_values=[{"custom_field_id": "cf", "boolean_value": True}],
        external_id="ext-1"))
    _money(books, native["id"])
    native = _native(client, books, native["id"])
    got = exact(client.get(f"/batches/acme/{native['id']}", headers=books.headers))
    _assert_same(got, native)
    assert got["sys_external_id"] == "ext-1"
    scanned = [b for b in exact(client.get("/batches/acme", headers=books.headers))
               if b["id"] == native["id"]]
    assert scanned == [got]
    page = exact(client.get("/batches/acme/fiscal_period/FY2026/2", headers=books.headers))
    assert page["Items"] == [got]


def test_rhythm_changes_are_seen_by_v1_at_once(client, tenant):
    books = open_books(client, tenant)
    batch_id = client.post("/batches/acme", headers=books.headers, json=batch_body()).json()["id"]
    patched = client.patch(f"/batches/acme/{batch_id}", headers=books.headers, json=[
        {"op": "replace", "path": "/name", "value": "Renamed"},
        {"op": "replace", "path": "/status", "value": "closed"}])
    assert patched.status_code == 200, patched.text
    native = _native(client, books, batch_id)
    assert (native["name"], native["status"], native["version"]) == ("Renamed", "closed", 3)
    _assert_same(exact(patched), native)
    events = books.get("/v1/events", after=0, limit=100)["items"]
    mine = [(e["type"], e["actor"]) for e in events if e["record_id"] == batch_id]
    assert mine == [("created", "token:admin"), ("updated", "token:admin"),
                    ("status_changed", "token:admin")]
