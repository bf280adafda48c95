"""Helpers for the Rhythm dialect's tests (the golden runner lives in ``golden.py``)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.support.books import Books

CORS = ("access-control-allow-headers", "access-control-allow-methods",
        "access-control-allow-origin")


def exact(response) -> Any:
    """A response body with its numbers as exact ``Decimal``s (never float)."""
    return json.loads(response.content, parse_float=Decimal)


def encode(body: Any) -> bytes:
    """JSON with ``Decimal``s written as exact numbers and integers of any size (httpx's
    encoder refuses ``Decimal``; orjson stops at 64 bits)."""
    return _text(body).encode()


def _text(value: Any) -> str:
    if value is None or isinstance(value, (bool, str)):
        return json.dumps(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_text(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__}")


def send(client, method: str, url: str, headers: dict[str, str], body: Any):
    return client.request(method, url, content=encode(body),
                          headers={**headers, "Content-Type": "application/json"})


def open_books(client, tenant) -> Books:
    """Business unit MAIN (USD) and fiscal year FY2026 in ``tenant``."""
    books = Books.open(client, tenant)
    books.post("/v1/fiscal-years", {"year": 2026})
    return books


def batch_body(name: str = "Batch", **extra) -> dict[str, Any]:
    return {"name": name, "business_unit_id": "MAIN", "date": "2026-02-01",
            "fiscal_year_id": "FY2026", "fiscal_period": 2, **extra}


def bulk(client, tenant, operations: list[dict[str, Any]], role: str = "admin") -> dict[str, Any]:
    response = client.post(f"/batches/{tenant.slug}/batch", headers=tenant.headers(role),
                           json={"operations": operations})
    assert response.status_code == 200, response.text
    return response.json()


def create_many(client, tenant, count: int, prefix: str = "B") -> list[str]:
    """``count`` batches through the bulk route, 100 per request; their ids in creation order."""
    ids: list[str] = []
    for start in range(0, count, 100):
        ops = [{"operation": "create", "object": batch_body(f"{prefix}{n:05d}")}
               for n in range(start, min(count, start + 100))]
        result = bulk(client, tenant, ops)
        assert result["error_count"] == 0, result
        ids += [r["id"] for r in result["results"]]
    return ids
