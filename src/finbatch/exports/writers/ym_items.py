"""YourMembership invoice-item CSV (``ym-items``): one row per invoice line item of the batch.

Design: the one item-source writer (``source = "items"``): the engine calls ``item`` for each
invoice line item instead of ``entry``. Each item is validated and rendered before its row reaches
the buffered sink, so memory does not grow with the batch. YM does not publish its export layout;
ours is fixed in formats.md and dialects/ym.md.

Rules (decisions marked):
- Columns exactly ``BatchID, CommerceType, InvoiceID, InvoiceNumber, InvoiceDate, MemberID,
  CustomerName, ItemCode, ItemDescription, GLCode, Quantity, UnitPrice, Amount, TaxAmount,
  PaymentID, PaymentMethod, PaymentDate, Currency``.
- Encoding follows the ``unicode`` option (YM's ``Unicode`` flag): true → UTF-8 with a byte order
  mark; false (the default, as dialects/ym.md says "otherwise") → Windows-1252, characters it lacks
  replaced by ``?``.
- Dates (decision): ISO 8601 ``YYYY-MM-DD`` business dates — the layout is ours, and ISO cannot be
  misread as day-first or month-first. PaymentDate is blank when the item has no payment.
- Amount and TaxAmount are exact decimals in the item's currency (``1234.50``); Quantity and
  UnitPrice are written exactly as stored (no rounding, no exponent). An unknown currency or a
  non-finite quantity or price rejects the item, naming its invoice number.
- RFC 4180 quoting, CR LF line endings (decision: Windows consumers); text cells neutralised
  against formula injection unless ``neutralize_formulas`` is false.
"""

from __future__ import annotations

from decimal import Decimal
from typing import BinaryIO

from finbatch.exports.rows import ExportContext, InvoiceItem
from finbatch.exports.writers.base import ExportRejected, Writer, WriterOptions
from finbatch.exports.writers.common import CsvSink
from finbatch.exports.writers.registry import register
from finbatch.kit.currencies import is_currency
from finbatch.kit.money import format_minor

COLUMNS = ["BatchID", "CommerceType", "InvoiceID", "InvoiceNumber", "InvoiceDate", "MemberID",
           "CustomerName", "ItemCode", "ItemDescription", "GLCode", "Quantity", "UnitPrice",
           "Amount", "TaxAmount", "PaymentID", "PaymentMethod", "PaymentDate", "Currency"]


class YmOptions(WriterOptions):
    #: UTF-8 with a byte order mark (true) or Windows-1252 (false).
    unicode: bool = False


@register
class YmItemsWriter(Writer):
    name = "ym-items"
    media_type = "text/csv; charset=windows-1252"
    extension = "csv"
    source = "items"
    Options = YmOptions
    options: YmOptions

    def __init__(self, out: BinaryIO, ctx: ExportContext) -> None:
        super().__init__(out, ctx)
        if self.options.unicode:
            self.media_type = "text/csv; charset=utf-8"

    def begin(self) -> None:
        if self.options.unicode:
            self._sink = CsvSink(self.out, bom=True)
        else:
            self._sink = CsvSink(self.out, encoding="cp1252", errors="replace")
        self._sink.row(COLUMNS)

    def item(self, item: InvoiceItem) -> None:
        where = item.invoice_number
        if not is_currency(item.currency):
            raise ExportRejected("known currency", f"an item of invoice {where} is in "
                                 f"'{item.currency}', which is not an ISO 4217 currency", entry=where)
        for field, value in (("Quantity", item.quantity), ("UnitPrice", item.unit_price)):
            if not isinstance(value, Decimal) or not value.is_finite():
                raise ExportRejected("exact decimals", f"an item of invoice {where} has {field} "
                                     f"{value!r}", entry=where)
        text = self.text
        self._sink.row([
            text(item.batch_id), text(item.commerce_type), text(item.invoice_id), item.invoice_number,
            item.invoice_date.isoformat(), text(item.member_id), text(item.customer_name),
            text(item.item_code), text(item.item_description), text(item.gl_code),
            format(item.quantity, "f"), format(item.unit_price, "f"),
            format_minor(item.amount, item.currency), format_minor(item.tax_amount, item.currency),
            text(item.payment_id), text(item.payment_method),
            item.payment_date.isoformat() if item.payment_date else "", item.currency])
        self.rows += 1

    def end(self) -> None:
        self._sink.flush()
