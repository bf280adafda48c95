"""QuickBooks Online journal-entry CSV (``qbo-csv``): one row per journal line.

Design: a header row, then each entry's lines as rows sharing its ``Journal No.`` (the entry
number), which is how QuickBooks Online groups rows into one journal entry. The writer validates an
entry completely, renders its rows, and only then hands them to the buffered sink.

Rules (facts in formats.md; decisions marked):
- Columns ``Journal No., Journal Date, Account Name, Debits, Credits, Description, Name, Class,
  Location``.
- Journal Date from the posting date: ``MM/DD/YYYY`` when the tenant's locale has the US region
  (``en-US``, ``es-US``), ``DD/MM/YYYY`` otherwise — QuickBooks reads dates in the company's format.
- Account Name is the account's full name (``Parent:Sub``); unknown or inactive accounts are
  rejected.
- Debits or Credits per row in the base currency, the other blank, plain decimals (no symbol, no
  thousands separator). Negative amounts are rejected, and so is a line carrying both sides; each
  entry must balance.
- Name is required on lines whose posting role is ``receivable`` or ``payable`` (the entry's party
  name): missing → rejected. Other lines leave it blank.
- Class is the line's department (decision); Location comes from the ``locations`` option
  (business unit id → QuickBooks location name), else the ``location`` option, else blank.
- Description is the line's description, or the entry's.
- UTF-8 without a byte order mark, RFC 4180 quoting, CR LF line endings (decision: RFC 4180's
  line break; QuickBooks Online reads either).
- Every text cell is neutralised against formula injection unless ``neutralize_formulas`` is false
  — that includes names QuickBooks looks up, so a tenant whose account or customer names really
  start with ``=``, ``+``, ``-`` or ``@`` must turn the option off.
"""

from __future__ import annotations

from finbatch.exports.rows import ExportEntry
from finbatch.exports.writers.base import (
    ExportRejected,
    Writer,
    WriterOptions,
    check_accounts,
    check_balanced,
    check_non_negative,
)
from finbatch.exports.writers.common import CsvSink, check_one_side, line_text, locale_date
from finbatch.exports.writers.registry import register
from finbatch.kit.money import format_minor

COLUMNS = ["Journal No.", "Journal Date", "Account Name", "Debits", "Credits", "Description", "Name",
           "Class", "Location"]
#: Roles whose account is A/R or A/P, where QuickBooks Online requires the customer or vendor.
NAMED_ROLES = ("receivable", "payable")


class QboOptions(WriterOptions):
    #: QuickBooks location name for every row (when ``locations`` has no entry for the unit).
    location: str = ""
    #: Business unit id → QuickBooks location name.
    locations: dict[str, str] = {}


@register
class QboCsvWriter(Writer):
    name = "qbo-csv"
    media_type = "text/csv; charset=utf-8"
    extension = "csv"
    Options = QboOptions
    options: QboOptions

    def begin(self) -> None:
        self._sink = CsvSink(self.out)
        self._sink.row(COLUMNS)

    def entry(self, entry: ExportEntry) -> None:
        check_balanced(entry)
        check_accounts(entry, self.ctx)
        check_non_negative(entry)
        check_one_side(entry)
        base = self.ctx.base_currency
        day = locale_date(entry.posting_date, self.ctx.locale)
        location = self.options.locations.get(entry.business_unit_id, self.options.location)
        rows = []
        for line in entry.lines:
            account = self.ctx.accounts[line.account_id]
            name = ""
            if line.role in NAMED_ROLES:
                name = (entry.party_name or "").strip()
                if not name:
                    raise ExportRejected("name on A/R and A/P lines", f"line {line.line_number} "
                                         f"posts to {line.role} account {account.full_name}, which "
                                         "needs a customer or vendor Name, but the entry has none",
                                         entry=entry.number)
            credit_side = line.credit > 0
            rows.append([
                entry.number, day, self.text(account.full_name),
                "" if credit_side else format_minor(line.debit, base),
                format_minor(line.credit, base) if credit_side else "",
                self.text(line_text(line.description, entry.description)), self.text(name),
                self.text(line.department), self.text(location)])
        self._sink.rows(rows)
        self.rows += len(rows)

    def end(self) -> None:
        self._sink.flush()
