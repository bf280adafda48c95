"""Per-test databases built by the real migrations.

Each test gets its own database: on SQLite a copy of a migrated template file, on PostgreSQL a
``CREATE DATABASE … TEMPLATE`` clone of a migrated template. Database names carry the pid of the
pytest process that made them, so parallel runs never collide and leftovers of killed runs are
dropped by the next run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from finbatch.db import create_db_engine
from finbatch.migrate import upgrade

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("FINBATCH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_required() -> bool:
    """CI sets FINBATCH_TEST_REQUIRE_POSTGRES=1: an unreachable server then fails the run."""
    return os.environ.get("FINBATCH_TEST_REQUIRE_POSTGRES") == "1"


def postgres_reachable() -> str | None:
    """``None`` when reachable, otherwise the reason."""
    try:
        with psycopg.connect(postgres_dsn(), connect_timeout=3):
            return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()


def require_postgres() -> None:
    """Skip the calling test when the server does not answer, or fail it when CI requires one."""
    problem = postgres_reachable()
    if problem is not None:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required (FINBATCH_TEST_REQUIRE_POSTGRES=1) but "
                        f"{postgres_url()} is unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {postgres_url()}: {problem}")


def postgres_dsn() -> str:
    """The test server's URL as libpq takes it (no SQLAlchemy driver name)."""
    url = make_url(postgres_url())
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _dsn_for(name: str) -> str:
    return make_url(postgres_url()).set(database=name).render_as_string(hide_password=False)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SqliteTemplates:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"
        engine = create_db_engine(f"sqlite:///{self.template}")
        upgrade(engine)
        engine.dispose()

    def new_database(self, *, empty: bool = False) -> str:
        target = self.root / f"test-{uuid.uuid4().hex}.db"
        if not empty:
            shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


class PostgresTemplates:
    def __init__(self) -> None:
        self.prefix = f"fbt_{os.getpid()}_"
        self.admin = psycopg.connect(postgres_dsn(), autocommit=True)
        self._drop_leftovers()
        self.template = f"{self.prefix}template"
        self.admin.execute(f'CREATE DATABASE "{self.template}"')
        engine = create_db_engine(_dsn_for(self.template))
        upgrade(engine)
        engine.dispose()

    def _drop_leftovers(self) -> None:
        rows = self.admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'fbt\\_%'").fetchall()
        for (name,) in rows:
            pid = name.split("_")[1]
            if pid.isdigit() and not _pid_alive(int(pid)):
                self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def new_database(self, *, empty: bool = False) -> str:
        name = f"{self.prefix}{uuid.uuid4().hex[:12]}"
        template = "template0" if empty else self.template
        self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return _dsn_for(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.close()
