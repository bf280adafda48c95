"""Xero manual-journal CSV (``xero-csv``): one row per journal line, split into files of at most
300 lines.

Design: Xero imports at most 300 lines per file, so the writer cannot know in ``begin`` whether the
export will be one CSV or several. It therefore writes *parts* — complete CSV files with a header —
into the job's scratch directory (``ctx.workdir``), starting a new part whenever the next journal
would not fit. A journal never straddles two parts. ``end`` then decides:

- one part → its bytes are copied to the output unchanged: a plain CSV, ``file_name`` ends in
  ``.csv`` and ``media_type`` is ``text/csv``;
- several parts → they are zipped (deflate) into the output as ``manual-journals-001.csv``,
  ``manual-journals-002.csv`` … in export order (the number is zero-padded to at least three
  digits), ``file_name`` ends in ``.zip`` and ``media_type`` is ``application/zip``.

The engine must therefore read ``file_name()`` and ``media_type`` from the writer instance after
``end``. Only the current part is open and only counters are kept, and the zip is written by
``zipstream`` (which spools its central directory to disk instead of keeping it in memory the way
``zipfile`` does), so memory does not grow with the export. Zip members are dated the latest
posting date in the export, so the same journal gives the same bytes. The classic zip format caps
the split at 65,535 files (19.6 million lines); beyond that the export is rejected.

Rules (facts in formats.md; decisions marked):
- Columns ``Narration, Date, Description, AccountCode, TaxRate, Amount, TrackingName1,
  TrackingOption1, TrackingName2, TrackingOption2``.
- Rows with the same Narration and Date form one journal, so Narration must be unique per entry:
  it comes from the ``narration`` template, which must contain ``{number}`` (default
  ``#{number} {description}``). Date is ``DD/MM/YYYY`` from the posting date.
- AccountCode is the account's code (unknown or inactive accounts are rejected). TaxRate is the
  full tax-rate name: ``tax_rates[account code]`` when the option maps it, else ``tax_rate``
  (default ``Tax Exempt``).
- Amount is signed in the base currency, debit positive, credit negative; each journal balances.
  Negative debits or credits are rejected.
- Tracking (decision): ``tracking_department`` and ``tracking_project`` name the Xero tracking
  categories that carry a line's department and project. Configured categories take the tracking
  slots in that order (department first), so with only ``tracking_project`` set the project is in
  TrackingName1/TrackingOption1; a line without the value leaves its pair blank.
- At most ``lines_per_file`` (default and maximum 300) lines per file; a journal with more lines
  than that on its own cannot be imported and is rejected.
- UTF-8 without a byte order mark, RFC 4180 quoting, CR LF line endings (decision); text cells
  neutralised against formula injection unless ``neutralize_formulas`` is false.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import BinaryIO

from pydantic import Field, field_validator

from finbatch.exports.rows import ExportEntry
from finbatch.exports.writers.base import (
    ExportRejected,
    Writer,
    WriterOptions,
    check_accounts,
    check_balanced,
    check_non_negative,
)
from finbatch.exports.writers.common import (
    CsvSink,
    check_template,
    dmy,
    entry_values,
    line_text,
    render_template,
    template_fields,
)
from finbatch.exports.writers.registry import register
from finbatch.exports.writers.zipstream import MAX_MEMBERS, ZipLimit, ZipStream
from finbatch.kit.money import format_minor

COLUMNS = ["Narration", "Date", "Description", "AccountCode", "TaxRate", "Amount", "TrackingName1",
           "TrackingOption1", "TrackingName2", "TrackingOption2"]
#: Xero's limit of lines per imported file.
MAX_LINES = 300
MEMBER = "manual-journals-{index:0{width}d}.csv"
#: Zip timestamps cannot be earlier than 1980.
ZIP_EPOCH = date(1980, 1, 1)


class XeroOptions(WriterOptions):
    #: Template of each journal's Narration; must contain ``{number}`` so that two entries never
    #: share a Narration and Date (Xero would merge them into one journal).
    narration: str = "#{number} {description}"
    #: The tax rate's full name in Xero for lines whose account ``tax_rates`` does not map.
    tax_rate: str = "Tax Exempt"
    #: Account code → tax rate name.
    tax_rates: dict[str, str] = {}
    #: Xero tracking categories carrying the line's department and project ("" = not exported).
    tracking_department: str = ""
    tracking_project: str = ""
    lines_per_file: int = Field(default=MAX_LINES, ge=2, le=MAX_LINES)

    @field_validator("narration")
    @classmethod
    def _narration(cls, value: str) -> str:
        if "number" not in template_fields(check_template(value)):
            raise ValueError("must contain {number}: Xero merges rows with the same Narration and "
                             "Date into one journal")
        return value


@register
class XeroCsvWriter(Writer):
    name = "xero-csv"
    media_type = "text/csv; charset=utf-8"
    extension = "csv"
    Options = XeroOptions
    options: XeroOptions
    #: Set by ``end`` when the parts went into a zip; ``file_name`` follows it.
    _zipped = False

    def begin(self) -> None:
        self._parts = 0
        self._part_lines = 0
        self._file: BinaryIO | None = None
        self._sink: CsvSink | None = None
        self._latest = ZIP_EPOCH
        # Configured categories take the tracking slots in order, so each column pair always
        # means the same category throughout the file.
        self._tracking = [(category, field) for category, field in
                          ((self.options.tracking_department, "department"),
                           (self.options.tracking_project, "project")) if category]
        self._new_part()

    def entry(self, entry: ExportEntry) -> None:
        limit = self.options.lines_per_file
        if len(entry.lines) > limit:
            raise ExportRejected("lines per file", f"the journal has {len(entry.lines)} lines; a "
                                 f"Xero import file holds at most {limit}", entry=entry.number)
        check_balanced(entry)
        check_accounts(entry, self.ctx)
        check_non_negative(entry)
        narration = self.text(render_template(self.options.narration, entry_values(entry)))
        day = dmy(entry.posting_date)
        rows = []
        for line in entry.lines:
            account = self.ctx.accounts[line.account_id]
            tax_rate = self.options.tax_rates.get(account.code, self.options.tax_rate)
            tracking = []
            for category, field in self._tracking:
                option = getattr(line, field)
                tracking += [self.text(category), self.text(option)] if option else ["", ""]
            tracking += [""] * (4 - len(tracking))
            rows.append([narration, day, self.text(line_text(line.description, entry.description)),
                         self.text(account.code), self.text(tax_rate),
                         format_minor(line.debit - line.credit, self.ctx.base_currency), *tracking])
        if self._part_lines + len(rows) > limit:
            if self._parts >= MAX_MEMBERS:
                raise ExportRejected("zip size", f"the export needs more than {MAX_MEMBERS} files "
                                     f"of {limit} lines", entry=entry.number)
            self._new_part()
        assert self._sink is not None
        self._sink.rows(rows)
        self._part_lines += len(rows)
        self.rows += len(rows)
        self._latest = max(self._latest, entry.posting_date)

    def end(self) -> None:
        self._close_part()
        if self._parts == 1:
            with self._part_path(1).open("rb") as part:
                shutil.copyfileobj(part, self.out)
            self._part_path(1).unlink()
            return
        self._zipped = True
        self.media_type = "application/zip"
        width = max(3, len(str(self._parts)))
        archive = ZipStream(self.out, Path(self.ctx.workdir) / "xero-central-directory.bin",
                            day=self._latest)
        try:
            for index in range(1, self._parts + 1):
                archive.add(MEMBER.format(index=index, width=width), self._part_path(index))
                self._part_path(index).unlink()
            archive.close()
        except ZipLimit as exc:
            raise ExportRejected("zip size", f"the split export is too large for a zip file "
                                 f"({exc})") from None

    def file_name(self, stem: str) -> str:
        return f"{stem}.zip" if self._zipped else f"{stem}.{self.extension}"

    # --- parts ---

    def _part_path(self, index: int) -> Path:
        return Path(self.ctx.workdir) / f"xero-part-{index:06d}.csv"

    def _new_part(self) -> None:
        self._close_part()
        self._parts += 1
        self._part_lines = 0
        self._file = self._part_path(self._parts).open("wb")
        self._sink = CsvSink(self._file)
        self._sink.row(COLUMNS)

    def _close_part(self) -> None:
        if self._sink is not None and self._file is not None:
            self._sink.flush()
            self._file.close()
            self._sink = self._file = None
