"""``deep_page``: p50 latency of the ``/v1/invoices`` page that starts after 90 % of the invoices
(by cursor), against the p50 of the first page. Keyset paging makes both one index range scan;
an offset would make the deep page read 90 % of the table first.

The cursor is the one the API itself hands out after that row (the opaque keyset cursor of its
id). Requests go one at a time over one keep-alive connection; each page is fetched
``REQUESTS`` times after a warm-up, alternating first and deep so both see the same machine.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

from sqlalchemy import text

from bench import common
from finbatch.kit.cursors import encode_cursor

REQUESTS = 100


def _cursor_at(ctx, fraction: float) -> str:
    db = ctx.db()
    try:
        with db.reading() as session:
            count = session.execute(text(
                "SELECT count(*) FROM ar_transactions WHERE tenant_id = :t AND kind = 'invoice'"),
                {"t": ctx.data.tenant_id}).scalar_one()
            # through the ORM column so the id reads back in its canonical text form
            from finbatch.receivables.models import ARTransaction
            invoice_id = session.query(ARTransaction.id).filter(
                ARTransaction.tenant_id == ctx.data.tenant_id, ARTransaction.kind == "invoice"
            ).order_by(ARTransaction.id).offset(int(count * fraction)).limit(1).scalar()
    finally:
        db.dispose()
    return encode_cursor([invoice_id])


def _timings(base: str, paths: list[str], token: str, rounds: int) -> dict[str, list[float]]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"}
    out: dict[str, list[float]] = {p: [] for p in paths}
    try:
        for _ in range(rounds):
            for path in paths:
                started = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                out[path].append(time.perf_counter() - started)
                if response.status != 200 or b'"kind":"invoice"' not in body:
                    raise SystemExit(f"deep_page: {path} answered {response.status}")
    finally:
        conn.close()
    return out


def measure(ctx) -> str:
    first = "/v1/invoices?limit=100"
    deep = f"/v1/invoices?limit=100&cursor={_cursor_at(ctx, 0.9)}"
    base = ctx.server("finbatch")
    _timings(base, [first, deep], ctx.data.token, 10)
    timings = _timings(base, [first, deep], ctx.data.token, REQUESTS)
    first_p50 = common.percentile(timings[first], 0.5)
    deep_p50 = common.percentile(timings[deep], 0.5)
    return common.report("deep_page", first_p50 / deep_p50, f"p50 {deep_p50 * 1000:.1f} ms",
                         f"p50 {first_p50 * 1000:.1f} ms (first page)",
                         "≥ 0.77, i.e. deep ≤ 1.3 × first")


if __name__ == "__main__":
    from bench.run import main
    main(only=["deep_page"])
