"""Undoing an allocation keeps the target's settled amount within 0..amount (found by
test_receivables_properties: invoice, payment of it, refund of it, then delete the payment)."""

from __future__ import annotations

from tests.support.books import Books


def test_a_payment_whose_settlement_was_refunded_cannot_be_deleted(client, tenant):
    books = Books.open(client, tenant)
    invoice = books.invoice("Ada", "2026-02-10", ("1", "0.01"))
    payment = books.payment("Ada", "2026-02-10", "0.01", {invoice["id"]: "0.01"})
    books.refund("Ada", "2026-02-10", "0.01", {invoice["id"]: "0.01"})
    response = client.delete(f"/v1/payments/{payment['id']}", headers=books.headers)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "ALLOCATION_IN_USE"
    assert books.invoice_now(invoice["id"])["amount_settled"] == "0.00"
