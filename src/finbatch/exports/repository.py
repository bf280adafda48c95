"""Queries of exports: the export records and ledger, and the streaming reads that feed writers
(Core rows fetched in chunks through a server-side cursor: memory does not grow with the batch)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select

from finbatch.exports.models import Export, ExportBatch
from finbatch.ledger.models import VISIBLE_RUN, JournalEntry, JournalLine, PostingRun
from finbatch.receivables.models import ARAllocation, ARLine, ARTaxLine, ARTransaction, Customer
from finbatch.repository import Page, TenantRepository, keyset_page

STREAM_CHUNK = 5000


class ExportRepository(TenantRepository[Export]):
    model = Export
    noun = "export"

    def by_fingerprint(self, fingerprint: str, statuses: Sequence[str]) -> Export | None:
        return self.session.execute(self.scoped().where(
            Export.fingerprint == fingerprint, Export.status.in_(list(statuses)))
            .order_by(Export.created_at.desc()).limit(1)).scalar_one_or_none()

    def page(self, *, cursor: str | None, limit: int, status: str | None = None) -> Page:
        stmt = self.scoped()
        if status:
            stmt = stmt.where(Export.status == status)
        return keyset_page(self.session, stmt, key=[Export.id], cursor=cursor, limit=limit,
                           descending=True)

    def ledger(self, export_id: str) -> list[ExportBatch]:
        return list(self.session.execute(select(ExportBatch).where(
            ExportBatch.tenant_id == self.tenant_id, ExportBatch.export_id == export_id)
            .order_by(ExportBatch.position)).scalars())

    def of_batch(self, batch_id: str, *, cursor: str | None, limit: int) -> Page:
        """Exports of an AR or AP batch (ids never collide: both are UUIDv7)."""
        stmt = self.scoped().join(ExportBatch, (ExportBatch.tenant_id == Export.tenant_id)
                                  & (ExportBatch.export_id == Export.id)).where(
            ExportBatch.batch_id == batch_id)
        return keyset_page(self.session, stmt, key=[Export.id], cursor=cursor, limit=limit,
                           descending=True)

    def last_through(self, batch_id: str, fmt: str) -> str | None:
        """Where the journal of ``batch_id`` was exported to in ``fmt`` so far (ids are
        time-ordered; PostgreSQL has no ``max(uuid)``, hence the ordering)."""
        return self.session.execute(
            select(ExportBatch.through_entry_id).join(
                Export, (Export.tenant_id == ExportBatch.tenant_id) & (Export.id == ExportBatch.export_id))
            .where(ExportBatch.tenant_id == self.tenant_id, ExportBatch.batch_id == batch_id,
                   Export.format == fmt, Export.status.in_(["complete", "expired"]),
                   ExportBatch.through_entry_id.is_not(None))
            .order_by(ExportBatch.through_entry_id.desc()).limit(1)).scalar_one_or_none()

    def was_exported(self, batch_id: str) -> bool:
        return self.session.execute(
            select(ExportBatch.export_id).join(
                Export, (Export.tenant_id == ExportBatch.tenant_id) & (Export.id == ExportBatch.export_id))
            .where(ExportBatch.tenant_id == self.tenant_id, ExportBatch.batch_id == batch_id,
                   Export.status.in_(["complete", "expired"]), ExportBatch.entry_count > 0)
            .limit(1)).first() is not None

    def due_to_expire(self, now) -> list[Export]:
        return list(self.session.execute(self.scoped().where(
            Export.status == "complete", Export.expires_at <= now).limit(500)).scalars())

    # --- what is exportable ---

    def journal_mark(self, batch_id: str) -> tuple[str | None, int]:
        """The last visible journal entry of a batch, and how many there are."""
        last = self.session.execute(
            self._journal_filter(select(JournalEntry.id), batch_id, None, None)
            .order_by(JournalEntry.id.desc()).limit(1)).scalar_one_or_none()
        return last, (self.entries_between(batch_id, None, None) if last else 0)

    def entries_between(self, batch_id: str, after: str | None, through: str | None) -> int:
        stmt = self._journal_filter(select(func.count()).select_from(JournalEntry), batch_id,
                                    after, through)
        return self.session.execute(stmt).scalar_one()

    def items_mark(self, batch_id: str) -> str:
        count, modified = self.session.execute(
            select(func.count(), func.max(ARTransaction.modified_at)).where(
                ARTransaction.tenant_id == self.tenant_id, ARTransaction.batch_id == batch_id)).one()
        return f"{count}:{modified.isoformat() if modified else '-'}"

    # --- streams ---

    def _journal_filter(self, stmt, batch_id: str, after: str | None, through: str | None):
        stmt = stmt.join(PostingRun, VISIBLE_RUN).where(
            JournalEntry.tenant_id == self.tenant_id, JournalEntry.batch_id == batch_id)
        if after:
            stmt = stmt.where(JournalEntry.id > after)
        if through:
            stmt = stmt.where(JournalEntry.id <= through)
        return stmt

    def journal_rows(self, batch_id: str, after: str | None, through: str | None) -> Iterator[Any]:
        e, line = JournalEntry, JournalLine
        stmt = select(e.id, e.number, e.source_kind, e.source_id, e.entry_date, e.description,
                      e.party_id, e.party_name, e.currency, e.fx_rate, e.reverses_entry_id,
                      line.line_number, line.account_id, line.role, line.debit, line.credit,
                      line.txn_debit, line.txn_credit, line.description, line.department,
                      line.project).select_from(e).join(
            line, (line.tenant_id == e.tenant_id) & (line.entry_id == e.id))
        stmt = self._journal_filter(stmt, batch_id, after, through).order_by(e.id, line.line_number)
        yield from self.session.execute(stmt.execution_options(yield_per=STREAM_CHUNK))

    def invoice_chunks(self, batch_id: str, *, chunk: int = 1000) -> Iterator[list[Any]]:
        """Invoices (and debit memos) of a batch, a chunk at a time, with their customer."""
        t = ARTransaction
        after = None
        while True:
            stmt = (select(t.id, t.kind, t.number, t.date, t.commerce_type, t.currency,
                           t.business_unit_id, Customer.code, Customer.name)
                    .outerjoin(Customer, (Customer.tenant_id == t.tenant_id) & (Customer.id == t.customer_id))
                    .where(t.tenant_id == self.tenant_id, t.batch_id == batch_id,
                           t.kind.in_(["invoice", "debit_memo"]), t.is_void.is_(False)))
            if after:
                stmt = stmt.where(t.id > after)
            rows = self.session.execute(stmt.order_by(t.id).limit(chunk)).all()
            if not rows:
                return
            yield rows
            after = rows[-1].id

    def lines_taxes_payments(self, invoice_ids: list[str]) -> tuple[dict, dict, dict]:
        lines: dict[str, list] = {i: [] for i in invoice_ids}
        for row in self.session.execute(select(ARLine).where(
                ARLine.tenant_id == self.tenant_id, ARLine.transaction_id.in_(invoice_ids))
                .order_by(ARLine.transaction_id, ARLine.line_number)).scalars():
            lines[row.transaction_id].append(row)
        taxes: dict[str, dict[str, int]] = {i: {} for i in invoice_ids}
        for txn_id, code, tax in self.session.execute(select(
                ARTaxLine.transaction_id, ARTaxLine.tax_code, ARTaxLine.tax).where(
                ARTaxLine.tenant_id == self.tenant_id, ARTaxLine.transaction_id.in_(invoice_ids))):
            taxes[txn_id][code] = tax
        payments: dict[str, Any] = {}
        p = ARTransaction
        for row in self.session.execute(
                select(ARAllocation.target_id, p.number, p.payment_method, p.date)
                .join(p, (p.tenant_id == ARAllocation.tenant_id) & (p.id == ARAllocation.source_id))
                .where(ARAllocation.tenant_id == self.tenant_id,
                       ARAllocation.target_id.in_(invoice_ids), p.kind == "payment")
                .order_by(ARAllocation.target_id, p.date, p.id)):
            payments.setdefault(row.target_id, row)
        return lines, taxes, payments
