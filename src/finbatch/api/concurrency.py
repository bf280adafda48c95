"""Optimistic concurrency: every record has a ``version``; responses carry it as an ``ETag`` and an
update may name the version it was based on in ``If-Match`` (412 when it is no longer current)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header

from finbatch.kit.errors import PreconditionFailed

_TAG = re.compile(r'^(?:W/)?"(\d{1,18})"$')


def etag(version: int) -> str:
    return f'"{version}"'


class IfMatch:
    """The versions an ``If-Match`` header accepts; ``any`` when absent or ``*``."""

    def __init__(self, header: str | None) -> None:
        self.any = header is None or header.strip() == "*"
        self.versions: set[int] = set()
        if not self.any:
            for part in header.split(","):
                match = _TAG.match(part.strip())
                if match:
                    self.versions.add(int(match.group(1)))

    def check(self, current_version: int) -> None:
        """Raise ``PreconditionFailed`` unless ``current_version`` is acceptable."""
        if not self.any and current_version not in self.versions:
            raise PreconditionFailed(
                f"the record is at version {current_version}; If-Match named "
                f"{', '.join(str(v) for v in sorted(self.versions)) or 'no valid version'}",
                headers={"ETag": etag(current_version)})


def _if_match(if_match: Annotated[str | None, Header(
        description='Version the update is based on, as returned in `ETag` (e.g. `"3"`).',
        max_length=1024)] = None) -> IfMatch:
    return IfMatch(if_match)


IfMatchHeader = Annotated[IfMatch, Depends(_if_match)]
