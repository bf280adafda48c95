"""finbatch's own lossless journal JSON (``gl-json``): one object per journal line.

Design: the file is a single JSON array written as a stream — ``[`` first, then each line's object
(on a line of its own, separated by commas), then ``]`` in ``end`` — so the writer never holds more
than one entry. The objects carry exactly gl-csv's fields, in gl-csv's column order (``COLUMNS``).

Rules:
- Amounts and the FX rate are exact decimal *strings* (``"1234.50"``), never JSON numbers, so no
  reader parses them into binary floating point; ``entry_number`` is an integer.
- An absent department, project or description is ``null`` (gl-csv writes an empty cell).
- UTF-8 without a byte order mark (RFC 8259), LF line endings, no formula neutralisation (JSON is
  not opened by spreadsheets; text is kept as it is).
- Entries are validated (balanced, accounts known and active) before any of their lines is written.
"""

from __future__ import annotations

from typing import Any

import orjson

from finbatch.exports.rows import ExportContext, ExportEntry
from finbatch.exports.writers.base import Writer, check_accounts, check_balanced
from finbatch.exports.writers.common import FLUSH_AT, line_text
from finbatch.exports.writers.gl_csv import COLUMNS
from finbatch.exports.writers.registry import register
from finbatch.kit.money import format_minor


def gl_records(ctx: ExportContext, entry: ExportEntry) -> list[list[Any]]:
    """The values of gl-csv's ``COLUMNS`` for each line of a validated entry, untransformed
    (``None`` stays ``None``): the shared source of gl-json and gl-xml."""
    base = ctx.base_currency
    records = []
    for line in entry.lines:
        account = ctx.accounts[line.account_id]
        records.append([
            ctx.tenant_slug, entry.batch_id, entry.batch_name, entry.entry_id, entry.number,
            entry.source_kind, entry.source_id, entry.posting_date.isoformat(), account.code,
            account.name, line.department, line.project,
            line_text(line.description, entry.description),
            format_minor(line.debit, base), format_minor(line.credit, base), base, entry.currency,
            format_minor(line.txn_debit, entry.currency),
            format_minor(line.txn_credit, entry.currency), format(entry.fx_rate, "f")])
    return records


@register
class GLJsonWriter(Writer):
    name = "gl-json"
    media_type = "application/json"
    extension = "json"

    def begin(self) -> None:
        self._chunks: list[bytes] = [b"["]
        self._size = 1
        self._first = True

    def entry(self, entry: ExportEntry) -> None:
        check_balanced(entry)
        check_accounts(entry, self.ctx)
        for record in gl_records(self.ctx, entry):
            # The separator goes before each object, so "]" can close the array in end()
            # without knowing in advance which object was the last.
            chunk = (b"\n" if self._first else b",\n") + orjson.dumps(dict(zip(COLUMNS, record,
                                                                               strict=True)))
            self._first = False
            self._chunks.append(chunk)
            self._size += len(chunk)
            self.rows += 1
        if self._size > FLUSH_AT:
            self._flush()

    def end(self) -> None:
        self._chunks.append(b"\n]\n")
        self._flush()

    def _flush(self) -> None:
        self.out.write(b"".join(self._chunks))
        self._chunks.clear()
        self._size = 0
