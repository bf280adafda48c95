"""Signed download URLs: an HMAC over the tenant, the export and the expiry, so a link works
without a token, for one file, until it expires. The secret is ``FINBATCH_SIGNING_SECRET`` or one
generated at first use and kept in the database (shared by every process of the installation)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from finbatch.db import Database
from finbatch.kit import crypto
from finbatch.kit.clock import utcnow
from finbatch.tenancy.models import InstanceSetting

_KEY = "signing_secret"


def signing_secret(db: Database) -> str:
    if db.settings.signing_secret:
        return db.settings.signing_secret
    cached = getattr(db, "_signing_secret", None)
    if cached:
        return cached
    insert = sqlite_insert if db.is_sqlite else pg_insert
    with db.unit_of_work() as session:
        session.execute(insert(InstanceSetting).values(key=_KEY, value=secrets.token_urlsafe(48))
                        .on_conflict_do_nothing(index_elements=["key"]))
    with db.reading() as session:
        secret = session.get(InstanceSetting, _KEY).value
    db._signing_secret = secret  # type: ignore[attr-defined]
    return secret


def _message(tenant_id: int, export_id: str, expires: int) -> str:
    return f"export:{tenant_id}:{export_id}:{expires}"


def signature(db: Database, tenant_id: int, export_id: str,
              ttl: timedelta | None = None) -> tuple[int, str, datetime]:
    """``(expires, signature, expires_at)`` for a link to the export's file; the path it is put
    on is the caller's (the native route, or a dialect's own download route)."""
    ttl = ttl or timedelta(seconds=db.settings.signed_url_ttl_seconds)
    expires_at = utcnow() + ttl
    expires = int(expires_at.timestamp())
    return expires, crypto.sign(signing_secret(db), _message(tenant_id, export_id, expires)), expires_at


def signed_url(db: Database, base_url: str, tenant_id: int, export_id: str,
               ttl: timedelta | None = None) -> tuple[str, datetime]:
    expires, sig, expires_at = signature(db, tenant_id, export_id, ttl)
    query = urlencode({"tenant": tenant_id, "expires": expires, "signature": sig})
    return f"{base_url.rstrip('/')}/v1/exports/{export_id}/file?{query}", expires_at


def verify(db: Database, tenant_id: int, export_id: str, expires: int, signature: str) -> bool:
    if expires < int(utcnow().timestamp()):
        return False
    return crypto.verify(signing_secret(db), _message(tenant_id, export_id, expires), signature)
