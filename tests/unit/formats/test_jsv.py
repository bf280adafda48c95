"""JSV: every vector of shared/dialects/jsv.md, the seed's pretty-printed samples, malformed and
hostile input."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from pathlib import Path

import pytest

from finbatch.formats import jsv
from finbatch.formats.errors import WireFormatError
from finbatch.kit.errors import BadRequest

DATA = Path(__file__).parent / "data"


class Device(Enum):
    Desktop = 1
    IOS = 2
    Android = 3


class Status(IntEnum):
    COMPLETE = 2


class Kind(StrEnum):
    Sale = "SP"


# ----------------------------------------------------------------------------- strings (jsv.md)

STRING_VECTORS = [
    ("Me, Junior", '"Me, Junior"'),
    ('3"', '"3"""'),
    ('5"five,six"', '"5""five,six"""'),
    ("7,7.1", '"7,7.1"'),
    ('"7,7.1"', '"""7,7.1"""'),
    ("https://url.com", '"https://url.com"'),
    ("", '""'),
    ("plain", "plain"),
    ("Hello World!", "Hello World!"),  # inner spaces do not force quoting
    ("c 'd", "c 'd"),
    ("a:b", '"a:b"'),
    ("{x}", '"{x}"'),
    ("[x]", '"[x]"'),
    ("line\nbreak", '"line\nbreak"'),
    ("cr\rhere", '"cr\rhere"'),
    ("null", "null"),  # JSV has no null literal
    # decision: a blank at either end is quoted, because the parser trims unquoted values
    (" lead", '" lead"'),
    ("trail ", '"trail "'),
    ("\ttab", '"\ttab"'),
    (" ", '" "'),
]


@pytest.mark.parametrize(("value", "wire"), STRING_VECTORS)
def test_string_vectors_written(value, wire):
    assert jsv.dumps(value) == wire
    assert jsv.quote(value) == wire


@pytest.mark.parametrize(("value", "wire"), STRING_VECTORS)
def test_string_vectors_read(value, wire):
    assert jsv.loads(wire) == value
    assert jsv.loads("{Name:" + wire + "}") == {"Name": value}


def test_list_vector_both_ways():
    assert jsv.dumps(["a, b", "c 'd"]) == '["a, b",c \'d]'
    assert jsv.loads('["a, b",c \'d]') == ["a, b", "c 'd"]


def test_object_of_vectors():
    assert jsv.dumps({"Name": "Me, Junior", "Size": '2" x 1"'}) == '{Name:"Me, Junior",Size:"2"" x 1"""}'
    assert jsv.loads('{Foo:Bar,Greet:Hello World!}') == {"Foo": "Bar", "Greet": "Hello World!"}


# ------------------------------------------------------------------------- nulls and defaults

def test_null_property_is_omitted():
    assert jsv.dumps({"A": None, "B": "x", "C": None}) == "{B:x}"
    assert jsv.dumps({"Meta": {"k": None, "j": "v"}}) == "{Meta:{j:v}}"


def test_null_list_element_leaves_an_empty_slot():
    assert jsv.dumps(["a", None, "b"]) == "[a,,b]"
    assert jsv.loads("[a,,b]") == ["a", None, "b"]
    assert jsv.dumps([None, None]) == "[,]"
    assert jsv.loads("[,]") == [None, None]
    assert jsv.loads("[a,]") == ["a", None]


def test_non_null_defaults_are_written():
    assert jsv.dumps({"PageSize": 0, "ClosedOnly": False, "ClosingDate": datetime.min}) == \
        "{PageSize:0,ClosedOnly:False,ClosingDate:0001-01-01}"


def test_empty_unquoted_value_is_null_but_quoted_empty_is_empty_string():
    assert jsv.loads("{A:,B:\"\",C:x}") == {"B": "", "C": "x"}
    assert jsv.loads('[,""]') == [None, ""]


def test_none_and_empty_document():
    assert jsv.dumps(None) == ""
    assert jsv.loads("") is None
    assert jsv.loads("  \n ") is None


# ------------------------------------------------------------------------------------ scalars

@pytest.mark.parametrize(("value", "wire"), [
    (True, "True"), (False, "False"),
    (0, "0"), (-42, "-42"), (10**20, "100000000000000000000"),
    (Decimal("3.3"), "3.3"), (Decimal("100"), "100"), (Decimal("100.00"), "100"), (Decimal("0.1"), "0.1"),
    (Decimal("0"), "0"), (Decimal("1E+3"), "1000"), (Decimal("1E-7"), "0.0000001"), (Decimal("-12.50"), "-12.5"),
    (uuid.UUID("c4a760a8-dbcf-4e14-9f49-f2b1a0a6b9a5"), "c4a760a8dbcf4e149f49f2b1a0a6b9a5"),
    (Device.Desktop, "Desktop"), (Status.COMPLETE, "COMPLETE"), (Kind.Sale, "Sale"),
    (date(2024, 3, 21), "2024-03-21"),
])
def test_scalars(value, wire):
    assert jsv.dumps(value) == wire
    assert jsv.dumps({"V": value}) == "{V:" + wire + "}"


def test_typed_helpers():
    assert jsv.to_bool("True") is True
    assert jsv.to_bool("false") is False
    assert jsv.to_bool("TRUE") is True
    assert jsv.to_int("-7") == -7
    assert jsv.to_decimal("12.50") == Decimal("12.50")
    assert jsv.to_datetime("2024-03-21T13:00:00Z") == datetime(2024, 3, 21, 13, tzinfo=UTC)
    assert jsv.to_date("0001-01-01") == date(1, 1, 1)
    assert jsv.to_uuid("c4a760a8dbcf4e149f49f2b1a0a6b9a5") == uuid.UUID("c4a760a8-dbcf-4e14-9f49-f2b1a0a6b9a5")
    for helper, bad in [(jsv.to_bool, "yes"), (jsv.to_int, "1.5"), (jsv.to_decimal, "1e5"),
                        (jsv.to_datetime, "soon"), (jsv.to_date, "2024-21-03"), (jsv.to_uuid, "xyz")]:
        with pytest.raises(jsv.JsvError):
            helper(bad)


def test_float_and_unknown_types_are_refused():
    with pytest.raises(TypeError, match="Decimal"):
        jsv.dumps({"Amount": 1.5})
    with pytest.raises(TypeError, match="set"):
        jsv.dumps({1, 2})
    with pytest.raises(TypeError, match="key"):
        jsv.dumps({(1, 2): "x"})


def test_map_keys_follow_the_string_rules():
    assert jsv.dumps({"a:b": 1, "": 2, 3: 4, Device.IOS: 5}) == '{"a:b":1,"":2,3:4,IOS:5}'
    assert jsv.loads('{"a:b":1,"":2,3:4}') == {"a:b": "1", "": "2", "3": "4"}


def test_dict_order_is_kept():
    assert jsv.dumps(OrderedDict([("Z", 1), ("A", 2)])) == "{Z:1,A:2}"
    assert list(jsv.loads("{Z:1,A:2,M:3}")) == ["Z", "A", "M"]


def test_empty_and_nested_containers():
    assert jsv.dumps({"A": {}, "B": [], "C": [[], {}], "D": ("x", "y")}) == "{A:{},B:[],C:[[],{}],D:[x,y]}"
    assert jsv.loads("{A:{},B:[],C:[[],{}]}") == {"A": {}, "B": [], "C": [[], {}]}
    assert jsv.loads("[ ]") == []
    assert jsv.loads("{ }") == {}


# -------------------------------------------------------------------------------------- dates

@pytest.mark.parametrize(("value", "tz", "wire"), [
    (datetime.min, None, "0001-01-01"),
    (datetime(2024, 3, 21, tzinfo=UTC), None, "2024-03-21"),
    (datetime(2024, 3, 21, 13, 5, 9, tzinfo=UTC), None, "2024-03-21T13:05:09Z"),
    (datetime(2024, 3, 21, 13, 5, 9, 695953, tzinfo=UTC), None, "2024-03-21T13:05:09.6959530Z"),
    (datetime(2025, 10, 24, 2, 59, 37, 695953, tzinfo=UTC), "America/New_York",
     "2025-10-23T22:59:37.6959530-04:00"),
    (datetime(2025, 10, 23, 22, 59, 37, tzinfo=timezone(timedelta(hours=-4))), "America/New_York",
     "2025-10-23T22:59:37.0000000-04:00"),
])
def test_dates_are_never_quoted(value, tz, wire):
    assert jsv.dumps({"When": value}, tz=tz) == "{When:" + wire + "}"
    assert jsv.loads("{When:" + wire + "}") == {"When": wire}


def test_parser_accepts_3_to_7_fraction_digits_and_wcf_dates():
    for text in ["2024-03-21T13:05:09.695Z", "2024-03-21T13:05:09.6959Z", "2024-03-21T13:05:09.6959532Z"]:
        assert jsv.to_datetime(jsv.loads("{D:" + text + "}")["D"]).replace(microsecond=0) == \
            datetime(2024, 3, 21, 13, 5, 9, tzinfo=UTC)
    tree = jsv.loads("{D:/Date(1234567890123-0500)/}")
    assert jsv.to_datetime(tree["D"]) == datetime(2009, 2, 13, 23, 31, 30, 123000, tzinfo=UTC)


# ------------------------------------------------------------------------------------- parser

def test_key_runs_to_the_first_colon_and_values_may_hold_colons():
    assert jsv.loads("{AppInitTime:2025-10-23T22:59:37.6959532-04:00,Url:ftp://x/y}") == \
        {"AppInitTime": "2025-10-23T22:59:37.6959532-04:00", "Url": "ftp://x/y"}


def test_keys_and_unquoted_values_are_trimmed_but_quoted_ones_are_not():
    assert jsv.loads('{  A  :  one two  ,\r\n B :" padded "\t}') == {"A": "one two", "B": " padded "}


def test_brackets_inside_quotes_are_text():
    assert jsv.loads('{A:"[x",B:[1,"]",2],C:"{",D:"}"}') == {"A": "[x", "B": ["1", "]", "2"], "C": "{", "D": "}"}


def test_nested_structures():
    text = "{Errors:[{ErrorCode:E1,Meta:{k:v}},{ErrorCode:E2}],Count:2}"
    assert jsv.loads(text) == {"Errors": [{"ErrorCode": "E1", "Meta": {"k": "v"}}, {"ErrorCode": "E2"}], "Count": "2"}


def test_duplicate_keys_keep_the_last_value_and_empty_entries_are_skipped():
    assert jsv.loads("{A:1,,A:2,}") == {"A": "2"}


def test_top_level_scalars_and_bytes():
    assert jsv.loads("plain") == "plain"
    assert jsv.loads('"a, b"') == "a, b"
    assert jsv.loads("\ufeff{A:é}".encode()) == {"A": "é"}
    assert jsv.loads(b"{A:1}") == {"A": "1"}


def test_seed_request_sample_parses():
    tree = jsv.loads((DATA / "ym_financebatches_request.jsv").read_text())
    assert tree["CommerceType"] == "String"
    assert tree["ClosingDate"] == "0001-01-01"
    assert tree["ClosedOnly"] == "False"
    assert tree["UsingRedis"] == "True"
    assert tree["AppInitTime"] == "2025-10-23T22:59:37.6959532-04:00"
    assert tree["DateCached"] == "2025-10-24T00:06:15.9589133-04:00"
    assert tree["ServerID"] == "WS-4-32-553"
    assert tree["Device"] == "Desktop"
    assert tree["ResponseStatus"] == {
        "ErrorCode": "String", "Message": "String", "StackTrace": "String",
        "Errors": [{"ErrorCode": "String", "FieldName": "String", "Message": "String", "Meta": {"String": "String"}}],
        "Meta": {"String": "String"},
    }
    assert len(tree) == 15  # 7 request fields + 8 base fields


def test_seed_response_sample_parses():
    tree = jsv.loads((DATA / "ym_financebatches_response.jsv").read_text())
    assert tree["BatchID"] == "String"
    assert tree["ItemCount"] == "0"
    assert tree["FinanceBatchList"] == [{"BatchID": "String", "CommerceType": "String", "ItemCount": "0",
                                         "ClosedDate": "0001-01-01", "CreateDateTime": "0001-01-01"}]
    assert tree["ResponseStatus"]["Errors"][0]["Meta"] == {"String": "String"}
    assert len(tree) == 18  # 3 response fields + the 15 echoed request fields


def test_pretty_and_compact_forms_read_the_same():
    pretty = jsv.loads((DATA / "ym_financebatches_response.jsv").read_text())
    assert jsv.loads(jsv.dumps(pretty)) == pretty


# ---------------------------------------------------------------------------- malformed input

@pytest.mark.parametrize(("text", "position", "message"), [
    ("{A:1", 4, "not closed with '}'"),
    ("[1,2", 4, "not closed with ']'"),
    ("{A:[1,2}", 7, "unexpected '}'"),
    ("[{A:1]", 5, "unexpected ']'"),
    ("{A:1}}", 5, "after the value"),
    ("{A:1} x", 6, "after the value"),
    ('{A:"abc}', 3, "unterminated quoted string"),
    ('"abc', 0, "unterminated quoted string"),
    ('{A:ab"c}', 5, "unexpected '\"'"),
    ("{A:x{y}", 4, "unexpected '{'"),
    ('{A:"x"y}', 6, "expected ',' or '}'"),
    ('["x" y]', 5, "expected ',' or ']'"),
    ("{A}", 2, "expected ':'"),
    ("{A", 2, "expected ':'"),
    ('{"A" 1}', 5, "expected ':' after a quoted key"),
    ("a,b", 1, "after the value"),
    ("]", 0, "after the value"),
    ("{\nA:1,\nB:[\n}", 11, "line 4"),
])
def test_malformed_input_reports_the_position(text, position, message):
    with pytest.raises(jsv.JsvError, match=message) as caught:
        jsv.loads(text)
    assert caught.value.position == position
    assert f"position {position}" in str(caught.value)


def test_jsv_error_is_a_bad_request_and_a_value_error():
    with pytest.raises(jsv.JsvError) as caught:
        jsv.loads("{A:1")
    error = caught.value
    assert isinstance(error, BadRequest) and isinstance(error, ValueError) and isinstance(error, WireFormatError)
    assert error.status == 400
    assert error.line == 1 and error.column == 4


def test_invalid_utf8_is_refused():
    with pytest.raises(jsv.JsvError, match="UTF-8") as caught:
        jsv.loads(b"{A:\xff}")
    assert caught.value.position == 3


@pytest.mark.parametrize("opener,closer", [("[", "]"), ("{A:", "}")])
def test_nesting_limit(opener, closer):
    ok = opener * 64 + closer * 64
    assert jsv.loads(ok) is not None
    with pytest.raises(jsv.JsvError, match="nesting deeper than 64") as caught:
        jsv.loads(opener * 65 + closer * 65)
    assert caught.value.position == len(opener) * 64
    with pytest.raises(jsv.JsvError, match="nesting deeper than 64"):
        jsv.loads(opener * 100_000)  # a hostile body is refused without recursing 100k levels
    with pytest.raises(jsv.JsvError, match="nesting deeper than 3"):
        jsv.loads("[[[[]]]]", max_depth=3)


def test_writer_refuses_what_the_reader_would_refuse():
    value: list = []
    for _ in range(70):
        value = [value]
    with pytest.raises(ValueError, match="nesting"):
        jsv.dumps(value)


@pytest.mark.parametrize("text", [
    "[" + ",".join(["x"] * 300_000) + "]",  # many values
    "[" + "," * 1_000_000 + "]",  # many empty slots
    '"' + '""' * 500_000 + '"',  # many escaped quotes in one string
    "{" + ",".join(f"K{i}:{'v' * 20}" for i in range(100_000)) + "}",  # many keys
    "{A:" + "x" * 2_000_000 + "}",  # one long raw value
    '{A:"' + "x" * 2_000_000,  # a long unterminated string
    "[" + "{A:1}," * 200_000 + "x",  # unclosed after much content
])
def test_large_inputs_take_linear_time(text):
    started = time.perf_counter()
    try:
        jsv.loads(text)
    except jsv.JsvError:
        pass
    # each input is 1-2 MB; a quadratic rescan would take minutes
    assert time.perf_counter() - started < 5
