"""The conventions every /v1 resource shares: paging, idempotency, ETags, limits, errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from finbatch.app import create_app
from tests.support.race import race


def _create(client, tenant, code, **extra):
    return client.post("/v1/gl-accounts", headers=tenant.headers(),
                       json={"code": code, "name": f"Account {code}", "type": "asset", **extra})


# --- paging --------------------------------------------------------------------------------------

def test_cursor_paging_visits_every_row_once_while_rows_are_inserted(client, tenant):
    for n in range(10, 35):
        assert _create(client, tenant, str(n)).status_code == 201
    seen, cursor, inserted = [], None, iter(["05", "99", "30a", "11a"])
    while True:
        params = {"limit": 7} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/gl-accounts", headers=tenant.headers(), params=params).json()
        seen += [item["code"] for item in page["items"]]
        # rows appear before and after the cursor between pages
        code = next(inserted, None)
        if code:
            _create(client, tenant, code)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    original = [str(n) for n in range(10, 35)]
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert set(original) <= set(seen), "a row was skipped"
    assert seen == sorted(seen)


def test_page_size_is_capped_and_cursors_are_checked(client, tenant):
    too_big = client.get("/v1/gl-accounts", headers=tenant.headers(), params={"limit": 1001})
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "query.limit"
    bad = client.get("/v1/gl-accounts", headers=tenant.headers(), params={"cursor": "bogus"})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_CURSOR"
    page = client.get("/v1/gl-accounts", headers=tenant.headers()).json()
    assert page == {"items": [], "next_cursor": None}


# --- idempotency ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field", "code"), [
    ("limit=5&limit=7", "query.limit", "repeated"),
    ("cursor=abc&cursor=def", "query.cursor", "repeated"),
    ("customer_id=a&customer_id=b", "query.customer_id", "repeated"),
    ("limit=5.0", "query.limit", "invalid"),
    ("limit=%205", "query.limit", "invalid"),
    ("limit=1_0", "query.limit", "invalid"),
    ("limit=%2B5", "query.limit", "invalid"),
])
def test_query_strings_are_read_strictly(client, tenant, query, field, code):
    """Regression (API fuzzing): a repeated parameter silently took its last value, and pydantic
    read 5.0, " 5", 1_0 and +5 as the integer 5; a client sending either has a bug to hear about."""
    response = client.get(f"/v1/invoices?{query}", headers=tenant.headers())
    assert response.status_code == 422, response.text
    assert (response.json()["errors"][0]["field"], response.json()["errors"][0]["code"]) == (field, code)


def test_a_strict_query_still_reads_good_values(client, tenant):
    assert client.get("/v1/invoices?limit=05", headers=tenant.headers()).status_code == 200
    assert client.get("/v1/events?after=0&limit=2", headers=tenant.headers()).status_code == 200
    unauthenticated = client.get("/v1/invoices?limit=5")
    assert unauthenticated.status_code == 401


def test_idempotency_key_replays_the_stored_response(client, tenant):
    headers = tenant.headers() | {"Idempotency-Key": "create-1100"}
    body = {"code": "1100", "name": "Receivables", "type": "asset"}
    first = client.post("/v1/gl-accounts", headers=headers, json=body)
    second = client.post("/v1/gl-accounts", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotency-Replayed"] == "true"
    assert "Idempotency-Replayed" not in first.headers
    assert first.json() == second.json()
    assert second.headers["etag"] == first.headers["etag"]
    items = client.get("/v1/gl-accounts", headers=tenant.headers()).json()["items"]
    assert len(items) == 1


def test_idempotency_key_with_another_body_is_refused(client, tenant):
    headers = tenant.headers() | {"Idempotency-Key": "k"}
    client.post("/v1/gl-accounts", headers=headers, json={"code": "1", "name": "A", "type": "asset"})
    again = client.post("/v1/gl-accounts", headers=headers, json={"code": "2", "name": "B", "type": "asset"})
    assert again.status_code == 422 and again.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(client.get("/v1/gl-accounts", headers=tenant.headers()).json()["items"]) == 1


def test_idempotency_keys_are_per_tenant(client, tenant, other_tenant):
    body = {"code": "1", "name": "A", "type": "asset"}
    a = client.post("/v1/gl-accounts", headers=tenant.headers() | {"Idempotency-Key": "same"}, json=body)
    b = client.post("/v1/gl-accounts", headers=other_tenant.headers() | {"Idempotency-Key": "same"}, json=body)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_concurrent_requests_with_one_key_create_one_record(app, tenant):
    headers = tenant.headers() | {"Idempotency-Key": "race"}
    body = {"code": "7000", "name": "Raced", "type": "expense"}
    responses = race(app, 8, lambda c, n: c.post("/v1/gl-accounts", headers=headers, json=body))
    assert [r.status_code for r in responses] == [201] * 8
    with TestClient(app) as c:
        assert len(c.get("/v1/gl-accounts", headers=tenant.headers()).json()["items"]) == 1


# --- ETag / If-Match -----------------------------------------------------------------------------

def test_etag_and_if_match(client, tenant):
    created = _create(client, tenant, "1100")
    account, tag = created.json(), created.headers["etag"]
    assert tag == '"1"'
    assert client.get(f"/v1/gl-accounts/{account['id']}", headers=tenant.headers()).headers["etag"] == tag
    ok = client.patch(f"/v1/gl-accounts/{account['id']}", headers=tenant.headers() | {"If-Match": tag},
                      json={"name": "Trade Receivables"})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    stale = client.patch(f"/v1/gl-accounts/{account['id']}", headers=tenant.headers() | {"If-Match": tag},
                         json={"name": "Lost Update"})
    assert stale.status_code == 412 and stale.json()["code"] == "PRECONDITION_FAILED"
    assert stale.headers["etag"] == '"2"'
    unconditional = client.patch(f"/v1/gl-accounts/{account['id']}", headers=tenant.headers(),
                                 json={"description": "no If-Match: last write wins"})
    assert unconditional.status_code == 200
    current = client.get(f"/v1/gl-accounts/{account['id']}", headers=tenant.headers()).json()
    assert current["name"] == "Trade Receivables" and current["version"] == 3


def test_parallel_updates_with_one_if_match_let_exactly_one_win(app, tenant):
    with TestClient(app) as c:
        account = _create(c, tenant, "1100").json()
    responses = race(app, 10, lambda c, n: c.patch(
        f"/v1/gl-accounts/{account['id']}", headers=tenant.headers() | {"If-Match": '"1"'},
        json={"name": f"Writer {n}"}))
    assert sorted(r.status_code for r in responses) == [200] + [412] * 9


# --- limits and errors ---------------------------------------------------------------------------

def test_body_size_limit_is_413(settings, database, tenant):
    settings.max_body_bytes = 2048
    with TestClient(create_app(settings, database)) as c:
        big = {"code": "1", "name": "x", "type": "asset", "description": "y" * 5000}
        response = c.post("/v1/gl-accounts", headers=tenant.headers(), json=big)
        assert response.status_code == 413
        assert response.json()["code"] == "PAYLOAD_TOO_LARGE"

        def chunks():  # no Content-Length: the limit applies to the bytes received
            for _ in range(10):
                yield b"x" * 1000
        streamed = c.post("/v1/gl-accounts", headers=tenant.headers() | {"Content-Type": "application/json"},
                          content=chunks())
        assert streamed.status_code == 413


def test_malformed_json_is_400(client, tenant):
    response = client.post("/v1/gl-accounts", headers=tenant.headers() | {"Content-Type": "application/json"},
                           content=b'{"code": "1", ')
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_JSON"


@pytest.mark.parametrize("body,field", [
    ({"code": "1", "name": "A", "type": "planet"}, "type"),
    ({"code": 5, "name": "A", "type": "asset"}, "code"),
    ({"code": "1", "name": "A" * 201, "type": "asset"}, "name"),
    ({"code": "1", "name": "A", "type": "asset", "colour": "red"}, "colour"),
    ({"code": "1", "type": "asset"}, "name"),
    ({"code": "1", "name": "A", "type": "asset", "parent_code": "9999"}, "parent_code"),
])
def test_invalid_fields_are_422_naming_the_field(client, tenant, body, field):
    response = client.post("/v1/gl-accounts", headers=tenant.headers(), json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "VALIDATION_FAILED"
    assert [e["field"] for e in problem["errors"]] == [field]


@pytest.mark.parametrize("body,field", [
    ({"slug": "ok", "name": "A", "base_currency": "XYZ"}, "base_currency"),
    ({"slug": "ok", "name": "A", "timezone": "Mars/Base"}, "timezone"),
    ({"slug": "Not A Slug", "name": "A"}, "slug"),
    ({"slug": "ok", "name": "A", "fiscal_year_start_month": 13}, "fiscal_year_start_month"),
    ({"slug": "ok", "name": "A" * 500}, "name"),
])
def test_tenant_validation_names_the_field(client, tenant, body, field):
    response = client.post("/v1/tenants", headers=tenant.headers(), json=body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_unknown_route_and_method_are_problems(client, tenant):
    missing = client.get("/v1/nothing-here", headers=tenant.headers())
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    wrong = client.put("/v1/gl-accounts", headers=tenant.headers(), json={})
    assert wrong.status_code == 405 and wrong.json()["code"] == "METHOD_NOT_ALLOWED"


def test_malformed_uuid_is_404_not_500(client, tenant):
    response = client.get("/v1/gl-accounts/not-a-uuid", headers=tenant.headers())
    assert response.status_code == 404


def test_health_and_docs(client):
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok" and ready["database"] in ("sqlite", "postgresql")
    spec = client.get("/openapi.json").json()
    assert "/v1/gl-accounts" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_nul_characters_are_refused_not_500(client, tenant):
    body = client.post("/v1/gl-accounts", headers=tenant.headers(),
                       json={"code": "1", "name": "A\x00B", "type": "asset"})
    assert body.status_code == 422 and body.json()["errors"][0]["field"] == "name"
    path = client.get("/v1/business-units/A%00B", headers=tenant.headers())
    assert path.status_code in (400, 404)
    query = client.get("/v1/invoices", headers=tenant.headers(), params={"external_ref": "x\x00y"})
    assert query.status_code in (200, 400)


def test_every_v1_operation_documents_its_problems(client, tenant):
    """Regression (API fuzzing): /v1 operations documented only 200 and FastAPI's 422 (in a shape
    the API never sends), while every one answers 401, 403, 404 … as problem+json."""
    from jsonschema import Draft202012Validator

    spec = client.get("/openapi.json").json()
    missing = [f"{method.upper()} {path} {status}"
               for path, operations in spec["paths"].items() if path.startswith("/v1/")
               for method, operation in operations.items()
               for status in ("400", "401", "403", "404", "409", "412", "413", "422", "429")
               if "application/problem+json" not in operation["responses"].get(status, {}).get(
                   "content", {})]
    assert not missing, missing
    documented = spec["paths"]["/v1/gl-accounts"]["post"]["responses"]
    for response in (client.get("/v1/gl-accounts"),
                     client.post("/v1/gl-accounts", headers=tenant.headers(), json={"code": ""})):
        assert response.headers["content-type"] == "application/problem+json"
        schema = documented[str(response.status_code)]["content"]["application/problem+json"]["schema"]
        assert not list(Draft202012Validator(schema).iter_errors(response.json())), response.text


def test_a_list_request_leaves_the_event_loop_only_for_its_database_work(client, tenant,
                                                                           monkeypatch):
    """FastAPI runs every dependency that is not a coroutine in a worker thread, a round trip
    each per request. Of a list route's dependencies only the token lookup and the session
    (opened and closed there) touch the database; the query check, the paging parameters and
    the role check must stay coroutines."""
    import fastapi.dependencies.utils as solving

    threaded: list[str] = []

    def recording(wrapped):
        def run(call, *args, **kwargs):
            threaded.append(getattr(call, "__name__", type(call).__name__))
            return wrapped(call, *args, **kwargs)
        return run

    monkeypatch.setattr(solving, "run_in_threadpool", recording(solving.run_in_threadpool))
    monkeypatch.setattr(solving, "contextmanager_in_threadpool",
                        recording(solving.contextmanager_in_threadpool))
    response = client.get("/v1/invoices?limit=5", headers=tenant.headers())
    assert response.status_code == 200
    assert sorted(threaded) == ["_GeneratorContextManager", "current_principal"]
