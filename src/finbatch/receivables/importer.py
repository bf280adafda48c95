"""Bulk import of AR transactions from CSV or JSON lines (``finbatch import``).

Design: one unit of work for the whole file, so an import is all-or-nothing (or, with
``skip_invalid``, all-valid-or-nothing). Rows are checked with the same rules as the API
(``receivables.resolve``) against reference data loaded once, allocations are checked against
in-memory target states in file order, and then everything is written set-wise: one batch lookup per
assignment key, one counter advance per kind, multi-row inserts, one statistics recompute per
batch. Records whose ``external_ref`` already exists go through the service's upsert path.

CSV: one row per transaction, or per line for invoices and memos (consecutive rows with the same
``kind`` and ``external_ref`` form one transaction). Columns: ``kind, external_ref,
business_unit_id, customer_code | customer_id, currency, fx_rate, date, occurred_at, commerce_type,
description, due_date, location, terms, amount, fee, transaction_type, payee, payment_account,
payment_method, reference, cleared_date, payment_ref, applies_to, applied_amount, product,
line_description, quantity, unit, unit_price, line_amount, tax_code, gl_account_code``.
``applies_to`` is the external reference of the invoice (or debit memo) settled;
``applied_amount`` defaults to the whole amount. JSON lines: one object per line shaped like the
``/v1`` create bodies plus ``kind``; allocations may name ``target_external_ref``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from sqlalchemy.orm import Session

from finbatch import counters
from finbatch.batches import service as batches
from finbatch.batches import stats as batch_stats
from finbatch.batches.service import Actor
from finbatch.bulk import BulkInsert
from finbatch.db import ensure_statistics, refresh_statistics
from finbatch.events.service import record_change
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import ErrorList
from finbatch.kit.gcpause import collector_paused
from finbatch.kit.ids import uuid7
from finbatch.receivables import allocations, service
from finbatch.receivables.import_rows import (
    AllocationRow,
    Canonical,
    LineRow,
    Stored,
    TaxRow,
    TxnRow,
)
from finbatch.receivables.inputs import AllocationIn, LineIn, TransactionIn
from finbatch.receivables.models import (
    KINDS,
    LINE_KINDS,
    RECEIVABLE_KINDS,
    ARAllocation,
    ARLine,
    ARTaxLine,
    ARTransaction,
)
from finbatch.receivables.repository import ImportLookupRepository, TransactionRepository
from finbatch.receivables.resolve import Lookups, Resolved, resolve
from finbatch.receivables.views import native_transactions, render_transactions
from finbatch.tenancy.auth import TenantContext

MAX_ROWS = 5_000_000


@dataclass(slots=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch_ids: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Record:
    """One transaction of the file: the input, the file lines it came from, references by
    external ref still to resolve."""

    tin: TransactionIn
    lines: list[int]
    customer_code: str | None = None
    payment_ref: str | None = None
    #: (target external ref, amount or None = the whole amount)
    applies_to: list[tuple[str, str | None]] = field(default_factory=list)
    id: str = ""
    resolved: Resolved | None = None


# --- reading -------------------------------------------------------------------------------------

def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError("needs a time zone offset")
    return instant


_DATE_FIELDS = {"date": _date, "due_date": _date, "cleared_date": _date, "occurred_at": _instant}
_TEXT_FIELDS = ("business_unit_id", "customer_id", "currency", "fx_rate", "external_ref",
                "commerce_type", "description", "amount", "location", "terms", "transaction_type",
                "fee", "payment_account", "payment_method", "reference", "payee", "payment_id",
                "batch_id")


_BLANKS = ("", None)


def _blank(value: Any) -> Any:
    return None if value in _BLANKS else value


def _csv_records(text: str, errors: list[RowError]) -> Iterator[Record]:
    # csv.reader and one dict per row, as csv.DictReader makes them (its Python __next__ was a
    # third of reading a file); blank rows are skipped as it skips them, and a column a short
    # row lacks reads as None, as its restval gives it
    reader = csv.reader(io.StringIO(text))
    fieldnames = next(reader, None)
    if not fieldnames or "kind" not in fieldnames:
        errors.append(RowError(1, "kind", "the header must name a 'kind' column"))
        return
    # a column named twice would leave which of its values counts to the reader's details
    twice = sorted({name for name in fieldnames if fieldnames.count(name) > 1})
    if twice:
        for name in twice:
            errors.append(RowError(1, name, f"the header names '{name}' twice"))
        return
    current: Record | None = None
    for values in reader:
        if not values:
            continue
        row = dict(zip(fieldnames, values, strict=False))
        line = reader.line_num
        kind = (row.get("kind") or "").strip()
        ref = _blank(row.get("external_ref"))
        line_item = None
        if row.get("unit_price") or row.get("product"):
            line_item = LineIn(quantity=row.get("quantity") or "1", unit_price=row.get("unit_price") or "0",
                               amount=_blank(row.get("line_amount")), product=_blank(row.get("product")),
                               description=_blank(row.get("line_description")),
                               unit=_blank(row.get("unit")), tax_code=_blank(row.get("tax_code")),
                               gl_account_code=_blank(row.get("gl_account_code")))
        if (current is not None and kind in LINE_KINDS and ref and current.tin.kind == kind
                and current.tin.external_ref == ref and line_item is not None):
            current.tin.lines.append(line_item)
            current.lines.append(line)
            continue
        if current is not None:
            yield current
        current = _record(kind, row, line, errors)
        if current is not None and line_item is not None:
            current.tin.lines.append(line_item)
        if current is not None and _blank(row.get("applies_to")):
            current.applies_to.append((row["applies_to"], _blank(row.get("applied_amount"))))
    if current is not None:
        yield current


def _record(kind: str, data: dict[str, Any], line: int, errors: list[RowError]) -> Record | None:
    if kind not in KINDS:
        errors.append(RowError(line, "kind", f"'{kind}' is not one of {', '.join(KINDS)}"))
        return None
    fields: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = data.get(name)
        if value in _BLANKS:
            value = None
        elif not isinstance(value, str):  # JSON lines: numbers and the like, as text
            value = str(value)
        fields[name] = value
    for name, parse in _DATE_FIELDS.items():
        try:
            fields[name] = parse(_blank(data.get(name)))
        except (TypeError, ValueError) as exc:
            errors.append(RowError(line, name, f"'{data.get(name)}' is not a valid "
                                   f"{'instant' if name == 'occurred_at' else 'date'} ({exc})"))
            return None
    follow = str(data.get("requires_follow_up") or "").strip().lower()
    fields["requires_follow_up"] = follow in ("1", "true", "yes")
    return Record(TransactionIn(kind=kind, **fields), [line],
                  customer_code=_blank(data.get("customer_code")),
                  payment_ref=_blank(data.get("payment_ref")))


def _jsonl_records(text: str, errors: list[RowError]) -> Iterator[Record]:
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            errors.append(RowError(number, "line", f"not valid JSON: {exc}"))
            continue
        if not isinstance(data, dict):
            errors.append(RowError(number, "line", "each line must be a JSON object"))
            continue
        record = _record(str(data.get("kind", "")), data, number, errors)
        if record is None:
            continue
        try:
            record.tin.lines = [LineIn(**{k: (str(v) if k in ("quantity", "unit_price", "amount")
                                                 and v is not None else v)
                                          for k, v in item.items()})
                                for item in data.get("lines") or []]
        except TypeError as exc:
            errors.append(RowError(number, "lines", f"unknown line field ({exc})"))
            continue
        for item in data.get("allocations") or []:
            if not isinstance(item, dict):
                errors.append(RowError(number, "allocations", "each allocation must be an object"))
            elif item.get("target_external_ref"):
                record.applies_to.append((str(item["target_external_ref"]),
                                          None if item.get("amount") is None else str(item["amount"])))
            else:
                record.tin.allocations.append(AllocationIn(str(item.get("target_id", "")),
                                                           str(item.get("amount", ""))))
        yield record


def read_records(path: Path, errors: list[RowError]) -> list[Record]:
    text = path.read_text(encoding="utf-8-sig")
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson", ".json") or text.lstrip().startswith("{")
    # every record stays alive: nothing for the collector to find, and then nothing for the
    # young collections to walk again (kit.gcpause)
    with collector_paused(promote_survivors=True):
        records = list((_jsonl_records if jsonl else _csv_records)(text, errors))
    if len(records) > MAX_ROWS:
        errors.append(RowError(0, "file", f"more than {MAX_ROWS} transactions"))
    return records


# --- checking ------------------------------------------------------------------------------------

def _field_line(record: Record, field_name: str) -> tuple[int, str]:
    """Map ``lines.2.unit_price`` to the file line of that line item."""
    parts = field_name.split(".")
    if parts[0] == "lines" and len(parts) > 2 and parts[1].isdigit():
        index = int(parts[1])
        if index < len(record.lines):
            return record.lines[index], parts[2]
    return record.lines[0], field_name


def _check(session: Session, tenant: TenantContext, records: list[Record], report: ImportReport,
           progress: Callable[[int], None],
           states: dict[str, ARTransaction | Stored]) -> list[Record]:
    repo = ImportLookupRepository(session, tenant.id)
    lookups = Lookups(units=repo.units(), customers=repo.customer_ids(),
                      accounts=repo.account_types(), tax_codes=repo.tax_codes())
    codes = repo.customer_codes()
    existing_refs = repo.existing_refs({(r.tin.kind, r.tin.external_ref) for r in records
                                        if r.tin.external_ref})
    in_file: dict[tuple[str, str], Record] = {}
    for record in records:
        record.id = existing_refs.get((record.tin.kind, record.tin.external_ref)) or uuid7()
        if record.tin.external_ref:
            in_file[(record.tin.kind, record.tin.external_ref)] = record
    def new_in_file(ref: str) -> bool:
        target = in_file.get(("invoice", ref)) or in_file.get(("debit_memo", ref))
        return target is not None and (target.tin.kind, ref) not in existing_refs

    # a target the file creates is preferred (below) and cannot be in the database: looking up
    # (and locking) thousands of such refs was 5% of an import. Those the file updates are looked
    # up, their current state is what the allocations are checked against.
    db_targets = repo.receivables_by_ref({ref for r in records for ref, _ in r.applies_to
                                          if not new_in_file(ref)})
    payment_ids: dict[str, str] = {}
    for ref, (payment_id, customer_id) in repo.payments_by_ref(
            {r.payment_ref for r in records if r.payment_ref}).items():
        payment_ids[ref] = payment_id
        lookups.payments[payment_id] = customer_id
    for record in records:
        if record.tin.kind == "payment" and record.tin.external_ref:
            payment_ids.setdefault(record.tin.external_ref, record.id)
            lookups.payments[record.id] = record.tin.customer_id
    states.update({t.id: t for t in db_targets.values()})
    valid: list[Record] = []
    for count, record in enumerate(records, 1):
        errors = ErrorList()
        tin = record.tin
        if record.customer_code:
            tin.customer_id = codes.get(record.customer_code)
            if tin.customer_id is None:
                errors.add("customer_code", f"no customer with code '{record.customer_code}'",
                           "unknown")
            elif tin.kind == "payment" and tin.external_ref:
                lookups.payments[record.id] = tin.customer_id
        if record.payment_ref:
            tin.payment_id = payment_ids.get(record.payment_ref)
            if tin.payment_id is None:
                errors.add("payment_ref", f"no payment with external_ref '{record.payment_ref}'",
                           "unknown")
        for ref, amount in record.applies_to:
            target = in_file.get(("invoice", ref)) or in_file.get(("debit_memo", ref))
            target_id = target.id if target else (db_targets[ref].id if ref in db_targets else "")
            if not target_id:
                errors.add("applies_to", f"no invoice or debit memo with external_ref '{ref}'",
                           "unknown_target")
                continue
            tin.allocations.append(AllocationIn(target_id, amount or tin.amount or ""))
        if (tin.kind, tin.external_ref) in existing_refs:
            if not errors.errors:
                valid.append(record)  # an upsert: the service checks it when it is written
            _report_errors(report, record, errors)
            continue
        record.resolved = resolve(tin, tenant, lookups, errors)
        if record.customer_code and tin.customer_id is None:
            # the unknown code was reported; "customer_id is required" would say it again
            errors.errors = [e for e in errors.errors if e.field != "customer_id"]
        if record.resolved is not None and not errors.errors:
            _check_allocations(record, states, errors)
        if errors.errors:
            _report_errors(report, record, errors)
        else:
            if tin.kind in RECEIVABLE_KINDS:
                states[record.id] = _state_of(record)
            valid.append(record)
        if count % 1000 == 0:
            progress(1000)
    progress(len(records) % 1000)
    return valid


def _report_errors(report: ImportReport, record: Record, errors: ErrorList) -> None:
    for error in errors.errors:
        line, name = _field_line(record, error.field)
        report.errors.append(RowError(line, name, error.message))


def _state_of(record: Record) -> Stored:
    r = record.resolved
    return Stored(record.id, record.tin.kind, record.tin.customer_id, r.currency, r.amount,
                  external_ref=record.tin.external_ref)


def _check_allocations(record: Record, states: dict[str, ARTransaction | Stored],
                       errors: ErrorList) -> None:
    r = record.resolved
    if not r.allocations:
        return
    source = _state_of(record)
    allocations.check_total(source.kind, source.amount, source.currency, r.allocations, errors)
    for index, (target_id, amount) in enumerate(r.allocations):
        allocations.check_target(source, states.get(target_id), amount, f"allocations.{index}", errors)
    if not errors.errors:
        sign = -1 if source.kind == "refund" else 1
        for target_id, amount in r.allocations:
            states[target_id].settled += sign * amount


# --- writing -------------------------------------------------------------------------------------

CHUNK = 2000
IMPORTED_TABLES = ("ar_transactions", "ar_lines", "ar_tax_lines", "ar_allocations", "events")
#: The tables the imported rows' foreign keys point into.
REFERENCED_TABLES = ("customers", "ar_batches", "business_units", "tax_codes")


def _write(session: Session, tenant: TenantContext, records: list[Record], actor: Actor,
           states: dict[str, ARTransaction | Stored], report: ImportReport,
           progress: Callable[[int], None]) -> None:
    new = [r for r in records if r.resolved is not None]
    upserts = [r for r in records if r.resolved is None]
    now = utcnow()
    assigned: dict[tuple, str] = {}
    periods: dict[str, tuple[str, int]] = {}

    def month_key(record: Record) -> tuple:
        # fiscal periods are calendar months, so the month decides the batch as the day would:
        # one lookup per month and not per business date of the file
        r = record.resolved
        return (r.business_unit_id, r.currency, r.day.year, r.day.month,
                record.tin.commerce_type or "")

    # batches in a fixed order (sorted keys): two imports spanning the same months lock their
    # assign:* counters in the same order and so cannot deadlock
    for key, record in sorted({month_key(r): r for r in new if not r.tin.batch_id}.items()):
        r = record.resolved
        batch = batches.assign_batch(session, tenant, business_unit_id=r.business_unit_id,
                                     currency=r.currency, day=r.day,
                                     commerce_type=record.tin.commerce_type, actor=actor)
        assigned[key] = batch.id
        periods[batch.id] = (batch.fiscal_year_id, batch.fiscal_period)
    targets: list[str] = []
    for record in new:
        tin = record.tin
        if tin.batch_id:
            batch_id = assigned.get(("explicit", tin.batch_id))
            if batch_id is None:
                batch = batches.require_batch(session, tenant.id, tin.batch_id, for_update=True)
                batches.require_editable(session, batch)
                batch_id = assigned[("explicit", tin.batch_id)] = batch.id
                periods[batch.id] = (batch.fiscal_year_id, batch.fiscal_period)
        else:
            batch_id = assigned[month_key(record)]
        report.batch_ids.add(batch_id)
        targets.append(batch_id)
    # numbers after batches: every writer takes the assign:* counters before the ar:* ones (as
    # create_transaction does), so an import and API writers never wait on each other in a cycle
    numbers: dict[str, int] = {}
    for kind in KINDS:
        count = sum(1 for r in new if r.tin.kind == kind)
        if count:
            numbers[kind] = counters.allocate(session, tenant.id, f"ar:{kind}", count)
    rows: list[TxnRow] = []
    lines: list[LineRow] = []
    taxes: list[TaxRow] = []
    allocs: list[AllocationRow] = []
    # per transaction, for its document: its lines, and its tax lines when it has at most one
    # (a single tax line has one order; several are read back, see _created_documents)
    lines_of: dict[str, list[LineRow]] = {}
    taxes_of: dict[str, list[TaxRow]] = {}
    several_taxes: list[str] = []
    canonical = Canonical()
    tenant_id, actor_name = tenant.id, actor.name
    for record, batch_id in zip(new, targets, strict=True):
        tin, r = record.tin, record.resolved
        record_id, kind = record.id, tin.kind
        number = numbers[kind]
        numbers[kind] += 1
        priced = r.priced
        year_id, period = periods[batch_id]
        state = states.get(record_id)
        # by name: forty values in a row, where a swapped pair of amounts would still insert
        rows.append(TxnRow(
            tenant_id=tenant_id, id=record_id, kind=kind, number=number,
            external_ref=tin.external_ref,
            source_hash=tin.fingerprint() if tin.external_ref else None,
            batch_id=batch_id, business_unit_id=r.business_unit_id, customer_id=tin.customer_id,
            currency=r.currency, fx_rate=canonical[r.fx_rate], date=r.day,
            occurred_at=tin.occurred_at, fiscal_year_id=year_id, fiscal_period=period,
            commerce_type=tin.commerce_type, description=tin.description, amount=r.amount,
            subtotal=priced.subtotal if priced else 0,
            tax_total=priced.tax_total if priced else 0,
            settled=state.settled if state is not None else 0,
            due_date=tin.due_date, location=tin.location, terms=tin.terms, is_void=False,
            void_date=None,
            transaction_type=(("PP" if tin.transaction_type == "PP" else "SP")
                              if kind == "payment" else None),
            fee=r.fee, payment_account=tin.payment_account, payment_method=tin.payment_method,
            reference=tin.reference, cleared_date=tin.cleared_date, payee=tin.payee,
            requires_follow_up=tin.requires_follow_up, payment_id=tin.payment_id,
            created_at=now, created_by=actor_name, modified_at=now, modified_by=actor_name,
            version=1))
        if priced:
            own_lines = lines_of[record_id] = [
                LineRow(tenant_id, record_id, p.line_number, p.product, p.description,
                        canonical[p.quantity], p.unit, canonical[p.unit_price], p.amount,
                        p.tax_code, p.gl_account_code) for p in priced.lines]
            lines += own_lines
            own_taxes = [TaxRow(tenant_id, record_id, t.tax_code, t.description,
                                canonical[t.rate], t.taxable, t.tax) for t in priced.taxes]
            taxes += own_taxes
            if len(own_taxes) > 1:
                several_taxes.append(record_id)
            else:
                taxes_of[record_id] = own_taxes
        for target_id, amount in r.allocations:
            allocs.append(AllocationRow(tenant_id, uuid7(), record_id, target_id, amount, now))
    # each row's foreign keys look these up: customers written moments ago through the API and
    # never analysed made PostgreSQL check each key by another index, reading every customer
    ensure_statistics(session, REFERENCED_TABLES)
    with _page_cache(session):
        for model, batch_rows in ((ARTransaction, rows), (ARLine, lines), (ARTaxLine, taxes),
                                  (ARAllocation, allocs)):
            _insert_all(session, model, batch_rows,
                        progress if model is ARTransaction else lambda n: None)
    # receivables already in the database whose settled the file changed (loaded, locked, and
    # updated in memory by the checks): a new version and an "updated" event each, as the API
    # gives them. Found by the allocations and not by ``session.dirty``: the autoflush of the
    # first query above has already written the new settled, so none is dirty any more.
    allocated = {target_id for record in new for target_id, _ in record.resolved.allocations}
    # (the checks' stand-ins for new receivables, ``Stored``, are not in the session)
    loaded = [t for t in states.values() if isinstance(t, ARTransaction) and t in session]
    touched = [t for t in loaded if t.id in allocated]
    for target in touched:
        target.version += 1
        target.modified_at = now
        target.modified_by = actor.name
    session.flush()
    batch_stats.recompute(session, tenant.id, sorted(report.batch_ids))
    # (kind, number) of every allocation target and source: the rows written, and the
    # receivables loaded from the database (read now: expire_all would reload each on access)
    numbered = {t.id: (t.kind, t.number) for t in loaded}
    numbered.update((row.id, (row.kind, row.number)) for row in rows)
    session.expire_all()
    for doc in _created_documents(session, tenant, rows, lines_of, taxes_of, several_taxes,
                                  allocs, numbered):
        record_change(session, tenant_id=tenant.id, type="created", record_kind=doc["kind"],
                      record_id=doc["id"], actor=actor.name, data=doc)
    _record_events(session, tenant, [t.id for t in touched], "updated", actor)
    # each table with the rows this import writes into it (as a posting gives them): the sum of
    # transactions and lines given for all five analysed the small ones, the tax lines and the
    # allocations, after nearly every import
    refresh_statistics(session, dict(zip(IMPORTED_TABLES, (
        len(rows), len(lines), len(taxes), len(allocs), len(rows) + len(touched)), strict=True)))
    report.created += len(new)
    for record in upserts:
        before = ImportLookupRepository(session, tenant.id).source_hash(record.tin.kind,
                                                                        record.tin.external_ref)
        txn, _ = service.create_transaction(session, tenant, record.tin, actor)
        report.batch_ids.add(txn.batch_id)
        if before == record.tin.fingerprint():
            report.unchanged += 1
        else:
            report.updated += 1


#: SQLite's page cache for an import's inserts, in KiB (the connection's default is 2 MiB).
IMPORT_PAGE_CACHE_KIB = 64 * 1024


@contextmanager
def _page_cache(session: Session) -> Iterator[None]:
    """On SQLite, a page cache of ``IMPORT_PAGE_CACHE_KIB`` while the rows are inserted, the
    connection's own size again afterwards. The transactions' customer index takes the rows in
    customer order, each into a page of its own: with the default 2 MiB those pages were read
    again and again, half of the inserts' time (41 -> 26 µs a transaction at 100,000 stored).
    Pages are taken only as they are used, and given back when the size is restored."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _insert_all(session: Session, model, rows: list[tuple], progress: Callable[[int], None]) -> None:
    """Write ``rows`` (named tuples of ``import_rows``) in bulk straight to the driver: the ORM's
    bulk insert inspected every dictionary and was a quarter of an import's time. A column the
    rows leave out gets its scalar default, as the ORM would give it (``BulkInsert`` converts
    every value as SQLAlchemy would bind it)."""
    if not rows:
        return
    table = model.__table__
    given = list(rows[0]._fields)
    missing = [c for c in table.c if c.name not in given]
    unfilled = [c.name for c in missing if c.default is not None and not c.default.is_scalar]
    if unfilled:
        raise ValueError(f"{table.name}: no value for {', '.join(unfilled)}")
    writer = BulkInsert(session, table, given + [c.name for c in missing])
    fill = tuple(c.default.arg if c.default is not None else None for c in missing)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        writer.write([row + fill for row in chunk] if fill else chunk)
        progress(len(chunk))


def _created_documents(session: Session, tenant: TenantContext, rows: list[TxnRow],
                       lines_of: dict[str, list[LineRow]], taxes_of: dict[str, list[TaxRow]],
                       several_taxes: list[str], allocs: list[AllocationRow],
                       numbered: dict[str, tuple[str, int]]) -> list[dict[str, Any]]:
    """The API's documents of the transactions just written (``native_transactions`` of them),
    rendered from the rows written rather than read back: reading 10,000 transactions back as
    ORM objects was a quarter of an import. The rows hold values as the database returns them
    (``import_rows``). A new transaction's allocations are all in ``allocs`` (it is new);
    ``numbered`` gives every allocation counterpart's (kind, number). The tax lines of the
    transactions with several (``several_taxes``) are read back: the database orders them by
    code in its own collation, which Python's sort matches only on SQLite; one tax line has one
    order."""
    given: dict[str, list] = {}
    received: dict[str, list] = {}
    for alloc in sorted(allocs, key=attrgetter("id")):  # settlement_rows' order
        source, target, amount = alloc.source_id, alloc.target_id, alloc.amount
        given.setdefault(source, []).append(_Settlement(target, *numbered[target], amount))
        received.setdefault(target, []).append(_Settlement(source, *numbered[source], amount))
    taxes = dict(taxes_of)
    repo = TransactionRepository(session, tenant.id)
    for start in range(0, len(several_taxes), 500):
        taxes.update(repo.tax_rows(several_taxes[start:start + 500]))
    return render_transactions(sorted(rows, key=attrgetter("id")), lines=lines_of, taxes=taxes,
                               given=given, received=received)


class _Settlement(NamedTuple):
    """One allocation seen from one side, as ``TransactionRepository.settlement_rows`` has it
    (but for the allocation id, which only orders them)."""

    counterpart_id: str
    kind: str
    number: int
    amount: int


def _record_events(session: Session, tenant: TenantContext, ids: list[str], event_type: str,
                   actor: Actor) -> None:
    repo = ImportLookupRepository(session, tenant.id)
    for start in range(0, len(ids), 500):
        for doc in native_transactions(session, repo.transactions(ids[start:start + 500])):
            record_change(session, tenant_id=tenant.id, type=event_type, record_kind=doc["kind"],
                          record_id=doc["id"], actor=actor.name, data=doc)


def import_records(session: Session, tenant: TenantContext, records: list[Record], *,
                   actor: Actor, skip_invalid: bool, report: ImportReport,
                   progress: Callable[[int], None] = lambda n: None) -> ImportReport:
    """Check and write ``records`` in ``session`` (the caller commits, or rolls back when the
    report has errors and ``skip_invalid`` is false)."""
    states: dict[str, ARTransaction | Stored] = {}
    # the file's records and rows stay alive until the commit; walking them at every collection
    # was a quarter of an import's CPU time (kit.gcpause)
    with collector_paused(promote_survivors=True):
        valid = _check(session, tenant, records, report, progress, states)
        report.skipped += len(records) - len(valid)
        if report.errors and not skip_invalid:
            return report
        _write(session, tenant, valid, actor, states, report, progress)
    return report
