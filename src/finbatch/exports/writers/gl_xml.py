"""finbatch's own lossless journal XML (``gl-xml``): one ``<line>`` element per journal line.

Design: the document is streamed — the declaration and the opening ``<journal>`` tag in ``begin``,
one ``<line>`` per journal line as entries arrive, ``</journal>`` in ``end`` — so the writer never
holds more than one entry. Each ``<line>`` has one child element per gl-csv column, named as the
column and in the same order.

Rules:
- ``<?xml version="1.0" encoding="UTF-8"?>``, UTF-8 without a byte order mark, LF line endings.
- Text is escaped for element content: ``&``, ``<``, ``>`` become entities, and a carriage return
  becomes ``&#13;`` because XML parsers turn a literal CR (or CR LF) into LF, which would lose it.
  Tabs and LFs are kept literally (element content preserves them).
- XML 1.0 cannot carry most C0 control characters (anything below U+0020 but tab, LF, CR) nor
  U+FFFE/U+FFFF, not even as character references: a record containing one is rejected (rule
  ``XML characters``) instead of writing a document no parser accepts.
- An absent department, project or description is an empty element (``<department/>``).
- Amounts are exact decimal strings; no formula neutralisation (not a spreadsheet format).
- Entries are validated (balanced, accounts known and active) before any of their lines is written.
"""

from __future__ import annotations

import re
from typing import Any

from finbatch.exports.rows import ExportEntry
from finbatch.exports.writers.base import ExportRejected, Writer, check_accounts, check_balanced
from finbatch.exports.writers.common import FLUSH_AT
from finbatch.exports.writers.gl_csv import COLUMNS
from finbatch.exports.writers.gl_json import gl_records
from finbatch.exports.writers.registry import register

ROOT = "journal"

#: Characters XML 1.0 does not allow in a document at all (§2.2 Char).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_TO_ESCAPE = re.compile("[&<>\r]")


def escape(text: str) -> str:
    """``text`` as XML element content that parses back to exactly ``text``."""
    return _TO_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


@register
class GLXmlWriter(Writer):
    name = "gl-xml"
    media_type = "application/xml"
    extension = "xml"

    def begin(self) -> None:
        self._parts: list[str] = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{ROOT}>\n']
        self._size = 0

    def entry(self, entry: ExportEntry) -> None:
        check_balanced(entry)
        check_accounts(entry, self.ctx)
        records = gl_records(self.ctx, entry)
        for record in records:
            for column, value in zip(COLUMNS, record, strict=True):
                self._check_characters(entry, column, value)
        for record in records:
            part = "<line>" + "".join(self._element(c, v) for c, v in zip(COLUMNS, record,
                                                                            strict=True)) + "</line>\n"
            self._parts.append(part)
            self._size += len(part)
            self.rows += 1
        if self._size > FLUSH_AT:
            self._flush()

    def end(self) -> None:
        self._parts.append(f"</{ROOT}>\n")
        self._flush()

    @staticmethod
    def _element(column: str, value: Any) -> str:
        if value is None or value == "":
            return f"<{column}/>"
        return f"<{column}>{escape(str(value))}</{column}>"

    @staticmethod
    def _check_characters(entry: ExportEntry, column: str, value: Any) -> None:
        if isinstance(value, str) and (bad := _NOT_XML.search(value)):
            raise ExportRejected("XML characters", f"{column} contains U+{ord(bad.group()):04X}, "
                                 "which an XML 1.0 document cannot carry", entry=entry.number)

    def _flush(self) -> None:
        self.out.write("".join(self._parts).encode("utf-8"))
        self._parts.clear()
        self._size = 0
