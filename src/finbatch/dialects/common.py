"""Small pieces the .NET-style dialects (Saasu, Agvance) share: content negotiation, query
parameters matched case-insensitively, absolute links, exact JSON numbers and OpenAPI helpers.

Design overview
---------------
ASP.NET Web API services pick JSON or XML from ``Accept`` (JSON when nothing acceptable is
named, never 406) and bind query parameters whatever their case; ``wants_xml`` and ``Query``
reproduce both. Amounts leave as JSON *numbers* in these dialects, so ``json_bytes`` writes
``Decimal`` through ``formats.dotnet.json_decimal`` (``100.0``) and ``NumberText`` verbatim
(``100.00``), never through ``float``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from pydantic import BaseModel, TypeAdapter, WithJsonSchema
from starlette.requests import Request

from finbatch.formats import dotnet

JSON_TYPES = ("application/json", "text/json")
XML_TYPES = ("application/xml", "text/xml")

#: A ``Decimal`` documented as a JSON number (pydantic would document a string).
DecimalNumber = Annotated[Decimal, WithJsonSchema({"type": "number"})]


_ZERO, _ONE = Decimal(0), Decimal(1)


class NumberText(str):
    """A decimal already formatted (``"100.00"``): a JSON number in ``json_bytes``, text in XML."""

    __slots__ = ()


def _default(value: Any) -> Any:
    if isinstance(value, NumberText):
        return orjson.Fragment(str(value))
    if isinstance(value, Decimal):
        return dotnet.json_decimal(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def json_bytes(value: Any) -> bytes:
    """JSON with exact numbers: ``Decimal`` as Json.NET writes it, ``NumberText`` as given."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_PASSTHROUGH_SUBCLASS)


def _media_ranges(accept: str) -> Iterable[tuple[str, Decimal]]:
    for part in accept.split(",")[:32]:
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        quality = _ONE
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(_ZERO, min(_ONE, dotnet.parse_decimal(value)))
                except ValueError:
                    quality = _ZERO
        yield media, quality


def wants_xml(request: Request) -> bool:
    """Whether ``Accept`` prefers XML (``application/xml``/``text/xml``) over JSON; ties and
    anything else (absent, ``*/*``, unknown types) mean JSON, the vendors' default."""
    best_json = best_xml = _ZERO
    for media, quality in _media_ranges(request.headers.get("accept", "")):
        if media in XML_TYPES:
            best_xml = max(best_xml, quality)
        elif media in JSON_TYPES or media in ("*/*", "application/*", "text/*"):
            best_json = max(best_json, quality)
    return best_xml > best_json


class Query:
    """Query parameters by name, case-insensitively (the first occurrence wins)."""

    def __init__(self, request: Request) -> None:
        self.items = list(request.query_params.multi_items())
        self._by_name: dict[str, str] = {}
        for name, value in self.items:
            self._by_name.setdefault(name.lower(), value)

    def get(self, name: str) -> str | None:
        """The value, stripped; ``None`` when absent or empty."""
        value = self._by_name.get(name.lower())
        if value is None:
            return None
        value = value.strip()
        return value or None

    def has(self, name: str) -> bool:
        return name.lower() in self._by_name

    def encode(self, *, without: Iterable[str] = (), extra: Iterable[tuple[str, str]] = ()) -> str:
        """The query string again, in the order received, minus the ``without`` names (any
        case), plus ``extra``."""
        dropped = {n.lower() for n in without}
        kept = [(k, v) for k, v in self.items if k.lower() not in dropped]
        return urlencode([*kept, *extra])


def base_url(request: Request) -> str:
    """The absolute base of links: ``settings.public_url`` when set, else the request's own."""
    configured = getattr(request.app.state.settings, "public_url", None)
    return (configured or str(request.base_url)).rstrip("/")


def inline_schema(model: type[BaseModel] | type) -> dict[str, Any]:
    """``model``'s JSON schema (a pydantic model or a dataclass) with its ``$defs`` inlined, for
    an ``openapi_extra`` request body (a local ``#/$defs`` reference would not resolve inside the
    OpenAPI document)."""
    schema = model.model_json_schema() if hasattr(model, "model_json_schema") \
        else TypeAdapter(model).json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(copy.deepcopy(defs[ref.rsplit("/", 1)[1]]))
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)
