"""The limit of ``list_rps``: a bare Starlette app that reads the same first 100 invoices of the
bench tenant with the raw DBAPI driver (one connection per worker thread) and returns them as
JSON. No authentication, no validation, no ORM, no related rows: the floor under any list
endpoint on this server.
"""

from __future__ import annotations

import sqlite3
import threading
from decimal import Decimal

import orjson
import psycopg
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

COLUMNS = ("id", "kind", "number", "external_ref", "batch_id", "business_unit_id", "customer_id",
           "currency", "fx_rate", "date", "occurred_at", "fiscal_year_id", "fiscal_period",
           "commerce_type", "description", "amount", "subtotal", "tax_total", "settled",
           "due_date", "location", "terms", "is_void", "void_date", "modified_at", "version")


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def create_bare_app(url: str) -> Starlette:
    parsed = make_url(url)
    postgres = parsed.get_backend_name() == "postgresql"
    local = threading.local()
    mark = "%s" if postgres else "?"
    sql = (f"SELECT {', '.join(COLUMNS)} FROM ar_transactions WHERE tenant_id = {mark} "
           f"AND kind = 'invoice' ORDER BY id LIMIT {mark}")

    def connection():
        conn = getattr(local, "conn", None)
        if conn is None:
            if postgres:
                conn = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(
                    hide_password=False), autocommit=True)
            else:
                conn = sqlite3.connect(parsed.database, check_same_thread=False)
            local.conn = conn
        return conn

    def invoices(request: Request) -> Response:
        tenant_id = int(request.query_params.get("tenant_id", "0"))
        limit = int(request.query_params.get("limit", "100"))
        cursor = connection().execute(sql, (tenant_id, limit))
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
        return Response(orjson.dumps({"items": rows}, default=_default),
                        media_type="application/json")

    return Starlette(routes=[Route("/invoices", invoices)])
