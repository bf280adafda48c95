"""Accounting stories told through the native API, with exact balances at every step."""

from __future__ import annotations

from tests.support.books import Books


def test_an_invoice_from_issue_to_write_off(client, tenant):
    books = Books.open(client, tenant)
    # Ada buys 3 items at 19.99 with 8.25 % state tax: 59.97 + 4.95 = 64.92
    invoice = books.invoice("Ada Lovelace", "2026-03-02", ("3", "19.99"), tax="ST")
    assert (invoice["subtotal"], invoice["tax_total"], invoice["amount"]) == ("59.97", "4.95", "64.92")
    assert invoice["paid_status"] == "unpaid" and invoice["balance"] == "64.92"
    batch_id = invoice["batch_id"]

    # she pays 40.00 by card, with a 1.46 card fee
    payment = books.payment("Ada Lovelace", "2026-03-05", "40.00", {invoice["id"]: "40.00"},
                            fee="1.46", payment_account="1010")
    assert payment["batch_id"] == batch_id and payment["net_amount"] == "38.54"
    after_payment = books.invoice_now(invoice["id"])
    assert (after_payment["paid_status"], after_payment["balance"]) == ("partial", "24.92")

    # 10.00 of it is refunded and un-applied from the invoice
    books.refund("Ada Lovelace", "2026-03-09", "10.00", {invoice["id"]: "10.00"},
                 payment_id=payment["id"])
    assert books.invoice_now(invoice["id"])["balance"] == "34.92"

    # a credit memo of 5.00 for a damaged item, applied to the invoice
    books.credit_memo("Ada Lovelace", "2026-03-12", "5.00", {invoice["id"]: "5.00"})
    assert books.invoice_now(invoice["id"])["balance"] == "29.92"

    # the rest is written off
    books.write_off("Ada Lovelace", "2026-03-30", "29.92", {invoice["id"]: "29.92"})
    settled = books.invoice_now(invoice["id"])
    assert (settled["paid_status"], settled["balance"], settled["amount_settled"]) == ("paid", "0.00", "64.92")
    assert [s["kind"] for s in settled["settled_by"]] == ["payment", "refund", "credit_memo", "write_off"]

    batch = books.batch(batch_id)
    stats = batch["statistics"]
    assert (stats["number_of_invoices"], stats["invoice_total"]) == (1, "64.92")
    assert (stats["number_of_payments"], stats["payment_total"]) == (1, "40.00")
    assert (stats["number_of_refunds"], stats["refund_total"]) == (1, "10.00")
    assert (stats["number_of_credit_memos"], stats["credit_memo_total"]) == (1, "5.00")
    assert (stats["number_of_write_offs"], stats["write_off_total"]) == (1, "29.92")
    assert (batch["count"], batch["total"]) == (2, "30.00")  # payments + refunds; payments − refunds
    assert batch["transaction_count"] == 5

    # close, then verify against the control figures the operator counted
    books.act(batch_id, "close")
    books.act(batch_id, "verify", {"control_count": 3, "control_total": "30.00"}, expect=422)
    wrong_total = books.act(batch_id, "verify", {"control_count": 2, "control_total": "40.00"}, expect=422)
    assert wrong_total["code"] == "CONTROL_MISMATCH"
    assert [e["field"] for e in wrong_total["errors"]] == ["control_total"]
    verified = books.act(batch_id, "verify", {"control_count": 2, "control_total": "30.00"})
    assert verified["status"] == "verified" and verified["verified_at"] is not None


def test_transactions_join_the_open_batch_of_their_period(client, tenant):
    books = Books.open(client, tenant)
    march = books.invoice("Grace Hopper", "2026-03-31", ("1", "100.00"))
    april = books.invoice("Grace Hopper", "2026-04-01", ("1", "100.00"))
    march_again = books.invoice("Alan Turing", "2026-03-15", ("1", "50.00"))
    assert march["batch_id"] == march_again["batch_id"] != april["batch_id"]
    assert (march["fiscal_year_id"], march["fiscal_period"]) == ("FY2026", 3)
    assert april["fiscal_period"] == 4
    # once March's batch is closed, a late March invoice opens a new March batch
    books.act(march["batch_id"], "close")
    late = books.invoice("Alan Turing", "2026-03-20", ("1", "5.00"))
    assert late["batch_id"] not in (march["batch_id"], april["batch_id"])
    assert books.batch(late["batch_id"])["fiscal_period"] == 3
    # the commerce type keeps YourMembership's batches apart
    dues = books.invoice("Alan Turing", "2026-04-02", ("1", "150.00"), commerce_type="M")
    assert dues["batch_id"] != april["batch_id"]
    assert books.batch(dues["batch_id"])["commerce_type"] == "M"


def test_external_reference_upserts(client, tenant):
    books = Books.open(client, tenant)
    body = {"customer_id": books.customer("Edsger"), "date": "2026-05-01", "external_ref": "SRC-77",
            "lines": [{"unit_price": "10.00", "quantity": "2"}]}
    first = client.post("/v1/invoices", headers=books.headers, json=body)
    again = client.post("/v1/invoices", headers=books.headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["version"] == first.json()["version"]  # nothing changed
    body["lines"][0]["quantity"] = "3"
    changed = client.post("/v1/invoices", headers=books.headers, json=body)
    assert changed.status_code == 200
    assert changed.json()["id"] == first.json()["id"] and changed.json()["amount"] == "30.00"
    listed = books.get("/v1/invoices", external_ref="SRC-77")["items"]
    assert len(listed) == 1


def test_void_move_and_delete(client, tenant):
    books = Books.open(client, tenant)
    invoice = books.invoice("Barbara", "2026-06-10", ("1", "80.00"))
    other = books.post("/v1/batches", {"name": "June extra", "business_unit_id": "MAIN",
                                       "date": "2026-06-01", "fiscal_year_id": "FY2026",
                                       "fiscal_period": 6})
    moved = client.patch(f"/v1/invoices/{invoice['id']}", headers=books.headers,
                         json={"batch_id": other["id"]})
    assert moved.status_code == 200 and moved.json()["batch_id"] == other["id"]
    assert books.batch(other["id"])["statistics"]["invoice_total"] == "80.00"
    assert books.batch(invoice["batch_id"])["statistics"]["invoice_total"] == "0.00"
    voided = books.post(f"/v1/invoices/{invoice['id']}/void", {"void_date": "2026-06-11"})
    assert voided["void"] is True and voided["void_date"] == "2026-06-11"
    assert books.batch(other["id"])["statistics"]["number_of_invoices"] == 0
    payment_of_void = client.post("/v1/payments", headers=books.headers, json={
        "customer_id": books.customer("Barbara"), "date": "2026-06-12", "amount": "1.00",
        "allocations": [{"target_id": invoice["id"], "amount": "1.00"}]})
    assert payment_of_void.status_code == 422
    assert payment_of_void.json()["errors"][0]["code"] == "void"
    payment = books.payment("Barbara", "2026-06-12", "5.00")
    assert client.delete(f"/v1/payments/{payment['id']}", headers=books.headers).status_code == 204
    assert client.get(f"/v1/payments/{payment['id']}", headers=books.headers).status_code == 404
    assert client.delete(f"/v1/batches/{other['id']}", headers=books.headers).status_code == 409
    empty = books.post("/v1/batches", {"name": "Empty", "business_unit_id": "MAIN", "date": "2026-06-01",
                                       "fiscal_year_id": "FY2026", "fiscal_period": 6})
    assert client.delete(f"/v1/batches/{empty['id']}", headers=books.headers).status_code == 204


def test_money_rules_are_enforced(client, tenant):
    books = Books.open(client, tenant)
    invoice = books.invoice("Frances", "2026-07-01", ("1", "100.00"))
    cid = books.customer("Frances")

    def pay(amount, allocation, **extra):
        return client.post("/v1/payments", headers=books.headers, json={
            "customer_id": cid, "date": "2026-07-02", "amount": amount,
            "allocations": [{"target_id": invoice["id"], "amount": allocation}], **extra})

    over = pay("150.00", "150.00")
    assert over.status_code == 422 and over.json()["errors"][0]["code"] == "over_settled"
    too_much = pay("10.00", "20.00")
    assert too_much.json()["errors"][0]["code"] == "over_allocated"
    precise = pay("10.001", "10.00")
    assert precise.json()["errors"][0]["field"] == "amount"
    as_number = client.post("/v1/payments", headers=books.headers, json={
        "customer_id": cid, "date": "2026-07-02", "amount": 10.5})
    assert as_number.status_code == 422 and as_number.json()["errors"][0]["field"] == "amount"
    fee = pay("10.00", "10.00", fee="11.00")
    assert fee.json()["errors"][0]["field"] == "fee"
    stranger = books.customer("Someone Else")
    other_customer = client.post("/v1/payments", headers=books.headers, json={
        "customer_id": stranger, "date": "2026-07-02", "amount": "5.00",
        "allocations": [{"target_id": invoice["id"], "amount": "5.00"}]})
    assert other_customer.json()["errors"][0]["code"] == "other_customer"
    euro = client.post("/v1/payments", headers=books.headers, json={
        "customer_id": cid, "date": "2026-07-02", "amount": "5.00", "currency": "EUR"})
    assert euro.json()["errors"][0]["field"] == "fx_rate"
    yen = client.post("/v1/payments", headers=books.headers, json={
        "customer_id": cid, "date": "2026-07-02", "amount": "500", "currency": "JPY",
        "fx_rate": "0.0067"})
    assert yen.status_code == 201 and yen.json()["amount"] == "500"
    assert yen.json()["batch_id"] != invoice["batch_id"]  # a JPY batch of its own
    mismatch = client.post("/v1/invoices", headers=books.headers, json={
        "customer_id": cid, "date": "2026-07-01",
        "lines": [{"quantity": "3", "unit_price": "0.333", "amount": "0.98"}]})
    assert mismatch.json()["errors"][0]["code"] == "amount_mismatch"
