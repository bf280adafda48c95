"""finbatch import: every bad row reported, nothing written; valid files land set-wise."""

from __future__ import annotations

import json

from tests.features.test_cli import finbatch
from tests.support.books import Books
from tests.support.statistics import never_analysed

GOOD = """kind,external_ref,business_unit_id,customer_code,date,commerce_type,amount,product,quantity,unit_price,tax_code,applies_to,payment_account
invoice,INV-1,MAIN,C1,2026-03-02,S,,TEE,2,24.50,ST,,
invoice,INV-1,MAIN,C1,2026-03-02,S,,MUG,1,12.99,ST,,
invoice,INV-2,MAIN,C2,2026-03-03,S,,DUES,1,150.00,,,
payment,PAY-1,MAIN,C1,2026-03-05,S,40.00,,,,,INV-1,1010
payment,PAY-2,MAIN,C2,2026-03-05,S,150.00,,,,,INV-2,1010
"""

BAD = """kind,external_ref,business_unit_id,customer_code,date,amount,product,quantity,unit_price,applies_to
invoice,B-1,MAIN,C1,2026-03-02,,X,0,10.00,
invoice,B-2,MAIN,NOBODY,2026-03-02,,X,1,10.0000001,
payment,B-3,MAIN,C1,2026-03-05,12.345,,,,B-404
payment,B-4,MAIN,C1,2026-03-05,5.00,,,,
invoice,B-5,MAIN,C1,2026-03-40,,X,1,1.00,
"""


def _setup(client, tenant):
    books = Books.open(client, tenant)
    for code in ("C1", "C2"):
        books.post("/v1/customers", {"name": code, "code": code})
    return books


def test_import_writes_a_valid_file_and_is_idempotent(client, tenant, database_url, tmp_path):
    books = _setup(client, tenant)
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    result = finbatch(database_url, "import", str(path), "--tenant", "acme")
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["errors"]) == (4, 0)
    invoices = {i["external_ref"]: i for i in books.get("/v1/invoices")["items"]}
    assert invoices["INV-1"]["amount"] == "67.10"  # 2 × 24.50 + 12.99 = 61.99, + 8.25 % (5.11)
    assert len(invoices["INV-1"]["lines"]) == 2
    assert invoices["INV-1"]["paid_status"] == "partial" and invoices["INV-2"]["paid_status"] == "paid"
    batch = books.batch(invoices["INV-1"]["batch_id"])
    assert batch["statistics"]["invoice_total"] == "217.10" and batch["total"] == "190.00"
    events = books.get("/v1/events", record_kind="payment")["items"]
    assert {e["data"]["external_ref"] for e in events} == {"PAY-1", "PAY-2"}
    again = json.loads(finbatch(database_url, "import", str(path), "--tenant", "acme").stdout)
    assert (again["created"], again["unchanged"]) == (0, 4)
    assert books.batch(invoices["INV-1"]["batch_id"])["statistics"] == batch["statistics"]


def test_import_analyses_the_tables_its_keys_point_into(client, tenant, database, database_url,
                                                        tmp_path):
    """Customers written moments before an import have no statistics yet (autovacuum takes up to
    a minute); PostgreSQL then checked each row's customer key by another index."""
    from finbatch.receivables.importer import REFERENCED_TABLES

    _setup(client, tenant)
    assert "customers" in never_analysed(database, REFERENCED_TABLES)  # as written
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    finbatch(database_url, "import", str(path), "--tenant", "acme")
    assert "customers" not in never_analysed(database, REFERENCED_TABLES)


def test_import_reports_every_bad_row_and_writes_nothing(client, tenant, database_url, tmp_path):
    books = _setup(client, tenant)
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    result = finbatch(database_url, "import", str(path), "--tenant", "acme", check=False)
    assert result.returncode == 2 and result.stdout == ""
    report = result.stderr
    for expected in ("line 2: quantity", "line 3: customer_code", "line 3: unit_price",
                     "line 4: applies_to", "line 4: amount", "line 6: date",
                     "nothing was imported"):
        assert expected in report, report
    assert "line 5" not in report  # B-4 is valid
    assert "customer_id" not in report  # the unknown code is the one problem reported
    assert books.get("/v1/payments")["items"] == []
    assert books.get("/v1/invoices")["items"] == []
    skipped = finbatch(database_url, "import", str(path), "--tenant", "acme", "--skip-invalid")
    summary = json.loads(skipped.stdout)
    assert (summary["created"], summary["skipped"]) == (1, 4)
    assert [p["external_ref"] for p in books.get("/v1/payments")["items"]] == ["B-4"]


def test_import_json_lines(client, tenant, database_url, tmp_path):
    books = _setup(client, tenant)
    lines = [
        {"kind": "invoice", "external_ref": "J-1", "customer_code": "C1", "date": "2026-04-01",
         "lines": [{"quantity": "1", "unit_price": "99.99"}]},
        {"kind": "payment", "external_ref": "J-2", "customer_code": "C1",
         "occurred_at": "2026-04-02T03:59:00Z", "amount": "99.99",
         "allocations": [{"target_external_ref": "J-1", "amount": "99.99"}]},
    ]
    path = tmp_path / "tx.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    assert json.loads(finbatch(database_url, "import", str(path), "--tenant", "acme").stdout)["created"] == 2
    payment = books.get("/v1/payments")["items"][0]
    assert payment["date"] == "2026-04-01"  # 03:59 UTC is still 1 April in New York
    assert books.get("/v1/invoices")["items"][0]["paid_status"] == "paid"


RICH = """kind,external_ref,business_unit_id,customer_code,currency,fx_rate,date,occurred_at,description,due_date,amount,fee,product,quantity,unit,unit_price,tax_code,applies_to,applied_amount,payment_account,payment_method,reference,payment_ref,requires_follow_up
invoice,R-1,MAIN,C1,,,,2026-03-02T22:15:00.250-05:00,Tees,2026-04-01,,,TEE,2.500,ea,24.50,ST,,,,,,,
invoice,R-1,MAIN,C1,,,2026-03-02,,,,,,MUG,1,ea,12.9900,lc,,,,,,,
invoice,R-1,MAIN,C1,,,2026-03-02,,,,,,BAG,3,,1.00,,,,,,,,
invoice,R-2,EU,C2,EUR,1.0800,2026-03-03,,,,,,DUES,1,,150.00,,,,,,,,
debit_memo,R-3,MAIN,C1,,,2026-03-03,,Fee,,,,FEE,1,,10.00,,,,,,,,
credit_memo,R-4,MAIN,C1,,,2026-03-04,,,,,,RET,1,,5.00,ST,R-3,5.41,,,,,
payment,R-5,MAIN,C1,,,2026-03-05,,,,40.00,0.30,,,,,,R-1,,1010,card,ch_1,,yes
payment,R-6,MAIN,C1,,,2026-03-05,,,,20.00,,,,,,,OLD-1,,1010,,,,
payment,R-7,EU,C2,EUR,1.08,2026-03-06,,,,150.00,,,,,,,R-2,,1010,,,,
refund,R-8,MAIN,C1,,,2026-03-07,,,,5.00,,,,,,,R-1,,1010,,,R-5,
write_off,R-9,MAIN,C1,,,2026-03-08,,,,1.00,,,,,,,R-3,,,,,,
credit,R-10,MAIN,C1,,,2026-03-08,,,,2.00,,,,,,,,,,,,,
"""


def test_import_events_carry_the_api_documents(client, tenant, database, tmp_path):
    """The importer renders its events' documents from what it wrote, not by reading the
    transactions back: each must be byte for byte the document the API shows for it."""
    from finbatch.batches.service import Actor
    from finbatch.kit.jsonutil import dumps
    from finbatch.receivables import importer
    from finbatch.receivables.models import KINDS
    from finbatch.receivables.repository import ImportLookupRepository
    from finbatch.receivables.views import native_transactions
    from finbatch.tenancy import service as tenancy
    from finbatch.tenancy.auth import TenantContext

    books = _setup(client, tenant)
    books.post("/v1/business-units", {"id": "EU", "name": "Europe", "currency": "EUR"})
    books.post("/v1/tax-codes", {"code": "lc", "rate": "0.05000", "description": "Local"})
    customer = books.get("/v1/customers")["items"][0]["id"]
    old = books.post("/v1/invoices", {"customer_id": customer, "business_unit_id": "MAIN",
                                      "date": "2026-03-01", "external_ref": "OLD-1",
                                      "lines": [{"quantity": "1", "unit_price": "30.00"}]})
    path = tmp_path / "rich.csv"
    path.write_text(RICH)
    errors: list[importer.RowError] = []
    records = importer.read_records(path, errors)
    with database.unit_of_work() as session:
        report = importer.ImportReport()
        importer.import_records(session, TenantContext.of(tenancy.require_tenant(session, "acme")),
                                records, actor=Actor("test"), skip_invalid=False, report=report)
        assert (errors, report.errors, report.created) == ([], [], 10)
        pending = [e for e in session.info["finbatch_pending_events"] if e.record_kind in KINDS]
        session.flush()
        ids = [e.record_id for e in pending]
        repo = ImportLookupRepository(session, tenant.id)
        shown = {doc["id"]: doc for doc in native_transactions(session, repo.transactions(ids))}
        # the invoice already in the database that R-6 pays changes as the API would change it
        assert [(e.type, e.record_id) for e in pending] == (
            [("created", i) for i in sorted(r.id for r in records)] + [("updated", old["id"])])
        assert (shown[old["id"]]["version"], shown[old["id"]]["amount_settled"]) == (2, "20.00")
        for event in pending:
            assert dumps(event.data) == dumps(shown[event.record_id])
        session.rollback()


def test_import_pays_an_invoice_the_same_file_updates(client, tenant, database_url, tmp_path):
    """A new payment applied to an invoice the file also upserts is checked against the stored
    invoice (the file gives it the database's id)."""
    books = _setup(client, tenant)
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    finbatch(database_url, "import", str(path), "--tenant", "acme")
    header, first, second = GOOD.splitlines()[:3]
    path.write_text("\n".join([header, first, second,
                               "payment,PAY-3,MAIN,C1,2026-03-06,S,27.10,,,,,INV-1,1010", ""]))
    summary = json.loads(finbatch(database_url, "import", str(path), "--tenant", "acme").stdout)
    assert (summary["created"], summary["unchanged"], summary["errors"]) == (1, 1, 0)
    invoices = {i["external_ref"]: i for i in books.get("/v1/invoices")["items"]}
    assert (invoices["INV-1"]["paid_status"], invoices["INV-1"]["version"]) == ("paid", 2)


def test_an_over_payment_names_the_same_file_invoice_by_its_reference(client, tenant,
                                                                      database_url, tmp_path):
    _setup(client, tenant)
    path = tmp_path / "over.csv"
    path.write_text("kind,external_ref,business_unit_id,customer_code,date,amount,product,"
                    "quantity,unit_price,applies_to\n"
                    "invoice,OV-1,MAIN,C1,2026-03-02,,DUES,1,10.00,\n"
                    "payment,OP-1,MAIN,C1,2026-03-05,15.00,,,,OV-1\n")
    result = finbatch(database_url, "import", str(path), "--tenant", "acme", check=False)
    assert result.returncode == 2
    # not yet numbered when checked: "invoice 0" told the reader nothing
    assert "exceeds the open balance 10.00 of invoice 'OV-1'" in result.stderr, result.stderr
