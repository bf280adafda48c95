"""receivables and batches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:21:18.203472
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import finbatch.orm

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('customers',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('external_ref', sa.String(length=200), nullable=True),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('modified_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_customers_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_tenant_id_code'), ['tenant_id', 'code'], unique=True)
        batch_op.create_index(batch_op.f('ix_customers_tenant_id_external_ref'), ['tenant_id', 'external_ref'], unique=True)

    op.create_table('tax_codes',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('rate', finbatch.orm.DecimalText(length=40), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tax_codes_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'code', name=op.f('pk_tax_codes'))
    )
    op.create_table('ar_batches',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('business_unit_id', sa.String(length=64), nullable=False),
    sa.Column('currency_code', sa.String(length=3), nullable=False),
    sa.Column('currency_symbol', sa.String(length=8), nullable=True),
    sa.Column('commerce_type', sa.String(length=1), nullable=True),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('fiscal_year_id', sa.String(length=32), nullable=False),
    sa.Column('fiscal_period', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('recurring_batch_id', sa.String(length=64), nullable=True),
    sa.Column('dependents', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('errors', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('custom_field_values', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('automatically_close_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verified_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('posted_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unposted_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('downloaded_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('archived_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('posting_workflow_execution_id', sa.String(length=64), nullable=True),
    sa.Column('unposting_workflow_execution_id', sa.String(length=64), nullable=True),
    sa.Column('downloading_workflow_execution_id', sa.String(length=64), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('modified_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('modified_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sys_meta', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed', 'verified', 'posting', 'posted', 'downloaded', 'error', 'archived')", name=op.f('ck_ar_batches_status_values')),
    sa.CheckConstraint("type IN ('transaction', 'deferred revenue', 'cost of goods sold', 'legacy')", name=op.f('ck_ar_batches_type_values')),
    sa.CheckConstraint('fiscal_period BETWEEN 1 AND 12', name=op.f('ck_ar_batches_fiscal_period_range')),
    sa.ForeignKeyConstraint(['tenant_id', 'business_unit_id'], ['business_units.tenant_id', 'business_units.id'], name=op.f('fk_ar_batches_tenant_id_business_unit_id_business_units')),
    sa.ForeignKeyConstraint(['tenant_id', 'fiscal_year_id', 'fiscal_period'], ['fiscal_periods.tenant_id', 'fiscal_periods.fiscal_year_id', 'fiscal_periods.number'], name=op.f('fk_ar_batches_tenant_id_fiscal_year_id_fiscal_period_fiscal_periods')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ar_batches_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_ar_batches'))
    )
    with op.batch_alter_table('ar_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ar_batches_tenant_id_created_at_id'), ['tenant_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ar_batches_tenant_id_external_id'), ['tenant_id', 'external_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_ar_batches_tenant_id_fiscal_year_id_fiscal_period'), ['tenant_id', 'fiscal_year_id', 'fiscal_period'], unique=False)
        batch_op.create_index(batch_op.f('ix_ar_batches_tenant_id_status_business_unit_id_currency_code_fiscal_year_id_fiscal_period'), ['tenant_id', 'status', 'business_unit_id', 'currency_code', 'fiscal_year_id', 'fiscal_period'], unique=False)

    op.create_table('ar_batch_stats',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'batch_id'], ['ar_batches.tenant_id', 'ar_batches.id'], name=op.f('fk_ar_batch_stats_tenant_id_batch_id_ar_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ar_batch_stats_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'batch_id', 'kind', name=op.f('pk_ar_batch_stats'))
    )
    op.create_table('ar_transactions',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('number', sa.BigInteger(), nullable=False),
    sa.Column('external_ref', sa.String(length=200), nullable=True),
    sa.Column('source_hash', sa.String(length=64), nullable=True),
    sa.Column('batch_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('business_unit_id', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('fx_rate', finbatch.orm.DecimalText(length=40), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('occurred_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fiscal_year_id', sa.String(length=32), nullable=False),
    sa.Column('fiscal_period', sa.Integer(), nullable=False),
    sa.Column('commerce_type', sa.String(length=1), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('subtotal', sa.BigInteger(), nullable=False),
    sa.Column('tax_total', sa.BigInteger(), nullable=False),
    sa.Column('settled', sa.BigInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('location', sa.String(length=64), nullable=True),
    sa.Column('terms', sa.String(length=64), nullable=True),
    sa.Column('is_void', sa.Boolean(), nullable=False),
    sa.Column('void_date', sa.Date(), nullable=True),
    sa.Column('transaction_type', sa.String(length=2), nullable=True),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('payment_account', sa.String(length=32), nullable=True),
    sa.Column('payment_method', sa.String(length=64), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('cleared_date', sa.Date(), nullable=True),
    sa.Column('payee', sa.String(length=200), nullable=True),
    sa.Column('requires_follow_up', sa.Boolean(), nullable=False),
    sa.Column('payment_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('modified_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('modified_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("commerce_type IS NULL OR commerce_type IN ('D', 'M', 'S')", name=op.f('ck_ar_transactions_commerce_type_values')),
    sa.CheckConstraint("kind IN ('invoice', 'payment', 'refund', 'credit', 'credit_memo', 'debit_memo', 'write_off')", name=op.f('ck_ar_transactions_kind_values')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_ar_transactions_amount_non_negative')),
    sa.CheckConstraint('fee >= 0', name=op.f('ck_ar_transactions_fee_non_negative')),
    sa.CheckConstraint('settled >= 0 AND settled <= amount', name=op.f('ck_ar_transactions_settled_within_amount')),
    sa.ForeignKeyConstraint(['tenant_id', 'batch_id'], ['ar_batches.tenant_id', 'ar_batches.id'], name=op.f('fk_ar_transactions_tenant_id_batch_id_ar_batches')),
    sa.ForeignKeyConstraint(['tenant_id', 'business_unit_id'], ['business_units.tenant_id', 'business_units.id'], name=op.f('fk_ar_transactions_tenant_id_business_unit_id_business_units')),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['customers.tenant_id', 'customers.id'], name=op.f('fk_ar_transactions_tenant_id_customer_id_customers')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ar_transactions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_ar_transactions'))
    )
    with op.batch_alter_table('ar_transactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ar_transactions_tenant_id_batch_id_kind'), ['tenant_id', 'batch_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_ar_transactions_tenant_id_customer_id'), ['tenant_id', 'customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ar_transactions_tenant_id_kind_external_ref'), ['tenant_id', 'kind', 'external_ref'], unique=True)
        batch_op.create_index(batch_op.f('ix_ar_transactions_tenant_id_kind_id'), ['tenant_id', 'kind', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ar_transactions_tenant_id_kind_modified_at_id'), ['tenant_id', 'kind', 'modified_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ar_transactions_tenant_id_kind_number'), ['tenant_id', 'kind', 'number'], unique=True)

    op.create_table('ar_allocations',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('source_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('target_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_ar_allocations_amount_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'source_id'], ['ar_transactions.tenant_id', 'ar_transactions.id'], name=op.f('fk_ar_allocations_tenant_id_source_id_ar_transactions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'target_id'], ['ar_transactions.tenant_id', 'ar_transactions.id'], name=op.f('fk_ar_allocations_tenant_id_target_id_ar_transactions')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ar_allocations_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_ar_allocations'))
    )
    with op.batch_alter_table('ar_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ar_allocations_tenant_id_source_id_target_id'), ['tenant_id', 'source_id', 'target_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_ar_allocations_tenant_id_target_id'), ['tenant_id', 'target_id'], unique=False)

    op.create_table('ar_lines',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('line_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('product', sa.String(length=64), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('quantity', finbatch.orm.DecimalText(length=40), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=True),
    sa.Column('unit_price', finbatch.orm.DecimalText(length=40), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('tax_code', sa.String(length=32), nullable=True),
    sa.Column('gl_account_code', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'transaction_id'], ['ar_transactions.tenant_id', 'ar_transactions.id'], name=op.f('fk_ar_lines_tenant_id_transaction_id_ar_transactions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ar_lines_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'transaction_id', 'line_number', name=op.f('pk_ar_lines'))
    )
    op.create_table('ar_tax_lines',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('tax_code', sa.String(length=32), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('rate', finbatch.orm.DecimalText(length=40), nullable=False),
    sa.Column('taxable', sa.BigInteger(), nullable=False),
    sa.Column('tax', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'transaction_id'], ['ar_transactions.tenant_id', 'ar_transactions.id'], name=op.f('fk_ar_tax_lines_tenant_id_transaction_id_ar_transactions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ar_tax_lines_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'transaction_id', 'tax_code', name=op.f('pk_ar_tax_lines'))
    )



def downgrade() -> None:

    op.drop_table('ar_tax_lines')
    op.drop_table('ar_lines')
    with op.batch_alter_table('ar_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ar_allocations_tenant_id_target_id'))
        batch_op.drop_index(batch_op.f('ix_ar_allocations_tenant_id_source_id_target_id'))

    op.drop_table('ar_allocations')
    with op.batch_alter_table('ar_transactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ar_transactions_tenant_id_kind_number'))
        batch_op.drop_index(batch_op.f('ix_ar_transactions_tenant_id_kind_modified_at_id'))
        batch_op.drop_index(batch_op.f('ix_ar_transactions_tenant_id_kind_id'))
        batch_op.drop_index(batch_op.f('ix_ar_transactions_tenant_id_kind_external_ref'))
        batch_op.drop_index(batch_op.f('ix_ar_transactions_tenant_id_customer_id'))
        batch_op.drop_index(batch_op.f('ix_ar_transactions_tenant_id_batch_id_kind'))

    op.drop_table('ar_transactions')
    op.drop_table('ar_batch_stats')
    with op.batch_alter_table('ar_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ar_batches_tenant_id_status_business_unit_id_currency_code_fiscal_year_id_fiscal_period'))
        batch_op.drop_index(batch_op.f('ix_ar_batches_tenant_id_fiscal_year_id_fiscal_period'))
        batch_op.drop_index(batch_op.f('ix_ar_batches_tenant_id_external_id'))
        batch_op.drop_index(batch_op.f('ix_ar_batches_tenant_id_created_at_id'))

    op.drop_table('ar_batches')
    op.drop_table('tax_codes')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_tenant_id_external_ref'))
        batch_op.drop_index(batch_op.f('ix_customers_tenant_id_code'))

    op.drop_table('customers')

