"""finbatch's own lossless journal CSV (``gl-csv``): one row per journal line.

UTF-8, header row, RFC 4180 quoting (fields with a comma, quote or line break are quoted, quotes
doubled), LF line endings. Exact decimals, one of debit/credit zero. This Python writer is the
reference; ``exports.fast_gl_csv`` renders the same bytes inside the database for speed, and a test
holds the two to byte equality.
"""

from __future__ import annotations

import csv
import io

from finbatch.exports.rows import ExportEntry
from finbatch.exports.writers.base import Writer, check_accounts, check_balanced
from finbatch.exports.writers.registry import register
from finbatch.kit.money import format_minor

COLUMNS = ["tenant", "batch_id", "batch_name", "entry_id", "entry_number", "source_kind",
           "source_id", "posting_date", "account_code", "account_name", "department", "project",
           "description", "debit", "credit", "base_currency", "currency", "txn_debit",
           "txn_credit", "fx_rate"]


@register
class GLCsvWriter(Writer):
    name = "gl-csv"
    media_type = "text/csv; charset=utf-8"
    extension = "csv"

    def begin(self) -> None:
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")
        self._csv.writerow(COLUMNS)
        self._flush()

    def entry(self, entry: ExportEntry) -> None:
        check_balanced(entry)
        check_accounts(entry, self.ctx)
        base = self.ctx.base_currency
        for line in entry.lines:
            account = self.ctx.accounts[line.account_id]
            self._csv.writerow([
                self.text(self.ctx.tenant_slug), entry.batch_id, self.text(entry.batch_name),
                entry.entry_id, entry.number, entry.source_kind, entry.source_id,
                entry.posting_date.isoformat(), self.text(account.code), self.text(account.name),
                self.text(line.department), self.text(line.project),
                self.text(line.description if line.description is not None else entry.description),
                format_minor(line.debit, base), format_minor(line.credit, base), base,
                entry.currency, format_minor(line.txn_debit, entry.currency),
                format_minor(line.txn_credit, entry.currency), format(entry.fx_rate, "f")])
            self.rows += 1
        if self._buffer.tell() > 1 << 16:
            self._flush()

    def end(self) -> None:
        self._flush()

    def _flush(self) -> None:
        self.out.write(self._buffer.getvalue().encode())
        self._buffer.seek(0)
        self._buffer.truncate()
