"""payables: vendors, facilities, purchase orders, matched invoices, AP batches

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 09:26:26.809694
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import finbatch.orm

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ap_batches',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('batch_no', sa.String(length=50), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_scheduled_exporting', sa.Boolean(), nullable=False),
    sa.Column('last_exported_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('Pending', 'Queued', 'Exported')", name=op.f('ck_ap_batches_status_values')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ap_batches_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_ap_batches')),
    sa.UniqueConstraint('tenant_id', 'batch_no', name=op.f('uq_ap_batches_tenant_id_batch_no'))
    )
    with op.batch_alter_table('ap_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ap_batches_tenant_id_status'), ['tenant_id', 'status'], unique=False)

    op.create_table('ap_codes',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('cer', 'credit_card', 'project')", name=op.f('ck_ap_codes_kind_values')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ap_codes_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_ap_codes')),
    sa.UniqueConstraint('tenant_id', 'kind', 'code', name=op.f('uq_ap_codes_tenant_id_kind_code'))
    )
    op.create_table('facilities',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('facility_no', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_facilities_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_facilities')),
    sa.UniqueConstraint('tenant_id', 'facility_no', name=op.f('uq_facilities_tenant_id_facility_no'))
    )
    op.create_table('vendors',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('vendor_no', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_vendors_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_vendors')),
    sa.UniqueConstraint('tenant_id', 'vendor_no', name=op.f('uq_vendors_tenant_id_vendor_no'))
    )
    op.create_table('locations',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('facility_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('location_no', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'facility_id'], ['facilities.tenant_id', 'facilities.id'], name=op.f('fk_locations_tenant_id_facility_id_facilities')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_locations_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_locations')),
    sa.UniqueConstraint('tenant_id', 'facility_id', 'location_no', name=op.f('uq_locations_tenant_id_facility_id_location_no'))
    )
    op.create_table('vendor_remit_tos',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('vendor_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('remit_to_no', sa.String(length=32), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('remit_vendor_no', sa.String(length=32), nullable=True),
    sa.Column('address_line1', sa.String(length=200), nullable=False),
    sa.Column('address_line2', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('postal_code', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'vendor_id'], ['vendors.tenant_id', 'vendors.id'], name=op.f('fk_vendor_remit_tos_tenant_id_vendor_id_vendors')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_vendor_remit_tos_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_vendor_remit_tos')),
    sa.UniqueConstraint('tenant_id', 'vendor_id', 'remit_to_no', name=op.f('uq_vendor_remit_tos_tenant_id_vendor_id_remit_to_no'))
    )
    op.create_table('purchase_orders',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('po_no', sa.String(length=32), nullable=False),
    sa.Column('po_type', sa.String(length=16), nullable=False),
    sa.Column('vendor_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('facility_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('location_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.Column('cer_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('project_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("po_type IN ('Standard', 'Return', 'Capital')", name=op.f('ck_purchase_orders_po_type_values')),
    sa.ForeignKeyConstraint(['tenant_id', 'cer_id'], ['ap_codes.tenant_id', 'ap_codes.id'], name=op.f('fk_purchase_orders_tenant_id_cer_id_ap_codes')),
    sa.ForeignKeyConstraint(['tenant_id', 'facility_id'], ['facilities.tenant_id', 'facilities.id'], name=op.f('fk_purchase_orders_tenant_id_facility_id_facilities')),
    sa.ForeignKeyConstraint(['tenant_id', 'location_id'], ['locations.tenant_id', 'locations.id'], name=op.f('fk_purchase_orders_tenant_id_location_id_locations')),
    sa.ForeignKeyConstraint(['tenant_id', 'project_id'], ['ap_codes.tenant_id', 'ap_codes.id'], name=op.f('fk_purchase_orders_tenant_id_project_id_ap_codes')),
    sa.ForeignKeyConstraint(['tenant_id', 'vendor_id'], ['vendors.tenant_id', 'vendors.id'], name=op.f('fk_purchase_orders_tenant_id_vendor_id_vendors')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_purchase_orders_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_purchase_orders')),
    sa.UniqueConstraint('tenant_id', 'po_no', name=op.f('uq_purchase_orders_tenant_id_po_no'))
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_orders_tenant_id_vendor_id'), ['tenant_id', 'vendor_id'], unique=False)

    op.create_table('matched_invoices',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('purchase_order_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('sequence_no', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('invoice_no', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('vendor_remit_to_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('credit_card_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.String(length=2000), nullable=True),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('invoice_due_date', sa.Date(), nullable=True),
    sa.Column('tracking_code', sa.String(length=64), nullable=True),
    sa.Column('validation_total', sa.BigInteger(), nullable=False),
    sa.Column('discount_amount', sa.BigInteger(), nullable=False),
    sa.Column('tax_amount', sa.BigInteger(), nullable=False),
    sa.Column('shipping_amount', sa.BigInteger(), nullable=False),
    sa.Column('tax_expense_amount', sa.BigInteger(), nullable=False),
    sa.Column('tax_expense_gl_code', sa.String(length=32), nullable=True),
    sa.Column('tax_accrual_gl_code', sa.String(length=32), nullable=True),
    sa.Column('discount_gl_code', sa.String(length=32), nullable=True),
    sa.Column('shipping_gl_code', sa.String(length=32), nullable=True),
    sa.Column('offset_gl_code', sa.String(length=32), nullable=True),
    sa.Column('tax_code', sa.String(length=32), nullable=True),
    sa.Column('received_invoice_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('ap_batch_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('submitted_at', finbatch.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('submitted_by_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', finbatch.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('Vouchered', 'Batched', 'Exported')", name=op.f('ck_matched_invoices_status_values')),
    sa.ForeignKeyConstraint(['tenant_id', 'ap_batch_id'], ['ap_batches.tenant_id', 'ap_batches.id'], name=op.f('fk_matched_invoices_tenant_id_ap_batch_id_ap_batches')),
    sa.ForeignKeyConstraint(['tenant_id', 'credit_card_id'], ['ap_codes.tenant_id', 'ap_codes.id'], name=op.f('fk_matched_invoices_tenant_id_credit_card_id_ap_codes')),
    sa.ForeignKeyConstraint(['tenant_id', 'purchase_order_id'], ['purchase_orders.tenant_id', 'purchase_orders.id'], name=op.f('fk_matched_invoices_tenant_id_purchase_order_id_purchase_orders')),
    sa.ForeignKeyConstraint(['tenant_id', 'vendor_id'], ['vendors.tenant_id', 'vendors.id'], name=op.f('fk_matched_invoices_tenant_id_vendor_id_vendors')),
    sa.ForeignKeyConstraint(['tenant_id', 'vendor_remit_to_id'], ['vendor_remit_tos.tenant_id', 'vendor_remit_tos.id'], name=op.f('fk_matched_invoices_tenant_id_vendor_remit_to_id_vendor_remit_tos')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_matched_invoices_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_matched_invoices')),
    sa.UniqueConstraint('tenant_id', 'purchase_order_id', 'sequence_no', name=op.f('uq_matched_invoices_tenant_id_purchase_order_id_sequence_no')),
    sa.UniqueConstraint('tenant_id', 'vendor_id', 'invoice_no', name=op.f('uq_matched_invoices_tenant_id_vendor_id_invoice_no'))
    )
    with op.batch_alter_table('matched_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matched_invoices_tenant_id_ap_batch_id'), ['tenant_id', 'ap_batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matched_invoices_tenant_id_status'), ['tenant_id', 'status'], unique=False)

    op.create_table('matched_invoice_lines',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('line_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('gl_code', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('line_no >= 1', name=op.f('ck_matched_invoice_lines_line_no_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'invoice_id'], ['matched_invoices.tenant_id', 'matched_invoices.id'], name=op.f('fk_matched_invoice_lines_tenant_id_invoice_id_matched_invoices')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_matched_invoice_lines_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'invoice_id', 'line_no', name=op.f('pk_matched_invoice_lines'))
    )


def downgrade() -> None:
    op.drop_table('matched_invoice_lines')
    with op.batch_alter_table('matched_invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matched_invoices_tenant_id_status'))
        batch_op.drop_index(batch_op.f('ix_matched_invoices_tenant_id_ap_batch_id'))

    op.drop_table('matched_invoices')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_orders_tenant_id_vendor_id'))

    op.drop_table('purchase_orders')
    op.drop_table('vendor_remit_tos')
    op.drop_table('locations')
    op.drop_table('vendors')
    op.drop_table('facilities')
    op.drop_table('ap_codes')
    with op.batch_alter_table('ap_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ap_batches_tenant_id_status'))

    op.drop_table('ap_batches')
