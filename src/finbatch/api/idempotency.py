"""``Idempotency-Key`` for POSTs that create records, move money or start jobs.

Design: the key is *claimed* (its row inserted) at the start of the request's transaction, and
the response is written into that row in the same transaction as the effect, so a retry can never
see the effect without the response or the other way round. A concurrent request with the same key
blocks on the claimed primary key until the first commits, then replays its response (or, if the
first rolled back, proceeds as the first). Same key with another method, path or body → 422
``IDEMPOTENCY_KEY_REUSED``. Replays carry ``Idempotency-Replayed: true``. Keys are kept for ``KEY_TTL``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column
from starlette.responses import Response

from finbatch.api.concurrency import etag
from finbatch.api.deps import CurrentPrincipal, WriteDb
from finbatch.api.responses import dumps
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import BadRequest, Conflict, IdempotencyKeyReused
from finbatch.orm import Base, JSONDoc, UTCDateTime

KEY_TTL = timedelta(hours=24)
REPLAYED_HEADER = "Idempotency-Replayed"


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_headers: Mapped[dict] = mapped_column(JSONDoc)
    response_body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Replay(Exception):
    """Raised to short-circuit an endpoint with a stored response."""

    def __init__(self, response: Response) -> None:
        self.response = response


@dataclass(slots=True)
class KeyedRequest:
    key: str
    request_hash: str


async def _keyed_request(
    request: Request,
    idempotency_key: Annotated[str | None, Header(
        description="A unique key (e.g. a UUID) that makes retries of this POST safe.",
        max_length=255)] = None,
) -> KeyedRequest | None:
    if idempotency_key is None:
        return None
    key = idempotency_key.strip()
    if not key or not key.isprintable():
        raise BadRequest("Idempotency-Key must be 1-255 printable characters",
                         code="INVALID_IDEMPOTENCY_KEY")
    body = await request.body()
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), b"\0", body):
        digest.update(part)
    return KeyedRequest(key, digest.hexdigest())


@dataclass(slots=True)
class Idempotency:
    tenant_id: int
    keyed: KeyedRequest | None


def _stored(session: Session, tenant_id: int, key: str) -> IdempotencyRecord | None:
    """The committed record of ``key`` (expired ones are deleted and count as absent)."""
    record = session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == tenant_id,
                                        IdempotencyRecord.key == key)).scalar_one_or_none()
    if record is not None and record.created_at < utcnow() - KEY_TTL:
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.tenant_id == tenant_id,
                                                        IdempotencyRecord.key == key))
        return None
    return record


def _replay_or_refuse(record: IdempotencyRecord, keyed: KeyedRequest) -> Replay:
    if record.request_hash != keyed.request_hash:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request")
    if record.status_code == 0:
        raise Conflict("a request with this Idempotency-Key is still in progress",
                       code="IDEMPOTENCY_IN_PROGRESS", headers={"Retry-After": "1"})
    headers = dict(record.response_headers or {})
    headers[REPLAYED_HEADER] = "true"
    media_type = headers.pop("content-type", "application/json")
    return Replay(Response(record.response_body, status_code=record.status_code,
                           headers=headers, media_type=media_type))


def _claim(session: Session, tenant_id: int, keyed: KeyedRequest) -> None:
    """Insert the key's row now; a concurrent holder of the key makes this wait, then fail."""
    record = _stored(session, tenant_id, keyed.key)
    if record is not None:
        raise _replay_or_refuse(record, keyed)
    session.add(IdempotencyRecord(tenant_id=tenant_id, key=keyed.key,
                                  request_hash=keyed.request_hash, status_code=0,
                                  response_headers={}, response_body=b"", created_at=utcnow()))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        record = _stored(session, tenant_id, keyed.key)
        if record is None:
            raise
        raise _replay_or_refuse(record, keyed) from None


def _idempotency(keyed: Annotated[KeyedRequest | None, Depends(_keyed_request)],
                 session: WriteDb, principal: CurrentPrincipal) -> Idempotency:
    if keyed is not None:
        _claim(session, principal.tenant_id, keyed)
    return Idempotency(principal.tenant_id, keyed)


Idem = Annotated[Idempotency, Depends(_idempotency)]


def commit_response(session: Session, idem: Idempotency | None, content: Any, *,
                    status_code: int = 200, headers: dict[str, str] | None = None,
                    version: int | None = None, media_type: str = "application/json") -> Response:
    """Commit the unit of work and return its response, storing it first under the request's
    idempotency key (if any) in the same transaction."""
    body = content if isinstance(content, bytes) else dumps(content)
    out_headers = dict(headers or {})
    if version is not None:
        out_headers["ETag"] = etag(version)
    if idem is not None and idem.keyed is not None:
        record = session.get(IdempotencyRecord, (idem.tenant_id, idem.keyed.key))
        record.status_code = status_code
        record.response_headers = {**out_headers, "content-type": media_type}
        record.response_body = body
    session.commit()
    return Response(body, status_code=status_code, headers=out_headers, media_type=media_type)


def replay_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    return exc.response
