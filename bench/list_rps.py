"""``list_rps``: ``GET /v1/invoices?limit=100`` with a token, requests per second under ``wrk``,
against a bare Starlette app on the same server settings reading the same 100 rows with the raw
driver and returning them as JSON (``bench.bare_app``).

Ours does everything a client gets: token authentication and tenant scoping, the keyset page,
each invoice's lines, taxes and settlements, exact decimal strings, the page's cursor. Both are the
engine's servers of ``BenchContext.server``, started with the run; both
get a short warm-up, then ``wrk`` (2 threads, 16 connections) for ``ctx.seconds``.
"""

from __future__ import annotations

import urllib.request

from bench import common


def _get(url: str, headers: dict[str, str]) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return r.read()


def measure(ctx) -> str:
    auth = {"Authorization": f"Bearer {ctx.data.token}"}
    url = f"{ctx.server('finbatch')}/v1/invoices?limit=100"
    body = _get(url, auth)
    if body.count(b'"kind":"invoice"') != 100:
        raise SystemExit("list_rps: the first page does not hold 100 invoices")
    common.wrk(url, 1, auth)
    ours = common.wrk(url, ctx.seconds, auth)
    url = f"{ctx.server('bare')}/invoices?limit=100&tenant_id={ctx.data.tenant_id}"
    if _get(url, {}).count(b'"kind":"invoice"') != 100:
        raise SystemExit("list_rps: the bare app does not return 100 invoices")
    common.wrk(url, 1)
    limit = common.wrk(url, ctx.seconds)
    return common.report("list_rps", ours / limit, f"{ours:,.0f} req/s", f"{limit:,.0f} req/s",
                         "≥ 0.5")


if __name__ == "__main__":
    from bench.run import main
    main(only=["list_rps"])
