"""Rate limits: per token and per tenant, 429 with ``Retry-After``, in every surface's error shape."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from finbatch.api.ratelimit import RateLimiter
from finbatch.app import create_app
from finbatch.kit.errors import RateLimited
from tests.conftest import make_tenant


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_spends_its_minute_in_a_burst_then_one_request_per_interval():
    clock = Clock()
    limiter = RateLimiter(clock)
    for _ in range(3):
        limiter.check([("token:a", 3)])
    with pytest.raises(RateLimited) as refused:
        limiter.check([("token:a", 3)])
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "20"
    clock.now += 19.5
    with pytest.raises(RateLimited):  # a refused request is not counted, but time has not come
        limiter.check([("token:a", 3)])
    clock.now += 0.5
    limiter.check([("token:a", 3)])
    limiter.check([("token:b", 3)])  # other keys are not affected


def test_a_request_refused_by_one_key_counts_against_none():
    clock = Clock()
    limiter = RateLimiter(clock)
    limiter.check([("tenant:1", 1)])
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.check([("token:x", 2), ("tenant:1", 1)])
    clock.now += 60
    limiter.check([("token:x", 2), ("tenant:1", 1)])
    limiter.check([("token:x", 2)])  # the refusals above spent nothing of token:x


def test_idle_keys_are_forgotten():
    clock = Clock()
    limiter = RateLimiter(clock)
    for n in range(100):
        limiter.check([(f"token:{n}", 10)])
    clock.now += 61
    limiter.check([("token:new", 10)])
    assert set(limiter._arrival) == {"token:new"}


@pytest.fixture
def limited(settings, database):
    """An app whose tokens may make two requests a minute, their tenant five."""
    limited_settings = settings.model_copy(update={"rate_limit_per_minute": 2,
                                                   "tenant_rate_limit_per_minute": 5})
    with TestClient(create_app(limited_settings, database=database)) as client:
        yield client


def _call(client: TestClient, surface: str, slug: str, tenant_id: int, headers: dict):
    if surface == "native":
        return client.get("/v1/batches", headers=headers)
    if surface == "rhythm":
        return client.get(f"/batches/{slug}", headers=headers)
    if surface == "envi":
        return client.get("/odata/Batches", headers=headers)
    if surface == "saasu":
        return client.get(f"/Payments?FileId={tenant_id}", headers=headers)
    if surface == "ym":
        return client.get(f"/Ams/{tenant_id}/FinanceBatches", headers=headers)
    return client.post("/Invoice/GetInvoicesList", headers=headers,
                       json={"InvoiceListRequestItems": [{"customerId": "nobody"}]})


@pytest.mark.parametrize("surface", ["native", "rhythm", "envi", "saasu", "agvance", "ym"])
def test_the_third_request_of_a_token_gets_429_in_its_surfaces_shape(limited, database, surface):
    tenant = make_tenant(database, "limited", client_id=77)
    headers = tenant.headers("admin")
    unauthenticated = _call(limited, surface, tenant.slug, tenant.id, {})
    assert unauthenticated.status_code == 401
    for _ in range(2):
        assert _call(limited, surface, tenant.slug, tenant.id, headers).status_code != 429
    refused = _call(limited, surface, tenant.slug, tenant.id, headers)
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    # the same error body as the surface's other errors: its media type and its top-level fields
    assert refused.headers["content-type"] == unauthenticated.headers["content-type"]
    assert set(unauthenticated.json()) <= set(refused.json())
    if surface != "native":  # problem details may carry extension members (retry_after)
        assert set(refused.json()) == set(unauthenticated.json())
    assert "retry" in refused.text.lower()


def test_the_tenant_limit_holds_across_its_tokens(limited, database):
    tenant = make_tenant(database, "shared")
    codes = [limited.get("/v1/batches", headers=tenant.headers(role)).status_code
             for role in ("admin", "accountant", "clerk", "viewer", "admin", "accountant")]
    assert codes[:5] == [200] * 5 and codes[5] == 429
    other = make_tenant(database, "neighbour")
    assert limited.get("/v1/batches", headers=other.headers()).status_code == 200
