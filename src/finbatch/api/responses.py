"""Fast JSON responses.

Endpoints return ``Response`` objects built here instead of letting FastAPI re-validate and
re-encode their return value: amounts are already exact decimal strings, and orjson encodes
several times faster than the generic encoder (which would also turn a ``Decimal`` into a float).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from finbatch.kit.jsonutil import dumps

__all__ = ["FastJSONResponse", "dumps", "json_response"]


class FastJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, BaseModel):
            return content.model_dump_json().encode()
        return dumps(content)


def json_response(content: Any, status_code: int = 200, headers: dict[str, str] | None = None,
                  media_type: str | None = None) -> Response:
    return FastJSONResponse(content, status_code=status_code, headers=headers, media_type=media_type)
