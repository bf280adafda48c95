"""Helpers for posting tests: a rule set like the demo's, and running jobs in the test process."""

from __future__ import annotations

from finbatch.jobs.handlers import Worker
from tests.support.books import Books

ACCOUNTS = [("1100", "Receivables", "asset"), ("1020", "Clearing", "asset"),
            ("2200", "Sales tax", "liability"), ("4000", "Revenue", "revenue"),
            ("4100", "Dues", "revenue"), ("4900", "Allowances", "revenue"),
            ("6100", "Card fees", "expense"), ("6200", "Bad debt", "expense")]
RULES = [("invoice", "receivable", "1100"), ("invoice", "revenue", "4000"),
         ("invoice", "tax_payable", "2200"), ("payment", "cash", "1010"),
         ("payment", "merchant_fees", "6100"), ("payment", "receivable", "1100"),
         ("credit", "allowances", "4900"), ("write_off", "write_off", "6200")]


def configure_posting(books: Books, rules=RULES) -> None:
    for code, name, kind in ACCOUNTS:
        books.post("/v1/gl-accounts", {"code": code, "name": name, "type": kind})
    for kind, role, code in rules:
        books.post("/v1/posting-rules", {"kind": kind, "role": role, "account_code": code})


def run_jobs(database) -> int:
    return Worker(database, name="test-worker").drain()


def post(books: Books, database, batch_id: str) -> dict:
    """Close (if open), post through the API, run the job, return the batch."""
    batch = books.batch(batch_id)
    if batch["status"] == "open":
        books.act(batch_id, "close")
    started = books.client.post(f"/v1/batches/{batch_id}/post", headers=books.headers)
    assert started.status_code == 202, started.text
    run_jobs(database)
    return books.batch(batch_id)
