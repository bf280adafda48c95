"""exports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 10:00:25.005857
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import finbatch.orm

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('exports',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('format', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('batch_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('force', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('row_count', sa.BigInteger(), nullable=True),
    sa.Column('byte_size', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('media_type', sa.String(length=100), nullable=True),
    sa.Column('storage_key', sa.String(length=500), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'complete', 'failed', 'expired')", name=op.f('ck_exports_status_values')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_exports_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_exports'))
    )
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exports_tenant_id_created_at'), ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_exports_tenant_id_fingerprint'), ['tenant_id', 'fingerprint'], unique=False)

    op.create_table('export_batches',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('export_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('batch_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('batch_version', sa.Integer(), nullable=False),
    sa.Column('content_mark', sa.String(length=100), nullable=False),
    sa.Column('from_entry_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('through_entry_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('entry_count', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'batch_id'], ['ar_batches.tenant_id', 'ar_batches.id'], name=op.f('fk_export_batches_tenant_id_batch_id_ar_batches')),
    sa.ForeignKeyConstraint(['tenant_id', 'export_id'], ['exports.tenant_id', 'exports.id'], name=op.f('fk_export_batches_tenant_id_export_id_exports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_export_batches_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'export_id', 'batch_id', name=op.f('pk_export_batches'))
    )
    with op.batch_alter_table('export_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_batches_tenant_id_batch_id_export_id'), ['tenant_id', 'batch_id', 'export_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('export_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_batches_tenant_id_batch_id_export_id'))

    op.drop_table('export_batches')
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exports_tenant_id_fingerprint'))
        batch_op.drop_index(batch_op.f('ix_exports_tenant_id_created_at'))

    op.drop_table('exports')

