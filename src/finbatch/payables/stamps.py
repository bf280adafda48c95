"""Who did it: the actor stamped on AP records (Envi's ``createdBy``/``createdByUserName``…).

``id`` is the acting user's id, or the API token's id when no user stands behind the token (both
are UUIDs, as Envi's ``createdBy`` is); ``name`` is the username or token name; ``label`` is the
change feed's actor (``user:alice``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from finbatch.tenancy.auth import Principal


@dataclass(frozen=True, slots=True)
class Actor:
    label: str
    id: str | None
    name: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        _kind, _, name = principal.actor.partition(":")
        return cls(principal.actor, principal.user_id or principal.token_id, name or principal.actor)

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(label, None, label)


def stamp_new(record: Any, actor: Actor, now: datetime) -> None:
    record.created_at = record.updated_at = now
    record.created_by_id = record.updated_by_id = actor.id
    record.created_by_name = record.updated_by_name = actor.name
    record.version = 1


def stamp_change(record: Any, actor: Actor, now: datetime) -> None:
    record.updated_at = now
    record.updated_by_id = actor.id
    record.updated_by_name = actor.name
    record.version += 1
