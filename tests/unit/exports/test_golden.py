"""Golden files: every format renders the fixed sample (``sample.py``) to exactly these bytes.

Regenerate after a deliberate change with ``FINBATCH_UPDATE_GOLDEN=1 pytest tests/unit/exports``,
then read the diff: each golden file is the format's specification by example.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from tests.unit.exports.sample import context, render

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("FINBATCH_UPDATE_GOLDEN") == "1"

CASES = {
    "gl-csv.csv": ("gl-csv", {}),
    "gl-json.json": ("gl-json", {}),
    "gl-xml.xml": ("gl-xml", {}),
    "iif.iif": ("iif", {}),
    "qbo-csv.csv": ("qbo-csv", {}),
    "qbo-csv-locations.csv": ("qbo-csv", {"location": "Head office",
                                          "neutralize_formulas": False}),
    "xero-csv.csv": ("xero-csv", {}),
    "xero-csv-options.csv": ("xero-csv", {"narration": "{description} ({number})",
                                          "tax_rates": {"2200": "Sales Tax on Imports"},
                                          "tracking_department": "Department",
                                          "tracking_project": "Project"}),
    "intacct-csv.csv": ("intacct-csv", {}),
    "intacct-csv-base.csv": ("intacct-csv", {"journal": "ARJ", "foreign_amounts": "base",
                                             "description": "{batch} #{number}",
                                             "location_id": "100", "exchange_rate_type": "Spot"}),
    "ym-items-1252.csv": ("ym-items", {}),
    "ym-items-utf8.csv": ("ym-items", {"unicode": True}),
}


def check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"missing golden file {name}: run with FINBATCH_UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} differs from its golden file"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name, tmp_path):
    fmt, options = CASES[name]
    data, writer = render(fmt, context(tmp_path, options))
    check_golden(name, data)
    assert writer.file_name("export") == "export." + name.rsplit(".", 1)[1]


def test_golden_xero_split(tmp_path):
    """Six lines per file: the sample's journals (4, 3, 2, 3, 2 lines) land whole in three files."""
    data, writer = render("xero-csv", context(tmp_path, {"lines_per_file": 6}))
    assert writer.file_name("export") == "export.zip"
    assert writer.media_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == [f"manual-journals-00{i}.csv" for i in (1, 2, 3)]
        for name in names:
            check_golden(f"xero-split/{name}", archive.read(name))
            assert archive.getinfo(name).date_time == (2026, 3, 31, 0, 0, 0)


def test_non_us_locale_puts_the_day_first(tmp_path):
    qbo, _ = render("qbo-csv", context(tmp_path, locale="en-GB"))
    intacct, _ = render("intacct-csv", context(tmp_path, locale="fr_FR"))
    assert b"\r\n17,31/03/2026," not in qbo  # entry 17 is dated 1 March
    assert b"\r\n17,01/03/2026,Accounts Receivable," in qbo
    assert b"\r\nGJ,01/03/2026,invoice 17,17,1," in intacct
    us, _ = render("qbo-csv", context(tmp_path, locale="es-US"))
    assert b"\r\n20,03/31/2026," in us
