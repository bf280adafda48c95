"""Receivables on /v1: isolation, roles, concurrency, idempotency and list filters."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from tests.support.books import Books


def test_other_tenants_cannot_see_or_touch_receivables(client, tenant, other_tenant):
    books = Books.open(client, tenant)
    invoice = books.invoice("Ada", "2026-03-02", ("1", "10.00"))
    theirs = Books.open(client, other_tenant)
    for path in (f"/v1/invoices/{invoice['id']}", f"/v1/batches/{invoice['batch_id']}",
                 f"/v1/customers/{invoice['customer_id']}"):
        response = client.get(path, headers=other_tenant.headers())
        assert response.status_code == 404 and "Ada" not in response.text
    assert client.get("/v1/invoices", headers=other_tenant.headers()).json()["items"] == []
    assert client.patch(f"/v1/invoices/{invoice['id']}", headers=other_tenant.headers(),
                        json={"description": "x"}).status_code == 404
    stolen = client.post("/v1/payments", headers=other_tenant.headers(), json={
        "customer_id": theirs.customer("Mallory"), "date": "2026-03-03", "amount": "10.00",
        "allocations": [{"target_id": invoice["id"], "amount": "10.00"}]})
    assert stolen.status_code == 422 and stolen.json()["errors"][0]["code"] == "unknown_target"
    foreign_customer = client.post("/v1/invoices", headers=other_tenant.headers(), json={
        "customer_id": invoice["customer_id"], "date": "2026-03-03", "lines": [{"unit_price": "1.00"}]})
    assert foreign_customer.status_code == 422
    assert books.invoice_now(invoice["id"])["balance"] == "10.00"


def test_roles(client, tenant):
    books = Books.open(client, tenant)
    body = {"customer_id": books.customer("Ada"), "date": "2026-03-02", "lines": [{"unit_price": "5.00"}]}
    assert client.post("/v1/invoices", headers=tenant.headers("viewer"), json=body).status_code == 403
    created = client.post("/v1/invoices", headers=tenant.headers("clerk"), json=body)
    assert created.status_code == 201
    batch_id = created.json()["batch_id"]
    assert client.post(f"/v1/batches/{batch_id}/close", headers=tenant.headers("clerk")).status_code == 200
    assert client.post(f"/v1/batches/{batch_id}/verify", headers=tenant.headers("clerk"), json={}).status_code == 403
    assert client.post(f"/v1/batches/{batch_id}/verify", headers=tenant.headers("accountant"), json={}).status_code == 200
    assert client.post(f"/v1/batches/{batch_id}/archive", headers=tenant.headers("accountant")).status_code == 403
    assert client.post("/v1/tax-codes", headers=tenant.headers("accountant"),
                       json={"code": "X", "rate": "0.1"}).status_code == 403


def test_parallel_payments_never_over_settle_an_invoice(app, tenant):
    with TestClient(app) as c:
        books = Books.open(c, tenant)
        invoice = books.invoice("Ada", "2026-03-02", ("1", "100.00"))
        customer = books.customer("Ada")
    results: list[int] = []
    barrier = threading.Barrier(10)

    def pay():
        with TestClient(app) as c:
            barrier.wait()
            results.append(c.post("/v1/payments", headers=tenant.headers(), json={
                "customer_id": customer, "date": "2026-03-03", "amount": "20.00",
                "allocations": [{"target_id": invoice["id"], "amount": "20.00"}]}).status_code)

    threads = [threading.Thread(target=pay) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] * 5 + [422] * 5
    with TestClient(app) as c:
        settled = c.get(f"/v1/invoices/{invoice['id']}", headers=tenant.headers()).json()
        assert (settled["paid_status"], settled["amount_settled"]) == ("paid", "100.00")
        batch = c.get(f"/v1/batches/{invoice['batch_id']}", headers=tenant.headers()).json()
        assert batch["statistics"]["number_of_payments"] == 5 and batch["total"] == "100.00"


def test_idempotent_invoice_creation(client, tenant):
    books = Books.open(client, tenant)
    body = {"customer_id": books.customer("Ada"), "date": "2026-03-02", "lines": [{"unit_price": "5.00"}]}
    headers = books.headers | {"Idempotency-Key": "inv-once"}
    first = client.post("/v1/invoices", headers=headers, json=body)
    second = client.post("/v1/invoices", headers=headers, json=body)
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotency-Replayed"] == "true"
    assert len(books.get("/v1/invoices")["items"]) == 1


def test_list_filters_and_paging(client, tenant):
    books = Books.open(client, tenant)
    paid = books.invoice("Ada", "2026-03-02", ("1", "10.00"))
    books.payment("Ada", "2026-03-03", "10.00", {paid["id"]: "10.00"})
    partial = books.invoice("Ada", "2026-03-04", ("1", "10.00"))
    books.payment("Ada", "2026-03-05", "4.00", {partial["id"]: "4.00"})
    unpaid = books.invoice("Grace", "2026-04-01", ("1", "10.00"))
    by_status = {s: [i["id"] for i in books.get("/v1/invoices", paid_status=s)["items"]]
                 for s in ("paid", "partial", "unpaid")}
    assert by_status == {"paid": [paid["id"]], "partial": [partial["id"]], "unpaid": [unpaid["id"]]}
    march = books.get("/v1/invoices", date_from="2026-03-01", date_to="2026-03-31")["items"]
    assert [i["id"] for i in march] == [paid["id"], partial["id"]]
    first = books.get("/v1/invoices", limit=2)
    rest = books.get("/v1/invoices", limit=2, cursor=first["next_cursor"])
    assert [i["id"] for i in first["items"] + rest["items"]] == [paid["id"], partial["id"], unpaid["id"]]
    assert rest["next_cursor"] is None
    contents = books.get(f"/v1/batches/{paid['batch_id']}/transactions")["items"]
    assert [t["kind"] for t in contents] == ["invoice", "payment", "invoice", "payment"]


def test_list_filters_take_dates_not_numbers(client, tenant):
    """Regression (API fuzzing): a number was read as a Unix timestamp, so ?date_from=0.0 meant
    1970-01-01 and was answered 200 instead of refused."""
    for query in ("date_from=0.0", "date_to=1700000000", "modified_since=0", "date_from=-1e3"):
        response = client.get(f"/v1/credit-memos?{query}", headers=tenant.headers())
        assert response.status_code == 422, (query, response.text)
        assert response.json()["errors"][0]["field"] == f"query.{query.split('=')[0]}"
    for query in ("date_from=2026-01-01", "date_to=2026-01-31", "modified_since=2026-01-01T00:00:00Z"):
        assert client.get(f"/v1/invoices?{query}", headers=tenant.headers()).status_code == 200


def test_instants_at_the_calendar_edges_are_refused(client, tenant):
    """Regression (API fuzzing): 0001-01-01T00:00:00Z has no date in a zone behind UTC, so the
    business date could not be computed and a debit memo answered 500. An instant must fall
    between 0001-01-02 and 9999-12-30 UTC, in bodies and in query filters alike."""
    books = Books.open(client, tenant)
    customer = books.customer("Ada")
    for edge in ("0001-01-01T00:00:00Z", "0001-01-01T03:00:00+05:00", "9999-12-31T23:00:00-05:00"):
        response = client.post("/v1/debit-memos", headers=tenant.headers(), json={
            "customer_id": customer, "occurred_at": edge, "lines": [{"unit_price": "1.00"}]})
        assert response.status_code == 422, (edge, response.text)
        assert response.json()["errors"][0]["field"] == "occurred_at"
        listed = client.get("/v1/invoices", headers=tenant.headers(), params={"modified_since": edge})
        assert listed.status_code == 422, (edge, listed.text)
    kept = client.post("/v1/debit-memos", headers=tenant.headers(), json={
        "customer_id": customer, "occurred_at": "2026-03-02T04:30:00Z", "lines": [{"unit_price": "1.00"}]})
    assert kept.status_code == 201, kept.text
    assert books.get("/v1/debit-memos")["items"][0]["id"] == kept.json()["id"]


def test_list_pages_render_every_document_as_its_own_read_does(client, tenant):
    """The lists render plain rows (``TransactionRepository.page_rows``), the single reads ORM
    objects: both must give the same document, key order included, for every kind and every
    part of one (lines, taxes, settlements both ways, optional fields set and unset)."""
    books = Books.open(client, tenant)
    taxed = books.post("/v1/invoices", {
        "customer_id": books.customer("Ada"), "occurred_at": "2026-03-02T10:11:12.5Z",
        "lines": [{"quantity": "1.5", "unit_price": "10.00", "tax_code": "ST"},
                  {"quantity": "3", "unit_price": "0.333", "tax_code": "ST"}],
        "due_date": "2026-04-01", "location": "HQ", "terms": "NET30", "description": "dues"})
    plain = books.invoice("Grace", "2026-03-03", ("1", "20.00"))
    memo = books.post("/v1/debit-memos", {"customer_id": books.customer("Ada"), "date": "2026-03-04",
                                          "lines": [{"unit_price": "7.00"}]})
    payment = books.payment("Ada", "2026-03-05", "12.00", {taxed["id"]: "10.00", memo["id"]: "2.00"},
                            fee="0.35", payment_method="card", reference="r-1")
    books.refund("Ada", "2026-03-06", "1.00", payment_id=payment["id"])
    books.credit("Grace", "2026-03-07", "5.00", {plain["id"]: "5.00"})
    books.write_off("Grace", "2026-03-08", "1.00", {plain["id"]: "1.00"})
    books.credit_memo("Ada", "2026-03-09", "3.00", {memo["id"]: "3.00"})
    for plural in ("invoices", "debit-memos", "payments", "refunds", "credits", "write-offs",
                   "credit-memos"):
        items = books.get(f"/v1/{plural}")["items"]
        assert items, plural
        for item in items:
            single = books.get(f"/v1/{plural}/{item['id']}")
            assert list(item.items()) == list(single.items()), plural
    listed = {i["id"]: i for i in books.get("/v1/invoices")["items"]}
    assert [line["quantity"] for line in listed[taxed["id"]]["lines"]] == ["1.5", "3"]
    assert [s["amount"] for s in listed[taxed["id"]]["settled_by"]] == ["10.00"]
    assert listed[taxed["id"]]["occurred_at"] == "2026-03-02T10:11:12.500000Z"


def test_an_fx_rate_with_trailing_zeros_reads_the_same_everywhere(client, tenant):
    """The rate is stored as canonical text ("1.5"): the creating response, the change feed's
    document and every later read give that text, not the digits as typed ("1.5000"); so does
    an update by external reference."""
    books = Books.open(client, tenant)
    body = {"customer_id": books.customer("Kenji"), "date": "2026-03-02", "currency": "EUR",
            "external_ref": "INV-FX-1", "fx_rate": "1.5000", "lines": [{"unit_price": "10.00"}]}
    created = books.post("/v1/invoices", body)
    read = books.get(f"/v1/invoices/{created['id']}")

    def fed() -> str:
        events = [e for e in books.get("/v1/events")["items"] if e["record_id"] == created["id"]]
        return events[-1]["data"]["fx_rate"]

    assert created["fx_rate"] == read["fx_rate"] == fed() == "1.5"
    updated = client.post("/v1/invoices", headers=books.headers, json=body | {"fx_rate": "2.250"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["id"] == created["id"]
    assert updated.json()["fx_rate"] == books.get(f"/v1/invoices/{created['id']}")["fx_rate"] \
        == fed() == "2.25"


def test_a_tax_rate_with_trailing_zeros_reads_the_same_everywhere(client, tenant):
    books = Books.open(client, tenant)
    created = client.post("/v1/tax-codes", headers=tenant.headers("admin"),
                          json={"code": "VAT", "rate": "0.08250", "description": "VAT"})
    assert created.status_code == 201, created.text
    listed = {c["code"]: c["rate"] for c in books.get("/v1/tax-codes")["items"]}
    assert created.json()["rate"] == listed["VAT"] == "0.0825"
    updated = client.patch("/v1/tax-codes/VAT", headers=tenant.headers("admin") | {
        "If-Match": f'"{created.json()["version"]}"'}, json={"rate": "0.100"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["rate"] == "0.1"
