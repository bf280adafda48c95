"""``finbatch backup FILE`` and ``finbatch restore FILE``: the whole database, consistently.

SQLite: the online backup API copies the database page by page from one consistent snapshot, so
a backup taken while ``serve`` and workers write is whole (a plain file copy of a WAL database is
not). Restoring copies the backup into the configured file the same way, inside one transaction.

PostgreSQL: ``pg_dump --format=custom`` (one snapshot, the standard tool, readable by
``pg_restore`` of the same or a newer version), restored with ``pg_restore --single-transaction``
so a failed restore leaves the database as it was. The password travels in ``PGPASSWORD``, never
on the command line where ``ps`` would show it.

Both refuse a file of the other engine or of neither, and refuse to restore over a database that
holds data unless ``force`` is given. After a restore the schema is migrated to this version's
head, so a backup of an older finbatch can be restored into a newer one (not the reverse).
Export files live outside the database (``FINBATCH_EXPORT_DIR`` or S3) and are backed up with it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from finbatch.config import Settings
from finbatch.db import create_db_engine
from finbatch.kit.errors import BadRequest, Conflict
from finbatch.migrate import upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def _kind_of(path: Path) -> str | None:
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


def _sqlite_path(settings: Settings) -> str:
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        raise BadRequest("an in-memory database cannot be backed up or restored")
    return database


def _libpq(settings: Settings) -> tuple[str, dict[str, str]]:
    """The database URL for the PostgreSQL tools (no driver suffix, no password) and their env."""
    url = make_url(settings.database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BadRequest(f"{name} is not installed: PostgreSQL backups need the PostgreSQL client "
                         "tools (Debian package postgresql-client)")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BadRequest(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def backup(settings: Settings, target: Path) -> int:
    """Write the configured database to ``target`` (replaced atomically); returns its size."""
    target = Path(target)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if settings.is_sqlite:
            source = sqlite3.connect(f"file:{_sqlite_path(settings)}?mode=ro", uri=True)
            destination = sqlite3.connect(partial)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
        else:
            url, env = _libpq(settings)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", f"--dbname={url}"], env)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def _holds_data(settings: Settings) -> bool:
    engine = create_db_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            if "tenants" not in inspect(connection).get_table_names():
                return False
            return connection.execute(text("SELECT 1 FROM tenants LIMIT 1")).first() is not None
    finally:
        engine.dispose()


def restore(settings: Settings, source: Path, *, force: bool = False) -> None:
    """Replace the configured database with the backup at ``source``, then migrate it to head."""
    source = Path(source)
    if not source.is_file():
        raise BadRequest(f"{source} is not a file")
    kind = _kind_of(source)
    engine_name = "sqlite" if settings.is_sqlite else "postgresql"
    if kind is None:
        raise BadRequest(f"{source} is not a finbatch backup (neither a SQLite database nor a "
                         "pg_dump archive)")
    if kind != engine_name:
        raise BadRequest(f"{source} is a {kind} backup; the configured database is {engine_name}")
    if not force and _holds_data(settings):
        raise Conflict("the database already holds data: restore over it with --force")
    if settings.is_sqlite:
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in backup_db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables:
                raise BadRequest(f"{source} is a SQLite database but not a finbatch backup")
            target = sqlite3.connect(_sqlite_path(settings))
            try:
                backup_db.backup(target)
            finally:
                target.close()
        finally:
            backup_db.close()
    else:
        url, env = _libpq(settings)
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={url}", str(source)], env)
    engine = create_db_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
