"""API surfaces and their error renderers.

finbatch serves several APIs from one application: the native ``/v1`` API and each vendor dialect
at the vendor's own paths. A failure anywhere (a domain error, a validation error, an oversized
body, an unknown route, a rate limit) is rendered by the surface that owns the request path, so a
Rhythm client always gets Rhythm's error body and a YM client a ``ResponseStatus``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from finbatch.kit.errors import FinbatchError

ErrorRenderer = Callable[[Request, FinbatchError], Response]


@dataclass(slots=True)
class Surface:
    name: str
    prefixes: tuple[str, ...]
    render_error: ErrorRenderer
    #: Extra headers every response of this surface carries (e.g. Rhythm's CORS headers).
    headers: dict[str, str] = field(default_factory=dict)

    def owns(self, path: str) -> bool:
        """Paths match case-insensitively (several vendors' routes are case-insensitive)."""
        lowered = path.lower()
        return any(lowered == p.lower().rstrip("/") or lowered.startswith(p.lower())
                   for p in self.prefixes)


class SurfaceRegistry:
    def __init__(self, default: Surface) -> None:
        self.default = default
        self._surfaces: list[Surface] = []

    def register(self, surface: Surface) -> None:
        self._surfaces.append(surface)
        # longest prefix first, so /batchPosting does not fall to a shorter /batch prefix
        self._surfaces.sort(key=lambda s: -max(len(p) for p in s.prefixes))

    def for_path(self, path: str) -> Surface:
        for surface in self._surfaces:
            if surface.owns(path):
                return surface
        return self.default

    def __iter__(self):
        return iter([*self._surfaces, self.default])
