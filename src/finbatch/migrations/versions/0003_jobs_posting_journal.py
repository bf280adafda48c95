"""jobs, posting rules and the journal

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:35:47.406869
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import finbatch.orm
from finbatch.ledger import guard

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('jobs',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('checkpoint', sa.String(length=64), nullable=True),
    sa.Column('progress_done', sa.BigInteger(), nullable=False),
    sa.Column('progress_total', sa.BigInteger(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('run_after', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_by', sa.String(length=128), nullable=True),
    sa.Column('lease_expires_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name=op.f('ck_jobs_status_values')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_jobs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_tenant_id_kind_created_at'), ['tenant_id', 'kind', 'created_at'], unique=False)
        batch_op.create_index('ix_jobs_tenant_id_live', ['tenant_id', 'run_after', 'id'], unique=False, postgresql_where=sa.text("status IN ('queued', 'running')"), sqlite_where=sa.text("status IN ('queued', 'running')"))

    op.create_table('journal_entries',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('number', sa.BigInteger(), nullable=False),
    sa.Column('run_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('batch_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('source_kind', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('fiscal_year_id', sa.String(length=32), nullable=False),
    sa.Column('fiscal_period', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('fx_rate', finbatch.orm.DecimalText(length=40), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('party_id', sa.String(length=64), nullable=True),
    sa.Column('party_name', sa.String(length=200), nullable=True),
    sa.Column('reverses_entry_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_journal_entries_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_journal_entries'))
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_entries_tenant_id_batch_id_id'), ['tenant_id', 'batch_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entries_tenant_id_number'), ['tenant_id', 'number'], unique=True)
        batch_op.create_index(batch_op.f('ix_journal_entries_tenant_id_run_id'), ['tenant_id', 'run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entries_tenant_id_source_id'), ['tenant_id', 'source_id'], unique=False)

    op.create_table('posting_runs',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('batch_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('entry_count', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('started_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('post', 'reverse')", name=op.f('ck_posting_runs_kind_values')),
    sa.CheckConstraint("status IN ('running', 'complete', 'failed', 'removed')", name=op.f('ck_posting_runs_status_values')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_posting_runs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_posting_runs'))
    )
    with op.batch_alter_table('posting_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_runs_tenant_id_batch_id_status'), ['tenant_id', 'batch_id', 'status'], unique=False)

    op.create_table('journal_lines',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('line_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('account_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('debit', sa.BigInteger(), nullable=False),
    sa.Column('credit', sa.BigInteger(), nullable=False),
    sa.Column('txn_debit', sa.BigInteger(), nullable=False),
    sa.Column('txn_credit', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('department', sa.String(length=64), nullable=True),
    sa.Column('project', sa.String(length=64), nullable=True),
    sa.CheckConstraint('(debit = 0 OR credit = 0) AND (txn_debit = 0 OR txn_credit = 0)', name=op.f('ck_journal_lines_one_side')),
    sa.CheckConstraint('debit >= 0 AND credit >= 0 AND txn_debit >= 0 AND txn_credit >= 0', name=op.f('ck_journal_lines_non_negative')),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['gl_accounts.tenant_id', 'gl_accounts.id'], name=op.f('fk_journal_lines_tenant_id_account_id_gl_accounts')),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['journal_entries.tenant_id', 'journal_entries.id'], name=op.f('fk_journal_lines_tenant_id_entry_id_journal_entries'), ondelete='CASCADE', initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_journal_lines_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'entry_id', 'line_number', name=op.f('pk_journal_lines'))
    )
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_lines_tenant_id_account_id'), ['tenant_id', 'account_id'], unique=False)

    op.create_table('posting_rules',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.Column('commerce_type', sa.String(length=1), nullable=False),
    sa.Column('business_unit_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['gl_accounts.tenant_id', 'gl_accounts.id'], name=op.f('fk_posting_rules_tenant_id_account_id_gl_accounts')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_posting_rules_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_posting_rules')),
    sa.UniqueConstraint('tenant_id', 'kind', 'role', 'product', 'commerce_type', 'business_unit_id', name=op.f('uq_posting_rules_tenant_id_kind_role_product_commerce_type_business_unit_id'))
    )
    with op.batch_alter_table('posting_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_rules_tenant_id_account_id'), ['tenant_id', 'account_id'], unique=False)

    # the journal balance guard (see finbatch.ledger.guard)
    for statement in guard.install_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in guard.remove_statements(op.get_bind().dialect.name):
        op.execute(statement)

    with op.batch_alter_table('posting_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_rules_tenant_id_account_id'))

    op.drop_table('posting_rules')
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_lines_tenant_id_account_id'))

    op.drop_table('journal_lines')
    with op.batch_alter_table('posting_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_runs_tenant_id_batch_id_status'))

    op.drop_table('posting_runs')
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entries_tenant_id_source_id'))
        batch_op.drop_index(batch_op.f('ix_journal_entries_tenant_id_run_id'))
        batch_op.drop_index(batch_op.f('ix_journal_entries_tenant_id_number'))
        batch_op.drop_index(batch_op.f('ix_journal_entries_tenant_id_batch_id_id'))

    op.drop_table('journal_entries')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_tenant_id_live', postgresql_where=sa.text("status IN ('queued', 'running')"), sqlite_where=sa.text("status IN ('queued', 'running')"))
        batch_op.drop_index(batch_op.f('ix_jobs_tenant_id_kind_created_at'))

    op.drop_table('jobs')

