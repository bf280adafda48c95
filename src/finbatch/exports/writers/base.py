"""The writer contract and the validation rules writers share.

A writer streams: ``begin`` writes any header, ``entry`` (journal formats) or ``item`` (the YM
item format) validates one record and then writes it, ``end`` finishes the file. A record that the
target package would reject raises ``ExportRejected`` *before* any of it is written, naming the
entry and the rule; the export job then fails and its temporary file is discarded, so no partial or
invalid file is ever downloadable. Writers never touch the database.

Text cells of CSV formats are neutralised against spreadsheet formula injection (a leading ``=``,
``+``, ``-``, ``@``, tab or carriage return gets a leading apostrophe) unless the request sets
``neutralize_formulas: false``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO, ClassVar

from pydantic import BaseModel, ConfigDict

from finbatch.exports.rows import ExportContext, ExportEntry, InvoiceItem
from finbatch.kit.money import format_minor


class ExportRejected(Exception):
    """A record breaks a rule of the target format."""

    def __init__(self, rule: str, message: str, *, entry: int | str | None = None) -> None:
        self.rule = rule
        self.entry = entry
        where = f"entry {entry}: " if entry is not None else ""
        super().__init__(f"{where}{message} (rule: {rule})")


class WriterOptions(BaseModel):
    """Options every format accepts; formats extend this."""

    model_config = ConfigDict(extra="forbid")

    neutralize_formulas: bool = True


class Writer:
    """Base class: subclasses set the class attributes and implement ``entry`` or ``item``."""

    #: The format id (``iif``, ``qbo-csv`` …).
    name: ClassVar[str]
    media_type: ClassVar[str] = "text/plain"
    extension: ClassVar[str] = "txt"
    #: ``journal`` (entries with lines) or ``items`` (YM invoice items).
    source: ClassVar[str] = "journal"
    Options: ClassVar[type[WriterOptions]] = WriterOptions

    def __init__(self, out: BinaryIO, ctx: ExportContext) -> None:
        self.out = out
        self.ctx = ctx
        self.options = self.Options.model_validate(ctx.options or {})
        #: Data rows written (what the export reports as its row count).
        self.rows = 0

    def begin(self) -> None:
        """Write headers."""

    def entry(self, entry: ExportEntry) -> None:
        raise NotImplementedError

    def item(self, item: InvoiceItem) -> None:
        raise NotImplementedError

    def end(self) -> None:
        """Finish the file (footers, closing brackets, the zip of split files)."""

    def file_name(self, stem: str) -> str:
        """The download's file name for ``stem`` (Xero's may become a .zip)."""
        return f"{stem}.{self.extension}"

    # --- helpers shared by writers ---

    def money(self, minor: int, currency: str | None = None) -> str:
        return format_minor(minor, currency or self.ctx.base_currency)

    def text(self, value: Any) -> str:
        """A text cell, neutralised against formula injection when the options say so."""
        text = "" if value is None else str(value)
        if self.options.neutralize_formulas and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + text
        return text


# --- validation rules (each raises ExportRejected naming the rule) -------------------------------

def check_balanced(entry: ExportEntry) -> None:
    debit = sum(line.debit for line in entry.lines)
    credit = sum(line.credit for line in entry.lines)
    txn_debit = sum(line.txn_debit for line in entry.lines)
    txn_credit = sum(line.txn_credit for line in entry.lines)
    if len(entry.lines) < 2 or debit != credit or txn_debit != txn_credit:
        raise ExportRejected("balanced entry", f"debits {debit} and credits {credit} (minor units) "
                             f"do not balance over {len(entry.lines)} line(s)", entry=entry.number)


def check_accounts(entry: ExportEntry, ctx: ExportContext) -> None:
    """Every line's account exists in the tenant's chart and is active (packages such as
    QuickBooks silently create unknown accounts)."""
    for line in entry.lines:
        account = ctx.accounts.get(line.account_id)
        if account is None:
            raise ExportRejected("known account", f"line {line.line_number} names an account that "
                                 "is not in the chart of accounts", entry=entry.number)
        if not account.is_active:
            raise ExportRejected("known account", f"line {line.line_number}: account "
                                 f"{account.code} {account.full_name} is inactive", entry=entry.number)


def check_non_negative(entry: ExportEntry) -> None:
    for line in entry.lines:
        if min(line.debit, line.credit, line.txn_debit, line.txn_credit) < 0:
            raise ExportRejected("no negative amounts", f"line {line.line_number} has a negative "
                                 "amount", entry=entry.number)


def check_no_control_characters(value: str | None, field: str, *, entry: int | str | None,
                                characters: Iterable[str] = ("\t", "\n", "\r")) -> None:
    if value and any(ch in value for ch in characters):
        raise ExportRejected("no tabs or line breaks", f"{field} contains a tab or a line break",
                             entry=entry)


def check_max_length(value: str | None, field: str, limit: int, *, entry: int | str | None) -> None:
    if value and len(value) > limit:
        raise ExportRejected("field length", f"{field} is {len(value)} characters; the format "
                             f"allows {limit}", entry=entry)
