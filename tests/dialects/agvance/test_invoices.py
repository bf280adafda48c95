"""``POST /Invoice/GetInvoicesList``: items, filters, the window, formats, errors, tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from finbatch.dialects.agvance.schemas import AgvInvoice
from finbatch.tenancy import service as tenancy
from tests.conftest import make_tenant
from tests.dialects.agvance.conftest import T3, T4, T5
from tests.support.books import Books

PATH = "/Invoice/GetInvoicesList"
ALL = ["1", "CM1", "FC1", "2", "3", "4", "5"]


def numbers(client, farm_books, *items, query: str = "", **kwargs) -> list[str]:
    body = {"json": {"InvoiceListRequestItems": list(items)}} if items else {}
    response = client.post(PATH + query, headers=farm_books.headers | kwargs.pop("headers", {}),
                           **(body | kwargs))
    assert response.status_code == 200, response.text
    parsed = AgvInvoice.model_validate(response.json())
    assert parsed.Status == "Success" and parsed.Count == str(len(parsed.InvoiceRecords))
    return [r.InvoiceNumber for r in parsed.InvoiceRecords]


def error(client, farm_books, status=400, **kwargs) -> str:
    response = client.post(PATH, headers=farm_books.headers | kwargs.pop("headers", {}), **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["Status"], body["Count"], body["InvoiceRecords"]) == ("Error", "0", [])
    return body["Message"]


def test_no_items_means_every_invoice_ordered_by_number(client, farm_books):
    assert numbers(client, farm_books) == ALL
    assert numbers(client, farm_books, json=None) == ALL
    assert numbers(client, farm_books, json={}) == ALL
    assert numbers(client, farm_books, json={"InvoiceListRequestItems": None}) == ALL
    assert numbers(client, farm_books, {}) == ALL


def test_a_json_null_body_means_no_items_and_the_document_says_so(client, farm_books):
    """Regression (API fuzzing): a JSON ``null`` body is read as no items (as Json.NET binds it),
    but the document allowed only an object, so the accepted request "violated" it."""
    from jsonschema import Draft202012Validator

    content = client.get("/openapi.json").json()["paths"][PATH]["post"]["requestBody"]["content"]
    for media_type in ("application/json", "text/json"):
        assert numbers(client, farm_books, content=b"null",
                       headers={"Content-Type": media_type}) == ALL
        validator = Draft202012Validator(content[media_type]["schema"])
        assert validator.is_valid(None) and validator.is_valid({"InvoiceListRequestItems": []})
        assert not validator.is_valid([]) and not validator.is_valid("null")


def test_a_null_item_does_not_filter_and_the_document_says_so(client, farm_books):
    """Regression (API fuzzing): ``[null, null]`` is read as two items that do not filter, but the
    document allowed only objects as items, so the accepted request "violated" it."""
    from jsonschema import Draft202012Validator

    assert numbers(client, farm_books, json={"InvoiceListRequestItems": [None, None]}) == ALL
    schema = client.get("/openapi.json").json()["paths"][PATH]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"InvoiceListRequestItems": [None, {"customerId": "G100"}]})
    assert not validator.is_valid({"InvoiceListRequestItems": [1]})


def test_the_document_states_the_values_json_net_binds(client, farm_books):
    """Regression (API fuzzing): the parser reads values as Json.NET binds them (numbers as text,
    text as numbers and booleans, blanks as no filter, statuses in any case, US dates); the
    document now states each form, and what it refuses is refused."""
    from jsonschema import Draft202012Validator

    schema = client.get("/openapi.json").json()["paths"][PATH]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    validator = Draft202012Validator(schema)
    lenient = {"customerId": " G200 ", "fiscalStartMonth": " 1 ", "fiscalEndMonth": "",
               "voidOnly": "False", "paidStatus": "partial", "invoiceStartDate": "1/1/2026",
               "invoiceEndDate": " ", "startInvoiceNumber": "0"}
    assert validator.is_valid({"InvoiceListRequestItems": [lenient]})
    assert numbers(client, farm_books, lenient) == ["2", "4"]
    for field, value in [("customerId", "G" + " " * 64), ("customerId", 1.5),
                         ("fiscalStartMonth", "1.0"), ("fiscalStartMonth", 13), ("voidOnly", "yes"),
                         ("voidOnly", 1), ("paidStatus", "Overdue"), ("invoiceStartDate", "2026/1/1")]:
        assert not validator.is_valid({"InvoiceListRequestItems": [{field: value}]}), (field, value)
        assert field in error(client, farm_books, json={"InvoiceListRequestItems": [{field: value}]})


def test_overlapping_items_are_united_without_duplicates(client, farm_books):
    g100 = numbers(client, farm_books, {"customerId": "G100"})
    elm_or_feb = numbers(client, farm_books, {"locationId": "ELM"}, {"fiscalStartMonth": 2, "fiscalEndMonth": 2})
    assert g100 == ["1", "FC1", "3", "5"]
    assert elm_or_feb == ["1", "CM1", "2", "3", "5"]
    both = numbers(client, farm_books, {"customerId": "G100"}, {"locationId": "ELM"},
                   {"fiscalStartMonth": 2, "fiscalEndMonth": 2})
    assert both == ["1", "CM1", "FC1", "2", "3", "5"]
    assert numbers(client, farm_books, {"customerId": "G100"}, {"customerId": "G100"}) == g100


def test_fields_of_an_item_are_anded(client, farm_books):
    assert numbers(client, farm_books, {"customerId": "G100", "locationId": "ELM",
                                        "paidStatus": "Unpaid"}) == ["1", "5"]
    assert numbers(client, farm_books, {"customerId": "G999"}) == []
    assert numbers(client, farm_books, {"customerId": "", "locationId": "  "}) == ALL


def test_dates(client, farm_books):
    assert numbers(client, farm_books, {"invoiceStartDate": "02/15/2026", "invoiceEndDate": "2026-02-20"}) == \
        ["CM1", "3"]
    assert numbers(client, farm_books, {"invoiceStartDate": "2026-03-01"}) == ["FC1", "4", "5"]
    assert numbers(client, farm_books, {"invoiceEndDate": "1/15/2026"}) == ["1"]
    # recorded at 04:30 UTC on 1 March, which is 28 February in New York
    assert numbers(client, farm_books, {"transactionStartDate": "03/01/2026"}) == []
    assert numbers(client, farm_books, {"transactionStartDate": "02/28/2026",
                                        "transactionEndDate": "02/28/2026"}) == ["FC1", "4", "5"]
    assert numbers(client, farm_books, {"transactionEndDate": "2026-02-15"}) == ["1", "CM1", "2"]
    assert numbers(client, farm_books, {"invoiceStartDate": "2026-03-01", "invoiceEndDate": "2026-02-01"}) == []


def test_fiscal_months_paid_status_and_numbers(client, farm_books):
    assert numbers(client, farm_books, {"fiscalStartMonth": 1, "fiscalEndMonth": "2"}) == ["1", "CM1", "2", "3"]
    assert numbers(client, farm_books, {"fiscalStartMonth": 3}) == ["FC1", "4", "5"]
    assert numbers(client, farm_books, {"paidStatus": "Paid"}) == ["CM1", "3"]
    assert numbers(client, farm_books, {"paidStatus": "PARTIAL"}) == ["2", "4"]
    assert numbers(client, farm_books, {"paidStatus": "unpaid"}) == ["1", "FC1", "5"]
    assert numbers(client, farm_books, {"paidStatus": ""}) == ALL
    assert numbers(client, farm_books, {"startInvoiceNumber": 2, "endInvoiceNumber": 3}) == ["2", "3"]
    assert numbers(client, farm_books, {"endInvoiceNumber": "1"}) == ["1", "CM1", "FC1"]


def test_void_filters(client, farm_books):
    assert numbers(client, farm_books, {"voidOnly": True}) == ["5"]
    assert numbers(client, farm_books, {"voidOnly": "true", "voidStartDate": "03/03/2026"}) == []
    assert numbers(client, farm_books, {"voidOnly": True, "voidStartDate": "03/02/2026",
                                        "voidEndDate": "03/02/2026"}) == ["5"]
    # a void date range can only match voided invoices
    assert numbers(client, farm_books, {"voidOnly": False, "voidEndDate": "2026-12-31"}) == ["5"]
    assert numbers(client, farm_books, {"voidOnly": False}) == ALL


def test_the_window_bounds_are_inclusive(client, farm_books):
    def window(after=None, before=None, **names):
        query = "&".join(f"{k}={v.strftime('%Y-%m-%dT%H:%M:%S')}" for k, v in (
            (names.get("after_name", "lastModifiedOnOrAfterUtc"), after),
            (names.get("before_name", "lastModifiedOnOrBeforeUtc"), before)) if v is not None)
        return numbers(client, farm_books, query="?" + query if query else "")

    assert window(T3, T4) == ["CM1", "2", "3"]
    assert window(T3 + timedelta(seconds=1), T4 - timedelta(seconds=1)) == []
    assert window(T4, T4) == ["3"]
    assert window(T5) == ["FC1", "4", "5"]
    assert window(before=T3 - timedelta(seconds=1)) == ["1"]
    assert window(T3, T4, after_name="LASTMODIFIEDONORAFTERUTC", before_name="lastmodifiedonorbeforeutc") == \
        ["CM1", "2", "3"]
    # zoned values are converted; empty values do not bound
    assert numbers(client, farm_books, query="?lastModifiedOnOrAfterUtc=2026-02-20T09:00:00-05:00"
                   "&lastModifiedOnOrBeforeUtc=") == ["FC1", "3", "4", "5"]
    assert numbers(client, farm_books, query="?lastModifiedOnOrAfterUtc=2026-03-01") == ["FC1", "4", "5"]


def test_xml_and_form_requests(client, farm_books):
    xml = ("<InvoiceListRequest xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xmlns=\"http://schemas.datacontract.org/2004/07/SSI.API\"><InvoiceListRequestItems>"
           "<clsInvoiceListRequestItem><customerId>G200</customerId><fiscalEndMonth i:nil=\"true\"/>"
           "</clsInvoiceListRequestItem><clsInvoiceListRequestItem/></InvoiceListRequestItems>"
           "</InvoiceListRequest>")
    assert numbers(client, farm_books, content=xml, headers={"Content-Type": "application/xml"}) == ALL
    only = xml.replace("<clsInvoiceListRequestItem/>", "")
    assert numbers(client, farm_books, content=only, headers={"Content-Type": "text/xml"}) == ["CM1", "2", "4"]
    assert numbers(client, farm_books, content=only) == ["CM1", "2", "4"]  # sniffed
    assert numbers(client, farm_books, content="<InvoiceListRequest/>",
                   headers={"Content-Type": "application/xml"}) == ALL
    assert numbers(client, farm_books, data={"customerId": "G200", "paidStatus": "Partial"}) == ["2", "4"]
    assert numbers(client, farm_books, data={"invoicelistrequestitems[0].customerid": "G200",
                                             "InvoiceListRequestItems[1][locationId]": "ELM"}) == \
        ["1", "CM1", "2", "3", "4", "5"]


@pytest.mark.parametrize(("kwargs", "named"), [
    ({"json": {"InvoiceListRequestItems": [{"fiscalStartMonth": 13}]}}, "InvoiceListRequestItems[0].fiscalStartMonth"),
    ({"json": {"InvoiceListRequestItems": [{}, {"paidStatus": "Overdue"}]}}, "InvoiceListRequestItems[1].paidStatus"),
    ({"json": {"InvoiceListRequestItems": [{"voidOnly": "maybe"}]}}, "voidOnly"),
    ({"json": {"InvoiceListRequestItems": [{"startInvoiceNumber": -1}]}}, "startInvoiceNumber"),
    ({"json": {"InvoiceListRequestItems": [{"endInvoiceNumber": 1.5}]}}, "endInvoiceNumber"),
    ({"json": {"InvoiceListRequestItems": [{"customerId": "x" * 65}]}}, "customerId"),
    ({"json": {"InvoiceListRequestItems": [{"customerId": {"a": 1}}]}}, "customerId"),
    ({"json": {"InvoiceListRequestItems": [{"invoiceStartDate": "02/30/2026"}]}}, "invoiceStartDate"),
    ({"json": {"InvoiceListRequestItems": [{"transactionEndDate": "12/31/9999"}]}}, "transactionEndDate"),
    ({"json": {"InvoiceListRequestItems": [7]}}, "InvoiceListRequestItems[0]"),
    ({"json": {"InvoiceListRequestItems": "all"}}, "InvoiceListRequestItems"),
    ({"json": [1, 2]}, "JSON object"),
    ({"json": {"InvoiceListRequestItems": [{}] * 101}}, "at most 100"),
    ({"content": b"{\"InvoiceListRequestItems\": [", "headers": {"Content-Type": "application/json"}}, "JSON"),
    ({"content": b"<InvoiceListRequest><x></InvoiceListRequest>", "headers": {"Content-Type": "application/xml"}},
     "well-formed XML"),
    ({"content": b"<!DOCTYPE x [<!ENTITY a \"b\">]><InvoiceListRequest>&a;</InvoiceListRequest>",
      "headers": {"Content-Type": "text/xml"}}, "DOCTYPE"),
    ({"content": b"<InvoiceListRequest><InvoiceListRequestItems><clsInvoiceListRequestItem>x"
                 b"</clsInvoiceListRequestItem></InvoiceListRequestItems></InvoiceListRequest>",
      "headers": {"Content-Type": "text/xml"}}, "InvoiceListRequestItems[0] must be an object"),
    ({"content": b"customerId=G1&InvoiceListRequestItems[0].customerId=G2",
      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, "not both"),
])
def test_input_errors_are_400_naming_the_problem(client, farm_books, kwargs, named):
    assert named in error(client, farm_books, **kwargs)


def test_malformed_xml_is_a_400_in_xml_when_asked(client, farm_books):
    response = client.post(PATH, content=b"<InvoiceListRequest>", headers=farm_books.headers | {
        "Content-Type": "application/xml", "Accept": "application/xml"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/xml")
    assert b"<Status>Error</Status>" in response.content and b"not well-formed" in response.content


def test_window_errors_and_unsupported_media(client, farm_books):
    response = client.post(PATH + "?lastModifiedOnOrBeforeUtc=2026-13-01T00:00:00", headers=farm_books.headers)
    assert response.status_code == 400 and "lastModifiedOnOrBeforeUtc" in response.json()["Message"]
    assert "Content-Type" in error(client, farm_books, 415, content=b"hello",
                                   headers={"Content-Type": "text/plain"})


def test_auth_and_tenancy(client, farm_books, database, tenant, other_tenant):
    assert "bearer token" in error(client, farm_books, 401, headers={"Authorization": ""})
    assert error(client, farm_books, 401, headers={"Authorization": "Bearer fbt_nope"})
    # the other tenant sees only its own invoices
    theirs = Books.open(client, other_tenant)
    theirs.invoice("Someone", "2026-03-01", ("1", "9.99"))
    response = client.post(PATH, headers=other_tenant.headers())
    assert [r["InvoiceNumber"] for r in response.json()["InvoiceRecords"]] == ["1"]
    assert response.json()["InvoiceRecords"][0]["InvoiceRecordHeaderDetails"]["Total"] == 9.99
    # a token granting two tenants cannot say which one Agvance means
    with database.unit_of_work() as session:
        issued = tenancy.create_token(session, grants={tenant.id: ["viewer"], other_tenant.id: ["viewer"]},
                                      expires_in=timedelta(days=1))
    message = error(client, farm_books, 403, headers={"Authorization": f"Bearer {issued.secret}"})
    assert "several tenants" in message


def test_wrong_method_and_lowercase_path(client, farm_books):
    wrong = client.get(PATH, headers=farm_books.headers)
    assert wrong.status_code == 405 and wrong.json()["Status"] == "Error"
    assert numbers(client, farm_books, {"customerId": "G200"}) == \
        [r["InvoiceNumber"] for r in client.post("/invoice/getinvoiceslist", headers=farm_books.headers,
                                                 json={"InvoiceListRequestItems": [{"customerId": "G200"}]}
                                                 ).json()["InvoiceRecords"]]
    missing = client.post("/Invoice/Nothing", headers=farm_books.headers)
    assert missing.status_code == 404 and missing.json()["Status"] == "Error"


def test_amounts_are_exact_numbers(client, database, tenant):
    jpy = make_tenant(database, "yen", client_id=5000, currency="JPY", timezone="Asia/Tokyo")
    books = Books.open(client, jpy, currency="JPY")
    books.invoice("Tanaka Farm", "2026-03-01", ("3", "1234"))
    response = client.post(PATH, headers=jpy.headers())
    assert b'"Total":3702,' in response.content and b'"UnitPrice":1234,' in response.content
    big = Books.open(client, tenant)
    big.invoice("Big Farm", "2026-03-01", ("1", "123456789012.34"), ("0.001", "0.07"))
    response = client.post(PATH, headers=tenant.headers())
    assert b'"SubTotal":123456789012.34,' in response.content
    assert b'"Quantity":0.001,' in response.content and b'"ExtendedAmount":0.00,' in response.content


def test_the_documented_window_accepts_what_the_route_accepts(client, farm_books):
    """Regression (API fuzzing): the window parameters were documented as RFC 3339 date-times, so
    the documented zone-less form and an empty value (unbounded) both violated the document."""
    from jsonschema import Draft202012Validator, FormatChecker

    parameters = client.get("/openapi.json").json()["paths"][PATH]["post"]["parameters"]
    for value in ("", "2026-02-20T09:00:00", "2026-02-20T09:00:00.1234567", "2026-03-01",
                  "2026-02-20T09:00:00-05:00", "2026-02-20T14:00:00Z"):
        response = client.post(PATH + f"?lastModifiedOnOrAfterUtc={value.replace('+', '%2B')}",
                               headers=farm_books.headers)
        assert response.status_code == 200, (value, response.text)
        for parameter in parameters:
            validator = Draft202012Validator(parameter["schema"], format_checker=FormatChecker())
            assert validator.is_valid(value), (parameter["name"], value)
    assert not Draft202012Validator(parameters[0]["schema"], format_checker=FormatChecker()) \
        .is_valid("yesterday")
