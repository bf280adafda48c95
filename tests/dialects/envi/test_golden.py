"""Golden request/response transcripts of the Envi dialect (``golden/*.json``).

Each file lists requests and the exact responses expected (status, the headers named there, and
the body). The clock is frozen, so timestamps are fixed; ids and tokens are random, so every UUID
is replaced by ``<uuid:N>`` (numbered by first appearance in the transcript) and tokens by
``<access_token>``/``<refresh_token>``. ``{{name}}`` in a request is a value captured from an
earlier response (``"capture": {"name": "body/value/0/apBatchId"}`` or ``"header/location"``).
Both engines must produce the same transcript.

After an intended change, regenerate with ``FINBATCH_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from finbatch.kit.clock import clock
from tests.dialects.envi.conftest import make_user
from tests.support.payables import build_world

GOLDEN = Path(__file__).with_name("golden")
FROZEN = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
UPDATE = os.environ.get("FINBATCH_UPDATE_GOLDEN") == "1"
#: Response headers recorded when present (others vary or say nothing of the contract).
HEADERS = ("content-type", "location", "odata-entityid", "preference-applied", "odata-version",
           "api-supported-versions", "www-authenticate", "cache-control")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TOKEN = re.compile(r"\b(fbt|fbr)_[A-Za-z0-9_-]{20,}")


class Normaliser:
    def __init__(self) -> None:
        self.uuids: dict[str, str] = {}

    def text(self, value: str) -> str:
        value = UUID.sub(lambda m: self.uuids.setdefault(m.group(), f"<uuid:{len(self.uuids) + 1}>"),
                         value)
        return TOKEN.sub(lambda m: "<access_token>" if m.group(1) == "fbt" else "<refresh_token>",
                         value)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        return value


def substitute(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{\{(\w+)\}\}", lambda m: variables[m.group(1)], value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


def captured(response, path: str) -> str:
    where, _, rest = path.partition("/")
    if where == "header":
        return response.headers[rest]
    value: Any = response.json()
    for part in rest.split("/"):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def send(client, request: dict):
    kwargs: dict[str, Any] = {"headers": request.get("headers", {})}
    if "json" in request:
        kwargs["json"] = request["json"]
    if "form" in request:
        kwargs["data"] = request["form"]
    if "body" in request:
        kwargs["content"] = request["body"].encode()
    return client.request(request["method"], request["path"], **kwargs)


def recorded(response, normalise: Normaliser) -> dict:
    headers = {name: normalise(response.headers[name]) for name in HEADERS
               if name in response.headers}
    out: dict[str, Any] = {"status": response.status_code, "headers": headers}
    if response.content:
        if response.headers.get("content-type", "").startswith("application/json"):
            out["body"] = normalise(response.json())
        else:
            out["body"] = normalise(response.text)
    return out


def prepare(client, database, tenant, setup: dict) -> None:
    world = build_world(client, tenant)
    for role in setup.get("users", []):
        make_user(database, tenant, role)
    for invoice in setup.get("invoices", []):
        world.invoice(**invoice)


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.json")))
def test_golden(name, client, database, tenant, engine_name):
    path = GOLDEN / f"{name}.json"
    case = json.loads(path.read_text())
    normalise = Normaliser()
    variables: dict[str, str] = {}
    with clock.freeze(FROZEN):
        prepare(client, database, tenant, case.get("setup", {}))
        for index, step in enumerate(case["steps"]):
            if step.get("advance_seconds"):
                clock.advance(timedelta(seconds=step["advance_seconds"]))
            response = send(client, substitute(step["request"], variables))
            for variable, where in step.get("capture", {}).items():
                variables[variable] = captured(response, where)
            actual = recorded(response, normalise)
            if UPDATE and engine_name == "sqlite":
                step["response"] = actual
                continue
            assert actual == step["response"], f"{name} step {index}: {step.get('name', '')}"
    if UPDATE and engine_name == "sqlite":
        path.write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n")
