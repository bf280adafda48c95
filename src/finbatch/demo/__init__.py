"""The demo tenant: everything `make run` needs to show finbatch working out of the box.

``load_demo`` runs each feature's demo step in order. Steps are idempotent (each checks whether its
data is there), so ``finbatch demo`` can run on every start. Features add their step to ``STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from finbatch.db import Database
from finbatch.demo import payables, posting, receivables, setup
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy import service as tenancy
from finbatch.tenancy.auth import TenantContext

DemoStep = Callable[[Database, TenantContext], None]

#: In order; each feature adds its own. A step opens its own units of work.
STEPS: list[DemoStep] = [setup.load_setup, receivables.load_receivables, payables.load_payables,
                         posting.load_posting]


@dataclass(slots=True)
class DemoResult:
    token: str | None
    created: bool


def load_demo(db: Database, *, if_empty: bool = False) -> DemoResult:
    """Create the demo tenant if absent, run every step, and issue an admin token.

    With ``if_empty``, do nothing (and issue no token) when the database holds other tenants but
    not the demo one: an operator's real installation is never seeded by ``make run``.
    """
    with db.unit_of_work() as session:
        tenant = tenancy_repo.tenant_by_slug(session, setup.DEMO_SLUG)
        if tenant is None and if_empty and tenancy_repo.has_tenants(session):
            return DemoResult(None, False)
        created = tenant is None
        if tenant is None:
            tenant = setup.create_demo_tenant(session)
        context = TenantContext.of(tenant)
    for step in STEPS:
        step(db, context)
    with db.unit_of_work() as session:
        admin = tenancy_repo.user_by_username(session, setup.DEMO_ADMIN)
        issued = tenancy.create_token(session, grants={context.id: ["admin"]}, name="demo",
                                      user_id=admin.id if admin else None,
                                      expires_in=timedelta(days=30))
    return DemoResult(issued.secret, created)
