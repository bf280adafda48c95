"""One GET answered in JSON, XML, JSV and CSV, chosen by each of ServiceStack's methods (route
suffix, ``?format=``, ``Accept``, ``/{format}/reply/FinanceBatches``): the same bytes for every
method of a format (golden files), the same content across formats, and JSONP."""

from __future__ import annotations

import pytest

from finbatch.dialects.ym import dtos
from tests.dialects.ym.support import check_golden, decode

FORMATS = ("json", "xml", "jsv", "csv")
MEDIA = {"json": "application/json", "xml": "application/xml", "jsv": "text/jsv",
         "csv": "text/csv"}
QUERY = "ClosedOnly=false&PageSize=10&StartBatchID="


@pytest.fixture
def listed(client, club_books):
    """Close the dues through 15 Jan first, so the list holds open and closed batches."""
    posted = client.post(f"/Ams/{club_books.client_id}/FinanceBatches", headers=club_books.headers,
                         json={"CommerceType": "M", "ClosingDate": "2026-01-15T00:00:00"})
    assert posted.status_code == 200, posted.text
    return club_books


def _requests(cid: int, fmt: str) -> dict[str, tuple[str, dict[str, str]]]:
    return {"suffix": (f"/Ams/{cid}/FinanceBatches.{fmt}?{QUERY}", {}),
            "query": (f"/Ams/{cid}/FinanceBatches?{QUERY}&format={fmt}", {}),
            "accept": (f"/Ams/{cid}/FinanceBatches?{QUERY}", {"Accept": MEDIA[fmt]}),
            "reply": (f"/{fmt}/reply/FinanceBatches?ClientID={cid}&{QUERY}", {})}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_selection_method_gives_the_golden_body(client, listed, fmt):
    bodies = {}
    for method, (url, extra) in _requests(listed.client_id, fmt).items():
        response = client.get(url, headers=listed.headers | extra)
        assert response.status_code == 200, (method, response.text)
        assert response.headers["content-type"].startswith(MEDIA[fmt]), method
        bodies[method] = response.content
    assert len(set(bodies.values())) == 1, "every method answers the same bytes"
    check_golden(f"list.{fmt}", bodies["suffix"])


def test_the_formats_carry_the_same_content(client, listed):
    cid, headers = listed.client_id, listed.headers
    decoded = {fmt: decode(fmt, client.get(f"/Ams/{cid}/FinanceBatches.{fmt}?{QUERY}",
                                           headers=headers).content) for fmt in FORMATS}
    json_dto = decoded["json"]
    assert isinstance(json_dto, dtos.FinanceBatchesResponse)
    assert [b.CommerceType for b in json_dto.FinanceBatchList] == ["M", "D", "M"]
    assert json_dto.FinanceBatchList[2].ClosedDate != dtos.MIN  # the closed one
    assert decoded["xml"] == json_dto and decoded["jsv"] == json_dto
    assert decoded["csv"] == json_dto.FinanceBatchList


def test_suffix_beats_query_beats_accept(client, listed):
    cid, headers = listed.client_id, listed.headers
    response = client.get(f"/Ams/{cid}/FinanceBatches.xml?format=jsv",
                          headers=headers | {"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("application/xml")
    response = client.get(f"/Ams/{cid}/FinanceBatches?format=jsv", headers=headers | {"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/jsv")
    response = client.get(f"/Ams/{cid}/FinanceBatches",
                          headers=headers | {"Accept": "text/csv;q=0.5, application/xml"})
    assert response.headers["content-type"].startswith("application/xml")


def test_requests_in_any_format_and_any_case(client, listed):
    cid, headers = listed.client_id, listed.headers
    answers = [
        client.post(f"/Ams/{cid}/FinanceBatches", headers=headers, json={"startbatchid": "nope"}),
        client.post(f"/Ams/{cid}/FinanceBatches", headers=headers | {"Content-Type": "text/jsv"},
                    content=b"{ STARTBATCHID : nope }"),
        client.post(f"/Ams/{cid}/FinanceBatches", headers=headers | {"Content-Type": "application/xml"},
                    content=b"<FinanceBatches><StartBatchId>nope</StartBatchId></FinanceBatches>"),
        client.post(f"/Ams/{cid}/FinanceBatches?StartBatchID=nope", headers=headers),
    ]
    for response in answers:  # each read the same property, whatever its case or format
        assert response.status_code == 404, response.text
        assert "batch 'nope' was not found" in response.json()["ResponseStatus"]["Message"]


def test_paging_and_filters(client, listed):
    cid, headers = listed.client_id, listed.headers
    url = f"/Ams/{cid}/FinanceBatches"
    everything = client.get(url, headers=headers).json()["FinanceBatchList"]
    ids = [b["BatchID"] for b in everything]
    assert client.get(url, headers=headers, params={"PageSize": 2, "PageNumber": 2}).json()[
        "FinanceBatchList"] == everything[2:]
    after = client.get(url, headers=headers, params={"StartBatchID": ids[0]}).json()
    assert [b["BatchID"] for b in after["FinanceBatchList"]] == ids[1:]
    closed = client.get(url, headers=headers, params={"ClosedOnly": "true"}).json()
    assert [b["BatchID"] for b in closed["FinanceBatchList"]] == ids[2:]
    donations = client.get(url, headers=headers, params={"CommerceType": "d"}).json()
    assert [b["CommerceType"] for b in donations["FinanceBatchList"]] == ["D"]
    since = client.get(url, headers=headers, params={"Timestamp": "2026-01-12T10:00:00"}).json()
    assert [b["BatchID"] for b in since["FinanceBatchList"]] == ids[1:]  # tenant wall time, inclusive
    body = client.get(url, headers=headers).json()
    assert body["ServerTime"] == "2026-01-21T12:30:00.0000000-05:00" and body["ServerGmtBias"] == -300


def test_jsonp_wraps_json_and_refuses_unsafe_names(client, listed):
    cid, headers = listed.client_id, listed.headers
    response = client.get(f"/Ams/{cid}/FinanceBatches?callback=app.onBatches", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.text.startswith('app.onBatches({"ItemCount":3,') and response.text.endswith(");")
    bad = client.get(f"/Ams/{cid}/FinanceBatches", headers=headers,
                     params={"callback": "alert(1)//"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/json")
    status = bad.json()["ResponseStatus"]
    assert status["ErrorCode"] == "SerializationException" and "callback" in status["Message"]
    assert status["Errors"][0]["FieldName"] == "callback"
