"""The export engine: jobs, the export ledger, signed URLs, the gl-csv fast path."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from finbatch.exports import source
from finbatch.exports.catalog import FORMATS
from finbatch.exports.writers.gl_csv import GLCsvWriter
from finbatch.kit.clock import clock
from finbatch.tenancy.auth import TenantContext
from finbatch.tenancy.repository import tenant_by_id
from tests.support.books import Books
from tests.support.posting import configure_posting, post, run_jobs


def _posted_batch(client, tenant, database) -> tuple[Books, dict]:
    books = Books.open(client, tenant)
    configure_posting(books)
    invoice = books.post("/v1/invoices", {
        "customer_id": books.customer("Ada, \"the\" Countess"), "date": "2026-03-02",
        "description": "=HYPERLINK(\"x\")",
        "lines": [{"quantity": "3", "unit_price": "19.99", "tax_code": "ST",
                   "description": "@SUM(A1:A9)"},
                  {"unit_price": "1.00", "description": "line one\nline two, \"quoted\""}]})
    books.payment("Ada, \"the\" Countess", "2026-03-05", "40.00", {invoice["id"]: "40.00"},
                  fee="1.46", payment_account="1020", description="line one\nline two")
    cid = books.customer("Jürgen")
    books.post("/v1/invoices", {"customer_id": cid, "date": "2026-03-06", "currency": "JPY",
                                "fx_rate": "0.0067", "lines": [{"unit_price": "12000"}]})
    eur = books.post("/v1/invoices", {"customer_id": cid, "date": "2026-03-07", "currency": "EUR",
                                      "fx_rate": "1.0833", "lines": [{"unit_price": "99.99"}]})
    for batch_id in {invoice["batch_id"], eur["batch_id"]}:
        post(books, database, batch_id)
    return books, books.batch(invoice["batch_id"])


def _export(books, batch_ids, fmt="gl-csv", **extra):
    response = books.client.post("/v1/exports", headers=books.headers,
                                 json={"batch_ids": batch_ids, "format": fmt, **extra})
    return response


def test_export_flow_with_signed_and_authenticated_downloads(client, tenant, database):
    books, batch = _posted_batch(client, tenant, database)
    started = _export(books, [batch["id"]])
    assert started.status_code == 202, started.text
    export = started.json()
    assert export["status"] == "queued" and export["download_url"] is None
    assert books.batch(batch["id"])["downloading_workflow_execution_id"] == export["id"]
    run_jobs(database)
    done = books.get(f"/v1/exports/{export['id']}")
    assert done["status"] == "complete" and done["row_count"] == 7  # 4 invoice lines + 3 payment lines
    assert done["file_name"].startswith("acme-gl-csv-") and done["file_name"].endswith(".csv")
    body = client.get(f"/v1/exports/{export['id']}/download", headers=books.headers)
    assert body.status_code == 200 and hashlib.sha256(body.content).hexdigest() == done["sha256"]
    assert len(body.content) == done["byte_size"]
    assert body.headers["content-disposition"].startswith("attachment; filename=")
    # the signed URL needs no token, and only works untouched and in time
    url = urlparse(done["download_url"])
    assert url.scheme == "http" and url.netloc == "testserver"
    signed = client.get(f"{url.path}?{url.query}")
    assert signed.status_code == 200 and signed.content == body.content
    query = parse_qs(url.query)
    tampered = client.get(url.path, params={**{k: v[0] for k, v in query.items()},
                                            "expires": str(int(query["expires"][0]) + 60)})
    assert tampered.status_code == 403 and tampered.json()["code"] == "INVALID_SIGNATURE"
    other_export = client.get(url.path.replace(export["id"][:8], "00000000"), params=query)
    assert other_export.status_code == 403
    with clock.freeze(datetime.now(UTC) + timedelta(minutes=16)):
        assert client.get(f"{url.path}?{url.query}").status_code == 403
    # posted batches become downloaded; the batch shows where it went
    assert books.batch(batch["id"])["status"] == "downloaded"
    went = books.get(f"/v1/batches/{batch['id']}/exports")["items"]
    assert [e["id"] for e in went] == [export["id"]]
    assert client.get(f"/v1/exports/{export['id']}/download",
                      headers=tenant.headers("viewer")).status_code == 200


def test_gl_csv_totals_equal_the_journal(client, tenant, database):
    books, batch = _posted_batch(client, tenant, database)
    export = _export(books, [batch["id"]]).json()
    run_jobs(database)
    content = client.get(f"/v1/exports/{export['id']}/download", headers=books.headers).text
    rows = list(csv.DictReader(io.StringIO(content)))
    entries = books.get("/v1/journal-entries", batch_id=batch["id"])["items"]
    journal_debit = sum(int(line["debit"].replace(".", "")) for e in entries for line in e["lines"])
    export_debit = sum(int(r["debit"].replace(".", "")) for r in rows)
    export_credit = sum(int(r["credit"].replace(".", "")) for r in rows)
    assert export_debit == export_credit == journal_debit
    assert len(rows) == sum(len(e["lines"]) for e in entries)
    assert any(r["description"] == "'@SUM(A1:A9)" for r in rows)  # neutralised
    assert any(r["description"] == 'line one\nline two, "quoted"' for r in rows)
    assert any(r["description"].endswith(': =HYPERLINK("x")') for r in rows)


def test_the_database_renders_the_reference_writers_bytes(client, tenant, database, tmp_path):
    books, batch = _posted_batch(client, tenant, database)
    eur = [b for b in books.get("/v1/batches", status="posted")["items"] if b["currency_code"] == "EUR"][0]
    for neutralize in (True, False):
        export = _export(books, [batch["id"], eur["id"]], options={"neutralize_formulas": neutralize},
                         force=True, reason="compare").json()
        run_jobs(database)
        fast = client.get(f"/v1/exports/{export['id']}/download", headers=books.headers).content
        reference = io.BytesIO()
        with database.reading() as session:
            tenant_ctx = TenantContext.of(tenant_by_id(session, tenant.id))
            ctx = source.context(session, tenant_ctx, {"neutralize_formulas": neutralize}, tmp_path)
            writer = GLCsvWriter(reference, ctx)
            writer.begin()
            for batch_id in (batch["id"], eur["id"]):
                batch_row = type("B", (), books.batch(batch_id) | {"business_unit_id": "MAIN"})
                for entry in source.journal(session, tenant.id, batch_row, None, None):
                    writer.entry(entry)
            writer.end()
        assert fast == reference.getvalue()


def test_repeat_force_and_ledger(client, tenant, database):
    books, batch = _posted_batch(client, tenant, database)
    first = _export(books, [batch["id"]]).json()
    run_jobs(database)
    repeat = _export(books, [batch["id"]])
    assert repeat.status_code == 200 and repeat.json()["id"] == first["id"]
    no_reason = _export(books, [batch["id"]], force=True)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    forced = _export(books, [batch["id"]], force=True, reason="the accountant lost the file")
    assert forced.status_code == 202 and forced.json()["id"] != first["id"]
    assert forced.json()["reason"] == "the accountant lost the file"
    run_jobs(database)
    again = books.get(f"/v1/exports/{forced.json()['id']}")
    assert again["sha256"] == books.get(f"/v1/exports/{first['id']}")["sha256"]  # same content
    assert [e["id"] for e in books.get(f"/v1/batches/{batch['id']}/exports")["items"]] == \
        [forced.json()["id"], first["id"]]


def test_the_next_export_carries_the_reversals_of_an_unposting(client, tenant, database):
    books, batch = _posted_batch(client, tenant, database)
    first = _export(books, [batch["id"]]).json()
    run_jobs(database)
    assert client.post(f"/v1/batches/{batch['id']}/unpost", headers=books.headers).status_code == 202
    run_jobs(database)
    assert books.batch(batch["id"])["status"] == "closed"
    carried = _export(books, [batch["id"]])
    assert carried.status_code == 202, carried.text
    run_jobs(database)
    content = client.get(f"/v1/exports/{carried.json()['id']}/download", headers=books.headers).text
    rows = list(csv.DictReader(io.StringIO(content)))
    original = books.get(f"/v1/exports/{first['id']}")
    assert len(rows) == original["row_count"]  # the reversal of each line, nothing else
    entries = books.get("/v1/journal-entries", batch_id=batch["id"])["items"]
    reversal_ids = {e["id"] for e in entries if e["reverses_entry_id"]}
    assert {r["entry_id"] for r in rows} == reversal_ids
    nothing = _export(books, [batch["id"]], fmt="gl-csv", options={"neutralize_formulas": True})
    assert nothing.status_code == 200  # unchanged since: the same export again


def test_exports_are_refused_or_fail_with_a_reason(client, tenant, database):
    books, batch = _posted_batch(client, tenant, database)
    open_invoice = books.invoice("Ada, \"the\" Countess", "2026-04-02", ("1", "5.00"))
    unposted = _export(books, [open_invoice["batch_id"]])
    assert unposted.status_code == 409 and unposted.json()["code"] == "BATCH_NOT_EXPORTABLE"
    unknown = _export(books, ["01a1fd5a-0000-7000-8000-000000000000"])
    assert unknown.status_code == 422
    bad_format = _export(books, [batch["id"]], fmt="pdf")
    assert bad_format.status_code == 422
    bad_option = _export(books, [batch["id"]], options={"colour": "red"})
    assert bad_option.status_code == 422 and bad_option.json()["errors"][0]["field"].startswith("options")
    account = [a for a in books.get("/v1/gl-accounts")["items"] if a["code"] == "1100"][0]
    client.patch(f"/v1/gl-accounts/{account['id']}", headers=books.headers, json={"is_active": False})
    failing = _export(books, [batch["id"]], force=True, reason="after the chart changed").json()
    run_jobs(database)
    failed = books.get(f"/v1/exports/{failing['id']}")
    assert failed["status"] == "failed" and "known account" in failed["failure_reason"]
    assert "1100" in failed["failure_reason"] and failed["download_url"] is None
    assert client.get(f"/v1/exports/{failing['id']}/download", headers=books.headers).status_code == 404
    assert client.post("/v1/exports", headers=tenant.headers("clerk"),
                       json={"batch_ids": [batch["id"]], "format": "gl-csv"}).status_code == 403


def test_every_format_exports_through_the_engine(client, tenant, database):
    import json
    import zipfile
    from xml.etree import ElementTree

    books, batch = _posted_batch(client, tenant, database)
    entries = books.get("/v1/journal-entries", batch_id=batch["id"])["items"]
    journal_debit = sum(int(line["debit"].replace(".", "")) for e in entries for line in e["lines"])
    results = {}
    for fmt in ("gl-csv", "gl-json", "gl-xml", "iif", "qbo-csv", "xero-csv", "intacct-csv"):
        export = _export(books, [batch["id"]], fmt=fmt).json()
        run_jobs(database)
        done = books.get(f"/v1/exports/{export['id']}")
        assert done["status"] == "complete", (fmt, done["failure_reason"])
        results[fmt] = client.get(f"/v1/exports/{export['id']}/download", headers=books.headers)
        assert hashlib.sha256(results[fmt].content).hexdigest() == done["sha256"]

    def cents(text: str) -> int:
        negative = text.startswith("-")
        whole, _, frac = text.lstrip("-").partition(".")
        value = int(whole or 0) * 100 + int((frac + "00")[:2])
        return -value if negative else value

    lines = json.loads(results["gl-json"].content)
    assert sum(cents(row["debit"]) for row in lines) == journal_debit
    xml_lines = ElementTree.fromstring(results["gl-xml"].content).findall("line")
    assert sum(cents(row.findtext("debit")) for row in xml_lines) == journal_debit
    iif_rows = [r.split("\t") for r in results["iif"].content.decode("cp1252").splitlines()
                if r.startswith(("TRNS", "SPL"))]
    header = results["iif"].content.decode("cp1252").splitlines()[0].split("\t")
    amounts = [cents(r[header.index("AMOUNT")]) for r in iif_rows]
    assert sum(a for a in amounts if a > 0) == journal_debit and sum(amounts) == 0
    qbo = list(csv.DictReader(io.StringIO(results["qbo-csv"].content.decode())))
    assert sum(cents(r["Debits"]) for r in qbo if r["Debits"]) == journal_debit
    assert all(r["Name"] for r in qbo if r["Account Name"].endswith("Receivables"))
    xero = list(csv.DictReader(io.StringIO(results["xero-csv"].content.decode())))
    assert sum(cents(r["Amount"]) for r in xero if not r["Amount"].startswith("-")) == journal_debit
    assert zipfile.is_zipfile(io.BytesIO(results["xero-csv"].content)) is False


def test_ym_items_export_a_closed_batch_in_either_encoding(client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books)
    invoice = books.post("/v1/invoices", {
        "customer_id": books.customer("Zoë Müller"), "date": "2026-03-02", "commerce_type": "M",
        "lines": [{"product": "DUES", "description": "Dues — 2026", "unit_price": "150.00",
                   "tax_code": "ST"}, {"product": "PIN", "unit_price": "5.00", "tax_code": "ST"}]})
    books.payment("Zoë Müller", "2026-03-03", "50.00", {invoice["id"]: "50.00"},
                  payment_method="Check", commerce_type="M")
    refused = _export(books, [invoice["batch_id"]], fmt="ym-items")
    assert refused.status_code == 409  # still open
    books.act(invoice["batch_id"], "close")
    for unicode, encoding in ((True, "utf-8-sig"), (False, "cp1252")):
        export = _export(books, [invoice["batch_id"]], fmt="ym-items", options={"unicode": unicode}).json()
        run_jobs(database)
        done = books.get(f"/v1/exports/{export['id']}")
        assert done["status"] == "complete", done["failure_reason"]
        raw = client.get(f"/v1/exports/{export['id']}/download", headers=books.headers).content
        assert raw.startswith(b"\xef\xbb\xbf") is unicode
        rows = list(csv.DictReader(io.StringIO(raw.decode(encoding))))
        assert [r["ItemCode"] for r in rows] == ["DUES", "PIN"]
        total = sum(int(r["Amount"].replace(".", "")) + int(r["TaxAmount"].replace(".", ""))
                    for r in rows)
        assert total == int(invoice["amount"].replace(".", ""))  # tax shares add back exactly
        assert rows[0]["CustomerName"] == ("Zoë Müller" if unicode else "Zoë Müller")
        assert rows[0]["PaymentMethod"] == "Check" and rows[0]["CommerceType"] == "M"
    assert books.batch(invoice["batch_id"])["status"] == "closed"  # only posted batches turn downloaded


def test_a_large_xero_export_is_split_and_zipped(client, tenant, database):
    import zipfile

    books = Books.open(client, tenant)
    configure_posting(books)
    cid = books.customer("Ada")
    for n in range(160):  # 160 invoices × 2 lines: over 300 lines
        books.post("/v1/invoices", {"customer_id": cid, "date": "2026-03-02",
                                    "lines": [{"unit_price": f"{n + 1}.00"}]})
    batch_id = books.get("/v1/invoices", limit=1)["items"][0]["batch_id"]
    post(books, database, batch_id)
    export = _export(books, [batch_id], fmt="xero-csv").json()
    run_jobs(database)
    done = books.get(f"/v1/exports/{export['id']}")
    assert done["file_name"].endswith(".zip") and done["media_type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/v1/exports/{export['id']}/download",
                                                    headers=books.headers).content))
    parts = [list(csv.DictReader(io.StringIO(archive.read(n).decode()))) for n in archive.namelist()]
    assert len(parts) == 2 and all(len(p) <= 300 for p in parts)
    assert sum(len(p) for p in parts) == 320


def test_exports_expire_after_their_retention(client, tenant, database):
    from finbatch.maintenance import expire_exports_everywhere

    books, batch = _posted_batch(client, tenant, database)
    export = _export(books, [batch["id"]]).json()
    run_jobs(database)
    assert books.get(f"/v1/exports/{export['id']}")["status"] == "complete"
    assert expire_exports_everywhere(database) == 0
    with clock.freeze(datetime.now(UTC) + timedelta(days=31)):
        assert expire_exports_everywhere(database) == 1
    gone = books.get(f"/v1/exports/{export['id']}")
    assert gone["status"] == "expired" and gone["download_url"] is None
    response = client.get(f"/v1/exports/{export['id']}/download", headers=books.headers)
    assert response.status_code == 404 and response.json()["code"] == "EXPORT_EXPIRED"
    assert not any(p.is_file() for p in (database.settings.export_dir / str(tenant.id)).rglob("*")) \
        if (database.settings.export_dir / str(tenant.id)).exists() else True
    again = _export(books, [batch["id"]])
    assert again.status_code == 409  # expired counts as exported: force it to get the file again
    assert _export(books, [batch["id"]], force=True, reason="file expired").status_code == 202


def test_the_download_routes_document_every_writers_media_type(client):
    """Regression (API fuzzing): downloads were documented as application/octet-stream only, while
    each is served in its format's media type (text/csv, application/json …)."""
    from finbatch.exports.catalog import MEDIA_TYPES
    from finbatch.exports.writers.registry import writer_for

    produced = {writer_for(name).media_type.split(";")[0] for name in FORMATS} | {"application/zip"}
    assert produced <= set(MEDIA_TYPES)
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/exports/{export_id}/download", "/v1/exports/{export_id}/file"):
        assert set(paths[path]["get"]["responses"]["200"]["content"]) == set(MEDIA_TYPES)
