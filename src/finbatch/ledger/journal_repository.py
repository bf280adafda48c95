"""Queries of posting and the journal.

Hot paths (reading a batch to post it, writing entries) use Core rows, not ORM objects. Entries
are visible only through a ``complete`` posting run, so readers never see half a batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, select, update

from finbatch.bulk import BulkInsert
from finbatch.db import refresh_statistics
from finbatch.kit.ids import NIL_UUID, is_uuid
from finbatch.ledger.entries import ENTRY_COLUMNS, LINE_COLUMNS, Source
from finbatch.ledger.models import VISIBLE_RUN, GLAccount, JournalEntry, JournalLine, PostingRun
from finbatch.receivables.models import ARLine, ARTaxLine, ARTransaction, Customer
from finbatch.repository import Page, TenantRepository, keyset_page

#: The tables a posting writes (their planner statistics are refreshed after a large one).
JOURNAL_TABLES = ("journal_entries", "journal_lines")


def _postable(batch_id: str):
    t = ARTransaction
    return (t.batch_id == batch_id, t.is_void.is_(False), t.amount > 0)


class PostingSourceRepository(TenantRepository[ARTransaction]):
    model = ARTransaction
    noun = "transaction"

    def postable_count(self, batch_id: str) -> int:
        return self.session.execute(select(func.count()).select_from(ARTransaction).where(
            ARTransaction.tenant_id == self.tenant_id, *_postable(batch_id))).scalar_one()

    def chunk(self, batch_id: str, *, after_id: str | None, limit: int) -> list[Source]:
        """The next ``limit`` postable transactions of the batch after ``after_id``, with their
        lines and taxes (read by id range, not by a list of ids, and the first chunk after the nil
        UUID: one plan for every chunk, a range of the batch's index in id order)."""
        t = ARTransaction
        conn = self.session.connection()  # Core rows: no ORM bookkeeping per transaction
        window = [t.tenant_id == self.tenant_id, *_postable(batch_id), t.id > (after_id or NIL_UUID)]
        stmt = (select(t.id, t.kind, t.number, t.transaction_type, t.business_unit_id,
                       t.commerce_type, t.currency, t.fx_rate, t.date, t.amount, t.fee,
                       t.payment_account, t.customer_id,
                       func.coalesce(Customer.name, t.payee).label("party_name"), t.description)
                .outerjoin(Customer, (Customer.tenant_id == t.tenant_id) & (Customer.id == t.customer_id))
                .where(*window).order_by(t.id).limit(limit))
        sources = [Source(*row) for row in conn.execute(stmt)]
        if not sources:
            return sources
        by_id = {s.id: s for s in sources}
        window.append(t.id <= sources[-1].id)
        joined = (ARLine.tenant_id == t.tenant_id) & (ARLine.transaction_id == t.id)
        for txn_id, product, amount, code, description in conn.execute(
                select(ARLine.transaction_id, ARLine.product, ARLine.amount,
                       ARLine.gl_account_code, ARLine.description)
                .join(t, joined).where(ARLine.tenant_id == self.tenant_id, *window)
                .order_by(ARLine.transaction_id, ARLine.line_number)):
            by_id[txn_id].lines.append((product, amount, code, description))
        for txn_id, code, tax in conn.execute(
                select(ARTaxLine.transaction_id, ARTaxLine.tax_code, ARTaxLine.tax)
                .join(t, (ARTaxLine.tenant_id == t.tenant_id) & (ARTaxLine.transaction_id == t.id))
                .where(ARTaxLine.tenant_id == self.tenant_id, *window)
                .order_by(ARTaxLine.transaction_id, ARTaxLine.tax_code)):
            by_id[txn_id].taxes.append((code, tax))
        return sources

    def needs(self, batch_ids: Sequence[str]) -> list[tuple[str, Source]]:
        """One synthetic source per distinct posting need of the batches (kind, type, commerce
        type, business unit, payment account, whether a fee is charged; each line product and
        override; each tax code),
        so a preview checks the configuration without reading every transaction."""
        t = ARTransaction
        out: list[tuple[str, Source]] = []
        if not batch_ids:
            return out
        base = (t.tenant_id == self.tenant_id, t.batch_id.in_(list(batch_ids)),
                t.is_void.is_(False), t.amount > 0)
        # DISTINCT, not GROUP BY … max(fee): SQLite sorts every row of the batch for a GROUP BY
        # (20 ms for 10,000 transactions) but keeps only the distinct ones for a DISTINCT (8 ms).
        # A need may come twice, with and without a fee; the fee-less probe's gaps are a subset.
        for row in self.session.execute(select(
                t.batch_id, t.kind, t.transaction_type, t.commerce_type, t.business_unit_id,
                t.payment_account, t.fee > 0).where(*base).distinct()):
            out.append((row[0], _probe(row[1], row[2], row[3], row[4], row[5], fee=row[6])))
        for row in self.session.execute(select(
                t.batch_id, t.kind, t.commerce_type, t.business_unit_id, ARLine.product,
                ARLine.gl_account_code).join(
                ARLine, (ARLine.tenant_id == t.tenant_id) & (ARLine.transaction_id == t.id))
                .where(*base, ARLine.amount > 0).distinct()):
            probe = _probe(row[1], None, row[2], row[3], None)
            probe.lines.append((row[4], 1, row[5], None))
            out.append((row[0], probe))
        for row in self.session.execute(select(
                t.batch_id, t.kind, t.commerce_type, t.business_unit_id, ARTaxLine.tax_code).join(
                ARTaxLine, (ARTaxLine.tenant_id == t.tenant_id) & (ARTaxLine.transaction_id == t.id))
                .where(*base, ARTaxLine.tax > 0).distinct()):
            probe = _probe(row[1], None, row[2], row[3], None)
            probe.taxes.append((row[4], 1))
            out.append((row[0], probe))
        return out

    def products(self, batch_ids: Sequence[str]) -> list[str]:
        t = ARTransaction
        if not batch_ids:
            return []
        return sorted(p for p in self.session.execute(
            select(ARLine.product)
            .join(t, (t.tenant_id == ARLine.tenant_id) & (t.id == ARLine.transaction_id))
            .where(ARLine.tenant_id == self.tenant_id, t.batch_id.in_(list(batch_ids)),
                   ARLine.product.is_not(None)).distinct()).scalars())


def _probe(kind: str, transaction_type: str | None, commerce: str | None, unit: str,
           payment_account: str | None, fee: int | None = 0) -> Source:
    return Source(id="", kind=kind, number=0, transaction_type=transaction_type,
                  business_unit_id=unit, commerce_type=commerce, currency="XXX",
                  fx_rate=Decimal(1), date=date.min, amount=2, fee=1 if fee else 0,
                  payment_account=payment_account, party_id=None, party_name=None,
                  description=None)


class JournalRepository(TenantRepository[JournalEntry]):
    model = JournalEntry
    noun = "journal entry"

    # --- runs ---

    def add_run(self, run: PostingRun) -> PostingRun:
        self.session.add(run)
        self.session.flush()
        return run

    def run(self, run_id: str) -> PostingRun | None:
        return self.session.get(PostingRun, (self.tenant_id, run_id))

    def set_run(self, run_id: str, *, status: str, entry_count: int | None = None,
                finished_at: datetime | None = None) -> None:
        values: dict = {"status": status}
        if entry_count is not None:
            values["entry_count"] = entry_count
        if finished_at is not None:
            values["finished_at"] = finished_at
        self.session.execute(update(PostingRun).where(
            PostingRun.tenant_id == self.tenant_id, PostingRun.id == run_id).values(**values))

    def complete_runs(self, batch_id: str) -> list[PostingRun]:
        return list(self.session.execute(select(PostingRun).where(
            PostingRun.tenant_id == self.tenant_id, PostingRun.batch_id == batch_id,
            PostingRun.status == "complete").order_by(PostingRun.started_at)).scalars())

    # --- writing ---

    def write(self, lines: list[tuple], entries: list[tuple]) -> None:
        """Lines first, then entries: the database checks each entry's balance on its insert.
        Rows are tuples from ``entries.line_rows`` and ``entries.entry_row``, written in bulk."""
        BulkInsert(self.session, JournalLine.__table__, LINE_COLUMNS).write(lines)
        BulkInsert(self.session, JournalEntry.__table__, ENTRY_COLUMNS).write(entries)
        # before the commit checks the lines' foreign keys: a journal that grew from nothing in
        # this run has no statistics, and the check's plan without them reads every entry of the
        # tenant for each line (a first posting of 60,000 invoices took 9 minutes on PostgreSQL)
        refresh_statistics(self.session, {JournalEntry.__tablename__: len(entries),
                                          JournalLine.__tablename__: len(lines)})

    def count_in_run(self, run_id: str) -> int:
        return self.session.execute(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.tenant_id == self.tenant_id, JournalEntry.run_id == run_id)).scalar_one()

    def remove_run(self, run_id: str) -> int:
        """Delete a run's entries (their lines go with them)."""
        return self.session.execute(delete(JournalEntry).where(
            JournalEntry.tenant_id == self.tenant_id, JournalEntry.run_id == run_id)).rowcount

    def remove_batch_journal(self, batch_id: str) -> int:
        removed = self.session.execute(delete(JournalEntry).where(
            JournalEntry.tenant_id == self.tenant_id, JournalEntry.batch_id == batch_id)).rowcount
        self.session.execute(update(PostingRun).where(
            PostingRun.tenant_id == self.tenant_id, PostingRun.batch_id == batch_id,
            PostingRun.status == "complete").values(status="removed"))
        return removed

    # --- reading ---

    def _visible(self):
        return (select(JournalEntry).join(PostingRun, VISIBLE_RUN)
                .where(JournalEntry.tenant_id == self.tenant_id))

    def page(self, *, cursor: str | None, limit: int, batch_id: str | None = None,
             source_id: str | None = None) -> Page:
        stmt = self._visible()
        if batch_id:
            stmt = stmt.where(JournalEntry.batch_id == batch_id)
        if source_id:
            stmt = stmt.where(JournalEntry.source_id == source_id)
        return keyset_page(self.session, stmt, key=[JournalEntry.id], cursor=cursor, limit=limit)

    def of_transaction(self, batch_id: str, source_id: str) -> JournalEntry | None:
        """The latest visible entry of a transaction in a batch (after an unposting of an
        exported batch, its reversal; after a new posting, that posting's entry)."""
        if not (is_uuid(batch_id) and is_uuid(source_id)):
            return None  # not ids at all: a miss, never a failed uuid cast
        return self.session.execute(self._visible().where(
            JournalEntry.batch_id == batch_id.lower(), JournalEntry.source_id == source_id.lower())
            .order_by(JournalEntry.id.desc()).limit(1)).scalar_one_or_none()

    def visible(self, entry_id: str) -> JournalEntry | None:
        return self.session.execute(self._visible().where(JournalEntry.id == entry_id)).scalar_one_or_none()

    def lines_with_accounts(self, entry_ids: Sequence[str]) -> dict[str, list]:
        out: dict[str, list] = {i: [] for i in entry_ids}
        if entry_ids:
            for row in self.session.execute(
                    select(JournalLine, GLAccount.code, GLAccount.name)
                    .join(GLAccount, (GLAccount.tenant_id == JournalLine.tenant_id)
                          & (GLAccount.id == JournalLine.account_id))
                    .where(JournalLine.tenant_id == self.tenant_id,
                           JournalLine.entry_id.in_(list(entry_ids)))
                    .order_by(JournalLine.entry_id, JournalLine.line_number)):
                out[row[0].entry_id].append(row)
        return out

    def unreversed(self, batch_id: str, *, after_id: str | None, limit: int) -> list[JournalEntry]:
        """Posted entries of a batch not yet reversed, for unposting an exported batch."""
        reversed_ids = (select(JournalEntry.reverses_entry_id).where(
            JournalEntry.tenant_id == self.tenant_id, JournalEntry.batch_id == batch_id,
            JournalEntry.reverses_entry_id.is_not(None)))
        stmt = self._visible().where(JournalEntry.batch_id == batch_id,
                                     JournalEntry.reverses_entry_id.is_(None),
                                     JournalEntry.id.not_in(reversed_ids))
        if after_id:
            stmt = stmt.where(JournalEntry.id > after_id)
        return list(self.session.execute(stmt.order_by(JournalEntry.id).limit(limit)).scalars())

    def raw_lines(self, entry_ids: Sequence[str]) -> dict[str, list[JournalLine]]:
        out: dict[str, list[JournalLine]] = {i: [] for i in entry_ids}
        if entry_ids:
            for line in self.session.execute(select(JournalLine).where(
                    JournalLine.tenant_id == self.tenant_id,
                    JournalLine.entry_id.in_(list(entry_ids)))
                    .order_by(JournalLine.entry_id, JournalLine.line_number)).scalars():
                out[line.entry_id].append(line)
        return out
