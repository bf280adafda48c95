"""Hostile input, surface by surface: each is refused in the surface's own error shape or
neutralised, and none reaches a 5xx.

Covered elsewhere, next to the parsers they attack: XML external entities and entity expansion
(tests/dialects/ym/test_errors.py, tests/unit/formats/test_xmlwire.py), JSV nesting
(tests/unit/formats/test_jsv.py), OData grammar limits and bound parameters
(tests/unit/test_odata.py).
"""

from __future__ import annotations

import base64
import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from finbatch.exports.endpoints import content_disposition
from finbatch.kit.cursors import _PREFIX as CURSOR_PREFIX
from finbatch.receivables.models import ARTransaction
from tests.support.books import Books
from tests.support.posting import configure_posting, post, run_jobs

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000

#: One write route per surface that reads a JSON body, and what its error body looks like.
JSON_ROUTES = {
    "native": ("/v1/invoices", lambda body: body["code"] == "MALFORMED_JSON"),
    "rhythm": ("/batches/acme", lambda body: "nested too deeply" in body["message"]),
    "rhythm posting": ("/batchPosting/acme/batchPostingRequest",
                       lambda body: "nested too deeply" in body["message"]),
    "envi": ("/odata/Batches", lambda body: body["error"]["code"] == "MALFORMED_JSON"),
    "agvance": ("/Invoice/GetInvoicesList", lambda body: body["Status"] == "Error"),
    "ym": ("/Ams/2000/FinanceBatches.json",
           lambda body: body["ResponseStatus"]["ErrorCode"] == "SerializationException"),
}


@pytest.fixture
def engine_name() -> str:
    return "sqlite"  # parsing and headers do not depend on the engine; the SQL tests run on both


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize("surface", sorted(JSON_ROUTES))
def test_deeply_nested_json_is_a_400_in_the_surface_shape(client, tenant, surface, body):
    path, shaped = JSON_ROUTES[surface]
    response = client.post(path, headers=tenant.headers() | {"Content-Type": "application/json"},
                           content=body)
    assert response.status_code == 400, response.text[:300]
    assert shaped(response.json()), response.text[:300]


def test_a_cursor_crafted_as_deep_json_is_a_400(client, tenant):
    cursor = CURSOR_PREFIX + base64.urlsafe_b64encode(b"[" * 1500).decode().rstrip("=")
    response = client.get("/v1/invoices", headers=tenant.headers(), params={"cursor": cursor})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize("path,shaped", [
    ("/v1/invoices", lambda r: r.json()["code"] == "PAYLOAD_TOO_LARGE"),
    ("/batches/acme", lambda r: "exceeds the limit" in r.json()["message"]),
    ("/odata/Batches", lambda r: r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"),
    ("/oauth2/token", lambda r: r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"),
    ("/authorisation/token", lambda r: r.json()["error"] == "invalid_request"),
    ("/Payment", lambda r: "exceeds the limit" in r.json()["Message"]),
    ("/Invoice/GetInvoicesList", lambda r: r.json()["Status"] == "Error"),
    ("/Ams/2000/FinanceBatches.json", lambda r: "exceeds" in r.json()["ResponseStatus"]["Message"]),
])
def test_a_body_over_the_limit_is_a_413_in_the_surface_shape(client, tenant, settings, path, shaped):
    body = b'{"a":"' + b"x" * settings.max_body_bytes + b'"}'
    response = client.post(path, headers=tenant.headers() | {"Content-Type": "application/json"},
                           content=body)
    assert response.status_code == 413 and shaped(response), response.text[:300]


def test_a_body_over_the_limit_is_refused_while_streaming(client, tenant, settings):
    """No Content-Length: the limit is counted as the body arrives, not trusted from a header."""
    chunk = b"x" * 65536

    def body():
        for _ in range(settings.max_body_bytes // len(chunk) + 2):
            yield chunk

    response = client.post("/v1/invoices", headers=tenant.headers(), content=body())
    assert response.status_code == 413


# --- inputs crafted as SQL ------------------------------------------------------------------------

SQL_TEXTS = ["' OR '1'='1", "x'; DROP TABLE ar_transactions; --", "%' UNION SELECT * FROM tokens --",
             "\\' OR 1=1 --", "Robert'); DELETE FROM customers; --"]


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_search_and_odata_inputs_crafted_as_sql_match_nothing_and_harm_nothing(
        client, tenant, other_tenant, database):
    mine = Books.open(client, tenant)
    mine.invoice("Ada", "2026-03-02", ("1", "10.00"))
    theirs = Books.open(client, other_tenant)
    theirs.invoice("Zebulon Secret", "2026-03-02", ("1", "77.00"))
    h = tenant.headers()
    for text in SQL_TEXTS:
        quoted = text.replace("'", "''")
        calls = [
            client.get("/v1/invoices", headers=h, params={"search": text}),
            client.get("/v1/customers", headers=h, params={"search": text}),
            client.get("/odata/Batches", headers=h, params={"$filter": f"Name eq '{quoted}'"}),
            client.get("/odata/Batches", headers=h, params={"$filter": f"contains(Name,'{quoted}')"}),
            client.get("/odata/Batches", headers=h, params={"$search": text}),
            client.get("/odata/Batches", headers=h, params={"$orderby": text}),
            client.get("/odata/Batches", headers=h, params={"$filter": text}),
            client.post("/batches/acme/search", headers=h, json={"name": text}),
            client.post("/Invoice/GetInvoicesList", headers=h,
                        json={"InvoiceListRequestItems": [{"customerId": text}]}),
        ]
        for response in calls:
            assert response.status_code in (200, 400, 422), (response.request.url, response.text[:300])
            assert "Zebulon" not in response.text
            if response.status_code == 200:
                assert "Ada" not in response.text, f"{text!r} matched a row: {response.request.url}"
    with database.reading() as session:
        assert session.execute(select(func.count()).select_from(ARTransaction)).scalar_one() == 2


# --- exports: file names and spreadsheet cells ----------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+SUM(1;2)", "-2+3*cmd", "@SUM(A1:A9)",
            "\t=1+1", "=cmd|' /C calc'!A0"]
SPREADSHEET_FORMATS = ["gl-csv", "qbo-csv", "xero-csv", "intacct-csv"]


def _posted_hostile_batch(client, tenant, database, *, batch_name: str) -> tuple[Books, str]:
    books = Books.open(client, tenant)
    configure_posting(books)
    customer = books.post("/v1/customers", {"name": FORMULAS[5], "code": "EVIL"})["id"]
    invoice = books.post("/v1/invoices", {
        "customer_id": customer, "date": "2026-03-02", "description": FORMULAS[0],
        "lines": [{"unit_price": "10.00", "description": formula} for formula in FORMULAS]})
    client.patch(f"/v1/batches/{invoice['batch_id']}", headers=books.headers,
                 json={"name": batch_name}).raise_for_status()
    post(books, database, invoice["batch_id"])
    return books, invoice["batch_id"]


def _exported(books: Books, database, batch_id: str, fmt: str) -> TestClient:
    started = books.client.post("/v1/exports", headers=books.headers,
                                json={"batch_ids": [batch_id], "format": fmt})
    assert started.status_code == 202, started.text
    run_jobs(database)
    export = books.get(f"/v1/exports/{started.json()['id']}")
    assert export["status"] == "complete", export
    return books.client.get(f"/v1/exports/{export['id']}/download", headers=books.headers)


@pytest.mark.parametrize("fmt", SPREADSHEET_FORMATS)
def test_text_cells_of_spreadsheet_exports_cannot_start_a_formula(client, tenant, database, fmt):
    books, batch_id = _posted_hostile_batch(client, tenant, database, batch_name="March")
    download = _exported(books, database, batch_id, fmt)
    cells = [cell for row in csv.reader(io.StringIO(download.content.decode("utf-8-sig")))
             for cell in row]
    carrying = [cell for cell in cells if any(f.lstrip("\t=+-@") in cell for f in FORMULAS)]
    assert carrying, f"{fmt} carries none of the hostile texts: the test would prove nothing"
    for cell in carrying:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), f"{fmt}: {cell!r} starts a formula"


def test_export_file_names_cannot_inject_headers(client, tenant, database):
    books, batch_id = _posted_hostile_batch(
        client, tenant, database, batch_name='March"\r\nSet-Cookie: stolen=1\r\nX-Evil: 1;"x.csv')
    download = _exported(books, database, batch_id, "gl-csv")
    assert download.status_code == 200
    assert "set-cookie" not in download.headers and "x-evil" not in download.headers
    disposition = download.headers["content-disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2, disposition  # the ASCII name is quoted once, whole
    assert disposition.startswith('attachment; filename="acme-gl-csv-March-Set-Cookie-stolen-1-X-Evil')


@pytest.mark.parametrize("name", ['a"\r\nSet-Cookie: x=1', "ä\u2028b;\tc", "../../etc/passwd", ""])
def test_the_content_disposition_header_holds_any_name_safely(name):
    """The header builder itself, for names that did not come through the file-stem slug."""
    header = content_disposition(name)
    assert header.isascii() and not any(ch in header for ch in "\r\n\t")
    assert header.count('"') == 2 and "/" not in header.split("filename*=")[0]
