"""The dialect's own DTOs through each wire format and back: what the server writes in JSON, XML
or JSV, a client reads as the same DTO (hypothesis, with strings made of JSV's special
characters and instants in the tenant's zone)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from finbatch.dialects.ym import dtos, wire
from finbatch.formats import jsv
from tests.dialects.ym.support import decode

NY = "America/New_York"
SPECIAL = ['"', ":", ",", "{", "}", "[", "]", "\r", "\n", " ", "\t", "'", "\\", "/", "a", "Z", "0",
           "é", "Ż", "&", "<", ">"]
texts = st.text(alphabet=st.sampled_from(SPECIAL), max_size=12)
maybe_texts = st.none() | texts
instants = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                        timezones=st.just(ZoneInfo(NY)), allow_imaginary=False)
stamps = st.just(dtos.MIN) | instants
batches = st.builds(dtos.FinanceBatch, BatchID=maybe_texts, CommerceType=maybe_texts,
                    ItemCount=st.integers(0, 2**31 - 1), ClosedDate=stamps, CreateDateTime=instants)
statuses = st.none() | st.builds(
    dtos.ResponseStatus, ErrorCode=maybe_texts, Message=maybe_texts,
    Errors=st.none() | st.lists(st.builds(dtos.ResponseError, ErrorCode=maybe_texts,
                                          FieldName=maybe_texts, Message=maybe_texts), max_size=2))
responses = st.builds(
    dtos.FinanceBatchesResponse, BatchID=maybe_texts, ItemCount=st.none() | st.integers(0, 10**6),
    FinanceBatchList=st.lists(batches, max_size=3), CommerceType=maybe_texts, ClosingDate=stamps,
    ClosedOnly=st.booleans(), Timestamp=st.none() | stamps, StartBatchID=maybe_texts,
    PageSize=st.integers(0, 1000), PageNumber=st.integers(0, 10**6), ServerID=maybe_texts,
    ClientID=st.integers(0, 2**31 - 1), ResponseStatus=statuses,
    Device=st.sampled_from(dtos.Device), Unicode=st.none() | st.booleans(),
    ExportID=maybe_texts, ServerTime=st.none() | instants,
    ServerGmtBias=st.none() | st.integers(-840, 840))


def _walk(value, change):
    if isinstance(value, datetime):
        return change(value)
    if isinstance(value, list):
        return [_walk(v, change) for v in value]
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: _walk(getattr(value, f.name), change)
                                             for f in dataclasses.fields(value)})
    return value


def _utc(value: datetime) -> datetime:
    # instants compared in UTC: Python never calls a time in a repeated DST hour equal to the
    # same instant in another zone
    return value.astimezone(UTC) if value.tzinfo else value


def _bare_local_midnight(value: datetime) -> datetime:
    local = value.astimezone(ZoneInfo(NY)) if value.tzinfo else value
    if value.tzinfo and local.hour == local.minute == local.second == local.microsecond == 0:
        return local.replace(tzinfo=None)
    return _utc(value)


def same(value):
    return _walk(value, _utc)


def as_jsv_reads(value):
    """JSV writes a local midnight as a bare date (``2026-01-21``, jsv.md), which reads back as a
    zone-less midnight: the one place the wire drops the zone. Everything else is exact."""
    return _walk(value, _bare_local_midnight)


@settings(max_examples=150)
@given(responses)
def test_every_format_reads_back_what_it_wrote(response):
    for fmt in ("json", "xml"):
        assert same(decode(fmt, wire.encode(response, fmt, NY))) == same(response), fmt
    assert same(decode("jsv", wire.encode(response, "jsv", NY))) == as_jsv_reads(response)


@settings(max_examples=150)
@given(st.builds(dtos.FinanceBatches, CommerceType=maybe_texts, StartBatchID=maybe_texts,
                 ServerID=maybe_texts, ClosingDate=stamps, Timestamp=st.none() | stamps))
def test_request_dtos_round_trip_through_jsv(request_dto):
    text = jsv.dumps_model(request_dto, tz=NY)
    assert same(jsv.loads_model(text, dtos.FinanceBatches)) == as_jsv_reads(request_dto)
