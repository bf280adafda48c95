"""The demo tenant's payables: every status present, amounts that balance, and a step that can run
again without duplicating anything."""

from __future__ import annotations

from fastapi.testclient import TestClient

from finbatch.app import create_app
from finbatch.demo import load_demo
from finbatch.payables import posting_source
from finbatch.payables.repository import batch_view


def test_demo_payables(settings, database):
    first = load_demo(database)
    load_demo(database)  # idempotent
    with TestClient(create_app(settings, database)) as client:
        auth = {"Authorization": f"Bearer {first.token}"}
        batches = client.get("/v1/ap-batches", headers=auth).json()["items"]
        assert {b["batch_no"]: b["status"] for b in batches} == {
            "AP-2026-01": "Exported", "AP-2026-02": "Queued", "AP-2026-03": "Pending"}
        invoices = client.get("/v1/matched-invoices?limit=100", headers=auth).json()["items"]
        assert len(invoices) == 7
        assert {i["status"] for i in invoices} == {"Vouchered", "Batched", "Exported"}
        assert {i["po_type"] for i in invoices} == {"Standard", "Return", "Capital"}
        gl_codes = {line["gl_code"] for i in invoices for line in i["lines"]}
        assert gl_codes == {"6300", "6400", "1200", "1500"}
        assert {i["tax_expense_gl_code"] for i in invoices} == {None, "6500"}
        assert {i["offset_gl_code"] for i in invoices} == {"2100"}
        exported = next(b for b in batches if b["batch_no"] == "AP-2026-01")
        assert (exported["batch_total"], exported["invoice_count"]) == ("3028.30", 2)
        # the demo organisation signs in to the Envi dialect with the demo admin's password
        token = client.post("/oauth2/token", data={"grant_type": "password", "client_id": "1000",
                                                   "username": "demo-admin",
                                                   "password": "demo-password"}).json()
        odata = client.get("/odata/Batches?$filter=batchStatus eq 'Queued'",
                           headers={"Authorization": f"Bearer {token['access_token']}"}).json()
        assert [b["batchNo"] for b in odata["value"]] == ["AP-2026-02"]
        assert odata["value"][0]["batchTotal"] == 48500
    with database.reading() as session:
        for row in batch_view(session, 1000).find():
            for invoice in posting_source.batch_invoices(session, tenant_id=1000,
                                                         batch_id=row["id"]):
                assert invoice.balances, invoice.invoice_no
