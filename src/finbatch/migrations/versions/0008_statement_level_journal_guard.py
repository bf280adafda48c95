"""statement-level journal guard on PostgreSQL

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 11:30:00

PostgreSQL's journal guard moves from row-level triggers (a deferred constraint trigger per entry,
a plpgsql trigger per line) to statement-level triggers over transition tables: the same rules,
checked once per statement. SQLite is unchanged.
"""

from __future__ import annotations

from alembic import op

from finbatch.ledger import guard

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # a database built before 0008 has the row-level triggers; one built since has the new ones
    # from 0003 already: both end with exactly the current set
    for statement in (*guard.POSTGRES_REMOVE_ROW_LEVEL, *guard.POSTGRES_REMOVE,
                      *guard.POSTGRES_INSTALL):
        op.execute(statement)


def downgrade() -> None:
    # the statement-level triggers enforce the same rules; they stay
    pass
