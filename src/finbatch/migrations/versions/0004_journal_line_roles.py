"""journal line roles

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 09:58:22.546127
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ALTER TABLE ADD COLUMN: a batch (copy-and-rename) rebuild on SQLite would drop the
    # journal guard's triggers on journal_lines
    op.add_column('journal_lines', sa.Column('role', sa.String(length=32), nullable=False,
                                             server_default=''))


def downgrade() -> None:
    op.drop_column('journal_lines', 'role')


