"""Accounts payable through the native API: master data, purchase orders, matched invoices and the
AP batch lifecycle, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from finbatch.payables import posting_source
from finbatch.payables.batches import TRANSITIONS
from tests.support.payables import build_world, ok


@pytest.fixture
def world(client, tenant):
    return build_world(client, tenant)


def _batch(client, tenant, role="admin", **body):
    return client.post("/v1/ap-batches", headers=tenant.headers(role), json=body)


def _act(client, tenant, batch_id, action, role="admin", **kwargs):
    return client.post(f"/v1/ap-batches/{batch_id}/{action}", headers=tenant.headers(role), **kwargs)


# --- master data ---------------------------------------------------------------------------------

def test_vendor_numbers_are_unique_and_fixed(client, tenant, world):
    again = client.post("/v1/vendors", headers=tenant.headers(),
                        json={"vendor_no": "MED-100", "name": "Other"})
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_EXISTS"
    bad = client.post("/v1/vendors", headers=tenant.headers(), json={"vendor_no": "bad no", "name": ""})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"vendor_no", "name"}
    fixed = client.patch(f"/v1/vendors/{world.vendor['id']}", headers=tenant.headers(),
                         json={"vendor_no": "X"})
    assert fixed.status_code == 422  # not an updatable field


def test_updates_honour_if_match(client, tenant, world):
    url = f"/v1/vendors/{world.vendor['id']}"
    assert client.get(url, headers=tenant.headers()).headers["etag"] == '"1"'
    stale = client.patch(url, headers=tenant.headers() | {"If-Match": '"7"'}, json={"name": "M"})
    assert stale.status_code == 412 and stale.json()["code"] == "PRECONDITION_FAILED"
    fresh = client.patch(url, headers=tenant.headers() | {"If-Match": '"1"'},
                         json={"name": "Medline Inc."})
    assert fresh.status_code == 200 and fresh.headers["etag"] == '"2"'
    assert fresh.json()["name"] == "Medline Inc." and fresh.json()["version"] == 2


def test_remit_tos_and_locations_belong_to_their_parent(client, tenant, world):
    remits = client.get(f"/v1/vendors/{world.vendor['id']}/remit-tos", headers=tenant.headers())
    assert [r["remit_to_no"] for r in remits.json()["items"]] == ["01"]
    other = ok(client.post("/v1/vendors", headers=tenant.headers(),
                           json={"vendor_no": "CAR-200", "name": "Cardinal"}))
    wrong = client.get(f"/v1/vendors/{other['id']}/remit-tos/{world.remit_to['id']}",
                       headers=tenant.headers())
    assert wrong.status_code == 404
    bad_country = client.post(f"/v1/vendors/{other['id']}/remit-tos", headers=tenant.headers(),
                              json={"remit_to_no": "01", "address_line1": "1 Main", "city": "X",
                                    "country": "us"})
    assert bad_country.status_code == 422
    assert bad_country.json()["errors"][0]["field"] == "country"
    location = client.get(f"/v1/facilities/{world.facility['id']}/locations/{world.location['id']}",
                          headers=tenant.headers())
    assert location.status_code == 200 and location.json()["location_no"] == "OR-1"


def test_codes_by_kind(client, tenant, world):
    ok(client.post("/v1/ap-codes", headers=tenant.headers(),
                   json={"kind": "project", "code": "PRJ-1", "description": "ICU"}))
    cers = client.get("/v1/ap-codes?kind=cer", headers=tenant.headers()).json()["items"]
    assert [c["code"] for c in cers] == ["CER-2026-001"]
    assert client.get("/v1/ap-codes?kind=nope", headers=tenant.headers()).status_code == 422


# --- purchase orders -----------------------------------------------------------------------------

def test_purchase_order_rules(client, tenant, world):
    base = {"po_type": "Standard", "vendor_id": world.vendor["id"],
            "facility_id": world.facility["id"], "location_id": world.location["id"],
            "order_date": "2026-03-01"}
    capital = client.post("/v1/purchase-orders", headers=tenant.headers(),
                          json=base | {"po_no": "PO-X", "po_type": "Capital"})
    assert capital.status_code == 422 and capital.json()["errors"][0]["field"] == "cer_id"
    cer_id = world.orders["Capital"]["cer_id"]
    standard_with_cer = client.post("/v1/purchase-orders", headers=tenant.headers(),
                                    json=base | {"po_no": "PO-Y", "cer_id": cer_id})
    assert standard_with_cer.json()["errors"][0]["code"] == "not_allowed"
    other = ok(client.post("/v1/facilities", headers=tenant.headers(),
                           json={"facility_no": "NC", "name": "North Clinic"}))
    mismatched = client.post("/v1/purchase-orders", headers=tenant.headers(),
                             json=base | {"po_no": "PO-Z", "facility_id": other["id"]})
    assert mismatched.json()["errors"][0]["code"] == "wrong_facility"
    duplicate = client.post("/v1/purchase-orders", headers=tenant.headers(),
                            json=base | {"po_no": "PO-STA-1"})
    assert duplicate.status_code == 409
    listed = client.get("/v1/purchase-orders?po_type=Capital", headers=tenant.headers()).json()
    assert [o["cer_no"] for o in listed["items"]] == ["CER-2026-001"]


# --- matched invoices ----------------------------------------------------------------------------

def test_invoice_shows_every_field_with_exact_amounts(client, tenant, world):
    card = ok(client.post("/v1/ap-codes", headers=tenant.headers(),
                          json={"kind": "credit_card", "code": "PCARD-1", "description": "P-card"}))
    invoice = world.invoice(
        "1287.73", po_type="Capital", credit_card_id=card["id"], tax_amount="77.23",
        shipping_amount="12.50", discount_amount="2.00", tax_expense_amount="5.05",
        tax_expense_gl_code="6500", tax_accrual_gl_code="2200", shipping_gl_code="6300",
        discount_gl_code="6300", tax_code="IL", notes="dock 4", tracking_code="1Z999",
        lines=[{"description": "Monitor", "gl_code": "1500", "amount": "1000.00"},
               {"description": "Cables", "gl_code": "6300", "amount": "200.00"}])
    assert invoice["status"] == "Vouchered" and invoice["status_id"] == 1
    assert invoice["sequence_no"] == 1 and invoice["po_type"] == "Capital"
    assert invoice["cer_no"] == "CER-2026-001" and invoice["credit_card_code"] == "PCARD-1"
    assert invoice["invoice_validation_total"] == "1287.73" == invoice["offset"]
    assert (invoice["tax_amount"], invoice["tax_expense_amount"]) == ("77.23", "5.05")
    assert invoice["remit_to_vendor_no"] == "MED-100" and invoice["facility_no"] == "GH"
    assert [line["amount"] for line in invoice["lines"]] == ["1000.00", "200.00"]
    assert world.invoice("10.00", po_type="Capital")["sequence_no"] == 2


@pytest.mark.parametrize("change,field,code", [
    ({"invoice_validation_total": "100.01"}, "invoice_validation_total", "unbalanced"),
    ({"invoice_validation_total": "100.001"}, "invoice_validation_total", "invalid_amount"),
    ({"tax_amount": "1.00", "invoice_validation_total": "101.00"}, "tax_expense_gl_code", "required"),
    ({"lines": [{"gl_code": "9999", "amount": "100.00"}]}, "lines.0.gl_code", "unknown_account"),
    ({"lines": [{"gl_code": "6300", "amount": "-100.00"}], "invoice_validation_total": "-100.00"},
     "lines.0.amount", "wrong_sign"),
    ({"invoice_due_date": "2026-02-01"}, "invoice_due_date", "out_of_range"),
    ({"purchase_order_id": "00000000-0000-0000-0000-000000000000"}, "purchase_order_id",
     "unknown_reference"),
])
def test_invoice_validation(client, tenant, world, change, field, code):
    body = {"purchase_order_id": world.orders["Standard"]["id"], "invoice_no": "BAD-1",
            "vendor_remit_to_id": world.remit_to["id"], "invoice_date": "2026-03-01",
            "invoice_validation_total": "100.00",
            "lines": [{"gl_code": "6300", "amount": "100.00"}]} | change
    response = client.post("/v1/matched-invoices", headers=tenant.headers(), json=body)
    assert response.status_code == 422, response.text
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in response.json()["errors"]]


def test_return_invoices_are_credits(world):
    credit = world.invoice("-40.00", po_type="Return",
                           lines=[{"gl_code": "6300", "amount": "-40.00"}])
    assert credit["invoice_validation_total"] == "-40.00"


def test_a_vendor_invoice_number_is_entered_once(client, tenant, world):
    first = world.invoice("5.00")
    again = client.post("/v1/matched-invoices", headers=tenant.headers(), json={
        "purchase_order_id": world.orders["Standard"]["id"], "invoice_no": first["invoice_no"],
        "vendor_remit_to_id": world.remit_to["id"], "invoice_date": "2026-03-01",
        "invoice_validation_total": "5.00", "lines": [{"gl_code": "6300", "amount": "5.00"}]})
    assert again.status_code == 409 and again.json()["code"] == "DUPLICATE_INVOICE"


def test_invoice_creation_is_idempotent(client, tenant, world):
    body = {"purchase_order_id": world.orders["Standard"]["id"], "invoice_no": "IDEM-1",
            "vendor_remit_to_id": world.remit_to["id"], "invoice_date": "2026-03-01",
            "invoice_validation_total": "5.00", "lines": [{"gl_code": "6300", "amount": "5.00"}]}
    headers = tenant.headers("clerk") | {"Idempotency-Key": "inv-idem-1"}
    first = client.post("/v1/matched-invoices", headers=headers, json=body)
    second = client.post("/v1/matched-invoices", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotency-Replayed"] == "true" and first.json() == second.json()
    items = client.get("/v1/matched-invoices", headers=tenant.headers()).json()["items"]
    assert [i["invoice_no"] for i in items] == ["IDEM-1"]


def test_only_vouchered_invoices_change(client, tenant, world):
    invoice = world.invoice("20.00")
    url = f"/v1/matched-invoices/{invoice['id']}"
    changed = client.patch(url, headers=tenant.headers() | {"If-Match": '"1"'}, json={
        "invoice_validation_total": "30.00",
        "lines": [{"gl_code": "6300", "amount": "10.00"}, {"gl_code": "1200", "amount": "20.00"}]})
    assert changed.status_code == 200, changed.text
    assert [line["gl_code"] for line in changed.json()["lines"]] == ["6300", "1200"]
    unbalanced = client.patch(url, headers=tenant.headers(), json={"invoice_validation_total": "1.00"})
    assert unbalanced.status_code == 422
    batch = ok(_batch(client, tenant))
    ok(_act(client, tenant, batch["id"], "invoices", json={"invoice_ids": [invoice["id"]]}), 200)
    frozen = client.patch(url, headers=tenant.headers(), json={"notes": "late"})
    assert frozen.status_code == 409 and frozen.json()["code"] == "INVOICE_NOT_EDITABLE"


# --- AP batches ----------------------------------------------------------------------------------

def test_transition_table_is_envis():
    assert set(TRANSITIONS) == {("Pending", "Queued"), ("Pending", "Exported"),
                                ("Queued", "Exported"), ("Exported", "Queued")}


def test_batch_lifecycle_with_derived_totals(client, tenant, world):
    a, b = world.invoice("100.10"), world.invoice("0.95")
    batch = ok(_batch(client, tenant, role="clerk", reference="March"))
    assert (batch["batch_no"], batch["status"], batch["batch_total"], batch["invoice_count"]) == \
        ("AP000001", "Pending", "0.00", 0)
    filled = ok(_act(client, tenant, batch["id"], "invoices", role="clerk",
                     json={"invoice_ids": [a["id"], b["id"]]}), 200)
    assert (filled["batch_total"], filled["invoice_count"], filled["version"]) == ("101.05", 2, 2)
    batched = client.get(f"/v1/matched-invoices/{a['id']}", headers=tenant.headers()).json()
    assert (batched["status"], batched["ap_batch_no"]) == ("Batched", "AP000001")
    assert batched["submitted_at"] is not None and batched["submitted_by_name"] == "clerk"
    removed = client.delete(f"/v1/ap-batches/{batch['id']}/invoices/{b['id']}",
                            headers=tenant.headers("clerk"))
    assert removed.json()["batch_total"] == "100.10"
    assert client.get(f"/v1/matched-invoices/{b['id']}", headers=tenant.headers()).json()["status"] == "Vouchered"

    assert _act(client, tenant, batch["id"], "submit-to-queued", role="clerk").status_code == 403
    queued = ok(_act(client, tenant, batch["id"], "submit-to-queued", role="accountant"), 200)
    assert (queued["status"], queued["is_scheduled_exporting"]) == ("Queued", True)
    twice = _act(client, tenant, batch["id"], "submit-to-queued")
    assert twice.status_code == 409
    assert twice.json()["detail"] == "Specified batch exists in the Queued status."
    exported = ok(_act(client, tenant, batch["id"], "export", role="accountant"), 200)
    assert (exported["status"], exported["is_scheduled_exporting"]) == ("Exported", False)
    assert exported["last_exported_at"] is not None
    again = _act(client, tenant, batch["id"], "export")
    assert again.status_code == 409 and again.json()["code"] == "INVALID_TRANSITION"
    assert "Exported to Exported" in again.json()["detail"]
    invoices = client.get(f"/v1/ap-batches/{batch['id']}/invoices", headers=tenant.headers()).json()
    assert [i["status"] for i in invoices["items"]] == ["Exported"]
    closed = _act(client, tenant, batch["id"], "invoices", json={"invoice_ids": [b["id"]]})
    assert closed.status_code == 409 and closed.json()["code"] == "BATCH_NOT_OPEN"
    requeued = ok(_act(client, tenant, batch["id"], "submit-to-queued"), 200)
    assert requeued["status"] == "Queued"


def test_adding_invoices_is_all_or_nothing(client, tenant, world):
    a, b = world.invoice("1.00"), world.invoice("2.00")
    first = ok(_batch(client, tenant))
    ok(_act(client, tenant, first["id"], "invoices", json={"invoice_ids": [a["id"]]}), 200)
    second = ok(_batch(client, tenant, batch_no="B-2"))
    refused = _act(client, tenant, second["id"], "invoices", json={"invoice_ids": [b["id"], a["id"]]})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Invoice is NOT in the Vouchered status"
    assert refused.json()["errors"][0]["field"] == "invoice_ids.1"
    assert client.get(f"/v1/matched-invoices/{b['id']}", headers=tenant.headers()).json()["status"] == "Vouchered"
    unknown = _act(client, tenant, second["id"], "invoices",
                   json={"invoice_ids": ["00000000-0000-0000-0000-000000000000"]})
    assert unknown.status_code == 422
    twice = _act(client, tenant, second["id"], "invoices",
                 json={"invoice_ids": [b["id"], b["id"].upper()]})
    assert twice.status_code == 422 and twice.json()["errors"][0]["code"] == "duplicate"
    capitals = _act(client, tenant, second["id"], "invoices", json={"invoice_ids": [b["id"].upper()]})
    assert capitals.status_code == 200 and capitals.json()["invoice_count"] == 1


def test_empty_batches_do_not_export(client, tenant):
    batch = ok(_batch(client, tenant, batch_no="EMPTY"))
    empty = _act(client, tenant, batch["id"], "export")
    assert empty.status_code == 409 and empty.json()["code"] == "BATCH_EMPTY"
    assert empty.json()["detail"] == "This Batch cannot be exported because it does not contain any invoice."
    assert client.get(f"/v1/ap-batches/{batch['id']}", headers=tenant.headers()).json()["status"] == "Pending"


def test_batch_numbers_and_edits(client, tenant):
    ok(_batch(client, tenant, batch_no="AP000001"))
    numbered = ok(_batch(client, tenant))
    assert numbered["batch_no"] == "AP000002"  # the taken number is skipped
    duplicate = _batch(client, tenant, batch_no="AP000002")
    assert duplicate.status_code == 409
    renamed = client.patch(f"/v1/ap-batches/{numbered['id']}",
                           headers=tenant.headers() | {"If-Match": '"1"'},
                           json={"batch_no": "MARCH", "reference": "March run"})
    assert renamed.status_code == 200 and renamed.json()["batch_no"] == "MARCH"
    listed = client.get("/v1/ap-batches?status=Pending&limit=1", headers=tenant.headers()).json()
    assert len(listed["items"]) == 1 and listed["next_cursor"]
    rest = client.get(f"/v1/ap-batches?status=Pending&cursor={listed['next_cursor']}",
                      headers=tenant.headers()).json()
    assert [b["batch_no"] for b in listed["items"] + rest["items"]] == ["AP000001", "MARCH"]


def test_roles(client, tenant, world):
    assert client.post("/v1/vendors", headers=tenant.headers("clerk"),
                       json={"vendor_no": "V2", "name": "V"}).status_code == 403
    assert _batch(client, tenant, role="viewer").status_code == 403
    assert world.invoice("3.00", role="clerk")["created_by_name"] == "clerk"
    assert client.get("/v1/ap-batches", headers=tenant.headers("viewer")).status_code == 200


def test_other_tenants_see_nothing(client, tenant, other_tenant, world):
    invoice = world.invoice("9.00")
    batch = ok(_batch(client, tenant))
    for url in (f"/v1/matched-invoices/{invoice['id']}", f"/v1/ap-batches/{batch['id']}",
                f"/v1/vendors/{world.vendor['id']}", f"/v1/purchase-orders/{invoice['purchase_order_id']}"):
        assert client.get(url, headers=other_tenant.headers()).status_code == 404, url
    for url in ("/v1/matched-invoices", "/v1/ap-batches", "/v1/vendors", "/v1/purchase-orders"):
        assert client.get(url, headers=other_tenant.headers()).json()["items"] == [], url
    theirs = ok(_batch(client, other_tenant))
    stolen = _act(client, other_tenant, theirs["id"], "invoices",
                  json={"invoice_ids": [invoice["id"]]})
    assert stolen.status_code == 422  # another tenant's invoice does not exist here


def test_changes_reach_the_feed(client, tenant, world):
    invoice = world.invoice("4.00")
    batch = ok(_batch(client, tenant))
    ok(_act(client, tenant, batch["id"], "invoices", json={"invoice_ids": [invoice["id"]]}), 200)
    ok(_act(client, tenant, batch["id"], "export"), 200)
    events = client.get("/v1/events?limit=1000", headers=tenant.headers()).json()["items"]
    mine = [(e["type"], e["record_kind"], (e["data"] or {}).get("status")) for e in events
            if e["record_id"] in (invoice["id"], batch["id"])]
    assert mine == [("created", "matched_invoice", "Vouchered"), ("created", "ap_batch", "Pending"),
                    ("status_changed", "matched_invoice", "Batched"),
                    ("updated", "ap_batch", "Pending"),
                    ("status_changed", "matched_invoice", "Exported"),
                    ("status_changed", "ap_batch", "Exported")]


def test_the_posting_seam_yields_balanced_invoices(client, tenant, world, database):
    invoices = [world.invoice("10.00"),
                world.invoice("11.50", tax_amount="1.50", tax_expense_gl_code="6500",
                              lines=[{"gl_code": "1200", "amount": "10.00"}])]
    batch = ok(_batch(client, tenant))
    ok(_act(client, tenant, batch["id"], "invoices",
            json={"invoice_ids": [i["id"] for i in invoices]}), 200)
    with database.reading() as session:
        header = posting_source.batch_header(session, tenant_id=tenant.id, batch_id=batch["id"])
        found = list(posting_source.batch_invoices(session, tenant_id=tenant.id,
                                                   batch_id=batch["id"], chunk=1))
    assert (header.total, header.invoice_count, header.currency) == (2150, 2, "USD")
    assert [i.invoice_id for i in found] == [i["id"] for i in invoices]
    assert all(i.balances for i in found)
    assert found[1].lines[0].gl_code == "1200" and found[1].tax_amount == 150
    assert found[1].offset_gl_code == "2100" and found[1].payable_amount == 1150


def test_hostile_inputs_are_answered_not_crashed(client, tenant, world):
    headers = tenant.headers()
    assert client.get("/v1/matched-invoices?vendor_id=abc", headers=headers).status_code == 422
    assert client.get("/v1/purchase-orders?vendor_id=x%00y", headers=headers).status_code == 422
    nul_gl = world.client.post("/v1/matched-invoices", headers=headers, json={
        "purchase_order_id": world.orders["Standard"]["id"], "invoice_no": "NUL-1",
        "vendor_remit_to_id": world.remit_to["id"], "invoice_date": "2026-03-01",
        "invoice_validation_total": "1.00", "tax_expense_gl_code": "65\x0000",
        "lines": [{"gl_code": "63\x0000", "amount": "1.00"}]})
    assert nul_gl.status_code == 422
    assert {e["field"] for e in nul_gl.json()["errors"]} == {"lines.0.gl_code", "tax_expense_gl_code"}
    nul_batch = client.post("/v1/ap-batches", headers=headers, json={"batch_no": "A\x00"})
    assert nul_batch.status_code == 422
    assert client.get("/v1/ap-batches/%00", headers=headers).status_code == 404


def test_ids_in_capitals_name_the_same_records(client, tenant, world):
    """SQLite keeps UUID hex as text; every id the API accepts is compared in lower case."""
    headers = tenant.headers()
    vendor = world.vendor["id"].upper()
    assert client.get(f"/v1/vendors/{vendor}", headers=headers).status_code == 200
    remits = client.get(f"/v1/vendors/{vendor}/remit-tos", headers=headers).json()["items"]
    assert len(remits) == 1
    assert client.get(f"/v1/vendors/{vendor}/remit-tos/{remits[0]['id'].upper()}",
                      headers=headers).status_code == 200
    order = ok(client.post("/v1/purchase-orders", headers=headers, json={
        "po_no": "PO-CAPS", "po_type": "Standard", "vendor_id": vendor,
        "facility_id": world.facility["id"].upper(), "location_id": world.location["id"].upper(),
        "order_date": "2026-03-01"}))
    assert order["vendor_id"] == world.vendor["id"]
    invoice = ok(client.post("/v1/matched-invoices", headers=headers, json={
        "purchase_order_id": order["id"].upper(), "invoice_no": "CAPS-1",
        "vendor_remit_to_id": world.remit_to["id"].upper(), "invoice_date": "2026-03-01",
        "invoice_validation_total": "1.00", "lines": [{"gl_code": "6300", "amount": "1.00"}]}))
    assert invoice["vendor_remit_to_id"] == world.remit_to["id"]
    listed = client.get(f"/v1/matched-invoices?vendor_id={vendor}", headers=headers).json()
    assert [i["invoice_no"] for i in listed["items"]] == ["CAPS-1"]
    assert len(client.get(f"/v1/purchase-orders?vendor_id={vendor}", headers=headers).json()["items"]) == 4


def test_one_invoice_races_into_two_batches_and_lands_in_one(app, client, tenant, world):
    import threading

    from fastapi.testclient import TestClient

    invoice = world.invoice("8.00")
    batch_ids = [ok(_batch(client, tenant, batch_no=f"RACE-{n}"))["id"] for n in range(4)]
    barrier, results = threading.Barrier(len(batch_ids)), []

    def add(batch_id):
        with TestClient(app) as racer:
            barrier.wait()
            response = racer.post(f"/v1/ap-batches/{batch_id}/invoices", headers=tenant.headers(),
                                  json={"invoice_ids": [invoice["id"]]})
            results.append((response.status_code, response.json().get("code")))

    threads = [threading.Thread(target=add, args=(b,)) for b in batch_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [(200, None)] + [(409, "INVOICE_NOT_VOUCHERED")] * 3
    counts = [client.get(f"/v1/ap-batches/{b}", headers=tenant.headers()).json()["invoice_count"]
              for b in batch_ids]
    assert sorted(counts) == [0, 0, 0, 1]
