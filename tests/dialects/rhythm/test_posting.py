"""Rhythm's posting and downloading routes over the core's jobs, on each storage engine: the whole
story of a batch (create, close, preview, post, read its entries, download, unpost), refusals, and
the execution status of the jobs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from finbatch.jobs import queue
from finbatch.jobs.models import Job
from tests.dialects.rhythm.support import CORS, batch_body, exact, open_books
from tests.support.posting import configure_posting, run_jobs

POSTING = "/batchPosting/acme"
ANY_ID = "0199a000-0000-7000-8000-000000000000"


def _books(client, tenant):
    books = open_books(client, tenant)
    configure_posting(books)
    return books


def _batch_with_activity(client, books) -> tuple[str, dict, dict]:
    """A Rhythm batch holding an invoice (3 × 19.99 + 8.25% tax = 64.92) and a 40.00 payment."""
    batch_id = client.post("/batches/acme", headers=books.headers, json=batch_body()).json()["id"]
    invoice = books.invoice("Ada", "2026-02-10", ("3", "19.99"), tax="ST", batch_id=batch_id)
    payment = books.payment("Ada", "2026-02-11", "40.00", {invoice["id"]: "40.00"},
                            batch_id=batch_id)
    assert invoice["batch_id"] == payment["batch_id"] == batch_id
    return batch_id, invoice, payment


def _request(client, books, path, batch_ids, unit="MAIN"):
    return client.post(path, headers=books.headers,
                       json={"business_unit_id": unit, "batch_ids": batch_ids})


def _execution(client, books, arn) -> dict:
    response = client.get(f"{POSTING}/executions/{arn}", headers=books.headers)
    assert response.status_code == 200, response.text
    return exact(response)


def _close(client, books, batch_id) -> None:
    response = client.patch(f"/batches/acme/{batch_id}", headers=books.headers,
                            json=[{"op": "replace", "path": "/status", "value": "closed"}])
    assert response.status_code == 200, response.text


def _status(client, books, batch_id) -> str:
    return client.get(f"/batches/acme/{batch_id}", headers=books.headers).json()["status"]


def _rhythm_error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "errors"}
    assert all(name in response.headers for name in CORS)
    return body


def test_a_batch_from_creation_to_download_and_back(client, tenant, database):
    books = _books(client, tenant)
    batch_id, invoice, payment = _batch_with_activity(client, books)

    # an open batch cannot post: the lifecycle's 409, nothing started
    refused = _rhythm_error(_request(client, books, f"{POSTING}/batchPostingRequest", [batch_id]),
                            409)
    assert "open" in refused["message"]
    assert _status(client, books, batch_id) == "open"

    _close(client, books, batch_id)
    preview = _request(client, books, f"{POSTING}/batchPostingPreviewRequest", [batch_id])
    assert preview.status_code == 200, preview.text
    assert preview.json() == {
        "products": [], "products_without_financial_configuration": [],
        "ineligible_batches": [],
        "batches_to_post": [{"id": batch_id, "name": "Batch", "date": "2026-02-01"}]}

    started = _request(client, books, f"{POSTING}/batchPostingRequest", [batch_id])
    assert started.status_code == 200, started.text
    envelope = started.json()
    assert set(envelope) == {"executionArn", "start_date", "notification_publishKey",
                             "notification_subscribeKey", "notification_channel"}
    arn = envelope["executionArn"]
    assert envelope["start_date"].endswith("Z") and envelope["notification_channel"] is None
    running = _execution(client, books, arn)
    assert (running["type"], running["status"], running["stop_date"]) == ("posting", "RUNNING",
                                                                          None)
    assert running["batch_ids"] == [batch_id]
    run_jobs(database)
    done = _execution(client, books, arn)
    assert done["status"] == "SUCCEEDED" and done["stop_date"].endswith("Z")
    batch = client.get(f"/batches/acme/{batch_id}", headers=books.headers).json()
    assert batch["status"] == "posted" and batch["posting_workflow_execution_id"] == arn

    # each transaction's entry, balanced, in exact numbers
    entry = exact(client.get(f"{POSTING}/subledgerEntry/{batch_id}/{invoice['id']}",
                             headers=books.headers))
    assert entry["source_id"] == invoice["id"] and entry["batch_id"] == batch_id
    assert entry["total_debit"] == entry["total_credit"] == Decimal("64.92")
    assert str(entry["total_debit"]) == "64.92"
    assert sum(line["debit"] for line in entry["lines"]) == Decimal("64.92")
    paid = exact(client.get(f"{POSTING}/subledgerEntry/{batch_id}/{payment['id']}",
                            headers=books.headers))
    assert paid["total_debit"] == paid["total_credit"] == Decimal("40.00")

    # download: the business unit's format (IIF by default) and the source JSON, by signed URLs
    started = _request(client, books, "/batchDownloading/acme", [batch_id])
    assert started.status_code == 200, started.text
    download_arn = started.json()["executionArn"]
    assert len(download_arn.split(",")) == 2
    assert _execution(client, books, download_arn)["uri"] is None
    run_jobs(database)
    done = _execution(client, books, download_arn)
    assert (done["type"], done["status"], done["format"]) == ("downloading", "SUCCEEDED", "iif")
    expires = datetime.fromisoformat(done["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    file_url, source_url = urlparse(done["uri"]), urlparse(done["sourceUri"])
    assert int(parse_qs(file_url.query)["expires"][0]) == int(expires.timestamp())
    iif = client.get(f"{file_url.path}?{file_url.query}")  # no token: the signature suffices
    assert iif.status_code == 200 and iif.content
    amounts = [Decimal(row.split("\t")[7]) for row in iif.content.decode("cp1252").splitlines()
               if row.startswith(("TRNS\t", "SPL\t"))]
    assert sum(amounts) == 0
    assert sum(a for a in amounts if a > 0) == Decimal("104.92")  # 64.92 + 40.00
    source = client.get(f"{source_url.path}?{source_url.query}")
    assert source.status_code == 200
    records = json.loads(source.content, parse_float=Decimal)
    assert sum(Decimal(r["debit"]) for r in records) == Decimal("104.92")
    assert sum(Decimal(r["credit"]) for r in records) == Decimal("104.92")
    batch = client.get(f"/batches/acme/{batch_id}", headers=books.headers).json()
    assert batch["status"] == "downloaded"
    assert batch["downloading_workflow_execution_id"] == download_arn.split(",")[0]
    # ids of different executions pasted together are no execution
    _rhythm_error(client.get(f"{POSTING}/executions/{arn},{download_arn}", headers=books.headers),
                  404)
    # asking again for the same batches gives the same execution (the core's de-duplication)
    again = _request(client, books, "/batchDownloading/acme", [batch_id]).json()
    assert again["executionArn"] == download_arn

    # unposting an exported batch keeps its journal and reverses it
    started = _request(client, books, f"{POSTING}/batchUnpostingRequest", [batch_id])
    assert started.status_code == 200, started.text
    unpost_arn = started.json()["executionArn"]
    run_jobs(database)
    done = _execution(client, books, unpost_arn)
    assert (done["type"], done["status"]) == ("unposting", "SUCCEEDED")
    batch = client.get(f"/batches/acme/{batch_id}", headers=books.headers).json()
    assert batch["status"] == "closed" and batch["unposting_workflow_execution_id"] == unpost_arn
    reversal = exact(client.get(f"{POSTING}/subledgerEntry/{batch_id}/{invoice['id']}",
                                headers=books.headers))
    assert reversal["reverses_entry_id"] == entry["id"]
    assert reversal["total_debit"] == Decimal("64.92")


def test_several_batches_post_as_one_execution_or_not_at_all(client, tenant, database):
    books = _books(client, tenant)
    first, _, _ = _batch_with_activity(client, books)
    second = client.post("/batches/acme", headers=books.headers,
                         json=batch_body("Second")).json()["id"]
    books.invoice("Bob", "2026-02-12", ("1", "10.00"), batch_id=second)
    _close(client, books, first)
    # the second is still open: neither posts
    _rhythm_error(_request(client, books, f"{POSTING}/batchPostingRequest", [first, second]), 409)
    assert _status(client, books, first) == "closed"
    preview = _request(client, books, f"{POSTING}/batchPostingPreviewRequest",
                       [first, second]).json()
    assert [b["id"] for b in preview["batches_to_post"]] == [first]
    assert preview["ineligible_batches"] == [
        {"id": second, "name": "Second", "reason": "the batch is open: close it first"}]
    _close(client, books, second)
    arn = _request(client, books, f"{POSTING}/batchPostingRequest",
                   [first, second]).json()["executionArn"]
    assert len(arn.split(",")) == 2
    assert _execution(client, books, arn)["batch_ids"] == [first, second]
    run_jobs(database)
    assert _execution(client, books, arn)["status"] == "SUCCEEDED"
    assert {_status(client, books, b) for b in (first, second)} == {"posted"}
    # each job alone is an execution too (the batch's posting_workflow_execution_id)
    one = arn.split(",")[1]
    assert _execution(client, books, one)["batch_ids"] == [second]


def test_a_failed_posting_is_a_failed_execution(client, tenant, database):
    books = _books(client, tenant)
    batch_id, _, _ = _batch_with_activity(client, books)
    _close(client, books, batch_id)
    arn = _request(client, books, f"{POSTING}/batchPostingRequest", [batch_id]).json()[
        "executionArn"]
    # the chart changes under the queued job: its account is gone by the time it runs
    rules = books.get("/v1/posting-rules", limit=100)["items"]
    revenue = next(r for r in rules if r["role"] == "revenue")
    response = client.delete(f"/v1/posting-rules/{revenue['id']}", headers=books.headers)
    assert response.status_code == 204, response.text
    run_jobs(database)
    failed = _execution(client, books, arn)
    assert failed["status"] == "FAILED" and failed["error"]
    assert _status(client, books, batch_id) == "error"


def test_refusals_in_rhythms_error_body(client, tenant, other_tenant, database):
    books = _books(client, tenant)
    batch_id, invoice, _ = _batch_with_activity(client, books)
    routes = [f"{POSTING}/batchPostingPreviewRequest", f"{POSTING}/batchPostingRequest",
              f"{POSTING}/batchUnpostingRequest", "/batchDownloading/acme"]
    for path in routes:
        body = _rhythm_error(_request(client, books, path, [batch_id], unit="NOPE"), 409)
        assert "NOPE" in body["message"]
        _rhythm_error(client.post(path, headers=books.headers, content=b"{"), 400)
        bad = _rhythm_error(client.post(path, headers=books.headers,
                                        json={"batch_ids": ["a b"]}), 400)
        assert {e["field"] for e in bad["errors"]} == {"business_unit_id", "batch_ids"}
        _rhythm_error(client.post(path, json={}), 401)
        _rhythm_error(client.post(path.replace("acme", "globex"), headers=books.headers,
                                  json={}), 403)
    for path in routes[1:]:
        _rhythm_error(_request(client, books, path, []), 400)
        unknown = _rhythm_error(_request(client, books, path, [batch_id, ANY_ID]), 409)
        assert ANY_ID in unknown["message"]
        # posting, unposting and downloading are the accountant's; a clerk is refused
        response = client.post(path, headers=tenant.headers("clerk"),
                               json={"business_unit_id": "MAIN", "batch_ids": [batch_id]})
        _rhythm_error(response, 403)
    # downloading an unposted batch, unposting an unposted one: the core's 409s
    _rhythm_error(_request(client, books, "/batchDownloading/acme", [batch_id]), 409)
    _rhythm_error(_request(client, books, f"{POSTING}/batchUnpostingRequest", [batch_id]), 409)
    # a batch of another business unit
    books.post("/v1/business-units", {"id": "EU", "name": "Europe", "currency": "EUR"})
    preview = _request(client, books, f"{POSTING}/batchPostingPreviewRequest", [batch_id],
                       unit="EU").json()
    assert preview["ineligible_batches"][0]["reason"] == "it belongs to business unit MAIN"
    _rhythm_error(_request(client, books, f"{POSTING}/batchPostingRequest", [batch_id],
                           unit="EU"), 409)
    # entries and executions: 404 when missing, or another tenant's
    _rhythm_error(client.get(f"{POSTING}/subledgerEntry/{batch_id}/{invoice['id']}",
                             headers=books.headers), 404)
    _rhythm_error(client.get(f"{POSTING}/subledgerEntry/{batch_id}/not-an-id",
                             headers=books.headers), 404)
    _rhythm_error(client.get(f"{POSTING}/executions/nope", headers=books.headers), 404)
    _close(client, books, batch_id)
    arn = _request(client, books, f"{POSTING}/batchPostingRequest", [batch_id]).json()[
        "executionArn"]
    _rhythm_error(client.get(f"/batchPosting/globex/executions/{arn}",
                             headers=other_tenant.headers()), 404)
    _rhythm_error(client.get(f"/batchPosting/globex/subledgerEntry/{batch_id}/{invoice['id']}",
                             headers=other_tenant.headers()), 404)
    # a viewer reads executions; the tenant's token is needed
    assert client.get(f"{POSTING}/executions/{arn}",
                      headers=tenant.headers("viewer")).status_code == 200
    _rhythm_error(client.get(f"{POSTING}/executions/{arn}", headers=other_tenant.headers()), 403)
    # one unknown job among real ones: no such execution
    _rhythm_error(client.get(f"{POSTING}/executions/{arn},{ANY_ID}", headers=books.headers), 404)


def test_cors_and_rhythms_body_on_every_answer_of_the_new_paths(client, tenant):
    books = _books(client, tenant)
    answers = [
        client.get(f"{POSTING}/batchPostingRequest", headers=books.headers),  # wrong method
        client.get(f"{POSTING}/nothing-here", headers=books.headers),
        client.get("/batchDownloading/acme", headers=books.headers),
        client.post(f"{POSTING}/batchPostingRequest", headers=books.headers,
                    content=b"x" * (11 * 1024 * 1024)),  # over the body limit
    ]
    assert [a.status_code for a in answers] == [405, 404, 405, 413]
    for answer in answers:
        _rhythm_error(answer, answer.status_code)
    ok = _request(client, books, f"{POSTING}/batchPostingPreviewRequest", [])
    assert ok.status_code == 200 and all(name in ok.headers for name in CORS)
    preflight = client.options(f"{POSTING}/executions/x", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204 and all(name in preflight.headers for name in CORS)


def test_a_job_that_is_no_execution_is_not_found(client, tenant, database):
    books = _books(client, tenant)
    with database.unit_of_work() as session:
        probe = queue.enqueue(session, tenant_id=tenant.id, kind="probe", payload={},
                              actor="test").id
    assert client.get(f"/v1/jobs/{probe}", headers=books.headers).status_code == 200
    _rhythm_error(client.get(f"{POSTING}/executions/{probe}", headers=books.headers), 404)


def test_the_source_json_finishing_first_leaves_the_file_as_the_download(client, tenant,
                                                                         database):
    books = _books(client, tenant)
    batch_id, _, _ = _batch_with_activity(client, books)
    _close(client, books, batch_id)
    _request(client, books, f"{POSTING}/batchPostingRequest", [batch_id])
    run_jobs(database)
    arn = _request(client, books, "/batchDownloading/acme", [batch_id]).json()["executionArn"]
    main, source = arn.split(",")
    # another worker picks the source export up first
    with database.unit_of_work() as session:
        job = session.get(Job, (tenant.id, source))
        job.run_after -= timedelta(minutes=1)
    run_jobs(database)
    batch = client.get(f"/batches/acme/{batch_id}", headers=books.headers).json()
    assert batch["status"] == "downloaded"
    assert batch["downloading_workflow_execution_id"] == main
