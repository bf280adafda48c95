"""platform foundation

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 09:04:08.124804
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import finbatch.orm

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('instance_settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_instance_settings'))
    )
    op.create_table('tenants',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('base_currency', sa.String(length=3), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('fiscal_year_start_month', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('fiscal_year_start_month BETWEEN 1 AND 12', name=op.f('ck_tenants_fiscal_start_month')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('slug', name=op.f('uq_tenants_slug'))
    )
    op.create_table('users',
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_api_tokens_secret_hash'))
    )
    op.create_table('business_units',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('export_format', sa.String(length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_business_units_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_business_units'))
    )
    op.create_table('events',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('record_kind', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'sequence', name=op.f('pk_events'))
    )
    op.create_table('fiscal_years',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_fiscal_years_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_fiscal_years'))
    )
    op.create_table('gl_accounts',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("type IN ('asset', 'liability', 'equity', 'revenue', 'expense')", name=op.f('ck_gl_accounts_type_values')),
    sa.ForeignKeyConstraint(['tenant_id', 'parent_id'], ['gl_accounts.tenant_id', 'gl_accounts.id'], name=op.f('fk_gl_accounts_tenant_id_parent_id_gl_accounts')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_gl_accounts_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_gl_accounts')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_gl_accounts_tenant_id_code'))
    )
    with op.batch_alter_table('gl_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gl_accounts_tenant_id_parent_id'), ['tenant_id', 'parent_id'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response_headers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('response_body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_idempotency_keys_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('memberships',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('roles', sa.String(length=100), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_memberships_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('tenant_id', 'user_id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_user_id_tenant_id'), ['user_id', 'tenant_id'], unique=False)

    op.create_table('tenant_counters',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_counters_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'name', name=op.f('pk_tenant_counters'))
    )
    op.create_table('api_token_grants',
    sa.Column('token_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('roles', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_token_grants_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_api_token_grants_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', 'tenant_id', name=op.f('pk_api_token_grants'))
    )
    with op.batch_alter_table('api_token_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_grants_tenant_id_token_id'), ['tenant_id', 'token_id'], unique=False)

    op.create_table('fiscal_periods',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year_id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_fiscal_periods_status_values')),
    sa.CheckConstraint('number BETWEEN 1 AND 12', name=op.f('ck_fiscal_periods_number_range')),
    sa.ForeignKeyConstraint(['tenant_id', 'fiscal_year_id'], ['fiscal_years.tenant_id', 'fiscal_years.id'], name=op.f('fk_fiscal_periods_tenant_id_fiscal_year_id_fiscal_years')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_fiscal_periods_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'fiscal_year_id', 'number', name=op.f('pk_fiscal_periods'))
    )



def downgrade() -> None:

    op.drop_table('fiscal_periods')
    with op.batch_alter_table('api_token_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_grants_tenant_id_token_id'))

    op.drop_table('api_token_grants')
    op.drop_table('tenant_counters')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_user_id_tenant_id'))

    op.drop_table('memberships')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('gl_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gl_accounts_tenant_id_parent_id'))

    op.drop_table('gl_accounts')
    op.drop_table('fiscal_years')
    op.drop_table('events')
    op.drop_table('business_units')
    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('tenants')
    op.drop_table('instance_settings')

