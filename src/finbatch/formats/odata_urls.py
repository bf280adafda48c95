"""OData URLs: the ``@odata.nextLink`` of an offset page, ``@odata.context``, and entity keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from urllib.parse import quote, urlencode

from finbatch.formats.odata import QueryOptions


def next_link(url: str, params: Sequence[tuple[str, str]], options: QueryOptions,
              total: int) -> str | None:
    """The next page's absolute URL: every option repeated, ``$skip`` advanced; ``None`` on the
    last page."""
    if options.top == 0 or options.skip + options.top >= total:
        return None
    kept = [(k, v) for k, v in params if k.lower() != "$skip"]
    kept.append(("$skip", str(options.skip + options.top)))
    return f"{url}?{urlencode(kept, quote_via=quote, safe='$,()/:')}"


def context_url(service_root: str, entity_set: str, *, select: Sequence[str] | None = None,
                entity: bool = False) -> str:
    """``@odata.context``: ``{root}/$metadata#Set[(p1,p2)][/$entity]``."""
    fragment = entity_set + (f"({','.join(select)})" if select else "")
    return f"{service_root}/$metadata#{fragment}{'/$entity' if entity else ''}"


def parse_key(text: str, key_name: str) -> str | None:
    """A GUID key segment: ``(guid)``, ``('guid')`` or ``(name=guid)``; ``None`` when it is not
    one."""
    text = text.strip()
    if "=" in text:
        name, _, text = text.partition("=")
        if name.strip() != key_name:
            return None
        text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1]
    try:
        return str(uuid.UUID(text)) if len(text) == 36 else None
    except ValueError:
        return None
