"""The typed JSV layer: seed samples into DTOs, and parse(write(dto)) == dto for any DTO."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from finbatch.formats import jsv

DATA = Path(__file__).parent / "data"
NY = "America/New_York"


# ------------------------------------------------------------------------ YM DTOs (seed 000)

class Device(Enum):
    Desktop = 0
    IOS = 1
    Android = 2


@dataclass
class ResponseError:
    ErrorCode: str | None = None
    FieldName: str | None = None
    Message: str | None = None
    Meta: dict[str, str] | None = None


@dataclass
class ResponseStatus:
    ErrorCode: str | None = None
    Message: str | None = None
    StackTrace: str | None = None
    Errors: list[ResponseError] = field(default_factory=list)
    Meta: dict[str, str] | None = None


@dataclass
class FinanceBatches:
    CommerceType: str | None = None
    ClosingDate: datetime = datetime.min
    ClosedOnly: bool = False
    Timestamp: datetime | None = None
    StartBatchID: str | None = None
    PageSize: int = 0
    PageNumber: int = 0
    UsingRedis: bool = False
    AppInitTime: datetime = datetime.min
    ServerID: str | None = None
    ClientID: int = 0
    ResponseStatus: ResponseStatus | None = None
    BypassCache: bool = False
    DateCached: datetime = datetime.min
    Device: Device = Device.Desktop


@dataclass
class FinanceBatch:
    BatchID: str | None = None
    CommerceType: str | None = None
    ItemCount: int = 0
    ClosedDate: datetime = datetime.min
    CreateDateTime: datetime = datetime.min


@dataclass
class FinanceBatchesResponse:
    BatchID: str | None = None
    ItemCount: int | None = None
    FinanceBatchList: list[FinanceBatch] = field(default_factory=list)
    ResponseStatus: ResponseStatus | None = None


def test_seed_request_into_the_request_dto():
    request = jsv.loads_model((DATA / "ym_financebatches_request.jsv").read_text(), FinanceBatches)
    assert request.CommerceType == "String"
    assert request.ClosingDate == datetime.min
    assert request.ClosedOnly is False
    assert request.Timestamp == datetime.min
    assert request.UsingRedis is True
    assert request.PageSize == 0
    assert request.AppInitTime == datetime(2025, 10, 24, 2, 59, 37, 695953, tzinfo=UTC)
    assert request.AppInitTime.utcoffset() == timedelta(hours=-4)
    assert request.Device is Device.Desktop
    assert request.ResponseStatus.Errors[0].Meta == {"String": "String"}


def test_seed_response_into_the_response_dto():
    response = jsv.loads_model((DATA / "ym_financebatches_response.jsv").read_text(), FinanceBatchesResponse)
    assert response.ItemCount == 0
    assert response.FinanceBatchList == [FinanceBatch("String", "String", 0, datetime.min, datetime.min)]


def test_writing_the_response_dto_gives_the_wire_form():
    response = FinanceBatchesResponse(
        BatchID="B-1", ItemCount=2,
        FinanceBatchList=[FinanceBatch("B-1", "D", 2, datetime(2025, 10, 23, 4, tzinfo=UTC),
                                       datetime(2025, 10, 24, 2, 59, 37, 695953, tzinfo=UTC))])
    assert jsv.dumps_model(response, tz=NY) == (
        "{BatchID:B-1,ItemCount:2,FinanceBatchList:[{BatchID:B-1,CommerceType:D,ItemCount:2,"
        "ClosedDate:2025-10-23,CreateDateTime:2025-10-23T22:59:37.6959530-04:00}]}")


def test_names_match_case_insensitively_and_unknown_properties_are_ignored():
    request = jsv.loads_model("{pagesize:25,PAGENUMBER:2,device:android,Extra:{x:[1]},ServerTime:now}",
                              FinanceBatches)
    assert (request.PageSize, request.PageNumber, request.Device) == (25, 2, Device.Android)


def test_empty_body_gives_the_defaults():
    assert jsv.loads_model("", FinanceBatches) == FinanceBatches()


def test_zone_less_dates_are_read_in_the_given_zone():
    request = jsv.loads_model("{ClosingDate:2025-10-23,AppInitTime:2025-10-23T12:00:00Z}", FinanceBatches, tz=NY)
    assert request.ClosingDate == datetime(2025, 10, 23, tzinfo=ZoneInfo(NY))
    assert request.AppInitTime.tzinfo == ZoneInfo(NY)
    assert request.AppInitTime == datetime(2025, 10, 23, 12, tzinfo=UTC)


@pytest.mark.parametrize(("text", "path", "message"), [
    ("{PageSize:ten}", "PageSize", "not an integer"),
    ("{ClosedOnly:maybe}", "ClosedOnly", "not a boolean"),
    ("{ClosingDate:tomorrow}", "ClosingDate", "not a date/time"),
    ("{Device:Phone}", "Device", "not one of Desktop, IOS, Android"),
    ("{ResponseStatus:{Errors:[{Meta:[x]}]}}", "ResponseStatus.Errors[0].Meta", "expected a map"),
    ("{ResponseStatus:text}", "ResponseStatus", "expected an object"),
    ("{PageSize:[1]}", "PageSize", "expected a int value, got a list"),
    ("[1]", None, "expected an object"),
])
def test_values_that_do_not_fit_name_the_field(text, path, message):
    with pytest.raises(jsv.JsvError, match=message) as caught:
        jsv.loads_model(text, FinanceBatches)
    assert caught.value.path == path
    assert caught.value.position is None
    assert caught.value.status == 400


def test_required_fields():
    @dataclass
    class Needs:
        Id: int
        Name: str | None

    with pytest.raises(jsv.JsvError, match="Id: is required"):
        jsv.loads_model("{Name:x}", Needs)
    assert jsv.loads_model("{Id:1}", Needs) == Needs(1, None)


def test_malformed_text_keeps_its_position():
    with pytest.raises(jsv.JsvError) as caught:
        jsv.loads_model("{PageSize:1", FinanceBatches)
    assert caught.value.position == 11


def test_dumps_model_wants_a_dto():
    with pytest.raises(TypeError):
        jsv.dumps_model({"A": 1})
    with pytest.raises(TypeError):
        jsv.dumps_model(FinanceBatches)


class Invoice(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    invoice_number: str = Field(alias="InvoiceNumber")
    total: Decimal = Field(alias="Total")
    paid: bool = Field(default=False, alias="Paid")
    lines: list[str] = Field(default_factory=list, alias="Lines")


def test_pydantic_models_use_their_aliases():
    invoice = Invoice(InvoiceNumber="CM-1, A", Total=Decimal("12.50"), Lines=["a", "b:c"])
    text = jsv.dumps_model(invoice)
    assert text == '{InvoiceNumber:"CM-1, A",Total:12.5,Paid:False,Lines:[a,"b:c"]}'
    assert jsv.loads_model(text, Invoice) == invoice
    with pytest.raises(jsv.JsvError, match="Total"):
        jsv.loads_model("{InvoiceNumber:x,Total:abc}", Invoice)


# -------------------------------------------------------------------- round trip (property)

SPECIAL = ['"', ":", ",", "{", "}", "[", "]", "\r", "\n", " ", "\t", "'", "\\", "/", "a", "Z", "0", "é", "ü"]
texts = st.one_of(st.text(alphabet=st.sampled_from(SPECIAL), max_size=12), st.text(max_size=8),
                  st.sampled_from(["", " ", '""', "null", "True", "0001-01-01", "[]", "{}", ",", ":"]))


class Shade(Enum):
    Red = "r"
    Green = "g"


@dataclass
class Line:
    Text: str
    Amount: Decimal
    Tags: list[str] = field(default_factory=list)


@dataclass
class Document:
    Name: str
    Count: int
    Flag: bool
    Amount: Decimal
    When: datetime
    Day: date
    Id: uuid.UUID
    Shade: Shade
    Note: str | None = None
    Lines: list[Line] = field(default_factory=list)
    Meta: dict[str, str] = field(default_factory=dict)
    Numbers: list[int] = field(default_factory=list)
    Grid: list[list[str]] = field(default_factory=list)
    Totals: dict[str, Decimal] = field(default_factory=dict)


decimals = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=8,
                       allow_nan=False, allow_infinity=False)
lines = st.builds(Line, Text=texts, Amount=decimals, Tags=st.lists(texts, max_size=3))


def documents(when: st.SearchStrategy[datetime]) -> st.SearchStrategy[Document]:
    return st.builds(
        Document, Name=texts, Count=st.integers(-2**63, 2**63 - 1), Flag=st.booleans(), Amount=decimals,
        When=when, Day=st.dates(), Id=st.uuids(), Shade=st.sampled_from(Shade),
        Note=st.none() | texts, Lines=st.lists(lines, max_size=3),
        Meta=st.dictionaries(texts, texts, max_size=3), Numbers=st.lists(st.integers(-1000, 1000), max_size=4),
        Grid=st.lists(st.lists(texts, max_size=3), max_size=3),
        Totals=st.dictionaries(texts, decimals, max_size=2))


naive = st.one_of(st.just(datetime.min), st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
in_new_york = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                           timezones=st.just(ZoneInfo(NY)), allow_imaginary=False)
in_utc = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC))


@settings(max_examples=300)
@given(documents(naive))
def test_round_trip_with_naive_times(document):
    assert jsv.loads_model(jsv.dumps_model(document), Document) == document


@settings(max_examples=200)
@given(documents(in_new_york))
def test_round_trip_in_the_tenant_zone(document):
    assert jsv.loads_model(jsv.dumps_model(document, tz=NY), Document, tz=NY) == document


@settings(max_examples=200)
@given(documents(in_utc))
def test_round_trip_in_utc(document):
    assert jsv.loads_model(jsv.dumps_model(document, tz="UTC"), Document, tz="UTC") == document


@given(st.lists(texts, max_size=5), st.dictionaries(texts, texts, max_size=5))
def test_untyped_round_trip_of_strings(items, mapping):
    assert jsv.loads(jsv.dumps(items)) == items
    assert jsv.loads(jsv.dumps(mapping)) == mapping
    for text in items:
        assert jsv.loads(jsv.dumps(text)) == text


def test_round_trip_of_every_special_string():
    for text in [*SPECIAL, "", '""', '"', '" "', "a,b", "  x  ", "\r\n", "{A:1}", "[1,2]", 'x"y"z']:
        document = Document(Name=text, Count=0, Flag=True, Amount=Decimal(0), When=datetime.min,
                            Day=date(1, 1, 1), Id=uuid.UUID(int=0), Shade=Shade.Red, Note=text,
                            Lines=[Line(text, Decimal("0.5"), [text, text])], Meta={text: text},
                            Grid=[[text]])
        assert jsv.loads_model(jsv.dumps_model(document), Document) == document, text


def test_fixed_offsets_round_trip_as_instants():
    @dataclass
    class Stamp:
        At: datetime

    stamp = Stamp(datetime(2024, 3, 21, 13, tzinfo=timezone(timedelta(hours=10))))
    assert jsv.loads_model(jsv.dumps_model(stamp), Stamp) == stamp
