"""ap posting and exports

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 10:55:33.023464
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import finbatch.orm

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMNs with server defaults: a SQLite table rebuild of journal_entries would drop
    # the journal guard's trigger on it
    for table in ("posting_runs", "journal_entries", "exports"):
        op.add_column(table, sa.Column("batch_kind", sa.String(length=8), nullable=False,
                                       server_default="ar"))
    op.add_column("ap_batches", sa.Column("posted_at", finbatch.orm.UTCDateTime(timezone=True),
                                          nullable=True))
    op.add_column("ap_batches", sa.Column("posting_job_id", sa.Uuid(as_uuid=False), nullable=True))
    # the export ledger names AR or AP batches: its foreign key to ar_batches goes (a rebuild on
    # SQLite; export_batches has no triggers)
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_kind", sa.String(length=8), nullable=False,
                                      server_default="ar"))
        batch_op.drop_constraint("fk_export_batches_tenant_id_batch_id_ar_batches",
                                 type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.create_foreign_key("fk_export_batches_tenant_id_batch_id_ar_batches",
                                    "ar_batches", ["tenant_id", "batch_id"], ["tenant_id", "id"])
        batch_op.drop_column("batch_kind")
    op.drop_column("ap_batches", "posting_job_id")
    op.drop_column("ap_batches", "posted_at")
    for table in ("exports", "journal_entries", "posting_runs"):
        op.drop_column(table, "batch_kind")
