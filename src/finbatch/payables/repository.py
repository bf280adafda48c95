"""Queries of accounts payable, always within one tenant.

Besides the per-table repositories, two *views* read AP batches and matched invoices the way every
API shows them: one row per record with named fields, joined to its vendor, purchase order,
facility, location, remit-to, codes and batch, and (for batches) the derived ``total`` and
``invoice_count``. Both the native API and the Envi dialect read through these views, and a
dialect's query language filters and sorts on the views' named expressions — never on text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    RowMapping,
    Select,
    Uuid,
    and_,
    case,
    cast,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import FromClause

from finbatch.kit.ids import is_uuid
from finbatch.payables.models import (
    BATCH_STATUSES,
    INVOICE_STATUSES,
    ApBatch,
    ApCode,
    Facility,
    Location,
    MatchedInvoice,
    MatchedInvoiceLine,
    PurchaseOrder,
    Vendor,
    VendorRemitTo,
)
from finbatch.repository import Page, TenantRepository, keyset_page


class VendorRepository(TenantRepository[Vendor]):
    model = Vendor
    noun = "vendor"

    def by_no(self, vendor_no: str) -> Vendor | None:
        return self.session.execute(
            self.scoped().where(Vendor.vendor_no == vendor_no)).scalar_one_or_none()

    def page(self, *, cursor: str | None, limit: int, active: bool | None = None) -> Page:
        stmt = self.scoped()
        if active is not None:
            stmt = stmt.where(Vendor.is_active.is_(active))
        return keyset_page(self.session, stmt, key=[Vendor.id], cursor=cursor, limit=limit)


class RemitToRepository(TenantRepository[VendorRemitTo]):
    model = VendorRemitTo
    noun = "remit-to address"

    def by_no(self, vendor_id: str, remit_to_no: str) -> VendorRemitTo | None:
        return self.session.execute(self.scoped().where(
            VendorRemitTo.vendor_id == vendor_id,
            VendorRemitTo.remit_to_no == remit_to_no)).scalar_one_or_none()

    def page(self, *, vendor_id: str, cursor: str | None, limit: int) -> Page:
        stmt = self.scoped().where(VendorRemitTo.vendor_id == vendor_id)
        return keyset_page(self.session, stmt, key=[VendorRemitTo.id], cursor=cursor, limit=limit)


class FacilityRepository(TenantRepository[Facility]):
    model = Facility
    noun = "facility"

    def by_no(self, facility_no: str) -> Facility | None:
        return self.session.execute(
            self.scoped().where(Facility.facility_no == facility_no)).scalar_one_or_none()

    def page(self, *, cursor: str | None, limit: int) -> Page:
        return keyset_page(self.session, self.scoped(), key=[Facility.id], cursor=cursor,
                           limit=limit)


class LocationRepository(TenantRepository[Location]):
    model = Location
    noun = "location"

    def by_no(self, facility_id: str, location_no: str) -> Location | None:
        return self.session.execute(self.scoped().where(
            Location.facility_id == facility_id,
            Location.location_no == location_no)).scalar_one_or_none()

    def page(self, *, facility_id: str, cursor: str | None, limit: int) -> Page:
        stmt = self.scoped().where(Location.facility_id == facility_id)
        return keyset_page(self.session, stmt, key=[Location.id], cursor=cursor, limit=limit)


class ApCodeRepository(TenantRepository[ApCode]):
    model = ApCode
    noun = "AP code"

    def by_ids(self, ids: Iterable[str | None]) -> dict[str, ApCode]:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        return {c.id: c for c in self.session.execute(
            self.scoped().where(ApCode.id.in_(wanted))).scalars()}

    def by_code(self, kind: str, code: str) -> ApCode | None:
        return self.session.execute(
            self.scoped().where(ApCode.kind == kind, ApCode.code == code)).scalar_one_or_none()

    def page(self, *, cursor: str | None, limit: int, kind: str | None = None) -> Page:
        stmt = self.scoped()
        if kind is not None:
            stmt = stmt.where(ApCode.kind == kind)
        return keyset_page(self.session, stmt, key=[ApCode.id], cursor=cursor, limit=limit)


class PurchaseOrderRepository(TenantRepository[PurchaseOrder]):
    model = PurchaseOrder
    noun = "purchase order"

    def by_no(self, po_no: str) -> PurchaseOrder | None:
        return self.session.execute(
            self.scoped().where(PurchaseOrder.po_no == po_no)).scalar_one_or_none()

    def page(self, *, cursor: str | None, limit: int, vendor_id: str | None = None,
             po_type: str | None = None) -> Page:
        stmt = self.scoped()
        if vendor_id is not None:
            stmt = stmt.where(PurchaseOrder.vendor_id == vendor_id)
        if po_type is not None:
            stmt = stmt.where(PurchaseOrder.po_type == po_type)
        return keyset_page(self.session, stmt, key=[PurchaseOrder.id], cursor=cursor, limit=limit)


class MatchedInvoiceRepository(TenantRepository[MatchedInvoice]):
    model = MatchedInvoice
    noun = "matched invoice"

    def by_vendor_invoice_no(self, vendor_id: str, invoice_no: str) -> MatchedInvoice | None:
        return self.session.execute(self.scoped().where(
            MatchedInvoice.vendor_id == vendor_id,
            MatchedInvoice.invoice_no == invoice_no)).scalar_one_or_none()

    def next_sequence_no(self, purchase_order_id: str) -> int:
        highest = self.session.execute(
            select(func.max(MatchedInvoice.sequence_no)).where(
                MatchedInvoice.tenant_id == self.tenant_id,
                MatchedInvoice.purchase_order_id == purchase_order_id)).scalar()
        return (highest or 0) + 1

    def lock_many(self, invoice_ids: Sequence[str]) -> dict[str, MatchedInvoice]:
        """The invoices among ``invoice_ids`` (malformed or foreign ids are simply absent), row
        locked in id order so two writers never deadlock."""
        wanted = sorted({i.lower() for i in invoice_ids if isinstance(i, str) and is_uuid(i)})
        if not wanted:
            return {}
        stmt = (self.scoped().where(MatchedInvoice.id.in_(wanted)).order_by(MatchedInvoice.id)
                .with_for_update().execution_options(populate_existing=True))
        found = {invoice.id: invoice for invoice in self.session.execute(stmt).scalars()}
        # callers name ids as they were sent; a UUID in capitals is the same invoice
        return {i: found[str(i).lower()] for i in invoice_ids
                if isinstance(i, str) and str(i).lower() in found}

    def lines(self, invoice_ids: Iterable[str]) -> dict[str, list[MatchedInvoiceLine]]:
        ids = list(invoice_ids)
        out: dict[str, list[MatchedInvoiceLine]] = {i: [] for i in ids}
        if ids:
            stmt = (select(MatchedInvoiceLine)
                    .where(MatchedInvoiceLine.tenant_id == self.tenant_id,
                           MatchedInvoiceLine.invoice_id.in_(ids))
                    .order_by(MatchedInvoiceLine.invoice_id, MatchedInvoiceLine.line_no))
            for line in self.session.execute(stmt).scalars():
                out[line.invoice_id].append(line)
        return out

    def replace_lines(self, invoice_id: str, lines: Sequence[MatchedInvoiceLine]) -> None:
        for line in self.lines([invoice_id])[invoice_id]:
            self.session.delete(line)
        self.session.flush()
        self.session.add_all(lines)
        self.session.flush()

    def count_in_batch(self, batch_id: str) -> int:
        return self.session.execute(
            select(func.count()).where(MatchedInvoice.tenant_id == self.tenant_id,
                                       MatchedInvoice.ap_batch_id == batch_id)).scalar_one()

    def mark_batch_exported(self, batch_id: str, *, values: dict[str, Any]) -> list[str]:
        """Move the batch's ``Batched`` invoices to ``Exported`` in one statement; their ids."""
        stmt = (update(MatchedInvoice)
                .where(MatchedInvoice.tenant_id == self.tenant_id,
                       MatchedInvoice.ap_batch_id == batch_id,
                       MatchedInvoice.status == "Batched")
                .values(status="Exported", version=MatchedInvoice.version + 1, **values)
                .returning(MatchedInvoice.id)
                .execution_options(synchronize_session=False))
        ids = sorted(self.session.execute(stmt).scalars())
        # objects already in the session must not keep their old status
        for invoice_id in ids:
            cached = self.session.identity_map.get(self.session.identity_key(
                MatchedInvoice, (self.tenant_id, invoice_id)))
            if cached is not None:
                self.session.expire(cached)
        return ids


class ApBatchRepository(TenantRepository[ApBatch]):
    model = ApBatch
    noun = "AP batch"

    def by_no(self, batch_no: str) -> ApBatch | None:
        return self.session.execute(
            self.scoped().where(ApBatch.batch_no == batch_no)).scalar_one_or_none()

    def unposted_with_status(self, status: str) -> list[ApBatch]:
        return list(self.session.execute(self.scoped().where(
            ApBatch.status == status, ApBatch.posted_at.is_(None),
            ApBatch.posting_job_id.is_(None)).order_by(ApBatch.id)).scalars())


# --- views ---------------------------------------------------------------------------------------

class View:
    """A read model: named expressions over a FROM clause, scoped to one tenant. ``where`` and
    ``order_by`` arguments are built from ``fields`` (never from request text)."""

    def __init__(self, session: Session, fields: dict[str, ColumnElement[Any]],
                 from_clause: FromClause, scope: ColumnElement[bool]) -> None:
        self.session = session
        self.fields = fields
        self.from_clause = from_clause
        self.scope = scope

    def matching(self, **equals: Any) -> ColumnElement[bool] | None:
        """``field = value`` for every value that is not ``None`` (native list filters)."""
        terms = [self.fields[name] == _canonical(self.fields[name], value)
                 for name, value in equals.items() if value is not None]
        return and_(*terms) if terms else None

    def select(self, where: ColumnElement[bool] | None = None) -> Select[Any]:
        stmt = (select(*(expr.label(name) for name, expr in self.fields.items()))
                .select_from(self.from_clause).where(self.scope))
        return stmt if where is None else stmt.where(where)

    def find(self, *, where: ColumnElement[bool] | None = None,
             order_by: Sequence[ColumnElement[Any]] = (), offset: int = 0,
             limit: int | None = None) -> list[RowMapping]:
        stmt = self.select(where).order_by(*(order_by or [self.fields["id"]]))
        if offset:
            stmt = stmt.offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.execute(stmt).mappings())

    def count(self, where: ColumnElement[bool] | None = None) -> int:
        stmt = select(func.count()).select_from(self.from_clause).where(self.scope)
        if where is not None:
            stmt = stmt.where(where)
        return self.session.execute(stmt).scalar_one()

    def one(self, record_id: str) -> RowMapping | None:
        rows = self.find(where=self.fields["id"] == record_id.lower(), limit=1) \
            if isinstance(record_id, str) and is_uuid(record_id) else []
        return rows[0] if rows else None

    def page(self, *, cursor: str | None, limit: int,
             where: ColumnElement[bool] | None = None) -> Page:
        """A keyset page in id (creation) order; items are row mappings."""
        page = keyset_page(self.session, self.select(where), key=[self.fields["id"]],
                           cursor=cursor, limit=limit, scalars=False,
                           key_of=lambda row: [row.id])
        return Page([row._mapping for row in page.items], page.next_cursor)


def _canonical(expression: ColumnElement[Any], value: Any) -> Any:
    """UUIDs in lower case: SQLite compares the stored hex as text."""
    return value.lower() if isinstance(expression.type, Uuid) and isinstance(value, str) else value


def _status_id(column: ColumnElement[str], statuses: dict[str, int]) -> ColumnElement[int]:
    return case(statuses, value=column)


def batch_view(session: Session, tenant_id: int) -> View:
    """AP batches with their derived ``total`` (minor units) and ``invoice_count``."""
    invoices = (MatchedInvoice.tenant_id == ApBatch.tenant_id) & \
        (MatchedInvoice.ap_batch_id == ApBatch.id)
    invoice_count = select(func.count()).where(invoices).correlate(ApBatch).scalar_subquery()
    total = select(cast(func.coalesce(func.sum(MatchedInvoice.validation_total), 0), BigInteger)) \
        .where(invoices).correlate(ApBatch).scalar_subquery()
    b = ApBatch
    fields: dict[str, ColumnElement[Any]] = {
        "id": b.id, "batch_no": b.batch_no, "reference": b.reference, "status": b.status,
        "status_id": _status_id(b.status, BATCH_STATUSES), "total": total,
        "invoice_count": invoice_count, "is_scheduled_exporting": b.is_scheduled_exporting,
        "last_exported_at": b.last_exported_at, "created_at": b.created_at,
        "created_by_id": b.created_by_id, "created_by_name": b.created_by_name,
        "updated_at": b.updated_at, "updated_by_id": b.updated_by_id,
        "updated_by_name": b.updated_by_name, "version": b.version,
    }
    return View(session, fields, ApBatch.__table__, ApBatch.tenant_id == tenant_id)


def invoice_view(session: Session, tenant_id: int) -> View:
    """Matched invoices joined to everything their API shapes show."""
    inv, po, vendor = MatchedInvoice, PurchaseOrder, Vendor
    facility, location, remit, batch = Facility, Location, VendorRemitTo, ApBatch
    card, cer, project = aliased(ApCode), aliased(ApCode), aliased(ApCode)

    def same(model: Any, key: Any) -> ColumnElement[bool]:
        return and_(model.tenant_id == inv.tenant_id, model.id == key)

    from_clause = (
        inv.__table__
        .join(po, same(po, inv.purchase_order_id))
        .join(vendor, same(vendor, inv.vendor_id))
        .join(facility, same(facility, po.facility_id))
        .join(location, same(location, po.location_id))
        .join(remit, same(remit, inv.vendor_remit_to_id))
        .outerjoin(card, same(card, inv.credit_card_id))
        .outerjoin(cer, same(cer, po.cer_id))
        .outerjoin(project, same(project, po.project_id))
        .outerjoin(batch, same(batch, inv.ap_batch_id))
    )
    fields: dict[str, ColumnElement[Any]] = {
        "id": inv.id, "purchase_order_id": inv.purchase_order_id, "purchase_order_no": po.po_no,
        "sequence_no": inv.sequence_no, "po_type": po.po_type, "facility_id": facility.id,
        "facility_no": facility.facility_no, "facility_name": facility.name,
        "location_id": location.id, "location_no": location.location_no,
        "location_name": location.name, "vendor_id": vendor.id, "vendor_no": vendor.vendor_no,
        "vendor_name": vendor.name, "invoice_no": inv.invoice_no, "status": inv.status,
        "status_id": _status_id(inv.status, INVOICE_STATUSES),
        "vendor_remit_to_id": inv.vendor_remit_to_id, "remit_to_no": remit.remit_to_no,
        "remit_to_description": remit.description,
        "remit_to_vendor_no": func.coalesce(remit.remit_vendor_no, vendor.vendor_no),
        "credit_card_id": inv.credit_card_id, "credit_card_code": card.code,
        "credit_card_description": card.description, "reference": inv.reference,
        "notes": inv.notes, "invoice_date": inv.invoice_date,
        "invoice_due_date": inv.invoice_due_date, "tracking_code": inv.tracking_code,
        "validation_total": inv.validation_total, "cer_id": po.cer_id, "cer_no": cer.code,
        "cer_description": cer.description, "discount_amount": inv.discount_amount,
        "tax_amount": inv.tax_amount, "shipping_amount": inv.shipping_amount,
        "tax_expense_gl_code": inv.tax_expense_gl_code,
        "tax_accrual_gl_code": inv.tax_accrual_gl_code, "discount_gl_code": inv.discount_gl_code,
        "shipping_gl_code": inv.shipping_gl_code, "tax_expense_amount": inv.tax_expense_amount,
        "ap_batch_id": inv.ap_batch_id, "ap_batch_no": batch.batch_no, "tax_code": inv.tax_code,
        "received_invoice_id": inv.received_invoice_id,
        # the amount credited to the payable account: what the vendor is owed
        "offset": inv.validation_total, "offset_gl_code": inv.offset_gl_code,
        "created_by_id": inv.created_by_id, "created_by_name": inv.created_by_name,
        "created_at": inv.created_at, "updated_at": inv.updated_at,
        "updated_by_id": inv.updated_by_id, "updated_by_name": inv.updated_by_name,
        "submitted_at": inv.submitted_at, "submitted_by_id": inv.submitted_by_id,
        "submitted_by_name": inv.submitted_by_name, "project_id": po.project_id,
        "project_no": project.code, "project_description": project.description,
        "version": inv.version,
    }
    return View(session, fields, from_clause, inv.tenant_id == tenant_id)
