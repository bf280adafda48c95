"""Sage Intacct journal-entry CSV (``intacct-csv``): one row per journal line.

Design: a header row, then each entry as consecutive rows; the entry-level fields (JOURNAL, DATE,
DESCRIPTION, REFERENCE_NO) appear on its first row only, which is how Intacct's import tells where
one entry ends and the next begins. Every entry is validated completely (so one unbalanced entry
fails the whole export before any of it is written) and rendered before its rows reach the sink.

Rules (facts in formats.md; decisions marked):
- Columns ``JOURNAL, DATE, DESCRIPTION, REFERENCE_NO, LINE_NO, ACCT_NO, LOCATION_ID, DEPT_ID, MEMO,
  DEBIT, CREDIT, CURRENCY, EXCH_RATE_DATE, EXCH_RATE_TYPE_ID, EXCHANGE_RATE``; the last four are
  filled only on the rows of foreign-currency entries.
- JOURNAL is the ``journal`` option (default ``GJ``), at most 4 characters and not empty: checked in
  ``begin``, before the header is written. DESCRIPTION comes from the ``description`` template
  (default ``{kind} {number}``) and may not exceed 30 characters: a longer one rejects its entry.
  REFERENCE_NO is the entry number.
- DATE (and EXCH_RATE_DATE) from the posting date: ``MM/DD/YYYY`` for US locales, ``DD/MM/YYYY``
  otherwise (decision: Intacct reads the format chosen in its import dialog, which follows the
  company's; the two must agree).
- LINE_NO counts from 1 in every entry. ACCT_NO is the account code, DEPT_ID the line's department
  id, LOCATION_ID the business unit's entry in the ``locations`` option (business unit id →
  Intacct location id), else the ``location_id`` option, else blank — ids, never names.
- DEBIT or CREDIT per line, the other blank, plain decimals (no symbol, no thousands separator).
  Negative amounts and lines with both sides are rejected; entries must balance.
- Foreign entries (decision, option ``foreign_amounts``): ``transaction`` (default) writes
  DEBIT/CREDIT in the entry's currency with CURRENCY, EXCH_RATE_DATE, EXCH_RATE_TYPE_ID (the
  ``exchange_rate_type`` option, blank = Intacct's default) and EXCHANGE_RATE (base units per unit
  of the entry's currency), as Intacct expects for a multi-currency company; ``base`` writes every
  entry in the base currency with the currency columns blank (single-currency companies).
- UTF-8 without a byte order mark, RFC 4180 quoting, CR LF line endings (decision); text cells
  neutralised against formula injection unless ``neutralize_formulas`` is false (the length limit
  applies to the cell as written).
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from finbatch.exports.rows import ExportEntry
from finbatch.exports.writers.base import (
    ExportRejected,
    Writer,
    WriterOptions,
    check_accounts,
    check_balanced,
    check_max_length,
    check_non_negative,
)
from finbatch.exports.writers.common import (
    CsvSink,
    check_one_side,
    check_template,
    entry_values,
    line_text,
    locale_date,
    render_template,
)
from finbatch.exports.writers.registry import register
from finbatch.kit.money import format_minor

COLUMNS = ["JOURNAL", "DATE", "DESCRIPTION", "REFERENCE_NO", "LINE_NO", "ACCT_NO", "LOCATION_ID",
           "DEPT_ID", "MEMO", "DEBIT", "CREDIT", "CURRENCY", "EXCH_RATE_DATE", "EXCH_RATE_TYPE_ID",
           "EXCHANGE_RATE"]
DESCRIPTION_LIMIT = 30
JOURNAL_LIMIT = 4


class IntacctOptions(WriterOptions):
    #: The Intacct journal symbol every entry goes to.
    journal: str = "GJ"
    #: Template of the entry DESCRIPTION (placeholders: number, kind, description, party, batch,
    #: date, source_id).
    description: str = "{kind} {number}"
    #: Intacct location id for every entry (when ``locations`` has no entry for the unit).
    location_id: str = ""
    #: Business unit id → Intacct location id.
    locations: dict[str, str] = {}
    foreign_amounts: Literal["transaction", "base"] = "transaction"
    exchange_rate_type: str = ""

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return check_template(value)


@register
class IntacctCsvWriter(Writer):
    name = "intacct-csv"
    media_type = "text/csv; charset=utf-8"
    extension = "csv"
    Options = IntacctOptions
    options: IntacctOptions

    def begin(self) -> None:
        journal = self.options.journal
        if not journal.strip():
            raise ExportRejected("required field", "the JOURNAL symbol (option journal) is empty")
        check_max_length(self.text(journal), "the JOURNAL symbol (option journal)", JOURNAL_LIMIT,
                         entry=None)
        self._sink = CsvSink(self.out)
        self._sink.row(COLUMNS)

    def entry(self, entry: ExportEntry) -> None:
        check_balanced(entry)
        check_accounts(entry, self.ctx)
        check_non_negative(entry)
        check_one_side(entry)
        description = self.text(render_template(self.options.description, entry_values(entry)))
        check_max_length(description, "DESCRIPTION", DESCRIPTION_LIMIT, entry=entry.number)
        day = locale_date(entry.posting_date, self.ctx.locale)
        location = self.options.locations.get(entry.business_unit_id, self.options.location_id)
        foreign = (entry.currency != self.ctx.base_currency
                   and self.options.foreign_amounts == "transaction")
        currency = [entry.currency, day, self.text(self.options.exchange_rate_type),
                    format(entry.fx_rate, "f")] if foreign else ["", "", "", ""]
        rows = []
        for number, line in enumerate(entry.lines, 1):
            account = self.ctx.accounts[line.account_id]
            if foreign:
                debit, credit, in_currency = line.txn_debit, line.txn_credit, entry.currency
            else:
                debit, credit, in_currency = line.debit, line.credit, self.ctx.base_currency
            head = ([self.text(self.options.journal), day, description, entry.number]
                    if number == 1 else ["", "", "", ""])
            rows.append([
                *head, number, self.text(account.code), self.text(location),
                self.text(line.department), self.text(line_text(line.description, entry.description)),
                "" if credit else format_minor(debit, in_currency),
                format_minor(credit, in_currency) if credit else "", *currency])
        self._sink.rows(rows)
        self.rows += len(rows)

    def end(self) -> None:
        self._sink.flush()
