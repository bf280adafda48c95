"""Bad input and refused access: the right status and a ResponseStatus naming the problem, in
the format the request asked for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from finbatch.tenancy import service as tenancy
from tests.dialects.ym.support import GOLDEN, status_of

FORMATS = ("json", "xml", "jsv", "csv")
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b"<FinanceBatches><CommerceType>&x;</CommerceType></FinanceBatches>")
BOMB = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<FinanceBatches><CommerceType>&b;</CommerceType></FinanceBatches>")


def _post(client, club, fmt, content_type, body, **params):
    return client.post(f"/Ams/{club.client_id}/FinanceBatches.{fmt}", params=params,
                       headers=club.headers | {"Content-Type": content_type}, content=body)


BODIES = [
    ("text/jsv", b"{CommerceType:M,ClosingDate:2026-01-01", "not closed with '}'", None),
    ("text/jsv", b'{CommerceType:"M}', "unterminated quoted string", None),
    ("application/xml", b"<FinanceBatches><CommerceType>M</FinanceBatches>", "mismatched tag", None),
    ("application/xml", XXE, "", None),
    ("application/xml", BOMB, "", None),
    ("application/json", b'{"CommerceType": "M",', "not valid JSON", None),
    ("text/jsv", b"{PageSize:ten}", "'ten' is not an integer", "PageSize"),
    ("application/json", b'{"ClosedOnly": "maybe"}', "ClosedOnly", "ClosedOnly"),
    ("application/xml", b"<FinanceBatches><ClosingDate>yesterday</ClosingDate></FinanceBatches>",
     "ClosingDate", "ClosingDate"),
]


# each bad body is answered in another format in turn, so every format meets every kind of failure
@pytest.mark.parametrize(("fmt", "content_type", "body", "needle", "field"),
                         [(FORMATS[i % 4], *case) for i, case in enumerate(BODIES)])
def test_unreadable_bodies_are_400_serialization_errors(client, club_books, fmt, content_type,
                                                        body, needle, field):
    response = _post(client, club_books, fmt, content_type, body)
    assert response.status_code == 400, response.text
    status = status_of(fmt, response.content)
    assert status.ErrorCode == "SerializationException"
    assert needle in status.Message
    if field:
        assert status.Errors[0].FieldName == field


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("params", "field"), [
    ({"CommerceType": "X"}, "CommerceType"),
    ({"PageSize": "5000"}, "PageSize"),
    ({"PageNumber": "-1"}, "PageNumber"),
    # regressions (API fuzzing): both were 500s, an offset overflow and a date before year 1
    ({"PageNumber": "92233720368547760"}, "PageNumber"),
    ({"Timestamp": "0001-01-01T00:00:00Z"}, "Timestamp"),
    ({"StartBatchID": "no-such-batch"}, "StartBatchID"),
])
def test_bad_arguments_name_the_field(client, club_books, fmt, params, field):
    response = client.get(f"/Ams/{club_books.client_id}/FinanceBatches", params=params | {"format": fmt},
                          headers=club_books.headers)
    assert response.status_code == 400, response.text
    status = status_of(fmt, response.content)
    assert status.ErrorCode == "ArgumentException" and status.Errors[0].FieldName == field


def test_the_seed_sample_request_is_read_and_its_placeholder_refused(client, club_books):
    """Every property of the seed's pretty-printed sample is read (nested ResponseStatus
    included); its placeholder StartBatchID names no batch, which POST reports as 404."""
    response = _post(client, club_books, "jsv", "text/jsv", (GOLDEN / "seed_request.jsv").read_bytes())
    assert response.status_code == 404, response.text
    assert status_of("jsv", response.content).Message == "batch 'String' was not found in ClientID 2000"
    text = (GOLDEN / "seed_request.jsv").read_bytes().replace(b"StartBatchID: String,", b"")
    response = _post(client, club_books, "jsv", "text/jsv", text)
    assert response.status_code == 400, response.text
    assert status_of("jsv", response.content).Errors[0].FieldName == "CommerceType"  # "String"


@pytest.mark.parametrize("fmt", FORMATS)
def test_access(client, database, club_books, other_tenant, tenant, fmt):
    url = f"/Ams/{club_books.client_id}/FinanceBatches?format={fmt}"
    cases = [
        ({}, 401, "Unauthorized", "Not Authenticated"),
        ({"Authorization": "Bearer fbt_nonsense"}, 401, "Unauthorized", "Not Authenticated"),
        (tenant.headers("accountant"), 403, "Forbidden", "Invalid Role"),
        (tenant.headers("viewer"), 403, "Forbidden", "Invalid Role"),
        (other_tenant.headers(), 403, "Forbidden", f"no access to ClientID {club_books.client_id}"),
    ]
    for headers, code, error_code, message in cases:
        response = client.get(url, headers=headers)
        assert response.status_code == code, (headers, response.text)
        status = status_of(fmt, response.content)
        assert status.ErrorCode == error_code and message in status.Message
    unknown = client.get(f"/Ams/999999/FinanceBatches?format={fmt}", headers=tenant.headers())
    assert unknown.status_code == 403  # the same as another client's: ids cannot be probed
    with database.unit_of_work() as session:
        oauth = tenancy.create_token(session, grants={tenant.id: ["oauthadmin"]}, name="oauth",
                                     expires_in=timedelta(hours=1)).secret
    assert client.get(url, headers={"Authorization": f"Bearer {oauth}"}).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_exports_and_routes_are_404(client, club_books, fmt):
    cid, headers = club_books.client_id, club_books.headers
    response = client.get(f"/Ams/{cid}/Exports/0190c9e5-0000-7000-8000-000000000000/Status.{fmt}",
                          headers=headers)
    assert response.status_code == 404
    assert "was not found" in status_of(fmt, response.content).Message
    response = client.get(f"/Ams/{cid}/NoSuchThing?format={fmt}", headers=headers)
    assert response.status_code == 404
    assert status_of(fmt, response.content).ErrorCode == "NotFound"


def test_an_unknown_content_type_is_415(client, club_books):
    response = _post(client, club_books, "json", "application/yaml", b"CommerceType: M")
    assert response.status_code == 415
    assert response.json()["ResponseStatus"]["ErrorCode"] == "NotSupported"


def test_errors_never_carry_a_stack_trace_and_keep_our_code(client, club_books):
    response = client.get(f"/Ams/{club_books.client_id}/FinanceBatches?PageSize=x", headers=club_books.headers)
    status = response.json()["ResponseStatus"]
    assert "StackTrace" not in status and status["Meta"]["Code"]
