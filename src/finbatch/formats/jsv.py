"""ServiceStack JSV ("JSON + CSV"): our own writer and parser, following ``shared/dialects/jsv.md``.

Design overview
---------------
No maintained Python library speaks JSV, so this module owns it. The wire form is compact:
``{Key:Value,Key2:[a,b]}``; strings are raw unless they hold a character that would end them, in
which case they are CSV-quoted (``"…"`` with ``""`` for a quote, no backslash escapes).

- ``dumps(value)`` writes dicts (in their order), lists, DTOs and scalars: ``str``, ``int``,
  ``Decimal`` (shortest form), ``bool`` (``True``/``False``), ``datetime``/``date`` (ServiceStack's
  shortest date forms, never quoted), ``UUID`` (32 hex digits), ``Enum`` (member name) and
  ``None`` (omitted in maps, an empty slot in lists). ``float`` is refused: money is ``Decimal``.
- ``loads(text)`` returns the untyped tree: ``dict``/``list``/``str`` (``None`` for an empty list
  slot). It is a single left-to-right pass — every character is looked at a bounded number of
  times, so time is linear — with a nesting limit, and every error names its 0-based position.
- ``loads_model(text, Cls)`` / ``dumps_model(dto)`` add types (see ``formats.dto``), so that
  ``loads_model(dumps_model(dto), type(dto)) == dto``.

Decisions where jsv.md is silent or in tension with itself:

- jsv.md says leading/trailing spaces do not force quoting, *and* that the parser trims unquoted
  values (to read the pretty-printed form). Both cannot hold for ``" a "``, so the writer quotes a
  string that starts or ends with a space, tab, CR or LF; ServiceStack reads the quoted form back
  to the same string, and our round trip stays exact.
- In the tree, an empty unquoted value is null (``[a,,b]`` → ``["a", None, "b"]``; ``{A:}``
  drops ``A``), while ``""`` is the empty string. A list holding only ``None`` is written ``[]``
  and reads back empty: the grammar has no other spelling for it.
- Map keys follow the string rules (a key with ``:`` is quoted), and quoted keys are read back.
- Empty entries in a map (``{A:1,,B:2}``) are skipped; an empty document reads as ``None``.
- Inside an unquoted value, ``"``, ``{`` and ``[`` (and the other container's closer) are errors
  rather than text: ServiceStack never writes them raw, and refusing them pinpoints unbalanced
  input.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeAlias, TypeVar

from finbatch.formats import dotnet, dto
from finbatch.formats.errors import WireFormatError

JsvValue: TypeAlias = dict[str, "JsvValue"] | list["JsvValue | None"] | str
T = TypeVar("T")

#: Containers nested deeper than this are refused by the parser (and by the writer, so that
#: everything we write we can read).
MAX_DEPTH = 64

_BLANK = " \t\r\n"  # what the parser trims around unquoted tokens (never inside quotes)
_NEEDS_QUOTES = re.compile(r'[":,{}\[\]\r\n]')
_WS = re.compile(r"[ \t\r\n]*")
_SPECIAL = re.compile(r'[,{}\[\]"]')  # ends (or, misplaced, breaks) an unquoted value
_KEY_END = re.compile(r'[:,{}\[\]"]')


class JsvError(WireFormatError):
    """Malformed JSV (``position`` is the 0-based offset of the problem), or a value that does not
    convert to its field (``path`` names the field, ``position`` is None)."""

    code = "SERIALIZATION_ERROR"


# ---------------------------------------------------------------------------------------- writer

def quote(text: str) -> str:
    """A string as JSV writes it: raw, or wrapped in ``"`` with inner quotes doubled when it is
    empty, contains any of ``" : , { } [ ]`` CR LF, or starts/ends with a blank (see above)."""
    if text == "" or _NEEDS_QUOTES.search(text) or text[0] in _BLANK or text[-1] in _BLANK:
        return '"' + text.replace('"', '""') + '"'
    return text


def dumps(value: Any, *, tz: str | None = None) -> str:
    """The compact JSV text of ``value`` (``""`` for ``None``).

    ``tz``: aware datetimes are written as local times of this IANA zone with its offset
    (``2025-10-23T22:59:37.6959532-04:00``); with ``None`` or ``"UTC"`` they are written in UTC
    with ``Z``. Naive datetimes are written as they are. Raises ``TypeError`` for a value of
    another type (``float`` included) and ``ValueError`` for nesting deeper than ``MAX_DEPTH``
    or a non-finite ``Decimal``.
    """
    if value is None:
        return ""
    out: list[str] = []
    _write(value, out, tz, 0)
    return "".join(out)


def dumps_model(model: Any, *, tz: str | None = None) -> str:
    """A DTO (dataclass or pydantic model) as JSV, fields in declared order, nulls omitted."""
    if not dto.is_dto(model) or isinstance(model, type):
        raise TypeError(f"expected a DTO instance, got {type(model).__name__}")
    return dumps(model, tz=tz)


def _write(value: Any, out: list[str], tz: str | None, depth: int) -> None:
    # Enum first: StrEnum/IntEnum members are also str/int, but JSV writes the member name.
    if isinstance(value, Enum):
        out.append(quote(value.name))
    elif isinstance(value, str):
        out.append(quote(value))
    elif isinstance(value, bool):
        out.append("True" if value else "False")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        out.append(dotnet.format_decimal(value))
    elif isinstance(value, datetime):
        out.append(dotnet.format_jsv_datetime(value, tz=tz))
    elif isinstance(value, date):
        out.append(dotnet.format_date(value))
    elif isinstance(value, uuid.UUID):
        out.append(value.hex)
    elif isinstance(value, Mapping) or (dto.is_dto(value) and not isinstance(value, type)):
        _write_map(dto.wire_fields(value), out, tz, depth + 1)
    elif isinstance(value, (list, tuple)):
        _check_depth(depth + 1)
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            if item is not None:  # a null element leaves an empty slot
                _write(item, out, tz, depth + 1)
        out.append("]")
    else:
        hint = "; use Decimal for numbers with a fraction" if type(value).__name__ == "float" else ""
        raise TypeError(f"cannot write {type(value).__name__} as JSV{hint}")


def _write_map(items: list[tuple[Any, Any]], out: list[str], tz: str | None, depth: int) -> None:
    _check_depth(depth)
    out.append("{")
    first = True
    for key, item in items:
        if item is None:  # null properties and map entries are omitted
            continue
        if not first:
            out.append(",")
        first = False
        out.append(_key(key))
        out.append(":")
        _write(item, out, tz, depth)
    out.append("}")


def _key(key: Any) -> str:
    if isinstance(key, Enum):
        return quote(key.name)
    if isinstance(key, str):
        return quote(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    raise TypeError(f"cannot write a {type(key).__name__} map key as JSV")


def _check_depth(depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"nesting deeper than {MAX_DEPTH} levels")


# ---------------------------------------------------------------------------------------- parser

def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> JsvValue | None:
    """Parse JSV into a tree of ``dict``/``list``/``str`` (``None`` for an empty document).

    Accepts the compact wire form and the pretty-printed one (blanks and newlines around tokens
    are trimmed; never inside quotes). Keys are trimmed; a duplicate key keeps its last value.
    Bytes are decoded as UTF-8 (a BOM is skipped). Raises ``JsvError`` with the 0-based
    ``position`` for unbalanced brackets or quotes, misplaced characters, trailing text, invalid
    UTF-8 and nesting deeper than ``max_depth``.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JsvError(f"the body is not UTF-8 (byte {exc.start})", position=exc.start) from None
    return _Parser(text.removeprefix("\ufeff"), max_depth).document()


def loads_model(text: str | bytes, cls: type[T], *, tz: str | None = None,
                 max_depth: int = MAX_DEPTH) -> T:
    """Parse JSV into DTO class ``cls``, converting each string by the field's type.

    Property names match case-insensitively, unknown ones are ignored, missing ones keep their
    defaults; an empty document gives all defaults. ``tz`` is the zone for date/times written
    without one (see ``dto.from_wire``). Raises ``JsvError`` for malformed text or a value that does
    not fit its field (``path`` names it).
    """
    tree = loads(text, max_depth=max_depth)
    try:
        return dto.from_wire(cls, {} if tree is None else tree, tz=tz)
    except JsvError:
        raise
    except WireFormatError as exc:
        raise JsvError(exc.message, path=exc.path) from None


class _Parser:
    """Recursive descent over one string; ``pos`` only moves forward."""

    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.end = len(text)
        self.pos = 0
        self.max_depth = max_depth

    def error(self, message: str, position: int) -> JsvError:
        line = self.text.count("\n", 0, position) + 1
        column = position - (self.text.rfind("\n", 0, position) + 1)
        return JsvError(f"{message} at position {position} (line {line})",
                        position=position, line=line, column=column)

    def skip_blanks(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def document(self) -> JsvValue | None:
        self.skip_blanks()
        if self.pos == self.end:
            return None
        value = self.value(None, 0)
        self.skip_blanks()
        if self.pos != self.end:
            raise self.error(f"unexpected {self.text[self.pos]!r} after the value", self.pos)
        return value

    def value(self, closer: str | None, depth: int) -> JsvValue | None:
        """One value ending before ``,`` or ``closer`` (``None`` at the top level)."""
        self.skip_blanks()
        if self.pos == self.end:
            return None
        char = self.text[self.pos]
        if char == "{":
            return self.map(depth + 1)
        if char == "[":
            return self.list(depth + 1)
        if char == '"':
            return self.quoted()
        start = self.pos
        match = _SPECIAL.search(self.text, start)
        stop = match.start() if match else self.end
        if match and (closer is None or match.group() not in (",", closer)):
            char = match.group()
            if closer is None:
                reason = "after the value"
            elif char in "}]":
                reason = f"where ',' or {closer!r} was expected"
            else:
                reason = "in an unquoted value (quote the value)"
            raise self.error(f"unexpected {char!r} {reason}", stop)
        self.pos = stop
        return self.text[start:stop].rstrip(_BLANK) or None  # empty unquoted value = null

    def quoted(self) -> str:
        opening = self.pos
        parts: list[str] = []
        i = opening + 1
        while True:
            j = self.text.find('"', i)
            if j < 0:
                raise self.error("unterminated quoted string", opening)
            parts.append(self.text[i:j])
            if j + 1 < self.end and self.text[j + 1] == '"':  # "" is a literal quote
                parts.append('"')
                i = j + 2
                continue
            self.pos = j + 1
            return "".join(parts)

    def enter(self, depth: int) -> int:
        if depth > self.max_depth:
            raise self.error(f"nesting deeper than {self.max_depth} levels", self.pos)
        opening = self.pos
        self.pos += 1
        return opening

    def expect_more(self, opening: int, closer: str) -> str:
        self.skip_blanks()
        if self.pos == self.end:
            kind = "object" if closer == "}" else "list"
            raise self.error(f"{kind} opened at position {opening} is not closed with "
                             f"{closer!r}", self.pos)
        return self.text[self.pos]

    def map(self, depth: int) -> dict[str, JsvValue]:
        opening = self.enter(depth)
        result: dict[str, JsvValue] = {}
        while True:
            char = self.expect_more(opening, "}")
            if char == "}":
                self.pos += 1
                return result
            if char == ",":  # an empty entry
                self.pos += 1
                continue
            key = self.key()
            value = self.value("}", depth)
            if value is not None:
                result[key] = value
            char = self.expect_more(opening, "}")
            if char not in ",}":
                raise self.error(f"expected ',' or '}}' after the value of {key[:40]!r}, "
                                 f"found {char!r}", self.pos)
            if char == ",":
                self.pos += 1

    def key(self) -> str:
        if self.text[self.pos] == '"':
            key = self.quoted()
            self.skip_blanks()
            if self.pos == self.end or self.text[self.pos] != ":":
                raise self.error("expected ':' after a quoted key", self.pos)
            self.pos += 1
            return key
        start = self.pos
        match = _KEY_END.search(self.text, start)
        if match is None:
            raise self.error("expected ':' after a key", self.end)
        if match.group() != ":":
            raise self.error(f"expected ':' after a key, found {match.group()!r}", match.start())
        key = self.text[start:match.start()].rstrip(_BLANK)
        self.pos = match.end()
        return key

    def list(self, depth: int) -> list[JsvValue | None]:
        opening = self.enter(depth)
        result: list[JsvValue | None] = []
        if self.expect_more(opening, "]") == "]":
            self.pos += 1
            return result
        while True:
            result.append(self.value("]", depth))
            char = self.expect_more(opening, "]")
            if char == "]":
                self.pos += 1
                return result
            if char != ",":
                raise self.error(f"expected ',' or ']' in a list, found {char!r}", self.pos)
            self.pos += 1


# --------------------------------------------------------------------------------- typed helpers

def _typed(parse: Any, text: str, what: str) -> Any:
    try:
        return parse(text)
    except (ValueError, TypeError) as exc:
        raise JsvError(str(exc) if str(exc) else f"not {what}") from None


def to_bool(text: str) -> bool:
    """``True``/``False`` in any case (also ``1``/``0``). Raises ``JsvError``."""
    return _typed(dotnet.parse_bool, text, "a boolean")


def to_int(text: str) -> int:
    """An invariant-culture integer. Raises ``JsvError``."""
    return _typed(dotnet.parse_int, text, "an integer")


def to_decimal(text: str) -> Decimal:
    """An exact decimal, never via float. Raises ``JsvError``."""
    return _typed(dotnet.parse_decimal, text, "a decimal")


def to_datetime(text: str) -> datetime:
    """A date/time in any form ``dotnet.parse_datetime`` reads (naive when written without a zone).
    Raises ``JsvError``."""
    return _typed(dotnet.parse_datetime, text, "a date/time")


def to_date(text: str) -> date:
    """A calendar date (``yyyy-MM-dd`` or ``MM/dd/yyyy``). Raises ``JsvError``."""
    return _typed(dotnet.parse_date, text, "a date")


def to_uuid(text: str) -> uuid.UUID:
    """A GUID: 32 hex digits as JSV writes it, or any .NET form. Raises ``JsvError``."""
    return _typed(lambda t: uuid.UUID(t.strip()), text, "a GUID")
