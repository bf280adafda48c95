"""Who may call each Rhythm route, and the CORS headers and error body on every response."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from finbatch.dialects.rhythm import operations
from tests.dialects.rhythm.support import CORS, batch_body, open_books

ANY_ID = "0199a000-0000-7000-8000-000000000000"
#: (method, path under /batches/{tenant}, body, writes)
ROUTES = [
    ("GET", "", None, False),
    ("POST", "", batch_body(), True),
    ("POST", "/batch", {"operations": []}, True),
    ("GET", "/dependents?ids=" + ANY_ID, None, False),
    ("GET", "/fiscal_period/FY2026/2", None, False),
    ("POST", "/search", {}, False),
    ("GET", "/status/open/MAIN", None, False),
    ("GET", f"/{ANY_ID}", None, False),
    ("PUT", f"/{ANY_ID}", batch_body(), True),
    ("PATCH", f"/{ANY_ID}", [], True),
    ("DELETE", f"/{ANY_ID}", None, True),
]


def _call(client, method, path, body, headers):
    return client.request(method, path, headers=headers, json=body)


def _is_rhythm_error(response, status):
    assert response.status_code == status, response.text
    assert set(response.json()) == {"message", "errors"}
    for name in CORS:
        assert name in response.headers, name


@pytest.mark.parametrize(("method", "suffix", "body", "writes"), ROUTES)
def test_every_route_needs_a_token_for_the_tenant(client, tenant, other_tenant, method, suffix,
                                                  body, writes):
    open_books(client, tenant)
    path = f"/batches/{tenant.slug}{suffix}"
    _is_rhythm_error(_call(client, method, path, body, {}), 401)
    _is_rhythm_error(_call(client, method, path, body, {"Authorization": "Bearer fbt_nope"}), 401)
    _is_rhythm_error(_call(client, method, path, body, other_tenant.headers()), 403)
    viewer = _call(client, method, path, body, tenant.headers("viewer"))
    if writes:
        _is_rhythm_error(viewer, 403)
    else:
        assert viewer.status_code in (200, 404), viewer.text
    # the other tenant's own path works with its own token: the slug picks the tenant
    mine = _call(client, method, f"/batches/{other_tenant.slug}{suffix}", body,
                 other_tenant.headers())
    assert mine.status_code != 403, mine.text


def test_another_tenants_batch_is_not_found(client, tenant, other_tenant):
    books = open_books(client, tenant)
    batch_id = client.post("/batches/acme", headers=books.headers, json=batch_body()).json()["id"]
    for method, body in (("GET", None), ("PUT", batch_body()), ("PATCH", []), ("DELETE", None)):
        response = _call(client, method, f"/batches/{other_tenant.slug}/{batch_id}", body,
                         other_tenant.headers())
        _is_rhythm_error(response, 404)
    dependents = client.get(f"/batches/{other_tenant.slug}/dependents",
                            params={"ids": batch_id}, headers=other_tenant.headers())
    assert dependents.json() == {"children": []}


def test_cors_headers_on_success_and_preflight(client, tenant):
    books = open_books(client, tenant)
    for response in (client.get("/batches/acme", headers=books.headers),
                     client.post("/batches/acme", headers=books.headers, json=batch_body()),
                     client.options("/batches/acme/anything", headers={
                         "Origin": "https://app.example",
                         "Access-Control-Request-Method": "PUT"})):
        assert response.status_code in (200, 201, 204)
        assert {name: response.headers[name] for name in CORS} == {
            "access-control-allow-headers": "Authorization,Content-Type",
            "access-control-allow-methods": "DELETE,GET,OPTIONS,PATCH,POST,PUT",
            "access-control-allow-origin": "*"}
    assert "access-control-allow-origin" not in client.get("/v1/batches",
                                                           headers=books.headers).headers


def test_an_unexpected_failure_is_a_500_in_rhythms_body(app, tenant, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(operations, "read_many", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/batches/acme", headers=tenant.headers())
    _is_rhythm_error(response, 500)
    assert "boom" not in response.text
