"""AP posting and AP exports: supplier invoices into the journal and out to accounting formats."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import event

from finbatch.ledger import ap_posting
from tests.support.payables import build_world, ok
from tests.support.posting import run_jobs
from tests.support.statistics import empty_tables, never_analysed

RULES = [("ap_invoice", "payable", "2100"), ("ap_invoice", "expense", "6300"),
         ("ap_invoice", "tax_expense", "6500")]


@pytest.fixture
def world(client, tenant):
    world = build_world(client, tenant)
    for kind, role, code in RULES:
        ok(client.post("/v1/posting-rules", headers=tenant.headers(),
                       json={"kind": kind, "role": role, "account_code": code}))
    return world


def _queued_batch(client, tenant, invoices) -> dict:
    headers = tenant.headers()
    batch = ok(client.post("/v1/ap-batches", headers=headers, json={"batch_no": "AP-1"}))
    ok(client.post(f"/v1/ap-batches/{batch['id']}/invoices", headers=headers,
                   json={"invoice_ids": [i["id"] for i in invoices]}), 200)
    return ok(client.post(f"/v1/ap-batches/{batch['id']}/submit-to-queued", headers=headers), 200)


def test_an_ap_batch_posts_one_balanced_entry_per_invoice(client, tenant, database, world):
    plain = world.invoice("100.00")
    taxed = world.invoice("118.50", lines=[{"description": "Gauze", "gl_code": "6300", "amount": "100.00"},
                                            {"description": "Pump part", "gl_code": "1200", "amount": "10.00"}],
                          tax_amount="8.50", tax_expense_gl_code="6500")
    ret = world.invoice("-40.00", po_type="Return",
                        lines=[{"description": "Returned gloves", "gl_code": "6300", "amount": "-40.00"}])
    batch = _queued_batch(client, tenant, [plain, taxed, ret])
    started = client.post(f"/v1/ap-batches/{batch['id']}/post", headers=tenant.headers())
    assert started.status_code == 202, started.text
    assert run_jobs(database) == 1
    job = client.get(f"/v1/jobs/{started.json()['job']['id']}", headers=tenant.headers()).json()
    assert job["status"] == "succeeded" and job["result"]["entries"] == 3
    entries = client.get("/v1/journal-entries", headers=tenant.headers(),
                         params={"batch_id": batch["id"]}).json()["items"]
    assert len(entries) == 3
    by_source = {e["source_id"]: e for e in entries}
    lines = {(line["account_code"], line["debit"], line["credit"])
             for line in by_source[taxed["id"]]["lines"]}
    assert lines == {("6300", "100.00", "0.00"), ("1200", "10.00", "0.00"), ("6500", "8.50", "0.00"),
                     ("2100", "0.00", "118.50")}
    returned = {(line["account_code"], line["debit"], line["credit"])
                for line in by_source[ret["id"]]["lines"]}
    assert returned == {("6300", "0.00", "40.00"), ("2100", "40.00", "0.00")}  # a return turns round
    assert by_source[plain["id"]]["party_name"] == "Medline Industries"
    again = client.post(f"/v1/ap-batches/{batch['id']}/post", headers=tenant.headers())
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_POSTED"
    more = client.post(f"/v1/ap-batches/{batch['id']}/invoices", headers=tenant.headers(),
                       json={"invoice_ids": [world.invoice("5.00")["id"]]})
    assert more.status_code == 409 and more.json()["code"] == "BATCH_POSTED"


def test_posting_needs_a_queued_batch_and_configured_accounts(client, tenant, world):
    headers = tenant.headers()
    pending = ok(client.post("/v1/ap-batches", headers=headers, json={"batch_no": "AP-P"}))
    ok(client.post(f"/v1/ap-batches/{pending['id']}/invoices", headers=headers,
                   json={"invoice_ids": [world.invoice("10.00")["id"]]}), 200)
    refused = client.post(f"/v1/ap-batches/{pending['id']}/post", headers=headers)
    assert refused.status_code == 409 and refused.json()["code"] == "BATCH_NOT_POSTABLE"
    odd = world.invoice("20.00", lines=[{"description": "x", "gl_code": "6400", "amount": "20.00"}],
                        shipping_amount="0.00")
    client.patch(f"/v1/gl-accounts/{_account_id(client, tenant, '6400')}", headers=headers,
                 json={"is_active": False})
    batch = _queued_batch(client, tenant, [odd])
    missing = client.post(f"/v1/ap-batches/{batch['id']}/post", headers=headers)
    assert missing.status_code == 422 and missing.json()["code"] == "GL_CONFIGURATION_MISSING"
    assert "6400" in missing.json()["detail"]
    assert client.post(f"/v1/ap-batches/{batch['id']}/post",
                       headers=tenant.headers("clerk")).status_code == 403


def _account_id(client, tenant, code) -> str:
    accounts = client.get("/v1/gl-accounts", headers=tenant.headers()).json()["items"]
    return next(a["id"] for a in accounts if a["code"] == code)


def test_a_posted_ap_batch_exports_and_becomes_exported(client, tenant, database, world):
    invoices = [world.invoice(f"{n}0.00") for n in range(1, 4)]
    batch = _queued_batch(client, tenant, invoices)
    headers = tenant.headers()
    unposted = client.post("/v1/exports", headers=headers,
                           json={"ap_batch_ids": [batch["id"]], "format": "qbo-csv"})
    assert unposted.status_code == 409 and unposted.json()["code"] == "BATCH_NOT_EXPORTABLE"
    client.post(f"/v1/ap-batches/{batch['id']}/post", headers=headers)
    run_jobs(database)
    both = client.post("/v1/exports", headers=headers, json={
        "batch_ids": [batch["id"]], "ap_batch_ids": [batch["id"]], "format": "iif"})
    assert both.status_code == 422
    items = client.post("/v1/exports", headers=headers,
                        json={"ap_batch_ids": [batch["id"]], "format": "ym-items"})
    assert items.status_code == 422
    export = client.post("/v1/exports", headers=headers,
                         json={"ap_batch_ids": [batch["id"]], "format": "qbo-csv"})
    assert export.status_code == 202, export.text
    assert export.json()["batch_kind"] == "ap"
    run_jobs(database)
    done = client.get(f"/v1/exports/{export.json()['id']}", headers=headers).json()
    assert done["status"] == "complete", done["failure_reason"]
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/v1/exports/{done['id']}/download", headers=headers).content.decode())))
    payable = [r for r in rows if r["Account Name"].endswith("Accounts Payable")]
    assert sum(int(r["Credits"].replace(".", "")) for r in payable) == 6000
    assert all(r["Name"] == "Medline Industries" for r in payable)  # A/P lines name the vendor
    after = client.get(f"/v1/ap-batches/{batch['id']}", headers=headers).json()
    assert after["status"] == "Exported"
    for invoice in invoices:
        assert client.get(f"/v1/matched-invoices/{invoice['id']}", headers=headers).json()["status"] == "Exported"
    went = client.get(f"/v1/ap-batches/{batch['id']}/exports", headers=headers).json()["items"]
    assert [e["id"] for e in went] == [done["id"]]


def test_an_ap_posting_analyses_the_tables_it_reads_that_never_were(client, tenant, database,
                                                                     world):
    """As an AR posting does: a tenant's first AP posting must not plan its chunks as if the
    invoices, vendors and purchase orders written just before were empty tables."""
    batch = _queued_batch(client, tenant, [world.invoice("100.00"), world.invoice("25.00")])
    assert {"matched_invoices", "vendors"} <= never_analysed(database, ap_posting.SOURCE_TABLES)
    started = client.post(f"/v1/ap-batches/{batch['id']}/post", headers=tenant.headers())
    assert started.status_code == 202, started.text
    assert run_jobs(database) == 1
    empty = empty_tables(database, ap_posting.SOURCE_TABLES)  # SQLite keeps no statistics of them
    assert never_analysed(database, ap_posting.SOURCE_TABLES) <= empty
    assert {"matched_invoices", "matched_invoice_lines", "vendors", "purchase_orders"}.isdisjoint(empty)


def test_an_ap_posting_looks_a_fiscal_period_up_once_per_month_not_per_invoice(
        client, tenant, database, world):
    invoices = [world.invoice("10.00", invoice_date=f"2026-0{month}-{day:02d}")
                for month in (3, 4) for day in range(1, 6)]
    batch = _queued_batch(client, tenant, invoices)
    started = client.post(f"/v1/ap-batches/{batch['id']}/post", headers=tenant.headers())
    assert started.status_code == 202, started.text
    period_reads: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "FROM fiscal_periods" in statement and "fiscal_periods.number =" in statement:
            period_reads.append(statement)  # one period's lookup

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        assert run_jobs(database) == 1
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert len(period_reads) == 2  # March and April, for ten invoices in one chunk
    entries = client.get("/v1/journal-entries", headers=tenant.headers(),
                         params={"batch_id": batch["id"], "limit": 100}).json()["items"]
    assert sorted((e["fiscal_year_id"], e["fiscal_period"]) for e in entries) == (
        [("FY2026", 3)] * 5 + [("FY2026", 4)] * 5)
