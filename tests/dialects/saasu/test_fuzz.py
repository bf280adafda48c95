"""Random requests against the Saasu routes: never a 5xx, always a documented status, and a
body of the documented shape (JSON validated by the OpenAPI models, XML well-formed with the
expected root). A small stand-in for the schemathesis run."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finbatch.dialects.saasu.schemas import (
    PaymentTransaction,
    PaymentTransactionSummaryResponse,
    SaasuError,
    SaasuOAuthError,
    SaasuTokenResponse,
)
from tests.dialects.saasu.fuzzing import ACCEPTS, FUZZ, cased, check, values

PARAMS = ["FileId", "Page", "PageSize", "LastModifiedFromDate", "LastModifiedToDate", "ClearedFromDate",
          "ClearedToDate", "PaymentFromDate", "PaymentToDate", "ForInvoiceId", "TransactionType",
          "PaymentAccountId", "SortString", "WsAccessKey"]


@FUZZ
@given(pairs=st.lists(st.tuples(st.sampled_from(PARAMS), cased, values), max_size=6),
       with_file=st.booleans(), accept=st.sampled_from(ACCEPTS))
def test_fuzz_saasu_payments(client, saasu_file, pairs, with_file, accept):
    query = [("FileId", "123")] if with_file else []
    query += [(case(name), value) for name, case, value in pairs]
    headers = saasu_file.headers | ({"Accept": accept} if accept else {})
    response = client.get(f"/Payments?{urlencode(query)}", headers=headers)
    check(response, {200, 400, 401, 403}, PaymentTransactionSummaryResponse, SaasuError,
           {"PaymentTransactionSummaryResponse", "Error"})


@FUZZ
@given(payment=st.one_of(st.integers(-5, 40).map(str), st.text(max_size=12)),
       file_id=values, accept=st.sampled_from(ACCEPTS))
def test_fuzz_saasu_payment(client, saasu_file, payment, file_id, accept):
    headers = saasu_file.headers | ({"Accept": accept} if accept else {})
    response = client.get(f"/Payment/{quote(payment, safe='') or '1'}",
                          params={"FileId": file_id}, headers=headers)
    check(response, {200, 400, 401, 403, 404}, PaymentTransaction, SaasuError,
           {"PaymentTransaction", "Error"})


token_fields = st.dictionaries(
    st.sampled_from(["grant_type", "username", "password", "scope", "refresh_token", "other"]),
    st.one_of(st.sampled_from(["password", "refresh_token", "full", "fileid:123", "fileid:x",
                               "client_credentials", "\x00"]), st.text(max_size=20),
              st.integers(), st.none(), st.booleans()), max_size=5)


@FUZZ
@given(fields=token_fields, form=st.booleans(), path=st.sampled_from(["token", "refresh"]))
def test_fuzz_saasu_token(client, fields, form, path):
    if form:
        response = client.post(f"/authorisation/{path}", content=urlencode(
            {k: str(v) for k, v in fields.items()}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        response = client.post(f"/authorisation/{path}", json=fields)
    assert response.status_code in (200, 400), response.text
    (SaasuTokenResponse if response.status_code == 200 else SaasuOAuthError).model_validate_json(
        response.content)


@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
def test_fuzz_helpers_see_errors(client, saasu_file, accept):
    """The checks above can fail: an error body is not a success body."""
    response = client.get("/Payments?FileId=123&PageSize=0", headers=saasu_file.headers | {"Accept": accept})
    with pytest.raises(AssertionError):
        check(response, {200}, PaymentTransactionSummaryResponse, SaasuError, {"Error"})
