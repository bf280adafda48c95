"""QuickBooks Desktop IIF (``iif``): one general-journal transaction per entry.

Design: three header rows open the file, each naming its row type's columns::

    !TRNS     TRNSID TRNSTYPE DATE ACCNT NAME CLASS AMOUNT DOCNUM MEMO
    !SPL      SPLID  TRNSTYPE DATE ACCNT NAME CLASS AMOUNT DOCNUM MEMO
    !ENDTRNS

then every entry is one block: a ``TRNS`` row for its first line, a ``SPL`` row for each further
line, and ``ENDTRNS``. Every data row has exactly its header's columns, in the same order, so
QuickBooks never shifts a value into the wrong column. The writer holds one entry at a time.

Rules (facts in formats.md; decisions marked):
- Tab-delimited, no quoting. TRNSTYPE is ``GENERAL JOURNAL``; DATE is ``MM/DD/YYYY`` from the
  posting date; DOCNUM is the entry number. TRNSID/SPLID are QuickBooks' own ids, which it assigns
  on import: the columns are present and left empty (decision).
- AMOUNT is signed in the base currency, debit positive and credit negative; a balanced entry's
  block therefore sums to zero (checked before writing). Negative debits or credits are rejected.
- ACCNT is the account's full name (``Parent:Sub``), validated against the chart: an unknown or
  inactive account is rejected, because QuickBooks would silently create a new account.
- NAME is the entry's customer or vendor on lines whose posting role is ``receivable`` or
  ``payable`` (QuickBooks refuses an A/R or A/P journal line without one, so a missing name is
  rejected); other lines leave it empty. CLASS is the line's department. MEMO is the line's
  description, or the entry's.
- Tabs and line breaks would end the field or the row. In free text (NAME, MEMO) they become a
  space; in a reference QuickBooks looks up (ACCNT, CLASS) replacing them would point at another
  account or class, so the entry is rejected instead.
- Encoding (decision): Windows-1252, which is what QuickBooks Desktop reads (a UTF-8 byte order
  mark would end up inside ``!TRNS`` and break the header). Free-text characters the code page
  lacks become ``?``; in ACCNT or CLASS such a character is a rejection, for the reason above.
- Line endings (decision): CR LF, the Windows convention QuickBooks Desktop writes itself.
- No formula neutralisation: IIF is read by QuickBooks, not a spreadsheet, and an apostrophe would
  be imported into the memo.
"""

from __future__ import annotations

from finbatch.exports.rows import ExportEntry, ExportLine
from finbatch.exports.writers.base import (
    ExportRejected,
    Writer,
    check_accounts,
    check_balanced,
    check_no_control_characters,
    check_non_negative,
)
from finbatch.exports.writers.common import FLUSH_AT, line_text, mdy, one_line
from finbatch.exports.writers.registry import register
from finbatch.kit.money import format_minor

ENCODING = "cp1252"
EOL = "\r\n"
TRNSTYPE = "GENERAL JOURNAL"
TRNS_COLUMNS = ["TRNSID", "TRNSTYPE", "DATE", "ACCNT", "NAME", "CLASS", "AMOUNT", "DOCNUM", "MEMO"]
SPL_COLUMNS = ["SPLID", *TRNS_COLUMNS[1:]]
#: Roles whose account is A/R or A/P, where QuickBooks needs the customer or vendor.
NAMED_ROLES = ("receivable", "payable")


@register
class IIFWriter(Writer):
    name = "iif"
    media_type = "text/plain; charset=windows-1252"
    extension = "iif"

    def begin(self) -> None:
        self._parts: list[str] = [
            "\t".join(["!TRNS", *TRNS_COLUMNS]) + EOL,
            "\t".join(["!SPL", *SPL_COLUMNS]) + EOL,
            "!ENDTRNS" + EOL,
        ]
        self._size = 0
        self._flush()

    def entry(self, entry: ExportEntry) -> None:
        check_balanced(entry)  # base debits = credits, so the block's AMOUNTs sum to 0
        check_accounts(entry, self.ctx)
        check_non_negative(entry)
        rows = [self._row("TRNS" if i == 0 else "SPL", entry, line)
                for i, line in enumerate(entry.lines)]
        block = "".join("\t".join(row) + EOL for row in rows) + "ENDTRNS" + EOL
        self._parts.append(block)
        self._size += len(block)
        self.rows += len(rows)
        if self._size > FLUSH_AT:
            self._flush()

    def end(self) -> None:
        self._flush()

    def _row(self, kind: str, entry: ExportEntry, line: ExportLine) -> list[str]:
        account = self.ctx.accounts[line.account_id]
        accnt = self._reference(account.full_name, f"line {line.line_number}: ACCNT (the account "
                                f"{account.code} full name)", entry)
        klass = self._reference(line.department, f"line {line.line_number}: CLASS (the department)",
                                entry)
        name = ""
        if line.role in NAMED_ROLES:
            if not (entry.party_name or "").strip():
                raise ExportRejected("name on A/R and A/P lines", f"line {line.line_number} posts "
                                     f"to {line.role} account {account.full_name} but the entry has "
                                     "no customer or vendor name", entry=entry.number)
            name = one_line(entry.party_name)
        memo = one_line(line_text(line.description, entry.description))
        return [kind, "", TRNSTYPE, mdy(entry.posting_date), accnt, name, klass,
                format_minor(line.debit - line.credit, self.ctx.base_currency), str(entry.number),
                memo]

    @staticmethod
    def _reference(value: str | None, field: str, entry: ExportEntry) -> str:
        """A name QuickBooks looks up: it must arrive unchanged or not at all."""
        check_no_control_characters(value, field, entry=entry.number)
        try:
            (value or "").encode(ENCODING)
        except UnicodeEncodeError:
            raise ExportRejected("Windows-1252 reference", f"{field} has characters Windows-1252 "
                                 "cannot represent", entry=entry.number) from None
        return value or ""

    def _flush(self) -> None:
        self.out.write("".join(self._parts).encode(ENCODING, "replace"))
        self._parts.clear()
        self._size = 0
