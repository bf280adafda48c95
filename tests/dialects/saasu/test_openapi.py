"""The Saasu and Agvance routes in ``/openapi.json``: parameters, bodies and every status with
its vendor-shaped schema (a fuzzer checks responses against exactly this)."""

from __future__ import annotations

import pytest

from finbatch.app import create_app
from finbatch.config import Settings


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app(Settings(database_url="sqlite:///:memory:", embedded_workers=0)).openapi()


def _schema_of(operation: dict, status: str, media: str = "application/json") -> str:
    return operation["responses"][status]["content"][media]["schema"]["$ref"].rsplit("/", 1)[1]


def test_saasu_payment_routes(spec):
    listing = spec["paths"]["/Payments"]["get"]
    names = [p["name"] for p in listing["parameters"]]
    assert names == ["FileId", "Page", "PageSize", "LastModifiedFromDate", "LastModifiedToDate",
                     "ClearedFromDate", "ClearedToDate", "PaymentFromDate", "PaymentToDate",
                     "ForInvoiceId", "TransactionType", "PaymentAccountId", "SortString"]
    assert listing["parameters"][2]["schema"]["maximum"] == 100
    assert {"HTTPBearer": []} in listing["security"] and {"WsAccessKey": []} in listing["security"]
    assert _schema_of(listing, "200") == _schema_of(listing, "200", "application/xml") == \
        "PaymentTransactionSummaryResponse"
    assert {s: _schema_of(listing, s) for s in ("400", "401", "403", "405", "413", "500")} == \
        dict.fromkeys(("400", "401", "403", "405", "413", "500"), "SaasuError")
    detail = spec["paths"]["/Payment/{payment_id}"]["get"]
    assert _schema_of(detail, "200") == "PaymentTransaction" and _schema_of(detail, "404") == "SaasuError"
    assert {p["name"] for p in detail["parameters"]} == {"payment_id", "FileId"}
    summary = spec["components"]["schemas"]["PaymentTransactionSummary"]["properties"]
    assert summary["TotalAmount"]["type"] == "number" and "_links" in summary
    assert "/payments" not in spec["paths"]  # the lowercase aliases stay out of the document


def test_saasu_token_routes(spec):
    for path in ("/authorisation/token", "/authorisation/refresh"):
        operation = spec["paths"][path]["post"]
        assert set(operation["requestBody"]["content"]) == {"application/json",
                                                            "application/x-www-form-urlencoded"}
        assert _schema_of(operation, "200") == "SaasuTokenResponse"
        assert _schema_of(operation, "400") == "SaasuOAuthError"
    body = spec["paths"]["/authorisation/token"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"grant_type", "username", "password", "scope", "refresh_token"}


def test_agvance_route(spec):
    operation = spec["paths"]["/Invoice/GetInvoicesList"]["post"]
    assert [p["name"] for p in operation["parameters"]] == ["lastModifiedOnOrAfterUtc",
                                                            "lastModifiedOnOrBeforeUtc"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "text/json", "application/xml", "text/xml",
                            "application/x-www-form-urlencoded"}
    request, null = content["application/json"]["schema"]["anyOf"]  # a JSON null means no items
    assert null == {"type": "null"}
    item, null_item = request["properties"]["InvoiceListRequestItems"]["anyOf"][0]["items"]["anyOf"]
    assert null_item == {"type": "null"}  # a null item does not filter
    assert set(item["properties"]) == {
        "customerId", "locationId", "transactionStartDate", "transactionEndDate", "invoiceStartDate",
        "invoiceEndDate", "fiscalStartMonth", "fiscalEndMonth", "paidStatus", "voidOnly",
        "voidStartDate", "voidEndDate", "startInvoiceNumber", "endInvoiceNumber"}
    assert "$ref" not in str(content)  # inlined: a $defs reference would not resolve
    for status in ("200", "400", "401", "403", "405", "413", "415", "500"):
        assert _schema_of(operation, status) == _schema_of(operation, status, "application/xml") == "AgvInvoice"
    envelope = spec["components"]["schemas"]["AgvInvoice"]["properties"]
    assert envelope["Count"]["type"] == "string"


def test_no_dialect_route_documents_fastapis_422(spec):
    """Validation failures are each dialect's 400; a documented 422 with FastAPI's body would
    describe an answer that never comes."""
    for path in ("/Payments", "/Payment/{payment_id}", "/authorisation/token", "/authorisation/refresh",
                 "/Invoice/GetInvoicesList"):
        for operation in spec["paths"][path].values():
            assert "422" not in operation["responses"], path
