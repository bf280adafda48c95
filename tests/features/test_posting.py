"""Posting to a balanced journal: rules, preview, the job, the database guard, unposting."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, text, update
from sqlalchemy.exc import DBAPIError

from finbatch.batches import service as batches
from finbatch.batches.service import Actor
from finbatch.kit.ids import uuid7
from finbatch.ledger.models import JournalEntry, JournalLine, PostingRule
from finbatch.tenancy.auth import TenantContext
from finbatch.tenancy.repository import tenant_by_id
from tests.support.books import Books
from tests.support.posting import RULES, configure_posting, post, run_jobs


def _story(books: Books) -> dict:
    invoice = books.invoice("Ada", "2026-03-02", ("3", "19.99"), tax="ST")  # 59.97 + 4.95
    books.payment("Ada", "2026-03-05", "40.00", {invoice["id"]: "40.00"}, fee="1.46",
                  payment_account="1020")
    books.credit("Ada", "2026-03-06", "5.00", {invoice["id"]: "5.00"})
    books.write_off("Ada", "2026-03-30", "19.92", {invoice["id"]: "19.92"})
    return invoice


def test_posting_writes_one_balanced_entry_per_transaction(client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books)
    invoice = _story(books)
    batch_id = invoice["batch_id"]
    books.act(batch_id, "close")
    started = client.post(f"/v1/batches/{batch_id}/post", headers=books.headers)
    assert started.status_code == 202
    job = started.json()["job"]
    assert started.json()["batch"]["status"] == "posting"
    assert started.headers["location"] == f"/v1/jobs/{job['id']}"
    assert (job["status"], job["progress"]) == ("queued", {"done": 0, "total": 4})
    locked = client.patch(f"/v1/batches/{batch_id}", headers=books.headers, json={"name": "x"})
    assert locked.status_code == 409
    assert run_jobs(database) == 1
    finished = books.get(f"/v1/jobs/{job['id']}")
    assert finished["status"] == "succeeded" and finished["result"]["entries"] == 4
    assert finished["progress"] == {"done": 4, "total": 4}
    batch = books.batch(batch_id)
    assert batch["status"] == "posted" and batch["posted_at"] and batch["sys_locked"]
    entries = books.get("/v1/journal-entries", batch_id=batch_id)["items"]
    assert sorted(e["source_kind"] for e in entries) == ["credit", "invoice", "payment", "write_off"]
    by_kind = {e["source_kind"]: e for e in entries}
    for entry in entries:
        assert entry["total_debit"] == entry["total_credit"]
    invoice_lines = {(line["account_code"], line["debit"], line["credit"])
                     for line in by_kind["invoice"]["lines"]}
    assert invoice_lines == {("1100", "64.92", "0.00"), ("4000", "0.00", "59.97"),
                             ("2200", "0.00", "4.95")}
    payment_lines = {(line["account_code"], line["debit"], line["credit"])
                     for line in by_kind["payment"]["lines"]}
    assert payment_lines == {("1020", "38.54", "0.00"), ("6100", "1.46", "0.00"),
                             ("1100", "0.00", "40.00")}
    assert by_kind["invoice"]["party_name"] == "Ada" and by_kind["invoice"]["entry_date"] == "2026-03-02"
    one = books.get(f"/v1/journal-entries/{by_kind['payment']['id']}")
    assert one["lines"] == by_kind["payment"]["lines"]


def test_foreign_currency_entries_balance_in_both_currencies(client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books)
    cid = books.customer("Kenji")
    invoice = books.post("/v1/invoices", {
        "customer_id": cid, "date": "2026-03-02", "currency": "EUR", "fx_rate": "1.0833",
        "lines": [{"unit_price": "33.33"}, {"unit_price": "33.33"}, {"unit_price": "33.34"}]})
    batch = post(books, database, invoice["batch_id"])
    assert batch["status"] == "posted"
    entry = books.get("/v1/journal-entries", batch_id=invoice["batch_id"])["items"][0]
    base_debits = sum(int(line["debit"].replace(".", "")) for line in entry["lines"])
    base_credits = sum(int(line["credit"].replace(".", "")) for line in entry["lines"])
    assert base_debits == base_credits == 10833  # 100.00 EUR × 1.0833, rounded once
    assert {line["txn_debit"] for line in entry["lines"]} >= {"100.00"}
    assert entry["currency"] == "EUR" and entry["base_currency"] == "USD"


def test_preview_names_what_is_missing_and_posting_is_refused(client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books, rules=[("invoice", "receivable", "1100")])
    invoice = books.post("/v1/invoices", {"customer_id": books.customer("Ada"), "date": "2026-03-02",
                                          "lines": [{"product": "WIDGET", "unit_price": "5.00"}]})
    open_batch = books.post("/v1/batches", {"name": "Still open", "business_unit_id": "MAIN",
                                            "date": "2026-03-01", "fiscal_year_id": "FY2026",
                                            "fiscal_period": 3})
    books.act(invoice["batch_id"], "close")
    preview = books.post("/v1/batches/posting-preview",
                         {"batch_ids": [invoice["batch_id"], open_batch["id"], "nope"]})
    assert preview["products"] == ["WIDGET"]
    assert preview["products_without_financial_configuration"] == ["WIDGET"]
    assert [m["role"] for m in preview["missing_configuration"]] == ["revenue"]
    reasons = {b["id"]: b["reason"] for b in preview["ineligible_batches"]}
    assert "missing GL configuration" in reasons[invoice["batch_id"]]
    assert "open" in reasons[open_batch["id"]] and reasons["nope"] == "no such batch"
    assert preview["batches_to_post"] == []
    refused = client.post(f"/v1/batches/{invoice['batch_id']}/post", headers=books.headers)
    assert refused.status_code == 422 and refused.json()["code"] == "GL_CONFIGURATION_MISSING"
    assert "revenue" in refused.json()["detail"]
    # the refusal names exactly the gaps the preview names, in its order
    assert refused.json()["detail"] == "posting refused: GL configuration is missing for " + "; ".join(
        m["description"] for m in preview["missing_configuration"])
    assert books.batch(invoice["batch_id"])["status"] == "closed"
    with database.reading() as session:
        assert session.execute(text("SELECT count(*) FROM journal_lines")).scalar() == 0
    books.post("/v1/posting-rules", {"kind": "invoice", "role": "revenue", "account_code": "4000",
                                     "product": "WIDGET"})
    preview = books.post("/v1/batches/posting-preview", {"batch_ids": [invoice["batch_id"]]})
    assert preview["missing_configuration"] == [] and len(preview["batches_to_post"]) == 1


def test_the_merchant_fees_account_is_asked_for_only_by_batches_whose_payments_charge_a_fee(
        client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books, rules=[rule for rule in RULES if rule[1] != "merchant_fees"])
    march = books.invoice("Ada", "2026-03-02", ("3", "19.99"), tax="ST")
    books.payment("Ada", "2026-03-05", "40.00", {march["id"]: "40.00"}, payment_account="1020")
    april = books.invoice("Ada", "2026-04-02", ("3", "19.99"), tax="ST")
    books.payment("Ada", "2026-04-05", "40.00", {april["id"]: "40.00"}, fee="1.46",
                  payment_account="1020")
    books.payment("Ada", "2026-04-06", "5.00", {april["id"]: "5.00"}, payment_account="1020")
    assert march["batch_id"] != april["batch_id"]
    for invoice in (march, april):
        books.act(invoice["batch_id"], "close")
    preview = books.post("/v1/batches/posting-preview",
                         {"batch_ids": [march["batch_id"], april["batch_id"]]})
    assert [(m["kind"], m["role"], m["batch_ids"]) for m in preview["missing_configuration"]] == [
        ("payment", "merchant_fees", [april["batch_id"]])]
    assert [b["id"] for b in preview["batches_to_post"]] == [march["batch_id"]]
    refused = client.post(f"/v1/batches/{april['batch_id']}/post", headers=books.headers)
    assert refused.status_code == 422 and refused.json()["code"] == "GL_CONFIGURATION_MISSING"
    assert post(books, database, march["batch_id"])["status"] == "posted"


def test_a_failing_posting_leaves_no_lines_and_marks_the_batch(client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books)
    invoice = _story(books)
    books.act(invoice["batch_id"], "close")
    assert client.post(f"/v1/batches/{invoice['batch_id']}/post", headers=books.headers).status_code == 202
    with database.unit_of_work() as session:  # the configuration disappears before the worker runs
        session.execute(delete(PostingRule).where(PostingRule.role == "write_off"))
    run_jobs(database)
    assert gc.isenabled()  # the chunk that failed paused the collector (kit.gcpause) and resumed it
    batch = books.batch(invoice["batch_id"])
    assert batch["status"] == "error"
    assert batch["errors"][0]["transaction_type"] == "write_off"
    assert "write off" in batch["errors"][0]["error_message"]
    with database.reading() as session:
        assert session.execute(text("SELECT count(*) FROM journal_lines")).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM journal_entries")).scalar() == 0
    job = books.get("/v1/jobs", kind="post_batch")["items"][0]
    assert job["status"] == "failed" and job["attempts"] == 1
    books.post("/v1/posting-rules", {"kind": "write_off", "role": "write_off", "account_code": "6200"})
    assert post(books, database, invoice["batch_id"])["status"] == "posted"  # error → posting again


def _entry_rows(tenant_id, entry_id, debit, credit):
    line = {"tenant_id": tenant_id, "entry_id": entry_id, "txn_debit": 0, "txn_credit": 0,
            "description": None, "department": None, "project": None}
    return [dict(line, line_number=1, debit=debit, credit=0, txn_debit=debit),
            dict(line, line_number=2, debit=0, credit=credit, txn_credit=credit)]


def test_the_database_refuses_unbalanced_or_altered_entries(client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books)
    invoice = books.invoice("Ada", "2026-03-02", ("1", "10.00"))
    post(books, database, invoice["batch_id"])
    with database.reading() as session:
        account_id = session.execute(text("SELECT id FROM gl_accounts WHERE code = '1100'")).scalar()
        entry = session.execute(text("SELECT id, run_id, batch_id FROM journal_entries")).first()
    entry_id = str(entry[0]) if not isinstance(entry[0], str) or "-" in entry[0] else entry[0]

    def attempt(work) -> None:
        with pytest.raises(DBAPIError):
            with database.unit_of_work() as session:
                work(session)

    def unbalanced(session, debit=1000, credit=999):
        new_id = uuid7()
        rows = _entry_rows(tenant.id, new_id, debit, credit)
        for row in rows:
            row["account_id"] = account_id
        session.execute(insert(JournalLine), rows)
        session.execute(insert(JournalEntry), [{
            "tenant_id": tenant.id, "id": new_id, "number": 999, "run_id": entry[1],
            "batch_id": entry[2], "source_kind": "invoice", "source_id": invoice["id"],
            "entry_date": datetime(2026, 3, 2, tzinfo=UTC).date(), "fiscal_year_id": "FY2026",
            "fiscal_period": 3, "currency": "USD", "fx_rate": 1, "description": "forged",
            "created_at": datetime.now(UTC)}])

    attempt(unbalanced)
    attempt(lambda s: s.execute(update(JournalLine).values(debit=JournalLine.debit + 1)))
    attempt(lambda s: s.execute(delete(JournalLine).where(JournalLine.line_number == 1)))

    def extra_line(session):
        rows = _entry_rows(tenant.id, entry_id, 5, 5)
        for row in rows:
            row["account_id"] = account_id
            row["line_number"] += 10
        session.execute(insert(JournalLine), rows)
    attempt(extra_line)
    with database.unit_of_work() as session:  # balanced entries are accepted
        unbalanced(session, 1000, 1000)
        session.rollback()
    with database.reading() as session:
        debits, credits = session.execute(text("SELECT sum(debit), sum(credit) FROM journal_lines")).first()
        assert debits == credits == 1000


def test_unposting_a_batch_never_exported_removes_its_journal(client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books)
    invoice = _story(books)
    post(books, database, invoice["batch_id"])
    started = client.post(f"/v1/batches/{invoice['batch_id']}/unpost", headers=books.headers)
    assert started.status_code == 202 and started.json()["job"]["payload"]["mode"] == "remove"
    run_jobs(database)
    batch = books.batch(invoice["batch_id"])
    assert batch["status"] == "closed" and batch["unposted_at"] and batch["posted_at"] is None
    assert books.get("/v1/journal-entries", batch_id=invoice["batch_id"])["items"] == []
    assert books.act(invoice["batch_id"], "reopen", expect=409)["code"] == "INVALID_TRANSITION"
    assert post(books, database, invoice["batch_id"])["status"] == "posted"  # and post again
    assert len(books.get("/v1/journal-entries", batch_id=invoice["batch_id"])["items"]) == 4


def test_unposting_an_exported_batch_writes_reversing_entries(client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books)
    invoice = _story(books)
    post(books, database, invoice["batch_id"])
    with database.unit_of_work() as session:  # as a finished download leaves it
        context = TenantContext.of(tenant_by_id(session, tenant.id))
        batch = batches.require_batch(session, tenant.id, invoice["batch_id"], for_update=True)
        batches.apply_action(session, context, batch, "download", Actor("test"), internal=True)
    started = client.post(f"/v1/batches/{invoice['batch_id']}/unpost", headers=books.headers)
    assert started.json()["job"]["payload"]["mode"] == "reverse"
    run_jobs(database)
    assert books.batch(invoice["batch_id"])["status"] == "closed"
    entries = books.get("/v1/journal-entries", batch_id=invoice["batch_id"])["items"]
    originals = [e for e in entries if e["reverses_entry_id"] is None]
    reversals = [e for e in entries if e["reverses_entry_id"]]
    assert len(originals) == len(reversals) == 4
    by_original = {e["id"]: e for e in originals}
    for reversal in reversals:
        original = by_original[reversal["reverses_entry_id"]]
        assert [(line["account_code"], line["debit"], line["credit"]) for line in reversal["lines"]] == \
               [(line["account_code"], line["credit"], line["debit"]) for line in original["lines"]]
        assert reversal["description"].startswith("Reversal of")
    # A reversing line keeps the posting role of the line it reverses: QuickBooks needs the
    # customer on a reversed A/R line just as on the original.
    with database.read_session() as session:
        role_of = {(line.entry_id, line.line_number): line.role
                   for line in session.query(JournalLine).filter_by(tenant_id=tenant.id)}
    for reversal in reversals:
        for number in range(1, len(reversal["lines"]) + 1):
            assert role_of[(reversal["id"], number)] == role_of[(reversal["reverses_entry_id"], number)] != ""


def test_period_close(client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books)
    invoice = books.invoice("Ada", "2026-03-02", ("1", "10.00"))
    refused = client.post("/v1/fiscal-years/FY2026/periods/3/close", headers=books.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "PERIOD_HAS_UNPOSTED_BATCHES"
    assert invoice["batch_id"] in refused.json()["detail"]
    assert refused.json()["batches"][0]["id"] == invoice["batch_id"]
    assert client.post("/v1/fiscal-years/FY2026/periods/3/close",
                       headers=tenant.headers("clerk")).status_code == 403
    post(books, database, invoice["batch_id"])
    closed = client.post("/v1/fiscal-years/FY2026/periods/3/close", headers=books.headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = client.post("/v1/invoices", headers=books.headers, json={
        "customer_id": books.customer("Ada"), "date": "2026-03-20", "lines": [{"unit_price": "1.00"}]})
    assert late.status_code == 409 and late.json()["code"] == "PERIOD_CLOSED"
    unpost = client.post(f"/v1/batches/{invoice['batch_id']}/unpost", headers=books.headers)
    assert unpost.status_code == 409 and unpost.json()["code"] == "PERIOD_CLOSED"
    assert client.post("/v1/fiscal-years/FY2026/periods/3/reopen", headers=books.headers).status_code == 200
    assert client.post(f"/v1/batches/{invoice['batch_id']}/unpost", headers=books.headers).status_code == 202


def test_posting_rules_resolution_and_validation(client, tenant):
    books = Books.open(client, tenant)
    configure_posting(books)
    dup = client.post("/v1/posting-rules", headers=books.headers,
                      json={"kind": "invoice", "role": "revenue", "account_code": "4100"})
    assert dup.status_code == 409
    bad = client.post("/v1/posting-rules", headers=books.headers,
                      json={"kind": "invoice", "role": "revenue", "account_code": "9999"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "account_code"
    deferred = client.post("/v1/posting-rules", headers=books.headers,
                           json={"kind": "invoice", "role": "deferred_revenue", "account_code": "4100"})
    assert deferred.status_code == 422 and deferred.json()["errors"][0]["field"] == "product"
    specific = books.post("/v1/posting-rules", {"kind": "invoice", "role": "revenue",
                                                "account_code": "4100", "commerce_type": "M"})
    assert specific["commerce_type"] == "M" and specific["account_name"] == "Dues"
    assert client.post("/v1/posting-rules", headers=tenant.headers("accountant"),
                       json={"kind": "credit", "role": "allowances", "account_code": "4000",
                             "business_unit_id": "MAIN"}).status_code == 403
