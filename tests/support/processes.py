"""Running finbatch commands as real processes in tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def start_worker(url: str, log: Path, *, concurrency: int = 1, lease_seconds: int = 3,
                 extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {**os.environ, "FINBATCH_DATABASE_URL": url, **(extra_env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "finbatch.cli", "worker", "--concurrency", str(concurrency),
         "--lease-seconds", str(lease_seconds)],
        env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], bool], *, timeout: float, interval: float = 0.1,
             message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
