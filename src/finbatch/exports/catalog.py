"""The export formats finbatch writes (the writers themselves live in ``exports/writers``)."""

from __future__ import annotations

from typing import Literal

ExportFormat = Literal["gl-csv", "gl-json", "gl-xml", "iif", "qbo-csv", "xero-csv", "intacct-csv",
                       "ym-items"]

FORMATS: tuple[str, ...] = ("gl-csv", "gl-json", "gl-xml", "iif", "qbo-csv", "xero-csv",
                            "intacct-csv", "ym-items")
