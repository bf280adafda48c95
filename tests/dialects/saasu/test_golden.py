"""Golden files: the seed's own sample reproduced, and every case under ``golden/``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.dialects.saasu.golden import case_names, exact, run_case, shape

GOLDEN = Path(__file__).parent / "golden"
#: What cannot match the seed: its rowversion (ours is the record version) and the 7th
#: fractional digit (Python keeps microseconds).
OUR_LAST_UPDATED_ID = "AAAAAAAAAAI="  # version 2: created, then modified once


def _seed_text(suffix: str) -> str:
    return (GOLDEN / f"seed_payments.response.{suffix}").read_text() \
        .replace("ASSAAACYUZ=", OUR_LAST_UPDATED_ID).replace(".3612586Z", ".3612580Z")


@pytest.mark.parametrize("name", case_names(GOLDEN))
def test_golden_case(client, saasu_file, name):
    run_case(client, GOLDEN, name, saasu_file.headers)


def test_the_seed_sample_request_gives_the_seed_sample_json(client, saasu_file):
    """``GET /Payments?FileId=123``: payment 6 comes first (1–5 are older than the default month),
    25 per page, and a next page exists; the seed shows the first item of the page."""
    response = client.get("/Payments?FileId=123", headers=saasu_file.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = exact(response.content)
    assert len(body["PaymentTransactions"]) == 25
    body["PaymentTransactions"] = body["PaymentTransactions"][:1]
    assert body == exact(_seed_text("json"))
    assert b'"TotalAmount":100.0,"FeeAmount":10.0' in response.content  # numbers, exact


def test_the_seed_sample_request_gives_the_seed_sample_xml(client, saasu_file):
    for accept in ("application/xml", "text/xml", "application/xml, application/json;q=0.5"):
        response = client.get("/Payments?FileId=123", headers=saasu_file.headers | {"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/xml")
        tag, attrs, text, (links, payments) = shape(response.content)
        assert len(payments[3]) == 25
        first_only = (tag, attrs, text, [links, payments[:3] + (payments[3][:1],)])
        assert first_only == shape(_seed_text("xml"))


def test_golden_cases_cover_both_formats_and_errors():
    cases = [json.loads((GOLDEN / f"{n}.case.json").read_text()) for n in case_names(GOLDEN)]
    statuses = {c["response"]["status"] for c in cases}
    assert {200, 400, 401, 403, 404} <= statuses
    assert any("xml_file" in c["response"] for c in cases)
