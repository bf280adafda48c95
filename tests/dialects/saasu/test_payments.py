"""``GET /Payments`` and ``GET /Payment/{id}``: filters, pairs, paging, links, names, tenancy."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest

from finbatch.dialects.saasu.params import month_before
from finbatch.dialects.saasu.render import payment_account_id
from finbatch.dialects.saasu.schemas import PaymentTransaction, PaymentTransactionSummaryResponse


def ids(client, saasu_file, **params) -> list[int]:
    response = client.get("/Payments", headers=saasu_file.headers,
                          params={"FileId": 123, "PageSize": 100} | params)
    assert response.status_code == 200, response.text
    PaymentTransactionSummaryResponse.model_validate(response.json())
    return [p["TransactionId"] for p in response.json()["PaymentTransactions"]]


def error(client, saasu_file, status=400, **params) -> str:
    response = client.get("/Payments", headers=saasu_file.headers, params={"FileId": 123} | params)
    assert response.status_code == status, response.text
    assert list(response.json()) == ["Message"]
    return response.json()["Message"]


MARCH = list(range(6, 32))


# --- filters -------------------------------------------------------------------------------------

def test_default_window_is_the_last_month(client, saasu_file):
    assert ids(client, saasu_file) == MARCH  # 1–5 are dated January
    assert ids(client, saasu_file, PaymentFromDate="2024-01-01", PaymentToDate="2024-12-31") == \
        list(range(1, 32))
    assert month_before(date(2024, 3, 31)) == date(2024, 2, 29)
    assert month_before(date(2024, 1, 15)) == date(2023, 12, 15)


def test_payment_dates_are_inclusive_business_dates(client, saasu_file):
    # payment n of January is dated the (10 + n)th
    assert ids(client, saasu_file, PaymentFromDate="2024-01-11", PaymentToDate="2024-01-12") == [1, 2]
    # an instant is read as the date it falls on in the file's zone (Sydney, +11)
    assert ids(client, saasu_file, PaymentFromDate="2024-01-11T13:00:00Z",
               PaymentToDate="2024-01-12T23:59:59+11:00") == [2]
    assert ids(client, saasu_file, PaymentFromDate="01/11/2024", PaymentToDate="01/11/2024") == [1]
    # an inverted range is empty, not an error
    assert ids(client, saasu_file, PaymentFromDate="2024-03-28", PaymentToDate="2024-03-01") == []


def test_cleared_dates(client, saasu_file):
    cleared = [n for n in MARCH if n % 5 == 0 and n != 11]
    assert ids(client, saasu_file, ClearedFromDate="2024-03-25", ClearedToDate="2024-03-25") == cleared
    assert ids(client, saasu_file, ClearedFromDate="2024-03-26", ClearedToDate="2024-04-30") == []


def test_last_modified_bounds_are_inclusive(client, saasu_file):
    # payment 6 was created on 21 March and modified on 28 March at 18:00:07.361258Z
    exact = "2024-03-28T18:00:07.361258Z"
    assert 6 in ids(client, saasu_file, LastModifiedFromDate=exact, LastModifiedToDate=exact)
    assert ids(client, saasu_file, LastModifiedFromDate="2024-03-28T18:00:07.361259Z",
               LastModifiedToDate="2024-03-29") == []
    # a date-only upper bound covers its whole day; a zone-less value is UTC
    assert ids(client, saasu_file, LastModifiedFromDate="2024-03-28",
               LastModifiedToDate="2024-03-28") == MARCH
    # a date/time without a fraction covers its whole second
    assert ids(client, saasu_file, LastModifiedFromDate="2024-03-27T00:00:00",
               LastModifiedToDate="2024-03-28T18:00:07") == MARCH
    assert ids(client, saasu_file, LastModifiedFromDate="2024-03-27T00:00:00",
               LastModifiedToDate="2024-03-28T18:00:06.9999999") == []
    assert ids(client, saasu_file, PaymentFromDate="2024-01-01", PaymentToDate="2024-01-31",
               LastModifiedFromDate="2024-01-01", LastModifiedToDate="2024-01-31") == [1, 2, 3, 4, 5]


def test_transaction_type_and_for_invoice(client, saasu_file):
    assert ids(client, saasu_file, TransactionType="PP") == [11]
    assert ids(client, saasu_file, TransactionType="sp") == [n for n in MARCH if n != 11]
    # ForInvoiceId (the invoice number) wins over TransactionType
    assert ids(client, saasu_file, ForInvoiceId="1", TransactionType="PP") == [8, 9]
    assert ids(client, saasu_file, ForInvoiceId="2") == [10]
    assert ids(client, saasu_file, ForInvoiceId="99") == []


def test_payment_account_id(client, saasu_file):
    assert ids(client, saasu_file, PaymentAccountId="1387") == [n for n in MARCH if n != 11]
    bank_02 = payment_account_id("BANK-02")
    assert bank_02 >= 1_000_000_000 and bank_02 == payment_account_id("BANK-02")
    assert ids(client, saasu_file, PaymentAccountId=str(bank_02)) == [11]
    assert ids(client, saasu_file, PaymentAccountId="0") == []
    assert ids(client, saasu_file, PaymentAccountId="1388") == []
    assert payment_account_id(None) == 0 and payment_account_id("0120") >= 1_000_000_000


@pytest.mark.parametrize(("sort", "expected"), [
    ("TransactionId", MARCH),
    ("TransactionId desc", MARCH[::-1]),
    ("transactiondate", None),
    ("TotalAmount DESC", None),
    ("ClearedDate", None),
    ("LastModifiedDateUtc desc", None),
])
def test_sort_string(client, saasu_file, sort, expected):
    got = ids(client, saasu_file, SortString=sort)
    assert sorted(got) == MARCH
    if expected is not None:
        assert got == expected
    response = client.get("/Payments", headers=saasu_file.headers,
                          params={"FileId": 123, "PageSize": 100, "SortString": sort}).json()
    field = {"transactiondate": "TransactionDate", "totalamount": "TotalAmount",
             "cleareddate": "ClearedDate"}.get(sort.split()[0].lower())
    if field:
        values = [p[field] for p in response["PaymentTransactions"]]
        keyed = [(v is not None, v) for v in values]  # nulls first when ascending
        assert keyed == sorted(keyed, reverse=sort.lower().endswith("desc"))


# --- bad parameters ------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "missing"), [
    ("LastModifiedFromDate", "LastModifiedToDate"), ("LastModifiedToDate", "LastModifiedFromDate"),
    ("ClearedFromDate", "ClearedToDate"), ("ClearedToDate", "ClearedFromDate"),
    ("PaymentFromDate", "PaymentToDate"), ("PaymentToDate", "PaymentFromDate"),
])
def test_half_a_pair_is_a_400_naming_the_missing_parameter(client, saasu_file, given, missing):
    message = error(client, saasu_file, **{given: "2024-03-01"})
    assert message.startswith(f"{missing} is required") and given in message


@pytest.mark.parametrize(("params", "named"), [
    ({"PageSize": "101"}, "PageSize"), ({"PageSize": "0"}, "PageSize"), ({"Page": "0"}, "Page"),
    ({"Page": "two"}, "Page"), ({"PageSize": "1e2"}, "PageSize"),
    ({"PaymentFromDate": "yesterday", "PaymentToDate": "2024-03-01"}, "PaymentFromDate"),
    ({"ClearedFromDate": "2024-03-01", "ClearedToDate": "2024-13-01"}, "ClearedToDate"),
    ({"LastModifiedFromDate": "2024-03-01", "LastModifiedToDate": "9999-12-31T23:59:59.9999999-14:00"},
     "LastModifiedToDate"),
    ({"ForInvoiceId": "INV-1"}, "ForInvoiceId"), ({"TransactionType": "XX"}, "TransactionType"),
    ({"PaymentAccountId": "-1"}, "PaymentAccountId"), ({"SortString": "Amount; drop table"}, "SortString"),
    ({"FileId": "abc"}, "FileId"),
])
def test_bad_values_are_400s_naming_the_parameter(client, saasu_file, params, named):
    assert named in error(client, saasu_file, **params)


def test_page_size_101_is_refused_and_100_accepted(client, saasu_file):
    assert "PageSize" in error(client, saasu_file, PageSize="101")
    assert len(ids(client, saasu_file, PageSize="100")) == 26


def test_file_id_is_required(client, saasu_file):
    response = client.get("/Payments", headers=saasu_file.headers)
    assert response.status_code == 400 and response.json() == {"Message": "FileId is required"}


# --- paging and links ----------------------------------------------------------------------------

def test_walking_next_links_visits_every_payment_once(client, saasu_file):
    url, seen, pages = "/Payments?FileId=123&PageSize=7&SortString=TotalAmount", [], 0
    while url:
        response = client.get(url, headers=saasu_file.headers)
        assert response.status_code == 200
        body = response.json()
        seen += [p["TransactionId"] for p in body["PaymentTransactions"]]
        links = {link["rel"]: link["href"] for link in body["_links"]}
        assert links["self"].startswith("https://api.saasu.com/Payments?")
        pages += 1
        next_href = links.get("next")
        url = None
        if next_href:
            parts = urlsplit(next_href)
            assert parts.netloc == "api.saasu.com" and f"Page={pages + 1}&PageSize=7" in parts.query
            url = f"{parts.path}?{parts.query}"
    assert pages == 4 and len(body["PaymentTransactions"]) == 5
    assert sorted(seen) == MARCH and len(seen) == len(set(seen))


def test_next_is_absent_on_the_last_page_and_past_it(client, saasu_file):
    last = client.get("/Payments?FileId=123&Page=2", headers=saasu_file.headers).json()
    assert [link["rel"] for link in last["_links"]] == ["self"]
    assert len(last["PaymentTransactions"]) == 1
    beyond = client.get("/Payments?FileId=123&Page=9", headers=saasu_file.headers).json()
    assert beyond["PaymentTransactions"] == [] and [x["rel"] for x in beyond["_links"]] == ["self"]
    exact_fit = client.get("/Payments?FileId=123&PageSize=26", headers=saasu_file.headers).json()
    assert [link["rel"] for link in exact_fit["_links"]] == ["self"]


def test_links_keep_the_query_and_drop_the_access_key(client, saasu_file):
    response = client.get("/Payments", params={"wsaccesskey": saasu_file.token, "FileId": "123",
                                               "TransactionType": "SP", "page": "1", "pagesize": "5"})
    assert response.status_code == 200
    links = {link["rel"]: link["href"] for link in response.json()["_links"]}
    assert links["self"] == "https://api.saasu.com/Payments?FileId=123&TransactionType=SP&page=1&pagesize=5"
    assert links["next"] == "https://api.saasu.com/Payments?FileId=123&TransactionType=SP&Page=2&PageSize=5"
    detail = response.json()["PaymentTransactions"][0]["_links"]
    assert detail == [{"rel": "detail", "href": "https://api.saasu.com/Payment/6?FileId=123",
                       "method": "GET", "title": None}]


# --- names, paths, auth, tenancy -----------------------------------------------------------------

def test_lowercase_parameter_names_and_paths(client, saasu_file):
    lower = client.get("/payments?fileid=123&pagesize=3&page=2&paymentfromdate=2024-01-01"
                       "&paymenttodate=2024-12-31&transactiontype=SP", headers=saasu_file.headers)
    assert lower.status_code == 200
    assert [p["TransactionId"] for p in lower.json()["PaymentTransactions"]] == [4, 5, 6]
    detail = client.get("/payment/6?fileid=123", headers=saasu_file.headers)
    assert detail.status_code == 200 and detail.json()["TransactionId"] == 6


def test_another_tenants_file_is_403(client, saasu_file, other_tenant):
    mine_elsewhere = client.get(f"/Payments?FileId={other_tenant.id}", headers=saasu_file.headers)
    theirs_here = client.get("/Payments?FileId=123", headers=other_tenant.headers())
    unknown = client.get("/Payments?FileId=999999", headers=saasu_file.headers)
    detail = client.get("/Payment/6?FileId=123", headers=other_tenant.headers())
    for response in (mine_elsewhere, theirs_here, unknown, detail):
        assert response.status_code == 403
        assert "Message" in response.json()
    own = client.get(f"/Payments?FileId={other_tenant.id}", headers=other_tenant.headers())
    assert own.status_code == 200 and own.json()["PaymentTransactions"] == []


def test_ws_access_key_and_bad_tokens(client, saasu_file):
    legacy = client.get(f"/Payments?FileId=123&WsAccessKey={saasu_file.token}")
    assert legacy.status_code == 200 and len(legacy.json()["PaymentTransactions"]) == 25
    for params, headers in (("FileId=123&WsAccessKey=fbt_nope", {}),
                            ("FileId=123", {"Authorization": "Bearer fbt_nope"}),
                            ("FileId=123", {})):
        response = client.get(f"/Payments?{params}", headers=headers)
        assert response.status_code == 401 and list(response.json()) == ["Message"]
        assert "WWW-Authenticate" in response.headers


def test_detail_lists_allocations_to_invoices(client, saasu_file):
    response = client.get("/Payment/9?FileId=123", headers=saasu_file.headers)
    body = PaymentTransaction.model_validate(response.json())
    assert [(i.InvoiceTransactionId, str(i.AmountPaid)) for i in body.PaymentItems] == [(1, "50.0")]
    assert b'"AmountPaid":50.0' in response.content
    assert client.get("/Payment/1?FileId=123", headers=saasu_file.headers).json()["PaymentItems"] == []
    for path, status in (("/Payment/0?FileId=123", 400), ("/Payment/abc?FileId=123", 400),
                         ("/Payment/99999999999999999999?FileId=123", 400),
                         ("/Payment/32?FileId=123", 404), ("/Payments/6?FileId=123", 404)):
        response = client.get(path, headers=saasu_file.headers)
        assert response.status_code == status, path
        assert list(response.json()) == ["Message"]


def test_wrong_method_is_405_in_saasu_shape(client, saasu_file):
    response = client.post("/Payments?FileId=123", headers=saasu_file.headers, json={})
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    assert list(response.json()) == ["Message"]
    xml = client.delete("/Payment/6?FileId=123", headers=saasu_file.headers | {"Accept": "text/xml"})
    assert xml.status_code == 405 and xml.text.startswith("<Error ")


def test_refunds_are_not_payments(client, saasu_file):
    before = ids(client, saasu_file)
    payment = client.get("/v1/payments", headers=saasu_file.headers, params={"limit": 1}).json()["items"][0]
    refund = client.post("/v1/refunds", headers=saasu_file.headers, json={
        "customer_id": payment["customer_id"], "date": "2024-03-27", "amount": "5.00",
        "payment_id": payment["id"]})
    assert refund.status_code == 201, refund.text
    assert ids(client, saasu_file) == before
