"""Random requests against the FinanceBatches routes never answer a 5xx and always answer a
readable body in the requested format; the routes are documented in ``/openapi.json``; routes
match lowercased, as ServiceStack's do."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finbatch.app import create_app
from finbatch.config import Settings
from finbatch.dialects.ym import dtos
from finbatch.formats import jsv
from tests.dialects.saasu.fuzzing import FUZZ, ODD, cased, values
from tests.dialects.ym.support import decode

FIELDS = ["CommerceType", "ClosingDate", "ClosedOnly", "Timestamp", "StartBatchID", "PageSize",
          "PageNumber", "ClientID", "Device", "Unicode", "format", "callback"]
FORMATS = ["json", "xml", "jsv"]
pairs = st.lists(st.tuples(st.sampled_from(FIELDS), cased, values), max_size=4)


def _body(kind: str, fields: list[tuple[str, str]], raw: bytes) -> tuple[bytes, str]:
    if kind == "jsv":
        return jsv.dumps(dict(fields)).encode(), "text/jsv"
    if kind == "xml":
        def text(v: str) -> str:
            return v.replace("&", "&amp;").replace("<", "&lt;").replace("\x00", "")
        inner = "".join(f"<{k}>{text(v)}</{k}>" for k, v in fields)
        return f"<FinanceBatches>{inner}</FinanceBatches>".encode(), "application/xml"
    if kind == "form":
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"
    return raw, "application/json"


@FUZZ
@given(query=pairs, body=st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from(ODD)), max_size=4),
       kind=st.sampled_from(["jsv", "xml", "form", "raw"]), raw=st.binary(max_size=30),
       method=st.sampled_from(["GET", "POST"]), fmt=st.sampled_from(FORMATS))
def test_fuzz_finance_batches(client, club_books, query, body, kind, raw, method, fmt):
    params = [(case(name), value) for name, case, value in query if name.lower() != "format"]
    url = f"/Ams/{club_books.client_id}/FinanceBatches.{fmt}?" + urlencode(params)
    if method == "GET":
        response = client.get(url, headers=club_books.headers)
    else:
        content, media = _body(kind, body, raw)
        response = client.post(url, content=content,
                               headers=club_books.headers | {"Content-Type": media})
    assert response.status_code in {200, 400, 403, 404, 409, 415}, response.text
    if response.headers["content-type"].startswith("application/javascript"):
        return  # a valid callback wrapped the JSON
    decoded = decode(fmt, response.content)
    assert (decoded.ResponseStatus is None) == (response.status_code == 200)


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app(Settings(database_url="sqlite:///:memory:", embedded_workers=0)).openapi()


def test_the_routes_are_documented(spec):
    paths = spec["paths"]
    listing = paths["/Ams/{ClientID}/FinanceBatches"]["get"]
    names = [p["name"] for p in listing["parameters"]]
    assert names[:1] == ["ClientID"] and {"CommerceType", "StartBatchID", "Timestamp", "ClosedOnly",
                                           "PageSize", "PageNumber", "format", "callback"} <= set(names)
    assert {"200", "400", "401", "403"} <= set(listing["responses"])
    post = paths["/Ams/{ClientID}/FinanceBatches"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "application/xml", "text/jsv",
                                                   "application/x-www-form-urlencoded"}
    assert "ExportID" in spec["components"]["schemas"]["FinanceBatchesResponse"]["properties"]
    assert "get" in paths["/Ams/{ClientID}/Exports/{ExportID}/Status"]
    assert "get" in paths["/Ams/{ClientID}/Exports/{ExportID}/Download"]
    assert "post" in paths["/Ams/Authenticate"]
    assert not any(p.startswith(("/ams/", "/json/reply")) or p.endswith(".xml") for p in paths)


def test_lowercase_routes_are_served(client, club_books):
    response = client.get(f"/ams/{club_books.client_id}/financebatches.jsv", headers=club_books.headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/jsv")
    assert isinstance(jsv.loads_model(response.content, dtos.FinanceBatchesResponse).FinanceBatchList, list)


def test_responses_match_their_documented_schema(client, club_books, spec):
    """Regression (API fuzzing): .NET dates (``0001-01-01T00:00:00.0000000``, no offset) were
    documented as RFC 3339 date-times and the Device enum, written by name, as an integer."""
    from jsonschema import Draft202012Validator, FormatChecker

    def check(path: str, method: str, status: int, body: dict) -> None:
        documented = spec["paths"][path][method]["responses"][str(status)]
        schema = {**documented["content"]["application/json"]["schema"],
                  "components": spec["components"]}
        errors = [e.message for e in Draft202012Validator(schema, format_checker=FormatChecker())
                  .iter_errors(body)]
        assert not errors, f"{method} {path} {status}: {errors}"

    listed = client.get(f"/Ams/{club_books.client_id}/FinanceBatches", headers=club_books.headers)
    assert listed.status_code == 200, listed.text
    check("/Ams/{ClientID}/FinanceBatches", "get", 200, listed.json())
    refused = client.get("/Ams/0/FinanceBatches", headers=club_books.headers)
    assert refused.status_code == 400 and refused.json()["AppInitTime"] == "0001-01-01T00:00:00.0000000"
    assert refused.json()["Device"] == "Desktop"
    check("/Ams/{ClientID}/FinanceBatches", "get", 400, refused.json())
