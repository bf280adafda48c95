"""The ``finbatch`` command.

Machine-readable output (a token, a tenant as JSON) goes to stdout and nothing else does, so
``TOKEN=$(finbatch token create …)`` works; messages and progress go to stderr.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from finbatch.config import get_settings
from finbatch.db import Database
from finbatch.kit.errors import FinbatchError

app = typer.Typer(help="finbatch: finance batches, posting and exports.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

err = Console(stderr=True, soft_wrap=True)  # messages stay whole lines for logs and scripts


def _database() -> Database:
    return Database(get_settings())


def _fail(error: FinbatchError) -> None:
    err.print(f"[red]error:[/red] {error.message}")
    for field_error in error.errors:
        err.print(f"  {field_error.field}: {field_error.message}")
    raise typer.Exit(2)


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``30m``, ``45s`` or a bare number of days."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*([dhms]?)\s*", text)
    if not match:
        raise typer.BadParameter("use a number with d, h, m or s, e.g. 90d")
    value, unit = int(match.group(1)), match.group(2) or "d"
    return {"d": timedelta(days=value), "h": timedelta(hours=value),
            "m": timedelta(minutes=value), "s": timedelta(seconds=value)}[unit]


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest revision."""
    from finbatch.migrate import upgrade

    db = _database()
    upgrade(db.engine)
    err.print(f"database at head ({db.engine.dialect.name})")


@tenant_app.command("create")
def tenant_create(
    slug: str,
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    client_id: Annotated[int | None, typer.Option(
        "--client-id", help="Numeric id (YM ClientID, Saasu FileId).")] = None,
    timezone: Annotated[str, typer.Option("--timezone", help="IANA time zone.")] = "UTC",
    currency: Annotated[str, typer.Option("--currency", help="Base currency (ISO 4217).")] = "USD",
    fiscal_year_start: Annotated[int, typer.Option(
        "--fiscal-year-start", help="First month of the fiscal year.")] = 1,
) -> None:
    """Create a tenant and print it as JSON."""
    from finbatch.tenancy import service

    try:
        with _database().unit_of_work() as session:
            tenant = service.create_tenant(session, slug=slug, name=name, client_id=client_id,
                                           timezone=timezone, base_currency=currency,
                                           fiscal_year_start_month=fiscal_year_start,
                                           actor="cli")
            data = service.tenant_data(tenant)
    except FinbatchError as error:
        _fail(error)
    typer.echo(json.dumps(data))


@user_app.command("create")
def user_create(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant slug or numeric id.")],
    username: Annotated[str, typer.Option("--username")],
    role: Annotated[list[str], typer.Option("--role", help="Role (repeatable).")],
    password: Annotated[str, typer.Option("--password", prompt=True, hide_input=True,
                                          confirmation_prompt=True,
                                          envvar="FINBATCH_USER_PASSWORD")],
    display_name: Annotated[str, typer.Option("--display-name")] = "",
) -> None:
    """Create a user with roles in a tenant; prints the user id."""
    from finbatch.tenancy import service

    try:
        with _database().unit_of_work() as session:
            owner = service.require_tenant(session, tenant)
            user = service.create_user(session, tenant_id=owner.id, username=username,
                                       password=password, roles=role,
                                       display_name=display_name, actor="cli")
            user_id = user.id
    except FinbatchError as error:
        _fail(error)
    typer.echo(user_id)


@token_app.command("create")
def token_create(
    tenant: Annotated[list[str], typer.Option("--tenant", help="Tenant slug or id (repeatable).")],
    role: Annotated[list[str], typer.Option("--role", help="Role (repeatable).")],
    expires_in: Annotated[str | None, typer.Option("--expires-in", help="e.g. 90d, 12h.")] = None,
    name: Annotated[str, typer.Option("--name")] = "cli",
) -> None:
    """Create an API token and print only the token."""
    from finbatch.tenancy import service

    lifetime = parse_duration(expires_in) if expires_in else timedelta(days=get_settings().token_ttl_days)
    try:
        with _database().unit_of_work() as session:
            grants = {service.require_tenant(session, key).id: role for key in tenant}
            issued = service.create_token(session, grants=grants, name=name, expires_in=lifetime)
    except FinbatchError as error:
        _fail(error)
    typer.echo(issued.secret)


@app.command("demo")
def demo(if_empty: Annotated[bool, typer.Option(
        "--if-empty", help="Only seed a database without other tenants.")] = False) -> None:
    """Create the demo tenant (if absent) with its data, and print an admin token."""
    from finbatch.demo import load_demo
    from finbatch.demo.setup import DEMO_ADMIN, DEMO_PASSWORD

    result = load_demo(_database(), if_empty=if_empty)
    if result.token is None:
        err.print("the database holds other tenants: demo data not loaded")
        return
    err.print(("created" if result.created else "found") + " demo tenant 'demo' (ClientID 1000); "
              f"console login {DEMO_ADMIN} / {DEMO_PASSWORD}; admin API token:")
    typer.echo(result.token)


@app.command("backup")
def backup_command(file: Annotated[Path, typer.Argument(
        help="Where to write the backup (replaced when it exists).")]) -> None:
    """Back up the whole database, consistently, while it runs (SQLite: online backup;
    PostgreSQL: pg_dump)."""
    from finbatch.backup import backup

    try:
        size = backup(get_settings(), file)
    except FinbatchError as error:
        _fail(error)
    err.print(f"backed up to {file} ({size:,} bytes)")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A file written by `finbatch backup`.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace a database that already holds data.")] = False,
) -> None:
    """Replace the database with a backup (stop serve and workers first), then migrate it."""
    from finbatch.backup import restore

    try:
        restore(get_settings(), file, force=force)
    except FinbatchError as error:
        _fail(error)
    err.print(f"restored from {file}")


@app.command("import")
def import_transactions(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="CSV, or JSON lines (.jsonl)")],
    tenant: Annotated[str | None, typer.Option("--tenant", help="Tenant slug or id (needed "
                                                "when there are several).")] = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the valid "
                                               "transactions and report the others.")] = False,
) -> None:
    """Import AR transactions, all or nothing (unless --skip-invalid); every bad row is listed with
    its line number, field and reason."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from finbatch.batches.service import Actor
    from finbatch.receivables import importer
    from finbatch.tenancy import service
    from finbatch.tenancy.auth import TenantContext

    db = _database()
    report = importer.ImportReport()
    read_errors: list[importer.RowError] = []
    records = importer.read_records(file, read_errors)
    report.errors.extend(read_errors)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True) as progress:
            checking = progress.add_task("checking", total=len(records))
            writing = progress.add_task("writing", total=len(records))

            def advance(n: int) -> None:
                done = progress.tasks[checking].completed >= len(records)
                progress.advance(writing if done else checking, n)

            with db.unit_of_work() as session:
                owner = (service.require_tenant(session, tenant) if tenant
                         else service.only_tenant(session))
                report.skipped += len({e.line for e in read_errors})
                importer.import_records(session, TenantContext.of(owner), records,
                                        actor=Actor(f"import:{file.name}"),
                                        skip_invalid=skip_invalid, report=report,
                                        progress=advance)
                if report.errors and not skip_invalid:
                    session.rollback()
                    raise typer.Exit(2)
    except FinbatchError as error:
        _fail(error)
    except typer.Exit:
        for error in sorted(report.errors, key=lambda e: e.line):
            err.print(str(error), markup=False, highlight=False)
        err.print(f"[red]{len(report.errors)} problem(s): nothing was imported[/red]")
        raise
    for error in sorted(report.errors, key=lambda e: e.line):
        err.print(str(error), markup=False, highlight=False)
    err.print(f"imported {report.created} transaction(s), updated {report.updated}, unchanged "
              f"{report.unchanged}, skipped {report.skipped}, into {len(report.batch_ids)} batch(es)")
    typer.echo(json.dumps({"created": report.created, "updated": report.updated,
                           "unchanged": report.unchanged, "skipped": report.skipped,
                           "errors": len(report.errors), "batches": sorted(report.batch_ids)}))


@app.command("post")
def post(
    batch: Annotated[str, typer.Argument(help="Batch id")],
    tenant: Annotated[str | None, typer.Option("--tenant", help="Tenant slug or id.")] = None,
) -> None:
    """Post a closed or verified batch here and now, with a progress bar; prints the job."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from finbatch.batches import service as batches
    from finbatch.batches.service import Actor
    from finbatch.jobs.handlers import Worker
    from finbatch.jobs.repository import JobRepository
    from finbatch.jobs.views import job_data
    from finbatch.ledger import posting
    from finbatch.tenancy import service
    from finbatch.tenancy.auth import TenantContext

    db = _database()
    try:
        with db.unit_of_work() as session:
            owner = service.require_tenant(session, tenant) if tenant else service.only_tenant(session)
            context = TenantContext.of(owner)
            locked = batches.require_batch(session, owner.id, batch, for_update=True)
            job = posting.start_posting(session, context, locked, Actor("cli"))
            job_id, total = job.id, job.progress_total
    except FinbatchError as error:
        _fail(error)
    columns = (TextColumn("posting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("posting", total=total or 1)
        Worker(db).run_one(job_id=job_id, tenant_id=context.id,
                           on_progress=lambda done, _total: progress.update(task, completed=done))
    with db.reading() as session:
        result = job_data(JobRepository(session, context.id).require(job_id))
    typer.echo(json.dumps(result, default=str))
    if result["status"] != "succeeded":
        err.print(f"[red]posting failed:[/red] {result['last_error']}")
        raise typer.Exit(1)


@app.command("export")
def export(
    batch: Annotated[list[str], typer.Argument(help="Batch id(s)")],
    fmt: Annotated[str, typer.Option("--format", help="gl-csv, gl-json, gl-xml, iif, qbo-csv, "
                                                      "xero-csv, intacct-csv or ym-items")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the file", dir_okay=False)],
    tenant: Annotated[str | None, typer.Option("--tenant", help="Tenant slug or id.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-export (needs --reason).")] = False,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
) -> None:
    """Export batches now, with a progress bar, and write the file to --out; prints the export."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from finbatch.batches.service import Actor
    from finbatch.exports import service as exports
    from finbatch.exports.repository import ExportRepository
    from finbatch.exports.storage import storage_for
    from finbatch.jobs.handlers import Worker
    from finbatch.tenancy import service

    db = _database()
    try:
        with db.unit_of_work() as session:
            owner = service.require_tenant(session, tenant) if tenant else service.only_tenant(session)
            record, _created = exports.request_export(
                session, _context(owner), batch_ids=batch, fmt=fmt, force=force, reason=reason,
                actor=Actor("cli"))
            export_id, tenant_id, status = record.id, owner.id, record.status
    except FinbatchError as error:
        _fail(error)
    if status in ("queued", "running"):
        columns = (TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("export", total=None)
            Worker(db).run_one(job_id=export_id, tenant_id=tenant_id,
                               on_progress=lambda done, total: progress.update(
                                   task, completed=done, total=total or None))
    with db.reading() as session:
        record = ExportRepository(session, tenant_id).require(export_id)
    if record.status != "complete":
        err.print(f"[red]export {record.status}:[/red] {record.failure_reason or ''}")
        raise typer.Exit(1)
    storage = storage_for(db.settings)
    if not storage.exists(record.storage_key):
        err.print(f"[red]the file of export {record.id} is missing[/red] (expired, or stored where "
                  "this process does not look: check FINBATCH_EXPORT_DIR); re-export with --force")
        raise typer.Exit(1)
    with out.open("wb") as handle:
        for chunk in storage.stream(record.storage_key):
            handle.write(chunk)
    typer.echo(json.dumps({"id": record.id, "format": record.format, "rows": record.row_count,
                           "bytes": record.byte_size, "sha256": record.sha256,
                           "file_name": record.file_name, "out": str(out)}))


def _context(tenant):
    from finbatch.tenancy.auth import TenantContext

    return TenantContext.of(tenant)


@app.command("worker")
def worker(
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64,
                                             help="Worker threads.")] = 1,
    lease_seconds: Annotated[int, typer.Option("--lease-seconds", min=2, max=3600,
                                               help="How long a claimed job stays ours without "
                                                    "a heartbeat.")] = 30,
) -> None:
    """Run jobs (posting, exports …) until stopped; any number may run beside `serve`."""
    import logging
    import signal
    import threading

    from finbatch import maintenance
    from finbatch.jobs.handlers import start_embedded

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    db = _database()
    threads, stop = start_embedded(db, concurrency, lease=timedelta(seconds=lease_seconds))
    upkeep_thread, upkeep_stop = maintenance.start(db)
    finished = threading.Event()

    def shutdown(_signum, _frame) -> None:
        stop.set()
        upkeep_stop.set()
        finished.set()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    err.print(f"worker running with {concurrency} thread(s); stop with Ctrl-C")
    finished.wait()
    for thread in [*threads, upkeep_thread]:
        thread.join(timeout=30)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
) -> None:
    """Serve the APIs, docs and console (with embedded job workers)."""
    import uvicorn

    from finbatch.app import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level="info", access_log=False)


def main() -> None:
    try:
        app()
    except FinbatchError as error:  # pragma: no cover - commands handle their own
        err.print(f"[red]error:[/red] {error.message}")
        sys.exit(2)


if __name__ == "__main__":
    main()
