"""The journal entry document every surface renders (``/v1/journal-entries``, Rhythm's subledger
entry lookup): one shape, amounts through the surface's own renderer (a decimal string on
``/v1``, an exact JSON number in Rhythm), so the surfaces differ only in how they write money."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from finbatch.ledger.journal_repository import JournalRepository
from finbatch.ledger.models import JournalEntry
from finbatch.tenancy.auth import TenantContext

#: Minor units and their currency → the surface's amount.
AmountRenderer = Callable[[int, str], Any]


def entry_documents(session: Session, tenant: TenantContext, entries: Sequence[JournalEntry],
                    amount: AmountRenderer) -> list[dict[str, Any]]:
    """Each entry with its lines (account code and name), totals in the tenant's base currency."""
    lines = JournalRepository(session, tenant.id).lines_with_accounts([e.id for e in entries])
    base = tenant.base_currency
    out = []
    for entry in entries:
        rows = lines[entry.id]
        out.append({
            "id": entry.id, "number": entry.number, "batch_id": entry.batch_id,
            "source_kind": entry.source_kind, "source_id": entry.source_id,
            "entry_date": entry.entry_date, "fiscal_year_id": entry.fiscal_year_id,
            "fiscal_period": entry.fiscal_period, "currency": entry.currency,
            "base_currency": base, "fx_rate": format(entry.fx_rate, "f"),
            "description": entry.description, "party_id": entry.party_id,
            "party_name": entry.party_name, "reverses_entry_id": entry.reverses_entry_id,
            "total_debit": amount(sum(r[0].debit for r in rows), base),
            "total_credit": amount(sum(r[0].credit for r in rows), base),
            "lines": [{"line_number": line.line_number, "account_id": line.account_id,
                       "account_code": code, "account_name": name,
                       "debit": amount(line.debit, base), "credit": amount(line.credit, base),
                       "txn_debit": amount(line.txn_debit, entry.currency),
                       "txn_credit": amount(line.txn_credit, entry.currency),
                       "description": line.description} for line, code, name in rows],
            "created_at": entry.created_at})
    return out
