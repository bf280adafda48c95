"""Golden request/response files for the Rhythm dialect.

A case (``golden/<name>.json``) is a list of steps, each a request and the response it must get:

    {"description": "...",
     "steps": [{"note": "...",
                "request": {"method": "POST", "path": "/batches/acme", "auth": "admin",
                            "query": {...}, "body": {...} | "raw": "text", "headers": {...}},
                "save": "parent", "check": "all" | "status",
                "response": {"status": 201, "headers": {...}, "body": ...}}]}

The world of every case is the same, built with the clock frozen at ``FROZEN``: tenant ``acme``
(tokens ``admin``, ``accountant``, ``clerk``, ``viewer``), tenant ``globex`` (token ``other``),
business units ``MAIN`` (USD), ``JP`` (JPY) and ``string`` (USD, the seed's sample value), fiscal
years ``FY2026`` (2026) and ``string`` (2019). ``auth`` names a token; ``null`` sends none and
``bogus`` an unknown one.

Generated values are normalised: every UUID becomes ``<id:N>`` (numbered in order of first
appearance) and every paging key ``<key:N>``. ``save: name`` keeps the ``id`` of a step's response
body (or its ``save_field``) as ``<name>``; requests use ``<name>``, ``<id:N>`` and ``<key:N>``
to refer to earlier values.
``filler_bytes: N`` sends a body of N bytes. A step ``{"note": ..., "run_jobs": true}`` instead of a
request runs every queued job (posting, exports) as a worker would; its response is the number of
jobs run. Signed URLs keep their path and expiry (the clock is frozen); their signature, which
covers a generated export id, becomes ``<signature>``. Numbers are compared by their exact text (``12.50``
is not ``12.5``). ``check: status`` steps (setup through ``/v1``) record the status only.

Run with ``FINBATCH_UPDATE_GOLDEN=1`` to rewrite the responses (then read the diff).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from finbatch.fiscal.service import create_fiscal_year
from finbatch.kit.clock import clock
from finbatch.tenancy.business_units import create_business_unit
from tests.conftest import make_tenant
from tests.support.posting import run_jobs

GOLDEN = Path(__file__).parent / "golden"
FROZEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
UPDATE = os.environ.get("FINBATCH_UPDATE_GOLDEN") == "1"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PLACEHOLDER = re.compile(r"<(id|key):(\d+)>|<([a-z][a-z0-9_]*)>")
SIGNATURE = re.compile(r"signature=[A-Za-z0-9_\-%=]+")
KEY_HEADER = "x-last-evaluated-key"
SKIPPED_HEADERS = {"content-length", "date", "server",
                   # the same on every response of every surface: tests/features/test_security_headers.py
                   "x-content-type-options", "x-frame-options", "referrer-policy",
                   "content-security-policy", "strict-transport-security"}


def cases() -> list[str]:
    return sorted(p.stem for p in GOLDEN.glob("*.json"))


def build_world(database) -> dict[str, str]:
    """The tenants, business units and fiscal years every case starts from; token per name."""
    acme = make_tenant(database, "acme", client_id=2000)
    globex = make_tenant(database, "globex", client_id=3000)
    with database.unit_of_work() as session:
        for unit, currency in (("MAIN", "USD"), ("JP", "JPY"), ("string", "USD")):
            create_business_unit(session, tenant_id=acme.id, id=unit, name=unit, currency=currency,
                                 actor="golden")
        create_fiscal_year(session, tenant_id=acme.id, start_month=1, year=2026, actor="golden")
        create_fiscal_year(session, tenant_id=acme.id, start_month=1, year=2019, id="string",
                           actor="golden")
    return {**acme.tokens, "other": globex.tokens["admin"]}


class Names:
    """The UUIDs and paging keys seen so far, and their placeholders."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, str]] = {"id": {}, "key": {}}
        self.names: dict[str, dict[str, str]] = {"id": {}, "key": {}}
        self.saved: dict[str, str] = {}

    def name(self, kind: str, value: str) -> str:
        names = self.names[kind]
        if value not in names:
            names[value] = f"<{kind}:{len(names) + 1}>"
            self.values[kind][names[value]] = value
        return names[value]

    def fill(self, value: Any) -> Any:
        """Placeholders in a request → the real values."""
        if isinstance(value, str):
            return PLACEHOLDER.sub(self._value, value)
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value

    def _value(self, match: re.Match) -> str:
        if match.group(3):
            return self.saved[match.group(3)]
        return self.values[match.group(1)][match.group(0)]

    def normalise(self, value: Any, key: str | None = None) -> Any:
        """A response body → its golden form."""
        if isinstance(value, str):
            if key == "LastEvaluatedKey":
                return self.name("key", value)
            value = SIGNATURE.sub("signature=<signature>", value)
            return UUID.sub(lambda m: self.name("id", m.group(0)), value)
        if isinstance(value, list):
            return [self.normalise(v) for v in value]
        if isinstance(value, dict):
            return {k: self.normalise(v, k) for k, v in value.items()}
        return value


def _loads(data: bytes | str) -> Any:
    import json

    return json.loads(data, parse_float=Decimal)


def _canonical(value: Any) -> Any:
    """Decimals compared by their exact text, and never equal to an int or a bool."""
    if isinstance(value, Decimal):
        return ("number", str(value))
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def _dump(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2,
                        default=lambda d: orjson.Fragment(str(d))) + b"\n"


def run_case(client, database, name: str) -> list[dict[str, Any]]:
    """Play a case; returns the observed responses (normalised), one per step."""
    path = GOLDEN / f"{name}.json"
    case = _loads(path.read_bytes())
    observed = []
    with clock.freeze(FROZEN):
        tokens = build_world(database)
        names = Names()
        for step in case["steps"]:
            if step.get("run_jobs"):
                observed.append({"jobs_run": run_jobs(database)})
            else:
                observed.append(_play(client, tokens, names, step))
    if UPDATE:
        for step, got in zip(case["steps"], observed, strict=True):
            step["response"] = got
        path.write_bytes(_dump(case))
    return observed


def _play(client, tokens: dict[str, str], names: Names, step: dict[str, Any]) -> dict[str, Any]:
    request = names.fill(step["request"])
    headers = dict(request.get("headers") or {})
    auth = request.get("auth", "admin")
    if auth is not None:
        headers["Authorization"] = f"Bearer {tokens.get(auth, 'fbt_bogus')}"
    content = None
    if "body" in request:
        content = _dump(request["body"])
        headers.setdefault("Content-Type", "application/json")
    elif "raw" in request:
        content = request["raw"].encode()
        headers.setdefault("Content-Type", "application/json")
    elif "filler_bytes" in request:
        content = b"x" * request["filler_bytes"]
        headers.setdefault("Content-Type", "application/json")
    response = client.request(request["method"], request["path"], params=request.get("query"),
                              headers=headers, content=content)
    body = _loads(response.content) if response.content else None
    if step.get("save"):
        names.saved[step["save"]] = body[step.get("save_field", "id")]
    body = names.normalise(body)
    if step.get("check", "all") == "status":
        return {"status": response.status_code}
    got_headers = {}
    for header, value in sorted(response.headers.items()):
        if header in SKIPPED_HEADERS:
            continue
        got_headers[header] = names.name("key", value) if header == KEY_HEADER else value
    out: dict[str, Any] = {"status": response.status_code, "headers": got_headers}
    if body is not None:
        out["body"] = body
    return out


def mismatches(name: str, observed: list[dict[str, Any]]) -> list[str]:
    """Steps whose response differs from the golden file, described."""
    case = _loads((GOLDEN / f"{name}.json").read_bytes())
    problems = []
    for index, (step, got) in enumerate(zip(case["steps"], observed, strict=True)):
        if _canonical(step.get("response")) != _canonical(got):
            problems.append(f"step {index} ({step.get('note') or step['request']['path']}):\n"
                            f"expected {_dump(step.get('response')).decode()}\n"
                            f"got      {_dump(got).decode()}")
    return problems
