"""Properties over random transaction streams: batch statistics and settlements are exact."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finbatch.batches import stats as batch_stats
from finbatch.batches.service import Actor
from finbatch.kit.errors import FinbatchError
from finbatch.kit.money import format_minor
from finbatch.receivables import customers, service
from finbatch.receivables.inputs import AllocationIn, LineIn, TransactionIn
from finbatch.receivables.repository import TransactionRepository
from finbatch.tenancy import business_units
from finbatch.tenancy.auth import TenantContext
from tests.conftest import make_tenant

ACTOR = Actor("test")
_counter = itertools.count()

money_text = st.integers(min_value=1, max_value=500_00).map(lambda m: format_minor(m, "USD"))
operation = st.one_of(
    st.tuples(st.just("invoice"), st.integers(1, 3), st.lists(
        st.tuples(st.sampled_from(["1", "2", "0.5", "3"]), money_text), min_size=1, max_size=3),
        st.booleans(), st.integers(1, 3)),
    st.tuples(st.sampled_from(["payment", "credit_memo", "write_off", "credit"]), st.integers(1, 3),
              money_text, st.integers(0, 40), st.integers(1, 3)),
    st.tuples(st.just("refund"), st.integers(1, 3), money_text, st.integers(0, 40), st.integers(1, 3)),
    st.tuples(st.sampled_from(["void", "delete"]), st.integers(0, 40)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=25))
def test_batch_statistics_equal_the_exact_sum_of_their_parts(database, operations):
    tenant_handle = make_tenant(database, f"prop-{next(_counter)}")
    with database.unit_of_work() as session:
        tenant = TenantContext.of(__import__("finbatch.tenancy.models", fromlist=["Tenant"]).Tenant(
            id=tenant_handle.id, slug=tenant_handle.slug, name="p", base_currency="USD",
            timezone="America/New_York", fiscal_year_start_month=1, locale="en-US"))
        business_units.create_business_unit(session, tenant_id=tenant.id, id="MAIN", name="Main",
                                            currency="USD", actor="test")
        customers.create_tax_code(session, tenant_id=tenant.id, code="ST", rate="0.0825",
                                  actor="test")
        people = [customers.create_customer(session, tenant_id=tenant.id, actor="test",
                                            fields={"name": f"C{n}"})[0].id for n in range(2)]
    created: list[tuple[str, str]] = []  # (kind, id)
    for op in operations:
        with database.unit_of_work() as session:
            try:
                _apply(session, tenant, people, created, op)
            except FinbatchError:
                session.rollback()  # a refused operation leaves nothing behind
    with database.reading() as session:
        repo = TransactionRepository(session, tenant.id)
        txns = [t for t in (repo.get(i) for _, i in created) if t is not None]
        batch_ids = sorted({t.batch_id for t in txns})
        stored = batch_stats.of_batches(session, tenant.id, batch_ids)
        computed = batch_stats.computed(session, tenant.id, batch_ids)
        model: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for t in txns:
            if not t.is_void:
                model[t.batch_id][t.kind][0] += 1
                model[t.batch_id][t.kind][1] += t.amount
        for batch_id in batch_ids:
            assert stored[batch_id].counts == computed[batch_id].counts
            assert stored[batch_id].amounts == computed[batch_id].amounts
            for kind, (count, amount) in model[batch_id].items():
                assert computed[batch_id].counts[kind] == count
                assert computed[batch_id].amounts[kind] == amount
            assert stored[batch_id].total == (computed[batch_id].amounts["payment"]
                                              - computed[batch_id].amounts["refund"])
        received = repo.allocations_to([t.id for t in txns if t.kind == "invoice"])
        kinds = {t.id: t.kind for t in txns}
        for t in txns:
            if t.kind != "invoice":
                continue
            net = sum(-a.amount if kinds.get(a.source_id) == "refund" else a.amount
                      for a in received[t.id])
            assert t.settled == net
            assert 0 <= t.settled <= t.amount


def _apply(session, tenant, people, created, op) -> None:
    kind = op[0]
    if kind in ("void", "delete"):
        if not created:
            return
        target_kind, target_id = created[op[1] % len(created)]
        txn = service.require_transaction(session, tenant.id, target_kind, target_id)
        if kind == "void":
            service.void_invoice(session, tenant, txn, None, ACTOR)
        else:
            service.delete_transaction(session, tenant, txn, ACTOR)
        return
    customer = people[op[1] % 2]
    day = date(2026, 1 + op[-1], 10)
    if kind == "invoice":
        _, _, lines, taxed, _ = op
        tin = TransactionIn(kind="invoice", customer_id=customer, date=day, lines=[
            LineIn(quantity=q, unit_price=p, tax_code="ST" if taxed else None) for q, p in lines])
    else:
        _, _, amount, pick, _ = op
        invoices = [i for k, i in created if k == "invoice"]
        allocations = []
        if invoices and kind != "credit":
            allocations = [AllocationIn(invoices[pick % len(invoices)], amount)]
        if kind == "credit_memo":
            tin = TransactionIn(kind=kind, customer_id=customer, date=day,
                                lines=[LineIn(unit_price=amount)], allocations=allocations)
        else:
            tin = TransactionIn(kind=kind, customer_id=customer, date=day, amount=amount,
                                allocations=allocations)
    txn, _ = service.create_transaction(session, tenant, tin, ACTOR)
    created.append((txn.kind, txn.id))
