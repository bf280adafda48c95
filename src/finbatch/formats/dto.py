"""DTOs on the wire: the fields a writer walks, and the typed values a reader builds from text.

Design overview
---------------
JSV and XML are untyped on the wire: a reader gets a tree of ``dict``/``list``/``str`` and only
the target type says that ``"True"`` is a ``bool`` or ``"0001-01-01"`` a ``datetime``. This module
is that typed layer, shared by both formats (and by form-encoded bodies later):

- ``wire_fields(obj)`` lists a DTO's (wire name, value) pairs in declared order, for writers.
- ``from_wire(cls, tree, tz=…)`` coerces a parsed tree into ``cls`` by its field annotations.

A DTO is a dataclass or a pydantic model. Its wire name is the field name, or a dataclass field's
``metadata["wire"]``, or a pydantic field's alias. Its type name (XML list items are named after
it) is the class name, or the class attribute ``__wire_name__`` (``clsAPIInvoice``).

Reading follows ServiceStack and the .NET serializers: property names match case-insensitively,
unknown properties are ignored, a missing property keeps the field's default. Supported field
types: ``str``, ``int``, ``bool``, ``Decimal``, ``datetime``, ``date``, ``UUID``, ``Enum``
subclasses (by member name, case-insensitively, or by value), ``Literal``, ``X | None``, other
unions (first member that converts), ``list[X]``, ``dict[K, V]``, nested DTOs and ``Any``.
Values that are already of the field's type pass through (a JSON reader may hand over ints).
"""

from __future__ import annotations

import dataclasses
import types
import typing
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Literal, NamedTuple, TypeVar, Union, get_args, get_origin

from finbatch.formats import dotnet
from finbatch.formats.errors import WireFormatError
from finbatch.kit.clock import zone

T = TypeVar("T")
_MISSING = object()


class _Field(NamedTuple):
    name: str  # Python attribute
    wire: str  # name on the wire, also the key passed to the constructor (pydantic alias)
    annotation: Any
    required: bool


def is_dto(obj: Any) -> bool:
    """Whether ``obj`` is a DTO instance or class (dataclass or pydantic model)."""
    cls = obj if isinstance(obj, type) else type(obj)  # pydantic warns on instance.model_fields
    return dataclasses.is_dataclass(cls) or hasattr(cls, "model_fields")


def type_name(obj: Any) -> str:
    """The .NET type name of a DTO instance or class: ``__wire_name__`` or the class name."""
    cls = obj if isinstance(obj, type) else type(obj)
    return getattr(cls, "__wire_name__", cls.__name__)


@lru_cache(maxsize=1024)
def _fields(cls: type) -> tuple[_Field, ...]:
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        return tuple(
            _Field(f.name, f.metadata.get("wire", f.name), hints[f.name],
                   f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
            for f in dataclasses.fields(cls) if f.init)
    model_fields = getattr(cls, "model_fields", None)
    if model_fields is None:
        raise TypeError(f"{cls.__name__} is not a dataclass or pydantic model")
    result = []
    for name, info in model_fields.items():
        wire = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
        result.append(_Field(name, wire or name, info.annotation, info.is_required()))
    return tuple(result)


def field_types(cls: type) -> list[tuple[str, Any]]:
    """(wire name, annotation) of each field of DTO class ``cls``, in declared order."""
    return [(f.wire, f.annotation) for f in _fields(cls)]


def wire_fields(obj: Any) -> list[tuple[str, Any]]:
    """(wire name, value) pairs of a DTO instance in declared order, or of a mapping in its order.

    Pydantic fields are written under their serialization alias when one is set."""
    if isinstance(obj, Mapping):
        return list(obj.items())
    cls = type(obj)
    if dataclasses.is_dataclass(cls):
        return [(f.wire, getattr(obj, f.name)) for f in _fields(cls)]
    model_fields = getattr(cls, "model_fields", None)
    if model_fields is None:
        raise TypeError(f"{cls.__name__} is not a mapping, dataclass or pydantic model")
    return [(info.serialization_alias or info.alias or name, getattr(obj, name))
            for name, info in model_fields.items()]


def _fail(path: str, reason: str) -> WireFormatError:
    return WireFormatError(f"{path or 'body'}: {reason}", path=path or None)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def from_wire(cls: type[T], tree: Any, *, tz: str | None = None, path: str = "") -> T:
    """Build ``cls`` from a parsed tree (``dict`` of wire names → ``str``/``list``/``dict``).

    ``tz``: the IANA zone in which wire date/times without a zone are read, and into which zoned
    ones are converted; ``None`` keeps them as parsed (naive stays naive). Raises
    ``WireFormatError`` naming the field (``path``) when a value does not convert or a required
    property is missing; ``TypeError`` for a field type this layer does not support (a bug).
    """
    if not isinstance(tree, Mapping):
        raise _fail(path, f"expected an object for {cls.__name__}")
    by_lower = {str(key).lower(): value for key, value in tree.items()}
    kwargs: dict[str, Any] = {}
    pydantic = hasattr(cls, "model_fields")
    for fld in _fields(cls):
        raw = by_lower.get(fld.wire.lower(), _MISSING)
        where = _join(path, fld.wire)
        key = fld.wire if pydantic else fld.name
        if raw is _MISSING or raw is None:
            # an absent or null property keeps the default; a required one must be nullable
            if _accepts_none(fld.annotation) and (raw is None or fld.required):
                kwargs[key] = None
            elif fld.required:
                raise _fail(where, "is required")
            continue
        kwargs[key] = coerce(raw, fld.annotation, tz=tz, path=where)
    if not pydantic:
        return cls(**kwargs)
    try:
        return cls.model_validate(kwargs)  # type: ignore[attr-defined]
    except ValueError as exc:  # pydantic's ValidationError: the model's own validators refused
        raise _fail(path, f"{cls.__name__} is not valid: {exc}") from None


def _accepts_none(annotation: Any) -> bool:
    return annotation is Any or (get_origin(annotation) in (Union, types.UnionType)
                                 and type(None) in get_args(annotation))


def coerce(value: Any, annotation: Any, *, tz: str | None = None, path: str = "") -> Any:
    """Convert one parsed wire value to ``annotation``; see the module docstring for the types.

    Raises ``WireFormatError`` (with ``path``) when the value does not fit."""
    if annotation is Any or annotation is object:
        return value
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return _coerce_union(value, get_args(annotation), tz=tz, path=path)
    if value is None:
        raise _fail(path, "must not be null")
    if origin is Literal:
        for choice in get_args(annotation):
            if value == choice or (isinstance(value, str) and value == str(choice)):
                return choice
        raise _fail(path, f"'{value}' is not one of {', '.join(map(str, get_args(annotation)))}")
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple):
        if not isinstance(value, list):
            raise _fail(path, "expected a list")
        args = get_args(annotation)
        item = args[0] if args else Any
        items = [coerce(v, item, tz=tz, path=f"{path}[{i}]") for i, v in enumerate(value)]
        container = origin or annotation
        return items if container is list else container(items)
    if origin is dict or annotation is dict:
        if not isinstance(value, Mapping):
            raise _fail(path, "expected a map")
        key_type, value_type = get_args(annotation) or (Any, Any)
        return {coerce(k, key_type, tz=tz, path=f"{path}.<key>"):
                coerce(v, value_type, tz=tz, path=_join(path, str(k)))
                for k, v in value.items()}
    if isinstance(annotation, type) and is_dto(annotation):
        if isinstance(value, annotation):
            return value
        return from_wire(annotation, value, tz=tz, path=path)
    return _scalar(value, annotation, tz=tz, path=path)


def _coerce_union(value: Any, args: tuple[Any, ...], *, tz: str | None, path: str) -> Any:
    members = [a for a in args if a is not type(None)]
    if value is None:
        if len(members) < len(args):
            return None
        raise _fail(path, "must not be null")
    if len(members) == 1:
        return coerce(value, members[0], tz=tz, path=path)
    reasons = []
    for member in members:
        try:
            return coerce(value, member, tz=tz, path=path)
        except WireFormatError as exc:
            reasons.append(str(exc))
    raise _fail(path, "fits none of the allowed types (" + "; ".join(reasons) + ")")


def _scalar(value: Any, annotation: Any, *, tz: str | None, path: str) -> Any:
    if not isinstance(annotation, type):
        raise TypeError(f"unsupported field type {annotation!r} at {path or 'body'}")
    if type(value) is annotation or (isinstance(value, annotation) and annotation not in (int, date)):
        return _in_zone(value, tz) if isinstance(value, datetime) else value
    if annotation is Decimal and type(value) is int:  # a JSON reader's integral amount
        return Decimal(value)
    if not isinstance(value, str):
        raise _fail(path, f"expected a {annotation.__name__} value, got {_kind(value)}")
    try:
        if annotation is str:
            return value
        if annotation is bool:
            return dotnet.parse_bool(value)
        if annotation is int:
            return dotnet.parse_int(value)
        if annotation is Decimal:
            return dotnet.parse_decimal(value)
        if annotation is datetime:
            return _in_zone(dotnet.parse_datetime(value), tz)
        if annotation is date:
            return _to_date(value)
        if annotation is uuid.UUID:
            return _to_uuid(value)
        if issubclass(annotation, Enum):
            return _to_enum(value, annotation)
    except ValueError as exc:
        raise _fail(path, str(exc)) from None
    raise TypeError(f"unsupported field type {annotation.__name__} at {path or 'body'}")


def _kind(value: Any) -> str:
    return "a map" if isinstance(value, Mapping) else "a list" if isinstance(value, list) \
        else type(value).__name__


def _in_zone(value: datetime, tz: str | None) -> datetime:
    if tz is None:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=zone(tz))
    return value.astimezone(zone(tz))


def _to_date(text: str) -> date:
    """``yyyy-MM-dd``/``M/d/yyyy``, or a date/time at exactly midnight (what a .NET client sends
    for a ``DateTime`` holding a date); any other time of day is refused, not truncated."""
    try:
        return dotnet.parse_date(text)
    except ValueError:
        parsed = dotnet.parse_datetime(text)
        if parsed.time() != datetime.min.time():
            raise ValueError(f"'{text.strip()}' is not a date: it has a time of day") from None
        return parsed.date()


def _to_uuid(text: str) -> uuid.UUID:
    try:  # 32 hex digits (JSV), dashed (XML, JSON), braced or urn: all .NET Guid forms
        return uuid.UUID(text.strip())
    except ValueError:
        raise ValueError(f"'{text[:40]}' is not a GUID") from None


def _to_enum(text: str, enum: type[Enum]) -> Enum:
    wanted = text.strip()
    lowered = wanted.lower()
    for member in enum:
        if member.name.lower() == lowered:
            return member
    for member in enum:
        if str(member.value) == wanted:
            return member
    raise ValueError(f"'{wanted[:40]}' is not one of {', '.join(m.name for m in enum)}")
