from __future__ import annotations

from sqlalchemy import select

from finbatch.jobs.models import Job
from finbatch.repository import Page, TenantRepository, keyset_page


class JobRepository(TenantRepository[Job]):
    model = Job
    noun = "job"

    def page(self, *, cursor: str | None, limit: int, kind: str | None = None,
             status: str | None = None) -> Page:
        stmt = self.scoped()
        if kind:
            stmt = stmt.where(Job.kind == kind)
        if status:
            stmt = stmt.where(Job.status == status)
        return keyset_page(self.session, stmt, key=[Job.id], cursor=cursor, limit=limit,
                           descending=True)


__all__ = ["JobRepository", "select"]
