"""The export formats finbatch writes (the writers themselves live in ``exports/writers``)."""

from __future__ import annotations

from typing import Literal

ExportFormat = Literal["gl-csv", "gl-json", "gl-xml", "iif", "qbo-csv", "xero-csv", "intacct-csv",
                       "ym-items"]

FORMATS: tuple[str, ...] = ("gl-csv", "gl-json", "gl-xml", "iif", "qbo-csv", "xero-csv",
                            "intacct-csv", "ym-items")

#: The media types (without parameters) the writers produce, for the download routes' OpenAPI:
#: CSV, JSON, XML, IIF's plain text, and Xero's zip of split files.
MEDIA_TYPES: tuple[str, ...] = ("text/csv", "application/json", "application/xml", "text/plain",
                                "application/zip")
