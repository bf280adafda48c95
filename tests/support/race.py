"""Firing one request from many threads at the same instant, each through its own client."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient


def race(app, count: int, call: Callable[[TestClient, int], Any]) -> list[Any]:
    """Run ``call(client, n)`` for n in range(count) in as many threads, released together by a
    barrier, and return the results in n order. A thread's exception is re-raised here."""
    results: list[Any] = [None] * count
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        try:
            with TestClient(app) as client:
                barrier.wait()
                results[n] = call(client, n)
        except BaseException as error:  # handed back to the test thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
