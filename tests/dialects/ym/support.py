"""Helpers for the YM tests: decode a response in any of the four formats into the same typed
DTO, normalise generated ids for golden files, and read a ResponseStatus whatever the format."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from finbatch.dialects.ym import dtos
from finbatch.dialects.ym.wire import _stringify
from finbatch.formats import dto, jsv, xmlwire

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("FINBATCH_UPDATE_GOLDEN") == "1"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalise(text: str) -> str:
    """Generated ids → ``<id1>``, ``<id2>``… in order of first appearance."""
    seen: dict[str, str] = {}
    return _UUID.sub(lambda m: seen.setdefault(m.group(), f"<id{len(seen) + 1}>"), text)


def check_golden(name: str, body: bytes) -> None:
    path = GOLDEN / name
    text = normalise(body.decode("utf-8"))
    if UPDATE or not path.exists():
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8"), name


def decode(fmt: str, body: bytes, cls: type = dtos.FinanceBatchesResponse) -> Any:
    """The response DTO ``cls`` from a JSON, XML or JSV body (CSV: the list of rows as DTOs of
    the first list's item type)."""
    if fmt == "json":
        return dto.from_wire(cls, _stringify(json.loads(body, parse_float=Decimal)))
    if fmt == "xml":
        return xmlwire.read_model(body, cls)
    if fmt == "jsv":
        return jsv.loads_model(body, cls)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    return [dto.from_wire(dtos.FinanceBatch, {k: v for k, v in row.items() if v != ""})
            for row in rows]


def status_of(fmt: str, body: bytes) -> dtos.ResponseStatus:
    """The ResponseStatus of an error body in ``fmt`` (CSV: its first row)."""
    if fmt == "csv":
        row = next(csv.DictReader(io.StringIO(body.decode("utf-8"))))
        if "FieldName" in row:
            return dtos.ResponseStatus(ErrorCode=row["ErrorCode"], Message=row["Message"],
                                       Errors=[dtos.ResponseError(row["ErrorCode"], row["FieldName"],
                                                                  row["Message"])])
        return dtos.ResponseStatus(ErrorCode=row["ErrorCode"], Message=row["Message"])
    return decode(fmt, body, dtos.ErrorResponse).ResponseStatus
