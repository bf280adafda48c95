"""One JSON encoder for API bodies and JSON columns: orjson, UTC instants with ``Z``."""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=_OPTIONS, default=_default)


def dumps_text(content: Any) -> str:
    return dumps(content).decode()


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def _default(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if dump is not None:  # pydantic models
        return dump(mode="json")
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
