"""Opaque keyset cursors.

A cursor is the sort key of the last row of a page, base64url-encoded JSON. It is opaque to
clients, not secret: the server still scopes every query by tenant.
"""

from __future__ import annotations

import base64
import binascii
import json


class CursorError(ValueError):
    """The cursor was not produced by this server (or was altered)."""


_PREFIX = "c1."


def encode_cursor(values: list[str | int]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return _PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, arity: int) -> list[str | int]:
    if not isinstance(cursor, str) or not cursor.startswith(_PREFIX) or len(cursor) > 2048:
        raise CursorError("cursor is not valid")
    body = cursor[len(_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: a crafted cursor of a thousand nested brackets
        raise CursorError("cursor is not valid") from exc
    if (not isinstance(values, list) or len(values) != arity
            or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)):
        raise CursorError("cursor is not valid")
    return values
