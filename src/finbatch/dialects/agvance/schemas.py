"""Agvance's wire shapes as pydantic models, for the OpenAPI document only: the route parses
its body itself (JSON, DataContract XML or a form) and renders its response itself, so amounts
stay exact and XML follows DataContract rules.

Names are Agvance's own: camelCase in the request (seed 004), PascalCase in the response.
Amounts are JSON numbers carrying the currency's decimals (``100.00``); dates are strings
(``MM/dd/yyyy`` for business dates, ``yyyy-MM-ddTHH:mm:ss`` UTC for instants).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from finbatch.dialects.common import DecimalNumber as Number
from finbatch.formats import dotnet

# The request item's values as ``request.py`` reads them, Json.NET-style: text may come as a
# number, numbers and booleans as text, and a blank value does not filter. Each schema states
# exactly what is read (a value it refuses is refused), so the document and the parser agree.
_BLANK_OR = r"^\s*({})?\s*$"  # surrounding whitespace is ignored; blank means no filter


def _wire(*schemas: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema({"anyOf": list(schemas)} if len(schemas) > 1 else schemas[0])


def _any_case(*words: str) -> str:
    return "|".join("".join(f"[{c.upper()}{c.lower()}]" for c in word) for word in words)


Code = Annotated[str | int, _wire({"type": "string", "maxLength": 64}, {"type": "integer"})]
#: ``yyyy-MM-dd`` (a date/time is cut to its date in its zone), ``MM/dd/yyyy`` or WCF
#: ``/Date(ms)/``, as ``formats.dotnet`` reads them: a pattern, not ``format: date``, because the
#: US form and blanks are valid too.
DateText = Annotated[str, _wire({"type": "string",
                                 "pattern": _BLANK_OR.format(dotnet.DATETIME_FORMS)}),
                     Field(description="yyyy-MM-dd or MM/dd/yyyy; blank: no filter")]
_WHOLE_TEXT = {"type": "string", "pattern": _BLANK_OR.format(dotnet.INTEGER_FORM)}
Month = Annotated[int | str, _wire({"type": "integer", "minimum": 1, "maximum": 12}, _WHOLE_TEXT)]
InvoiceNumber = Annotated[int | str, _wire({"type": "integer", "minimum": 0,
                                            "maximum": 2**63 - 1}, _WHOLE_TEXT)]
Flag = Annotated[bool | str, _wire({"type": "boolean"}, {
    "type": "string", "pattern": _BLANK_OR.format(_any_case("true", "false") + "|0|1")})]
PaidStatus = Annotated[str, _wire({"type": "string", "maxLength": 64, "pattern": _BLANK_OR.format(
    _any_case("Paid", "Unpaid", "Partial"))})]


class ClsInvoiceListRequestItem(BaseModel):
    """One combination of filters: its fields are AND-ed; an empty or missing field does not
    filter."""

    model_config = ConfigDict(title="clsInvoiceListRequestItem")

    customerId: Code | None = Field(None, description="The customer's code.")  # noqa: N815
    locationId: Code | None = Field(None, description="The invoice location.")  # noqa: N815
    transactionStartDate: DateText | None = Field(  # noqa: N815
        None, description="Recorded on or after this day (the tenant's time zone).")
    transactionEndDate: DateText | None = Field(  # noqa: N815
        None, description="Recorded on or before this day.")
    invoiceStartDate: DateText | None = Field(None, description="Invoice date on or after.")  # noqa: N815
    invoiceEndDate: DateText | None = Field(None, description="Invoice date on or before.")  # noqa: N815
    fiscalStartMonth: Month | None = Field(  # noqa: N815
        None, description="Fiscal period 1..12 of any fiscal year.")
    fiscalEndMonth: Month | None = None  # noqa: N815
    paidStatus: PaidStatus | None = Field(  # noqa: N815
        None, description="Paid (fully), Unpaid (nothing settled) or Partial, in any case; "
                          "empty: all.")
    voidOnly: Flag | None = Field(None, description="Voided invoices only.")  # noqa: N815
    voidStartDate: DateText | None = Field(None, description="Voided on or after.")  # noqa: N815
    voidEndDate: DateText | None = Field(None, description="Voided on or before.")  # noqa: N815
    startInvoiceNumber: InvoiceNumber | None = None  # noqa: N815
    endInvoiceNumber: InvoiceNumber | None = None  # noqa: N815


class ClsInvoiceListRequest(BaseModel):
    model_config = ConfigDict(title="clsInvoiceListRequest")

    InvoiceListRequestItems: list[ClsInvoiceListRequestItem | None] | None = Field(
        None, max_length=100, description="United (OR); none: every invoice in the window. A "
        "null item, like an empty one, does not filter (Json.NET binds it so).")


class AgvInvoiceHeader(BaseModel):
    CustomerId: str | None = Field(description="The customer's code.")
    CustomerName: str | None
    Currency: str
    InvoiceType: Literal["Invoice", "CreditMemo", "FinanceCharge"]
    Terms: str | None
    DueDate: str | None
    SubTotal: Number
    TaxAmount: Number
    Total: Number
    AmountPaid: Number = Field(description="Everything that settled it: payments, credits, "
                                           "credit memos and write-offs, net of refunds.")
    Balance: Number
    PaidStatus: Literal["Paid", "Unpaid", "Partial"]
    Void: bool
    VoidDate: str | None
    FiscalMonth: int
    LastModifiedUtc: str = Field(description="yyyy-MM-ddTHH:mm:ss, UTC.")


class AgvInvoiceLineItem(BaseModel):
    LineNumber: int
    ProductId: str | None
    ProductDescription: str | None
    Quantity: Number
    Unit: str | None
    UnitPrice: Number
    ExtendedAmount: Number
    TaxCode: str | None
    GLAccount: str | None


class AgvInvoiceTaxCode(BaseModel):
    TaxCode: str
    Description: str
    Rate: Number = Field(description="A fraction: 0.08875 is 8.875 %.")
    TaxableAmount: Number
    TaxAmount: Number


class AgvInvoiceSplit(BaseModel):
    CustomerId: str | None
    CustomerName: str | None
    Percentage: Number


class ClsAPIInvoice(BaseModel):
    model_config = ConfigDict(title="clsAPIInvoice")

    InvoiceDate: str
    InvoiceLocation: str | None
    InvoiceNumber: str = Field(description="The number; credit memos `CM…`, finance charges "
                                           "(debit memos) `FC…`.")
    InvoiceRecordHeaderDetails: AgvInvoiceHeader
    InvoiceRecordSplitDetails: list[AgvInvoiceSplit]
    InvoiceRecordLineItemDetails: list[AgvInvoiceLineItem]
    InvoiceTaxCodeDetails: list[AgvInvoiceTaxCode]
    InvoiceBooksDetails: list[dict[str, Any]] = Field(description="Always empty.")
    InvoiceBlendsDetails: list[dict[str, Any]] = Field(description="Always empty.")
    InvoiceDelivsDetails: list[dict[str, Any]] = Field(description="Always empty.")
    InvoiceEnergyDetails: list[dict[str, Any]] = Field(description="Always empty.")
    InvoiceApplicatorDetails: list[dict[str, Any]] = Field(description="Always empty.")


class AgvInvoice(BaseModel):
    """The envelope of every answer, errors included (``Status: "Error"``, ``Count: "0"``)."""

    Status: Literal["Success", "Error"]
    Message: str
    Count: str = Field(description="The number of records, as a string.")
    InvoiceRecords: list[ClsAPIInvoice]
