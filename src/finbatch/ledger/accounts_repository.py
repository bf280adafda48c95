from __future__ import annotations

from sqlalchemy import select

from finbatch.ledger.models import GLAccount
from finbatch.repository import Page, TenantRepository, keyset_page


class GLAccountRepository(TenantRepository[GLAccount]):
    model = GLAccount
    noun = "GL account"

    def by_code(self, code: str) -> GLAccount | None:
        return self.session.execute(self.scoped().where(GLAccount.code == code)).scalar_one_or_none()

    def page(self, *, cursor: str | None, limit: int, active: bool | None = None,
             type: str | None = None) -> Page:
        stmt = self.scoped()
        if active is not None:
            stmt = stmt.where(GLAccount.is_active.is_(active))
        if type is not None:
            stmt = stmt.where(GLAccount.type == type)
        return keyset_page(self.session, stmt, key=[GLAccount.code], cursor=cursor, limit=limit)

    def all(self) -> list[GLAccount]:
        return list(self.session.execute(self.scoped().order_by(GLAccount.code)).scalars())

    def chart(self) -> dict[str, tuple[str, str, str | None]]:
        """Every account as id → (code, name, parent_id): charts are small, naming walks them."""
        rows = self.session.execute(
            select(GLAccount.id, GLAccount.code, GLAccount.name, GLAccount.parent_id)
            .where(GLAccount.tenant_id == self.tenant_id))
        return {r.id: (r.code, r.name, r.parent_id) for r in rows}
