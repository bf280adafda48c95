"""Run the benchmarks: ``python -m bench.run --n 100000`` (``make bench-quick``) or ``--n 1000000``
(``make bench``).

For each engine (SQLite always; PostgreSQL when reachable, or ``--engines``) a fresh database gets
the data set of ``bench.generate``. The engines' data sets are built at the same time, one
process each (SQLite's is bound by Python, PostgreSQL's half by its server, so together they take
little longer than the slower one); no figure runs until both are built, so nothing else competes
with a measurement. Then, one engine after the other, every figure runs in an order that keeps
them independent: the read-only ones first, then those that add data (posting the pending batch,
the import). Each figure prints one line ``<name>: ratio=… ours=… limit=…``
(``bench.common.report``), and a comment line with how long it took.

The HTTP figures share one finbatch server per engine (``BenchContext.server``), started with the
bare app of ``list_rps`` while ``export_memory`` runs (a figure that reads peak memory, not time,
so the start-ups' CPU changes nothing it measures; otherwise when the first HTTP figure asks), and
waited for before any HTTP figure measures; idle while any other figure runs, stopped when the
engine's figures end. Load
tests run ``--seconds`` each after a one-second warm-up: 2 s at the quick scale (ours serves 40–130
requests a second there, so a figure rests on 80 requests at the least), 15 s at a million.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from bench import common
from bench.generate import Generated, database_for, generate
from finbatch.db import Database


@dataclass
class BenchContext:
    """What every figure gets: the database, its data set, a scratch directory, the scale."""

    engine: str
    database: common.BenchDatabase
    data: Generated
    workdir: Path
    n: int
    seconds: float  # how long load tests run (wrk)
    servers: dict[str, common.Server] = field(default_factory=dict)

    def db(self) -> Database:
        """A finbatch database handle (exports go to the scratch directory)."""
        return database_for(self.database.url, self.workdir / "exports")

    def start_servers(self) -> None:
        """Start this engine's finbatch server and the bare app of ``list_rps`` (once)."""
        if not self.servers:
            for name in ("finbatch", "bare"):
                self.servers[name] = common.Server(name, self.database.url,
                                                   self.workdir / f"{name}.log")

    def wait_servers(self) -> None:
        """Return once every started server answers: no start-up may overlap a measurement."""
        for server in self.servers.values():
            server.base()

    def server(self, which: str) -> str:
        """The base URL of this engine's ``which`` server (finbatch or bare). The first call
        starts both, so that their start-ups overlap, and waits for both."""
        self.start_servers()
        self.wait_servers()
        return self.servers[which].base()

    def stop_servers(self) -> None:
        for server in self.servers.values():
            server.stop()


#: The figures that ask ``BenchContext.server`` for a server.
HTTP_FIGURES = ("list_rps", "deep_page")


def _figures(engine: str) -> list[tuple[str, object]]:
    from bench import (
        deep_page,
        export_memory,
        export_speed,
        import_rate,
        list_rps,
        post_rate,
    )
    figures = [("export_speed", export_speed), ("export_memory", export_memory),
               ("list_rps", list_rps), ("deep_page", deep_page), ("post_rate", post_rate)]
    if engine == "sqlite":  # its limit is the sqlite3 CLI's .import
        figures.append(("import_rate", import_rate))
    return figures


def run(n: int, engines: list[str], only: list[str] | None, seconds: float) -> list[str]:
    lines: list[str] = []
    reachable = []
    for engine in engines:
        if engine == "postgresql" and not common.postgres_reachable():
            print(f"# PostgreSQL at {common.PG_URL} is not reachable: its figures are skipped")
            continue
        reachable.append(engine)
    with ExitStack() as stack, ProcessPoolExecutor(max_workers=max(1, len(reachable)),
                                               mp_context=get_context("spawn")) as pool:
        prepared = []
        for engine in reachable:
            scratch = stack.enter_context(common.workdir())
            database = stack.enter_context(common.fresh_database(engine, scratch))
            print(f"# {engine}: generating N={n:,}", flush=True)
            prepared.append((engine, scratch, database, pool.submit(_generate, engine,
                                                                    database.url, n)))
        built = [(engine, scratch, database, future.result())
                 for engine, scratch, database, future in prepared]
        for engine, scratch, database, data in built:
            ctx = BenchContext(engine, database, data, scratch, n, seconds)
            stack.callback(ctx.stop_servers)
            for name, module in _figures(engine):
                if only and name not in only:
                    continue
                if not getattr(module, "MEASURES_TIME", True) and _wants_servers(only):
                    # the HTTP servers' start-up (seconds of imports) overlaps a figure that
                    # reads only memory, instead of being waited for by the first HTTP figure
                    ctx.start_servers()
                started = time.perf_counter()
                lines.append(module.measure(ctx))
                print(f"# {engine}: {name} took {time.perf_counter() - started:.1f}s", flush=True)
            ctx.stop_servers()
    return lines


def _wants_servers(only: list[str] | None) -> bool:
    return not only or any(name in HTTP_FIGURES for name in only)


def _generate(engine: str, url: str, n: int) -> Generated:
    """One engine's data set (in a process of its own)."""
    started = time.perf_counter()
    data = generate(url, n, progress=lambda m: print(f"# {engine}:{m}", flush=True))
    print(f"# {engine}: {data.transactions:,} transactions, {data.journal_lines:,} journal "
          f"lines, built in {time.perf_counter() - started:.1f}s", flush=True)
    return data


def main(argv: list[str] | None = None, *, only: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="transactions (default 100,000)")
    parser.add_argument("--engines", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--only", default=None, help="comma-separated figure scripts to run")
    parser.add_argument("--seconds", type=float, default=None,
                        help="duration of each load test (default 2 s below N=1M, else 15 s)")
    args = parser.parse_args(argv)
    chosen = only or (args.only.split(",") if args.only else None)
    seconds = args.seconds or (15.0 if args.n >= 1_000_000 else 2.0)
    run(args.n, args.engines.split(","), chosen, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
