"""The batch document: every field of Rhythm's batch (our canonical shape), built once.

Each API surface supplies how amounts appear (``/v1``: exact decimal strings; Rhythm: exact JSON
numbers) and may add its own fields; the field set and values are otherwise the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from finbatch.batches import lifecycle
from finbatch.batches.models import ARBatch
from finbatch.batches.stats import STAT_KEYS, BatchStats
from finbatch.kit import money
from finbatch.kit.clock import iso_utc

AmountRenderer = Callable[[int, str], Any]


def decimal_amount(minor: int, currency: str) -> Decimal:
    return money.to_decimal(minor, currency)


def string_amount(minor: int, currency: str) -> str:
    return money.format_minor(minor, currency)


def statistics(stats: BatchStats, currency: str, amount: AmountRenderer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, (count_key, total_key) in STAT_KEYS.items():
        out[count_key] = stats.counts[kind]
        out[total_key] = amount(stats.amounts[kind], currency)
    return dict(sorted(out.items()))


def batch_document(batch: ARBatch, stats: BatchStats, amount: AmountRenderer) -> dict[str, Any]:
    meta = batch.sys_meta or {}
    currency = batch.currency_code
    return {
        "automatically_close_at": iso_utc(batch.automatically_close_at),
        "business_unit_id": batch.business_unit_id,
        "closed_at": iso_utc(batch.closed_at),
        "count": stats.count,
        "currency_code": currency,
        "currency_symbol": batch.currency_symbol,
        "custom_field_values": list(batch.custom_field_values or []),
        "date": batch.date.isoformat(),
        "dependents": list(batch.dependents or []),
        "description": batch.description,
        "downloaded_at": iso_utc(batch.downloaded_at),
        "downloading_workflow_execution_id": batch.downloading_workflow_execution_id,
        "errors": list(batch.errors or []),
        "fiscal_period": batch.fiscal_period,
        "fiscal_year_id": batch.fiscal_year_id,
        "id": batch.id,
        "name": batch.name,
        "posted_at": iso_utc(batch.posted_at),
        "posting_workflow_execution_id": batch.posting_workflow_execution_id,
        "recurring_batch_id": batch.recurring_batch_id,
        "statistics": statistics(stats, currency, amount),
        "status": batch.status,
        "sys_bulk_load_at": meta.get("bulk_load_at"),
        "sys_bulk_load_id": meta.get("bulk_load_id"),
        "sys_bulk_load_pk": meta.get("bulk_load_pk"),
        "sys_bulk_load_record_no": meta.get("bulk_load_record_no"),
        "sys_bulk_load_source_file": meta.get("bulk_load_source_file"),
        "sys_calculated_field_error": None,
        "sys_calculated_field_errors": [],
        "sys_composite_fiscal_period_key":
            f"{batch.business_unit_id}#{batch.fiscal_year_id}#{batch.fiscal_period}",
        "sys_configuration_snapshot_id": None,
        "sys_created_at": iso_utc(batch.created_at),
        "sys_created_by_id": batch.created_by,
        "sys_deleted_by_id": meta.get("deleted_by_id"),
        "sys_directive": None,
        "sys_external_id": batch.external_id,
        "sys_fiscal_period_id": f"{batch.fiscal_year_id}-{batch.fiscal_period:02d}",
        "sys_has_files_in_s3": bool(meta.get("has_files_in_s3", False)),
        "sys_last_bulk_data_operation_id": meta.get("last_bulk_data_operation_id"),
        "sys_last_bulk_data_operation_sys_version": meta.get("last_bulk_data_operation_sys_version"),
        "sys_last_modified_at": iso_utc(batch.modified_at),
        "sys_last_modified_by_id": batch.modified_by,
        "sys_last_security_context": meta.get("security_context") or {},
        "sys_locked": lifecycle.is_locked(batch.status),
        "sys_snapshot_base_version": None,
        "sys_version": batch.version,
        "total": amount(stats.total, currency),
        "type": batch.type,
        "unposting_workflow_execution_id": batch.unposting_workflow_execution_id,
    }


def native_batch(batch: ARBatch, stats: BatchStats) -> dict[str, Any]:
    """The ``/v1`` batch: the canonical document with amounts as strings, plus native fields."""
    doc = batch_document(batch, stats, string_amount)
    doc.update({
        "commerce_type": batch.commerce_type,
        "verified_at": iso_utc(batch.verified_at),
        "unposted_at": iso_utc(batch.unposted_at),
        "archived_at": iso_utc(batch.archived_at),
        "transaction_count": stats.transactions,
        "version": batch.version,
    })
    return doc
