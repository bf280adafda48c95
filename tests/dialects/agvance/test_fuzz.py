"""Random requests against the Agvance route: never a 5xx, always a documented status, and a
body of the documented shape."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from finbatch.dialects.agvance.schemas import AgvInvoice
from tests.dialects.saasu.fuzzing import ACCEPTS, FUZZ, ODD, cased, check, values

AGVANCE_FIELDS = ["customerId", "locationId", "transactionStartDate", "transactionEndDate",
                  "invoiceStartDate", "invoiceEndDate", "fiscalStartMonth", "fiscalEndMonth",
                  "paidStatus", "voidOnly", "voidStartDate", "voidEndDate", "startInvoiceNumber",
                  "endInvoiceNumber"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.sampled_from(ODD),
                    st.text(max_size=15))
item = st.dictionaries(st.sampled_from(AGVANCE_FIELDS + ["CUSTOMERID", "extra"]), scalars, max_size=6)
bodies = st.one_of(
    st.builds(lambda items: {"InvoiceListRequestItems": items}, st.lists(item, max_size=4)),
    st.builds(lambda items: {"invoicelistrequestitems": items}, st.one_of(scalars, st.lists(scalars, max_size=3))),
    scalars, st.lists(scalars, max_size=3))


def _xml(items: list[dict]) -> bytes:
    def text(v):
        return "" if v is None else str(v).replace("&", "&amp;").replace("<", "&lt;")
    inner = "".join("<clsInvoiceListRequestItem>" + "".join(
        f"<{k}>{text(v)}</{k}>" for k, v in i.items()) + "</clsInvoiceListRequestItem>" for i in items)
    return (f"<InvoiceListRequest xmlns=\"http://schemas.datacontract.org/2004/07/SSI.API\">"
            f"<InvoiceListRequestItems>{inner}</InvoiceListRequestItems></InvoiceListRequest>").encode()


@FUZZ
@given(body=bodies, xml_items=st.lists(item, max_size=3), form_items=st.lists(item, max_size=3),
       kind=st.sampled_from(["json", "xml", "form", "raw"]), raw=st.binary(max_size=40),
       window=st.lists(st.tuples(st.sampled_from(["lastModifiedOnOrAfterUtc", "lastModifiedOnOrBeforeUtc"]),
                                 cased, values), max_size=2),
       accept=st.sampled_from(ACCEPTS),
       media=st.sampled_from([None, "application/json", "text/xml", "text/plain", "multipart/form-data"]))
def test_fuzz_agvance(client, farm_books, body, xml_items, form_items, kind, raw, window, accept, media):
    headers = farm_books.headers | ({"Accept": accept} if accept else {})
    path = "/Invoice/GetInvoicesList?" + urlencode([(case(n), v) for n, case, v in window])
    if kind == "json":
        response = client.post(path, json=body, headers=headers)
    elif kind == "xml":
        response = client.post(path, content=_xml(xml_items), headers=headers | {"Content-Type": "application/xml"})
    elif kind == "form":
        pairs = [(f"InvoiceListRequestItems[{i}].{k}", "" if v is None else str(v))
                 for i, it in enumerate(form_items) for k, v in it.items()]
        response = client.post(path, content=urlencode(pairs).encode(),
                               headers=headers | {"Content-Type": "application/x-www-form-urlencoded"})
    else:
        response = client.post(path, content=raw, headers=headers | ({"Content-Type": media} if media else {}))
    check(response, {200, 400, 415}, AgvInvoice, AgvInvoice, {"AgvInvoice"})
