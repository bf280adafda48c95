"""Pieces the format writers share: a buffered CSV sink, date styles, templates, one-line text.

Not a writer (it registers nothing). Every writer builds the rows of one record, validating as it
goes, and only then hands them to its sink, so a rejected record leaves nothing behind; the sink
encodes and writes to the output whenever its buffer passes 64 KiB, so memory does not grow with
the number of records.
"""

from __future__ import annotations

import csv
import io
import re
import string
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, BinaryIO

from finbatch.exports.writers.base import ExportRejected

#: Flush the text buffer to the output once it holds this many characters.
FLUSH_AT = 1 << 16

UTF8_BOM = b"\xef\xbb\xbf"


class CsvSink:
    """RFC 4180 rows → encoded bytes on ``out``.

    ``errors="replace"`` suits single-byte code pages (Windows-1252) where a character the code
    page lacks becomes ``?`` instead of failing the export; ``bom`` writes the UTF-8 byte order
    mark first (Excel needs it to read UTF-8).
    """

    def __init__(self, out: BinaryIO, *, encoding: str = "utf-8", errors: str = "strict",
                 lineterminator: str = "\r\n", delimiter: str = ",", bom: bool = False) -> None:
        self.out = out
        self.encoding = encoding
        self.errors = errors
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator=lineterminator, delimiter=delimiter)
        if bom:
            out.write(UTF8_BOM)

    def row(self, values: Sequence[Any]) -> None:
        self._csv.writerow(values)
        if self._buffer.tell() > FLUSH_AT:
            self.flush()

    def rows(self, rows: Iterable[Sequence[Any]]) -> None:
        self._csv.writerows(rows)
        if self._buffer.tell() > FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        text = self._buffer.getvalue()
        if text:
            self.out.write(text.encode(self.encoding, self.errors))
        self._buffer.seek(0)
        self._buffer.truncate()


# --- dates -----------------------------------------------------------------------------------

def is_us_locale(locale: str | None) -> bool:
    """Whether a BCP 47 locale (``en-US``, ``es_US``) names the United States as its region;
    US companies write month first. A bare language (``en``) is not taken as US."""
    parts = re.split(r"[-_]", locale or "")
    return any(part.upper() == "US" for part in parts[1:])


def mdy(day: date) -> str:
    """``MM/DD/YYYY``."""
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def dmy(day: date) -> str:
    """``DD/MM/YYYY``."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def locale_date(day: date, locale: str | None) -> str:
    """Month first for US locales, day first otherwise."""
    return mdy(day) if is_us_locale(locale) else dmy(day)


# --- text ------------------------------------------------------------------------------------

_BREAKS = re.compile(r"\r\n|[\t\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(text: str | None) -> str:
    """``text`` with every tab and line break (CR LF counting as one) replaced by a space: for
    free-text fields of formats where they would end the field or the record."""
    return _BREAKS.sub(" ", text or "")


def line_text(line_description: str | None, entry_description: str) -> str:
    """A line's own description, or its entry's when the line has none (gl-csv's rule)."""
    return line_description if line_description is not None else entry_description


# --- templates -------------------------------------------------------------------------------

#: Placeholders an entry-level template (Intacct's description, Xero's narration) may use.
ENTRY_FIELDS = ("number", "kind", "description", "party", "batch", "date", "source_id")


def check_template(template: str, fields: Collection[str] = ENTRY_FIELDS) -> str:
    """Validate a ``str.format`` template that may only name ``fields`` (plain ``{name}``, no
    attribute access, index or conversion): it comes from a request, so it must not reach into
    objects. Raises ``ValueError`` (which pydantic turns into a 422-style error) otherwise."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"not a valid template: {exc}") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in fields or spec or conversion:
            raise ValueError(f"unknown placeholder {{{name}}}; use any of "
                             + ", ".join("{" + f + "}" for f in fields))
    return template


def template_fields(template: str) -> set[str]:
    """The placeholders a valid template uses (``{{`` escapes excluded)."""
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(template) if name}


def render_template(template: str, values: Mapping[str, Any]) -> str:
    """Fill a template already accepted by ``check_template``."""
    return template.format_map(values).strip()


def entry_values(entry: Any) -> dict[str, Any]:
    """The placeholders of ``ENTRY_FIELDS`` for an ``ExportEntry``."""
    return {"number": entry.number, "kind": entry.source_kind, "description": entry.description,
            "party": entry.party_name or "", "batch": entry.batch_name,
            "date": entry.posting_date.isoformat(), "source_id": entry.source_id}


def require_text(value: str | None, field: str, *, entry: int | str | None) -> str:
    """A mandatory field of the target format must not be empty."""
    if not value or not value.strip():
        raise ExportRejected("required field", f"{field} is empty", entry=entry)
    return value


def check_one_side(entry: Any) -> None:
    """Formats with separate debit and credit columns take one of them per line: a line carrying
    both would be read as two amounts (posting never writes one)."""
    for line in entry.lines:
        if (line.debit and line.credit) or (line.txn_debit and line.txn_credit):
            raise ExportRejected("one side per line", f"line {line.line_number} has both a debit "
                                 "and a credit", entry=entry.number)
