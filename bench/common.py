"""What every benchmark shares: fresh databases on each engine, timing, and the one-line report.

Each figure prints ``<name>: ratio=<r> ours=<…> limit=<…>`` where ``ratio`` is ours/limit for
throughputs and limit/ours for latencies, so higher is better everywhere and the targets read the
same way (``bench/RESULTS.md``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from finbatch.db import create_db_engine
from finbatch.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]

PG_URL = os.environ.get("FINBATCH_BENCH_POSTGRES_URL",
                        os.environ.get("FINBATCH_TEST_POSTGRES_URL",
                                       "postgresql://postgres@127.0.0.1:5432/postgres"))


def report(name: str, ratio: float, ours: str, limit: str, target: str = "") -> str:
    line = f"{name}: ratio={ratio:.2f} ours={ours} limit={limit}"
    if target:
        line += f"  (target {target})"
    print(line, flush=True)
    return line


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except Exception:  # any failure: skip the PostgreSQL figures
        return False


@dataclass
class BenchDatabase:
    engine_name: str
    url: str
    path: Path | None = None  # the SQLite file

    @property
    def psql_dsn(self) -> str:
        return make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_database(engine_name: str, workdir: Path):
    """A migrated, empty database of its own, dropped afterwards."""
    if engine_name == "sqlite":
        path = workdir / "bench.db"
        url = f"sqlite:///{path}"
        engine = create_db_engine(url)
        upgrade(engine)
        engine.dispose()
        yield BenchDatabase("sqlite", url, path)
        return
    name = f"fbbench_{os.getpid()}"
    admin = psycopg.connect(PG_URL, autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_db_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield BenchDatabase("postgresql", url)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def workdir():
    path = Path(tempfile.mkdtemp(prefix="finbatch-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def need(command: str, package: str | None = None) -> str:
    """The path of ``command``, installing its Debian package when missing and possible."""
    found = shutil.which(command)
    if found:
        return found
    package = package or command
    if shutil.which("apt-get") and os.geteuid() == 0:
        _quietly(["apt-get", "install", "-y", "-q", package])
        if not (found := shutil.which(command)):  # a fresh machine may have no package lists
            _quietly(["apt-get", "update", "-q"])
            _quietly(["apt-get", "install", "-y", "-q", package])
            found = shutil.which(command)
    if not found:
        raise SystemExit(f"bench needs `{command}` (Debian package {package})")
    return found


def _quietly(command: list[str]) -> None:
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def peak_rss_kib_of(pid: int) -> int:
    """VmHWM (peak resident set) of a running process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def peak_rss_kib() -> int:
    """VmHWM of this process."""
    return peak_rss_kib_of(os.getpid())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s ({count:,} in {seconds:.2f}s)"


class Server:
    """``bench.serve`` of ``which`` (finbatch or bare) on a free port, started at once and waited
    for only when first used, so that its start-up (imports, routes) can overlap other work."""

    def __init__(self, which: str, url: str, log: Path) -> None:
        self.which, self.log = which, log
        self.port = free_port()
        env = {**os.environ, "FINBATCH_RATE_LIMIT_PER_MINUTE": "100000000"}
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.serve", which, url, str(self.port)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self._ready = False

    def base(self) -> str:
        """The base URL, once the server accepts connections."""
        deadline = time.monotonic() + 60
        while not self._ready:
            if self.process.poll() is not None:
                raise SystemExit(f"the {self.which} server exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    self._ready = True
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the {self.which} server did not start") from None
                time.sleep(0.1)
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(url: str, seconds: float, headers: dict[str, str] | None = None) -> float:
    """Requests per second ``wrk`` sustains on ``url`` (2 threads, 16 connections); non-2xx
    responses make it an error."""
    command = [need("wrk"), "-t2", "-c16", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw errors on {url}:\n{output}")
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise SystemExit(f"no Requests/sec in wrk output:\n{output}")
