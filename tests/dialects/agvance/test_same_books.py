"""One store behind every API: a payment made through /v1 is Saasu's payment and settles the
Agvance invoice it pays, with the same amounts to the cent."""

from __future__ import annotations

from datetime import UTC, datetime

from finbatch.kit.clock import clock
from tests.support.books import Books


def test_a_v1_payment_appears_in_saasu_and_on_the_agvance_invoice(client, tenant):
    with clock.freeze(datetime(2026, 3, 10, 15, tzinfo=UTC)):
        books = Books.open(client, tenant)
        invoice = books.invoice("Green Acres Farm", "2026-03-02", ("3", "19.99"), tax="ST")
        assert invoice["amount"] == "64.92"
        payment = books.payment("Green Acres Farm", "2026-03-09", "40.05", {invoice["id"]: "40.05"},
                                fee="1.17", payment_account="1010", reference="CHK-881")

        saasu = client.get(f"/Payments?FileId={tenant.id}", headers=tenant.headers())
        assert saasu.status_code == 200
        (summary,) = saasu.json()["PaymentTransactions"]
        assert summary["TransactionId"] == payment["number"]
        assert b'"TotalAmount":40.05,"FeeAmount":1.17' in saasu.content
        assert (summary["Reference"], summary["PaymentAccountId"]) == ("CHK-881", 1010)
        detail = client.get(f"/Payment/{payment['number']}?FileId={tenant.id}", headers=tenant.headers())
        assert detail.json()["PaymentItems"] == [{"InvoiceTransactionId": invoice["number"], "AmountPaid": 40.05}]
        assert b'"AmountPaid":40.05}' in detail.content
        for_invoice = client.get(f"/Payments?FileId={tenant.id}&ForInvoiceId={invoice['number']}",
                                 headers=tenant.headers())
        assert [p["TransactionId"] for p in for_invoice.json()["PaymentTransactions"]] == [payment["number"]]

        agvance = client.post("/Invoice/GetInvoicesList", headers=tenant.headers(),
                              json={"InvoiceListRequestItems": [{"startInvoiceNumber": invoice["number"],
                                                                 "endInvoiceNumber": invoice["number"]}]})
        (record,) = agvance.json()["InvoiceRecords"]
        header = record["InvoiceRecordHeaderDetails"]
        assert record["InvoiceNumber"] == str(invoice["number"])
        assert header["PaidStatus"] == "Partial"
        assert b'"Total":64.92,"AmountPaid":40.05,"Balance":24.87,' in agvance.content

        native = books.invoice_now(invoice["id"])
        assert (native["amount_settled"], native["balance"]) == ("40.05", "24.87")

        xml = client.post("/Invoice/GetInvoicesList", headers=tenant.headers() | {"Accept": "application/xml"})
        assert b"<AmountPaid>40.05</AmountPaid>" in xml.content and b"<Balance>24.87</Balance>" in xml.content
        saasu_xml = client.get(f"/Payments?FileId={tenant.id}", headers=tenant.headers() | {"Accept": "text/xml"})
        assert b"<TotalAmount>40.05</TotalAmount><FeeAmount>1.17</FeeAmount>" in saasu_xml.content
