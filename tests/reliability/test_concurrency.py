"""Twenty requests at the same instant: optimistic locking, idempotency and the batch lifecycle
each let exactly one through, on both engines, and no race surfaces as a 5xx.

Every request runs in its own thread with its own client against one application, so the
requests really overlap inside the server's thread pool and the database's locks decide.
"""

from __future__ import annotations

from sqlalchemy import func, select

from finbatch.jobs.models import Job
from finbatch.ledger.models import JournalEntry
from finbatch.receivables.models import ARTransaction
from tests.support.books import Books
from tests.support.posting import configure_posting, run_jobs
from tests.support.race import race

RACERS = 20


def _statuses(responses) -> list[int]:
    return sorted(response.status_code for response in responses)


def test_twenty_updates_with_one_if_match_let_exactly_one_win(app, client, tenant):
    books = Books.open(client, tenant)
    batch_id = books.invoice("Ada", "2026-03-02", ("1", "10.00"))["batch_id"]
    tag = client.get(f"/v1/batches/{batch_id}", headers=tenant.headers()).headers["etag"]

    responses = race(app, RACERS, lambda c, n: c.patch(
        f"/v1/batches/{batch_id}", headers=tenant.headers() | {"If-Match": tag},
        json={"name": f"writer {n}"}))

    assert _statuses(responses) == [200] + [412] * (RACERS - 1)
    winner = next(r for r in responses if r.status_code == 200).json()["name"]
    assert all(r.json()["code"] == "PRECONDITION_FAILED" for r in responses if r.status_code == 412)
    final = client.get(f"/v1/batches/{batch_id}", headers=tenant.headers())
    assert final.json()["name"] == winner
    assert int(final.headers["etag"].strip('"')) == int(tag.strip('"')) + 1


def test_twenty_posts_with_one_idempotency_key_make_one_record(app, client, tenant, database):
    books = Books.open(client, tenant)
    body = {"customer_id": books.customer("Ada"), "date": "2026-03-02", "external_ref": "RACE-1",
            "lines": [{"quantity": "2", "unit_price": "12.50"}]}
    headers = tenant.headers() | {"Idempotency-Key": "one-invoice"}

    responses = race(app, RACERS, lambda c, n: c.post("/v1/invoices", headers=headers, json=body))

    assert _statuses(responses) == [201] * RACERS
    assert len({r.json()["id"] for r in responses}) == 1, "every replay names the same invoice"
    with database.reading() as session:
        count = session.execute(select(func.count()).select_from(ARTransaction).where(
            ARTransaction.tenant_id == tenant.id)).scalar_one()
    assert count == 1
    batch = books.batch(responses[0].json()["batch_id"])
    assert batch["statistics"]["number_of_invoices"] == 1
    assert batch["statistics"]["invoice_total"] == "25.00"


def test_twenty_parallel_closes_of_one_batch_let_one_win(app, client, tenant):
    books = Books.open(client, tenant)
    batch_id = books.invoice("Ada", "2026-03-02", ("1", "10.00"))["batch_id"]

    responses = race(app, RACERS, lambda c, n: c.post(f"/v1/batches/{batch_id}/close",
                                                      headers=tenant.headers()))

    assert _statuses(responses) == [200] + [409] * (RACERS - 1)
    assert all(r.headers["content-type"].startswith("application/problem+json")
               for r in responses if r.status_code == 409)
    assert books.batch(batch_id)["status"] == "closed"


def test_twenty_parallel_postings_of_one_batch_start_one_job(app, client, tenant, database):
    books = Books.open(client, tenant)
    configure_posting(books)
    invoice = books.invoice("Ada", "2026-03-02", ("3", "19.99"))
    books.payment("Ada", "2026-03-05", "20.00", {invoice["id"]: "20.00"})
    batch_id = invoice["batch_id"]
    books.act(batch_id, "close")

    responses = race(app, RACERS, lambda c, n: c.post(f"/v1/batches/{batch_id}/post",
                                                      headers=tenant.headers()))

    assert _statuses(responses) == [202] + [409] * (RACERS - 1)
    with database.reading() as session:
        jobs = session.execute(select(func.count()).select_from(Job).where(
            Job.tenant_id == tenant.id, Job.kind == "post_batch")).scalar_one()
    assert jobs == 1
    assert run_jobs(database) == 1
    with database.reading() as session:
        entries = session.execute(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.tenant_id == tenant.id)).scalar_one()
    assert entries == 2, "one entry per transaction, written once"
    assert books.batch(batch_id)["status"] == "posted"


def test_closing_and_posting_racing_on_one_batch_never_fail_with_5xx(app, client, tenant):
    """Half the racers close the batch, half try to post it: the lifecycle orders them, and every
    loser hears 409, never a server error."""
    books = Books.open(client, tenant)
    configure_posting(books)
    batch_id = books.invoice("Ada", "2026-03-02", ("1", "10.00"))["batch_id"]

    responses = race(app, RACERS, lambda c, n: c.post(
        f"/v1/batches/{batch_id}/{'close' if n % 2 else 'post'}", headers=tenant.headers()))

    statuses = _statuses(responses)
    assert statuses.count(200) == 1, "exactly one close wins"
    assert statuses.count(202) <= 1, "at most one posting starts"
    assert set(statuses) <= {200, 202, 409}


def test_twenty_first_invoices_of_a_new_year_all_land(app, client, tenant, database):
    """The first transactions of a year create its fiscal year and batch on the fly; twenty of
    them at once must all be accepted (they once raced to the fiscal year's key: 409)."""
    books = Books.open(client, tenant)
    customer = books.customer("Ada")

    responses = race(app, RACERS, lambda c, n: c.post("/v1/invoices", headers=tenant.headers(), json={
        "customer_id": customer, "date": "2031-01-15", "lines": [{"unit_price": f"{n + 1}.00"}]}))

    assert _statuses(responses) == [201] * RACERS, [r.text for r in responses if r.status_code != 201]
    assert len({r.json()["batch_id"] for r in responses}) == 1, "one batch for the period"
    years = client.get("/v1/fiscal-years", headers=tenant.headers()).json()["items"]
    assert [y["id"] for y in years if y["start_date"].startswith("2031")] == ["FY2031"]


def test_twenty_rhythm_posting_requests_for_one_batch_start_one_execution(app, client, tenant,
                                                                          database):
    """The same race through a dialect: Rhythm's batchPostingRequest, losers in Rhythm's shape."""
    books = Books.open(client, tenant)
    configure_posting(books)
    batch_id = books.invoice("Ada", "2026-03-02", ("1", "10.00"))["batch_id"]
    books.act(batch_id, "close")

    responses = race(app, RACERS, lambda c, n: c.post(
        "/batchPosting/acme/batchPostingRequest", headers=tenant.headers(),
        json={"business_unit_id": "MAIN", "batch_ids": [batch_id]}))

    assert _statuses(responses) == [200] + [409] * (RACERS - 1)
    assert all(set(r.json()) == {"message", "errors"} for r in responses if r.status_code == 409)
    with database.reading() as session:
        jobs = session.execute(select(func.count()).select_from(Job).where(
            Job.tenant_id == tenant.id, Job.kind == "post_batch")).scalar_one()
    assert jobs == 1
