"""Rhythm's JSON on the wire: parsing request bodies, encoding responses, and the batch fields.

Design:
- Bodies are parsed with ``json.loads(parse_float=Decimal)``: a number with a fraction or an
  exponent becomes an exact ``Decimal``, never a ``float``; ``NaN``/``Infinity`` are refused. Every
  string (keys too) is checked for NUL and lone surrogates, which PostgreSQL cannot store, and
  nesting is capped, so no body can reach the database as something it rejects (a 500).
- Responses are encoded by orjson; a ``Decimal`` is written as an exact JSON number through
  ``formats.dotnet.json_decimal`` (``12.5``, ``0.0``), so amounts never pass through ``float``.
- The batch document is ``batches.views.batch_document`` with amounts as ``Decimal``; ``fields``
  projections keep the requested top-level names in the document's order, ignoring unknown ones.
- ``batch_fields`` turns a Rhythm batch (a create or PUT body, or a patched document) into the
  core's writable fields: the seed's formats are checked here (required fields, ``fiscal_period``
  1..12, 3-letter ``currency_code``, ids ``[\\w|-]+``, dates ``YYYY-MM-DD``, instants ISO 8601 UTC
  with ``Z``); the core's rules (ISO currencies, references, the lifecycle) are the core's.
  Server-owned fields and unknown names are ignored. On a full replacement an omitted optional
  field is cleared, except ``currency_code``, ``currency_symbol`` and ``type``, whose absence keeps
  the server's value (they default from the business unit, the currency and ``transaction``).
- Free-form numbers (``custom_field_values``) are stored as their exact text; the store reads them
  back as binary doubles, so at most 15 significant digits are accepted, which doubles hold
  exactly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import orjson

from finbatch.batches.lifecycle import STATUSES
from finbatch.batches.models import ARBatch
from finbatch.batches.stats import BatchStats
from finbatch.batches.views import batch_document, decimal_amount
from finbatch.formats.dotnet import format_decimal_json, json_decimal
from finbatch.kit.errors import BadRequest, ErrorList, ValidationFailed

MAX_DEPTH = 32
INT64 = (-(2**63), 2**63 - 1)
ID_PATTERN = re.compile(r"[\w|-]+", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z")


# --- encoding ------------------------------------------------------------------------------------

def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_decimal(value)
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return dump(mode="json")
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC, default=_default)


def same(a: Any, b: Any) -> bool:
    """Whether two values read the same on the wire (object keys in any order: PostgreSQL's
    ``jsonb`` does not keep the order they were written in)."""
    option = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_SORT_KEYS
    return orjson.dumps(a, option=option, default=_default) == \
        orjson.dumps(b, option=option, default=_default)


def document(batch: ARBatch, stats: BatchStats) -> dict[str, Any]:
    """Every Rhythm batch field in the seed's order, amounts as exact ``Decimal``."""
    return batch_document(batch, stats, decimal_amount)


def project(doc: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """The ``fields``/``fieldsToReturn`` projection: comma-separated top-level names; unknown
    names are ignored; absent or blank means the whole document."""
    if fields is None or not fields.strip():
        return doc
    wanted = {name.strip() for name in fields.split(",")}
    return {key: value for key, value in doc.items() if key in wanted}


# --- parsing -------------------------------------------------------------------------------------

def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes) -> Any:
    """The body as plain JSON values (``Decimal`` for non-integers); ``BadRequest`` when it is
    empty, not UTF-8 JSON, nested deeper than ``MAX_DEPTH`` or holds unstorable strings."""
    if not raw.strip():
        raise BadRequest("a JSON request body is required", code="BODY_REQUIRED")
    try:
        value = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal,
                           parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) else "it is nested too deeply"
        raise BadRequest(f"the body is not valid JSON: {reason[:200]}",
                         code="MALFORMED_JSON") from None
    _check_tree(value, 0)
    return value


def _check_tree(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise BadRequest(f"the body is nested deeper than {MAX_DEPTH} levels", code="TOO_DEEP")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_tree(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("the body holds a lone UTF-16 surrogate", code="INVALID_CHARACTERS") from None
    if "\x00" in text:
        raise BadRequest("the body holds a NUL character", code="INVALID_CHARACTERS")


def require_object(value: Any, what: str = "the body") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be a JSON object", code="NOT_AN_OBJECT")
    return value


def is_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 64 and ID_PATTERN.fullmatch(value) is not None


def integer(value: Any) -> int | None:
    """A JSON integer (``3``, or an integral decimal such as ``3.0``) within 64 bits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, int) and INT64[0] <= value <= INT64[1]:
        return value
    return None


def parse_date(value: Any) -> date | None:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def parse_instant(value: Any) -> datetime | None:
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        try:
            return datetime.fromisoformat(value[:-1] + "+00:00")
        except ValueError:
            return None
    return None


# --- batch fields --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Field:
    kind: Literal["text", "date", "period", "instant", "ids", "custom"]
    #: required on every write; or defaulted by the server when omitted
    presence: Literal["required", "defaulted", "optional"] = "optional"
    max_length: int = 0
    exact_length: int = 0


#: The client-writable Rhythm fields (all named as in the core), and how each is written.
WRITABLE: dict[str, _Field] = {
    "automatically_close_at": _Field("instant"),
    "business_unit_id": _Field("text", "required", max_length=64),
    "currency_code": _Field("text", "defaulted", exact_length=3),
    "currency_symbol": _Field("text", "defaulted", max_length=8),
    "custom_field_values": _Field("custom"),
    "date": _Field("date", "required"),
    "dependents": _Field("ids"),
    "description": _Field("text", max_length=4000),
    "fiscal_period": _Field("period", "required"),
    "fiscal_year_id": _Field("text", "required", max_length=32),
    "name": _Field("text", "required", max_length=200),
    "recurring_batch_id": _Field("text", max_length=64),
    "type": _Field("text", "defaulted", max_length=32),
}
MAX_DEPENDENTS = 1000
MAX_CUSTOM_FIELDS = 200

Mode = Literal["create", "replace"]


def batch_fields(body: dict[str, Any], *, mode: Mode) -> tuple[dict[str, Any], str | None]:
    """The core's writable fields of a Rhythm batch and the status it asks for (``None`` on
    create: a new batch is open). Raises ``ValidationFailed`` naming every bad field."""
    errors = ErrorList()
    if mode == "create" and body.get("id") is not None:
        errors.add("id", "must not be given: batch ids are generated by the server", "server_owned")
    out: dict[str, Any] = {}
    for name, spec in WRITABLE.items():
        value = body.get(name)
        if value is None:
            if spec.presence == "required":
                errors.add(name, "is required", "required")
            elif mode == "replace" and spec.presence == "optional":
                out[name] = [] if spec.kind in ("ids", "custom") else None
            continue
        parsed = _parse_field(errors, name, spec, value)
        if parsed is not None:
            out[name] = parsed
    status = None
    if mode != "create" and body.get("status") is not None:
        status = body["status"]
        if status not in STATUSES:
            errors.add("status", f"must be one of {', '.join(STATUSES)}", "invalid")
    if errors.errors:
        raise ValidationFailed(_summary(errors), errors=errors.errors)
    return out, status


def _summary(errors: ErrorList) -> str:
    if len(errors.errors) == 1:
        return f"{errors.errors[0].field}: {errors.errors[0].message}"
    return f"{len(errors.errors)} fields are invalid: " + ", ".join(e.field for e in errors.errors)


def _parse_field(errors: ErrorList, name: str, spec: _Field, value: Any) -> Any:
    if spec.kind == "text":
        if not isinstance(value, str):
            errors.add(name, "must be a string", "invalid_type")
        elif spec.exact_length and len(value) != spec.exact_length:
            errors.add(name, f"must be exactly {spec.exact_length} characters", "invalid_length")
        elif spec.max_length and len(value) > spec.max_length:
            errors.add(name, f"must be at most {spec.max_length} characters", "too_long")
        else:
            return value
    elif spec.kind == "date":
        parsed = parse_date(value)
        if parsed is None:
            errors.add(name, "must be a date written YYYY-MM-DD", "invalid_date")
        return parsed
    elif spec.kind == "instant":
        parsed = parse_instant(value)
        if parsed is None:
            errors.add(name, "must be an ISO 8601 UTC date-time ending in Z, e.g. "
                             "2019-08-24T14:15:22Z", "invalid_datetime")
        return parsed
    elif spec.kind == "period":
        period = integer(value)
        if period is None or not 1 <= period <= 12:
            errors.add(name, "must be an integer from 1 to 12", "out_of_range")
            return None
        return period
    elif spec.kind == "ids":
        if (not isinstance(value, list) or len(value) > MAX_DEPENDENTS
                or not all(is_id(item) for item in value)):
            errors.add(name, f"must be a list of at most {MAX_DEPENDENTS} batch ids matching "
                             "[\\w|-]+", "invalid")
            return None
        return list(dict.fromkeys(value))
    elif spec.kind == "custom":
        return custom_field_values(errors, name, value)
    return None


#: The properties of a custom field value (seed), and the JSON type of each.
CUSTOM_FIELD_KEYS = {"boolean_value": "boolean", "custom_field_id": "string",
                     "file_url_value": "string", "list_value": "strings",
                     "numeric_value": "number", "string_value": "string",
                     "table_value": "objects"}


def custom_field_values(errors: ErrorList, name: str, value: Any) -> list[dict[str, Any]] | None:
    """The seed's custom field values; other properties are dropped, numbers stored exactly."""
    if not isinstance(value, list) or len(value) > MAX_CUSTOM_FIELDS:
        errors.add(name, f"must be a list of at most {MAX_CUSTOM_FIELDS} objects", "invalid")
        return None
    out = []
    for index, item in enumerate(value):
        where = f"{name}.{index}"
        if not isinstance(item, dict):
            errors.add(where, "must be an object", "invalid_type")
            continue
        kept: dict[str, Any] = {}
        for key, kind in CUSTOM_FIELD_KEYS.items():
            if key not in item:
                continue
            member = item[key]
            if member is not None and not _has_type(member, kind):
                errors.add(f"{where}.{key}", f"must be {_TYPE_NAMES[kind]}", "invalid_type")
                continue
            problem = _unstorable_number(member)
            if problem:
                errors.add(f"{where}.{key}", problem, "invalid_number")
                continue
            kept[key] = stored(member)
        out.append(kept)
    return out


_TYPE_NAMES = {"boolean": "true or false", "string": "a string", "number": "a number",
               "strings": "a list of strings", "objects": "a list of objects"}


def _has_type(value: Any, kind: str) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "number":
        return isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _unstorable_number(value: Any) -> str | None:
    """Why a number inside a free-form value cannot be stored exactly, or None."""
    if isinstance(value, dict):
        return next(filter(None, map(_unstorable_number, value.values())), None)
    if isinstance(value, list):
        return next(filter(None, map(_unstorable_number, value)), None)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
        return "integers must fit in 64 bits"
    if isinstance(value, Decimal):
        digits = value.normalize().as_tuple()
        if len(digits.digits) > 15 or not -300 <= value.adjusted() <= 300:
            return "numbers keep at most 15 significant digits (magnitude 1e-300 to 1e300)"
    return None


def stored(value: Any) -> Any:
    """A free-form value as the store keeps it: each ``Decimal`` as its exact JSON text."""
    if isinstance(value, Decimal):
        return orjson.Fragment(format_decimal_json(value))
    if isinstance(value, dict):
        return {key: stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stored(item) for item in value]
    return value
