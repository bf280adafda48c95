"""``TransactionIn.fingerprint``: stored source hashes are compared with later ones, so the value
for a given input must never change."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from finbatch.kit.jsonutil import dumps
from finbatch.receivables.inputs import AllocationIn, LineIn, TransactionIn

text = st.none() | st.text(max_size=12)
lines = st.builds(LineIn, quantity=st.text(max_size=6), unit_price=st.text(max_size=8),
                  amount=text, product=text, description=text, unit=text, tax_code=text,
                  gl_account_code=text)
allocs = st.builds(AllocationIn, target_id=st.text(max_size=36), amount=st.text(max_size=8))
zones = st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))])
transactions = st.builds(
    TransactionIn, kind=st.sampled_from(["invoice", "payment", "refund", "credit_memo"]),
    business_unit_id=text, customer_id=text, currency=text, fx_rate=text,
    date=st.none() | st.dates(), occurred_at=st.none() | st.datetimes(timezones=zones),
    batch_id=text, external_ref=text, commerce_type=text, description=text, amount=text,
    lines=st.lists(lines, max_size=3), allocations=st.lists(allocs, max_size=2),
    due_date=st.none() | st.dates(), location=text, terms=text, transaction_type=text, fee=text,
    payment_account=text, payment_method=text, reference=text,
    cleared_date=st.none() | st.dates(), payee=text, requires_follow_up=st.booleans(),
    payment_id=text)


def test_fingerprint_of_a_known_input_is_pinned():
    tin = TransactionIn(
        kind="invoice", business_unit_id="MAIN", customer_id="0190a0e4-0000-7000-8000-000000000001",
        currency="USD", fx_rate="1.25", date=date(2026, 3, 2),
        occurred_at=datetime(2026, 3, 2, 23, 59, 1, 5, tzinfo=timezone(timedelta(hours=-5))),
        external_ref="INV-1", commerce_type="S", description="Tees é",
        lines=[LineIn("2", "24.50", product="TEE", tax_code="ST"), LineIn()],
        allocations=[AllocationIn("x", "1.00")], due_date=date(2026, 4, 1), requires_follow_up=True)
    # the value computed by the first implementation (sha256 of the JSON of ``asdict``)
    assert tin.fingerprint() == "586b91187b99c9f53e23670ff84522a066606f04d0989ffbec7e638383ede560"


@given(transactions)
def test_fingerprint_hashes_the_json_of_asdict(tin):
    assert tin.fingerprint() == hashlib.sha256(dumps(asdict(tin))).hexdigest()
