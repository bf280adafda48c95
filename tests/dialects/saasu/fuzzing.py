"""Shared pieces of the random-request tests of the Saasu and Agvance routes."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from finbatch.formats import xmlwire

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ACCEPTS = [None, "application/json", "application/xml", "text/xml", "*/*", "text/html",
           "application/xml;q=0.1, application/json", "application/xml;q=abc"]
ODD = ["", "0", "-1", "101", "100", "2147483648", "99999999999999999999", "SP", "pp", "XX",
       "2024-03-01", "03/01/2024", "2024-02-30", "9999-12-31", "0001-01-01",
       "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2024-03-01T10:00:00.1234567Z",
       "/Date(1700000000000)/", "TotalAmount desc", "ClearedDate", "Amount;--", "\x00", "€", "1e3",
       "Paid", "partial", "true", "yes", "13", "1.5"]
values = st.one_of(st.sampled_from(ODD), st.text(max_size=25), st.integers(-10**6, 10**12).map(str))
cased = st.sampled_from([str, str.lower, str.upper])


def check_xml(content: bytes, roots: set[str]) -> None:
    assert xmlwire.local_name(xmlwire.parse(content).tag) in roots


def check(response, documented: set[int], ok_model, error_model, xml_roots: set[str]) -> None:
    assert response.status_code < 500, response.text
    assert response.status_code in documented, (response.status_code, response.text)
    media = response.headers["content-type"]
    if media.startswith("application/xml"):
        check_xml(response.content, xml_roots)
        return
    assert media.startswith("application/json"), media
    model = ok_model if response.status_code == 200 else error_model
    model.model_validate_json(response.content)
