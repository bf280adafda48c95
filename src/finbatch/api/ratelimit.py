"""Per-token and per-tenant rate limits (429 with ``Retry-After``), on every API surface.

Every surface authenticates through ``authenticate_request``, so every authenticated request —
``/v1`` or any dialect — is counted once against its token and once against each tenant the token
acts in. The limiter is the generic cell rate algorithm (GCRA): one "theoretical arrival time" per
key, no per-request history, O(1) per check. A key may spend its whole minute's allowance in a
burst, then gets one request per ``60 / limit`` seconds; a refused request is not counted, and its
``Retry-After`` says when the next one will pass.

The state lives in the process. That is the embedded deployment's whole state; several server
processes behind a balancer each apply the limit (so a client may get up to N times it), which
is documented in the README rather than solved with a shared store finbatch does not otherwise
need. Keys that have been idle for a minute are forgotten, so memory follows the active clients.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from finbatch.kit.errors import RateLimited

WINDOW_SECONDS = 60.0


class RateLimiter:
    """GCRA over named keys, each with its own limit per minute; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._arrival: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def check(self, limits: list[tuple[str, int]]) -> None:
        """Count one request against every ``(key, limit per minute)``, or none of them: raises
        ``RateLimited`` (with ``Retry-After``) when any key is over its limit."""
        now = self._clock()
        with self._lock:
            self._sweep(now)
            updates: list[tuple[str, float]] = []
            wait = 0.0
            for key, limit in limits:
                interval = WINDOW_SECONDS / limit
                arrival = max(self._arrival.get(key, now), now) + interval
                # allowed while the key's backlog fits in one window
                over = arrival - now - WINDOW_SECONDS
                if over > 0:
                    wait = max(wait, over)
                updates.append((key, arrival))
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                raise RateLimited(
                    f"too many requests: retry after {retry_after} second"
                    f"{'s' if retry_after != 1 else ''}",
                    headers={"Retry-After": str(retry_after)},
                    extra={"retry_after": retry_after})
            self._arrival.update(updates)

    def _sweep(self, now: float) -> None:
        """Forget keys whose backlog has drained (at most once a minute)."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + WINDOW_SECONDS
        for key in [k for k, arrival in self._arrival.items() if arrival <= now]:
            del self._arrival[key]
