"""The constant-memory zip writer produces archives that standard readers accept."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from finbatch.exports.writers.zipstream import MAX_MEMBERS, ZipLimit, ZipStream


def test_members_read_back_with_zipfile(tmp_path):
    source = tmp_path / "a.csv"
    source.write_bytes(b"Narration,Date\r\n" * 1000)
    out = io.BytesIO()
    archive = ZipStream(out, tmp_path / "spool", day=date(2026, 3, 31))
    archive.add("first.csv", source)
    archive.add_bytes("second.csv", "é,ü\r\n".encode())
    archive.add_bytes("empty.csv", b"")
    archive.close()
    assert not (tmp_path / "spool").exists()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as read:
        assert read.testzip() is None
        assert read.namelist() == ["first.csv", "second.csv", "empty.csv"]
        assert read.read("first.csv") == source.read_bytes()
        assert read.read("second.csv").decode() == "é,ü\r\n"
        assert read.read("empty.csv") == b""
        info = read.getinfo("first.csv")
        assert info.date_time == (2026, 3, 31, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.compress_size < info.file_size
        assert (info.external_attr >> 16) & 0o777 == 0o644


def test_an_empty_archive_is_valid(tmp_path):
    out = io.BytesIO()
    ZipStream(out, tmp_path / "spool", day=date(1970, 1, 1)).close()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as read:
        assert read.namelist() == []


def test_more_members_than_classic_zip_allows_are_refused(tmp_path):
    out = io.BytesIO()
    archive = ZipStream(out, tmp_path / "spool", day=date(2026, 1, 1))
    for index in range(MAX_MEMBERS):
        archive.add_bytes(f"{index}", b"")
    with pytest.raises(ZipLimit):
        archive.add_bytes("one-too-many", b"")
    archive.close()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as read:
        assert len(read.namelist()) == MAX_MEMBERS
