"""Security headers on every response of every surface, and the configured CORS policy."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from finbatch.app import create_app
from tests.conftest import make_tenant

PATHS = ["/v1/batches", "/v1/nothing-here", "/batches/acme", "/odata/Batches",
         "/Payments?FileId=1", "/Ams/1/FinanceBatches", "/console/sign-in", "/healthz", "/openapi.json"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    # the console keeps referrers within itself (its own policy); everything else sends none
    assert response.headers["referrer-policy"] in ("no-referrer", "same-origin")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # plain HTTP


def test_api_bodies_may_load_nothing_and_html_pages_keep_their_scripts(client):
    assert client.get("/v1/batches").headers["content-security-policy"].startswith(
        "default-src 'none'")
    docs = client.get("/docs")
    assert docs.headers["content-type"].startswith("text/html")
    assert docs.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_https_behind_a_proxy_gets_strict_transport_security(client):
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_a_413_carries_them_too(client, tenant):
    response = client.post("/v1/batches", content=b"x" * (11 * 1024 * 1024),
                           headers={**tenant.headers(), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["x-content-type-options"] == "nosniff"


def test_without_configured_origins_browsers_get_no_cross_origin_access(client, tenant):
    response = client.get("/v1/batches", headers={**tenant.headers(),
                                                  "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


@pytest.fixture
def cors_client(settings, database):
    configured = settings.model_copy(update={"cors_origins": "https://books.example.org/"})
    with TestClient(create_app(configured, database=database)) as client:
        yield client


def test_configured_origins_are_allowed_on_the_native_api(cors_client, database):
    tenant = make_tenant(database, "acme")
    allowed = cors_client.get("/v1/batches", headers={**tenant.headers(),
                                                      "Origin": "https://books.example.org"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://books.example.org"
    preflight = cors_client.options("/v1/batches", headers={
        "Origin": "https://books.example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Idempotency-Key"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    other = cors_client.get("/v1/batches", headers={**tenant.headers(),
                                                    "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_rhythm_keeps_its_own_cors_contract(cors_client, database):
    tenant = make_tenant(database, "acme")
    response = cors_client.get("/batches/acme", headers={**tenant.headers(),
                                                         "Origin": "https://evil.example"})
    assert response.headers["access-control-allow-origin"] == "*"  # the seed's headers
