"""A zip archive written member by member to a forward-only stream in constant memory.

Why not ``zipfile``: it keeps a ``ZipInfo`` per member until ``close`` writes the central
directory, so its memory grows with the number of members (about 350 bytes each) — and Xero's split
of a large export has one member per 300 lines. Here each member's central-directory record is
appended to a spool file as soon as the member is written and copied to the output at the end, so
memory holds one member at a time, whatever the archive's size.

The format (PKWARE APPNOTE 6.3): for each member a local file header, then its deflated data;
then the central directory (one record per member) and the end-of-central-directory record.
Members are compressed whole in memory, which is bounded because the caller's members are (Xero's
parts hold at most 300 lines), so sizes and CRC are known before the local header is written and
no data descriptor is needed. Classic zip only: at most 65,535 members and 4 GiB of offsets,
checked (``ZipLimit``) rather than silently producing a broken archive.
"""

from __future__ import annotations

import shutil
import struct
import zlib
from datetime import date
from pathlib import Path
from typing import BinaryIO

MAX_MEMBERS = 0xFFFF
MAX_OFFSET = 0xFFFFFFFF
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_VERSION = 20  # 2.0: deflate
_MADE_BY = (3 << 8) | _VERSION  # Unix, so the external attributes carry permissions
_DEFLATE = 8
_FILE_MODE = 0o100644 << 16


class ZipLimit(Exception):
    """The archive would need zip64 (more than 65,535 members or 4 GiB)."""


class ZipStream:
    """``add`` members, then ``close``; nothing is ever seeked, so ``out`` may be a pipe."""

    def __init__(self, out: BinaryIO, spool: Path, *, day: date) -> None:
        self.out = out
        self._spool_path = spool
        self._spool = spool.open("w+b")
        self._offset = 0
        self._count = 0
        self._central_size = 0
        day = max(day, date(1980, 1, 1))  # zip dates start in 1980
        self._dos_date = ((day.year - 1980) << 9) | (day.month << 5) | day.day
        self._dos_time = 0

    @property
    def count(self) -> int:
        return self._count

    def add(self, name: str, source: Path) -> None:
        """Add the file ``source`` as member ``name`` (ASCII), deflated."""
        self.add_bytes(name, source.read_bytes())

    def add_bytes(self, name: str, data: bytes) -> None:
        if self._count >= MAX_MEMBERS:
            raise ZipLimit(f"more than {MAX_MEMBERS} files")
        if self._offset > MAX_OFFSET:
            raise ZipLimit("more than 4 GiB")
        raw_name = name.encode("ascii")
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        packed = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        header = _LOCAL.pack(0x04034B50, _VERSION, 0, _DEFLATE, self._dos_time, self._dos_date, crc,
                             len(packed), len(data), len(raw_name), 0)
        self._spool.write(_CENTRAL.pack(
            0x02014B50, _MADE_BY, _VERSION, 0, _DEFLATE, self._dos_time, self._dos_date, crc,
            len(packed), len(data), len(raw_name), 0, 0, 0, 0, _FILE_MODE, self._offset) + raw_name)
        self._central_size += _CENTRAL.size + len(raw_name)
        self.out.write(header + raw_name)
        self.out.write(packed)
        self._offset += len(header) + len(raw_name) + len(packed)
        self._count += 1

    def close(self) -> None:
        """Write the central directory and the end record; removes the spool file."""
        if self._offset > MAX_OFFSET or self._central_size > MAX_OFFSET:
            raise ZipLimit("more than 4 GiB")
        self._spool.seek(0)
        shutil.copyfileobj(self._spool, self.out)
        self._spool.close()
        self._spool_path.unlink()
        self.out.write(_END.pack(0x06054B50, 0, 0, self._count, self._count, self._central_size,
                                 self._offset, 0))
