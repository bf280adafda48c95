"""Golden files: the seed's own sample requests, realistic requests in every format, errors;
and our response compared with the seed's response sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.dialects.saasu.golden import case_names, run_case, shape

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", case_names(GOLDEN))
def test_golden_case(client, farm_books, name):
    run_case(client, GOLDEN, name, farm_books.headers)


def test_the_response_has_the_seed_samples_shape(client, farm_books):
    seed = json.loads((GOLDEN / "seed_response_sample.json").read_text())
    response = client.post("/Invoice/GetInvoicesList", headers=farm_books.headers)
    body = response.json()
    assert list(body) == list(seed)
    assert isinstance(body["Count"], str) and body["Count"] == str(len(body["InvoiceRecords"])) == "7"
    for record in body["InvoiceRecords"]:
        assert list(record) == list(seed["InvoiceRecords"][0])
        assert all(isinstance(record[k], list) for k, v in seed["InvoiceRecords"][0].items()
                   if isinstance(v, list))
        assert isinstance(record["InvoiceRecordHeaderDetails"], dict)
        assert isinstance(record["InvoiceDate"], str) and isinstance(record["InvoiceNumber"], str)


def test_the_seed_xml_request_sample_is_read(client, farm_books):
    """The seed's XML request parses (the 400 is about its placeholder values, item by item)."""
    response = client.post("/Invoice/GetInvoicesList", content=(GOLDEN / "seed_request.xml").read_bytes(),
                           headers=farm_books.headers | {"Content-Type": "text/xml"})
    assert response.status_code == 400
    message = response.json()["Message"]
    assert message.startswith("InvoiceListRequestItems[0].transactionStartDate is not a date")
    assert "paidStatus must be Paid, Unpaid or Partial" in message


def test_xml_is_datacontract_with_ordinal_members(client, farm_books):
    response = client.post("/Invoice/GetInvoicesList", headers=farm_books.headers | {"Accept": "application/xml"})
    assert response.headers["content-type"].startswith("application/xml")
    tag, attrs, _, children = shape(response.content)
    assert tag == "AgvInvoice"
    assert attrs == {"xmlns": "http://schemas.datacontract.org/2004/07/SSI.API",
                     "xmlns:i": "http://www.w3.org/2001/XMLSchema-instance"}

    def check(node, lists=("InvoiceRecords", "InvoiceRecordSplitDetails",
                           "InvoiceRecordLineItemDetails", "InvoiceTaxCodeDetails")):
        name, _, _, kids = node
        names = [k[0] for k in kids]
        if name not in lists:
            assert names == sorted(names), name
        for kid in kids:
            check(kid)
    check((tag, attrs, "", children))
    assert [c[0] for c in children] == ["Count", "InvoiceRecords", "Message", "Status"]
