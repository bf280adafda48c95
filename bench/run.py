"""Run the benchmarks: ``python -m bench.run --n 100000`` (``make bench-quick``) or ``--n 1000000``
(``make bench``).

For each engine (SQLite always; PostgreSQL when reachable, or ``--engines``) a fresh database gets
the data set of ``bench.generate``, then every figure runs on it in an order that keeps them
independent: the read-only ones first, then those that add data (posting the pending batch, the
import). Each figure prints one line ``<name>: ratio=… ours=… limit=…`` (``bench.common.report``).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
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

    def db(self) -> Database:
        """A finbatch database handle (exports go to the scratch directory)."""
        return database_for(self.database.url, self.workdir / "exports")


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
    for engine in engines:
        if engine == "postgresql" and not common.postgres_reachable():
            print(f"# PostgreSQL at {common.PG_URL} is not reachable: its figures are skipped")
            continue
        print(f"# {engine}: generating N={n:,}", flush=True)
        with common.workdir() as scratch, common.fresh_database(engine, scratch) as database:
            started = time.perf_counter()
            data = generate(database.url, n, progress=lambda m: print("#" + m, flush=True))
            print(f"# {engine}: {data.transactions:,} transactions, {data.journal_lines:,} journal "
                  f"lines, built in {time.perf_counter() - started:.1f}s", flush=True)
            ctx = BenchContext(engine, database, data, scratch, n, seconds)
            for name, module in _figures(engine):
                if only and name not in only:
                    continue
                lines.append(module.measure(ctx))
    return lines


def main(argv: list[str] | None = None, *, only: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="transactions (default 100,000)")
    parser.add_argument("--engines", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--only", default=None, help="comma-separated figure scripts to run")
    parser.add_argument("--seconds", type=float, default=None,
                        help="duration of each load test (default 5 s below N=1M, else 15 s)")
    args = parser.parse_args(argv)
    chosen = only or (args.only.split(",") if args.only else None)
    seconds = args.seconds or (15.0 if args.n >= 1_000_000 else 5.0)
    run(args.n, args.engines.split(","), chosen, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
