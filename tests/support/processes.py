"""Running finbatch commands as real processes in tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx2 as httpx


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`finbatch serve` as a real process on a free port, with no embedded workers (the tests
    decide when jobs run); ``kill()`` is SIGKILL, ``start()`` brings it back on the same port."""

    def __init__(self, url: str, log: Path, *, extra_env: dict[str, str] | None = None) -> None:
        self.url, self.log, self.port = url, log, free_port()
        self.env = {**os.environ, "FINBATCH_DATABASE_URL": url, "FINBATCH_EMBEDDED_WORKERS": "0",
                    **(extra_env or {})}
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "finbatch.cli", "serve", "--port", str(self.port)],
            env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)

        def healthy() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                return httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False
        wait_for(healthy, timeout=timeout, interval=0.1, message="the server to answer /healthz")
        return self

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
