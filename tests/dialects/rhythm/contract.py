"""A small JSON Schema checker for the parts of OpenAPI 3.1 our documents use, so the tests can
hold every golden response against the schema ``/openapi.json`` documents for it (what a
schemathesis run checks) without another dependency."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, Decimal) and value == value.to_integral_value())
    if kind == "number":
        return isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    raise AssertionError(f"unknown type {kind}")


def _format_ok(value: Any, fmt: str) -> bool:
    if not isinstance(value, str):
        return True
    try:
        if fmt == "date":
            return bool(_DATE.match(value)) and date.fromisoformat(value) is not None
        if fmt == "date-time":
            return "T" in value and datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo
    except ValueError:
        return False
    return True


def errors(value: Any, schema: dict, document: dict, where: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema`` (refs resolved in ``document``)."""
    if "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return errors(value, {**target, **{k: v for k, v in schema.items() if k != "$ref"}},
                      document, where)
    out: list[str] = []
    if "anyOf" in schema and not any(not errors(value, s, document, where)
                                     for s in schema["anyOf"]):
        out.append(f"{where}: matches none of anyOf")
    if "oneOf" in schema and sum(not errors(value, s, document, where)
                                 for s in schema["oneOf"]) != 1:
        out.append(f"{where}: does not match exactly one of oneOf")
    for sub in schema.get("allOf", []):
        out += errors(value, sub, document, where)
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_type_ok(value, k) for k in kinds):
            return out + [f"{where}: {value!r:.60} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} not in enum")
    if "const" in schema and value != schema["const"]:
        out.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "format" in schema and not _format_ok(value, schema["format"]):
        out.append(f"{where}: {value!r} is not a {schema['format']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if len(value) > schema.get("maxLength", len(value)):
            out.append(f"{where}: longer than {schema['maxLength']}")
    if isinstance(value, list):
        for index, item in enumerate(value):
            out += errors(item, schema.get("items", {}), document, f"{where}[{index}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{where}: missing {name}")
        for name, item in value.items():
            if name in properties:
                out += errors(item, properties[name], document, f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                out.append(f"{where}: unexpected {name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                out += errors(item, schema["additionalProperties"], document, f"{where}.{name}")
    return out


def operation_for(document: dict, method: str, path: str) -> tuple[str, dict] | None:
    """The documented operation (and its path template) that ``method path`` calls: the most
    literal template that matches, as the router prefers ``/dependents`` to ``/{id}``."""
    matches = []
    for template, operations in document["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            matches.append((template.count("{"), template, operations[method.lower()]))
    if not matches:
        return None
    _, template, operation = min(matches, key=lambda m: m[0])
    return template, operation


def response_schema(operation: dict, status: int) -> dict | None:
    """The documented schema of ``status`` (or its ``4XX`` range); None when undocumented."""
    responses = operation["responses"]
    entry = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    if entry is None:
        return None
    return entry.get("content", {}).get("application/json", {}).get("schema", {})
