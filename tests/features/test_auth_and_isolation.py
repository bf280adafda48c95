"""Authentication, roles and tenant isolation on the native API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from finbatch.kit.clock import clock
from finbatch.tenancy import service as tenancy


def _account(client, tenant, code="1100", role="admin"):
    return client.post("/v1/gl-accounts", headers=tenant.headers(role),
                       json={"code": code, "name": "Receivables", "type": "asset"})


def test_no_token_is_401_problem(client):
    response = client.get("/v1/gl-accounts")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "UNAUTHENTICATED" and body["status"] == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_unknown_and_expired_tokens_are_401(client, database, tenant):
    assert client.get("/v1/gl-accounts", headers={"Authorization": "Bearer fbt_nope"}).json()["code"] == "INVALID_TOKEN"
    assert client.get("/v1/gl-accounts", headers={"Authorization": "Basic abc"}).status_code == 401
    with database.unit_of_work() as session:
        issued = tenancy.create_token(session, grants={tenant.id: ["admin"]},
                                      expires_in=timedelta(minutes=5))
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert client.get("/v1/gl-accounts", headers=headers).status_code == 200
    with clock.freeze(datetime.now(UTC) + timedelta(minutes=6)):
        response = client.get("/v1/gl-accounts", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "TOKEN_EXPIRED"


def test_revoked_token_is_401(client, tenant):
    created = client.post("/v1/tokens", headers=tenant.headers(), json={"roles": ["viewer"]}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/v1/gl-accounts", headers=headers).status_code == 200
    assert client.delete(f"/v1/tokens/{created['id']}", headers=tenant.headers()).status_code == 204
    assert client.get("/v1/gl-accounts", headers=headers).json()["code"] == "TOKEN_REVOKED"


def test_roles_are_enforced(client, tenant):
    assert _account(client, tenant, role="viewer").status_code == 403
    assert _account(client, tenant, role="clerk").json()["code"] == "ROLE_FORBIDDEN"
    assert _account(client, tenant, role="admin").status_code == 201
    assert client.get("/v1/gl-accounts", headers=tenant.headers("viewer")).status_code == 200
    assert client.get("/v1/users", headers=tenant.headers("accountant")).status_code == 403


def test_other_tenants_records_are_404(client, tenant, other_tenant):
    account = _account(client, tenant).json()
    foreign = client.get(f"/v1/gl-accounts/{account['id']}", headers=other_tenant.headers())
    assert foreign.status_code == 404
    assert "Receivables" not in foreign.text  # nothing of the record itself
    listed = client.get("/v1/gl-accounts", headers=other_tenant.headers()).json()
    assert listed["items"] == []
    patched = client.patch(f"/v1/gl-accounts/{account['id']}", headers=other_tenant.headers(),
                           json={"name": "Stolen"})
    assert patched.status_code == 404
    mine = client.get(f"/v1/gl-accounts/{account['id']}", headers=tenant.headers()).json()
    assert mine["name"] == "Receivables"


def test_tenant_named_in_path_is_403(client, tenant, other_tenant):
    assert client.get("/v1/tenants/acme", headers=tenant.headers()).status_code == 200
    response = client.get("/v1/tenants/globex", headers=tenant.headers())
    assert response.status_code == 403 and response.json()["code"] == "TENANT_FORBIDDEN"
    assert "Globex" not in response.text
    assert client.get("/v1/tenants/nonexistent", headers=tenant.headers()).status_code == 403


def test_multi_tenant_token_names_its_tenant(client, database, tenant, other_tenant):
    with database.unit_of_work() as session:
        issued = tenancy.create_token(session, grants={tenant.id: ["admin"], other_tenant.id: ["viewer"]},
                                      expires_in=timedelta(hours=1))
    auth = {"Authorization": f"Bearer {issued.secret}"}
    assert client.get("/v1/gl-accounts", headers=auth).json()["code"] == "TENANT_REQUIRED"
    assert client.get("/v1/gl-accounts", headers={**auth, "Finbatch-Tenant": "globex"}).status_code == 200
    assert client.post("/v1/gl-accounts", headers={**auth, "Finbatch-Tenant": "globex"},
                       json={"code": "1", "name": "x", "type": "asset"}).status_code == 403
    assert client.get("/v1/gl-accounts", headers={**auth, "Finbatch-Tenant": "3000"}).status_code == 200
    assert client.get("/v1/gl-accounts", headers={**auth, "Finbatch-Tenant": "initech"}).status_code == 403


def test_a_tokens_principal_carries_each_granted_tenant_and_its_roles(database, tenant,
                                                                      other_tenant):
    """The principal is read as plain columns: each tenant's context must still be the one its
    record gives, field for field, with the roles granted there."""
    from finbatch.tenancy.auth import TenantContext, authenticate_bearer
    from finbatch.tenancy.models import Tenant
    from finbatch.tenancy.roles import parse_roles

    with database.unit_of_work() as session:
        issued = tenancy.create_token(session, grants={tenant.id: ["admin"], other_tenant.id: ["viewer"]},
                                      name="two", expires_in=timedelta(hours=1))
    with database.reading() as session:
        principal = authenticate_bearer(session, issued.secret)
        assert principal.tenants == {t.id: TenantContext.of(session.get(Tenant, t.id))
                                     for t in (tenant, other_tenant)}
    assert principal.grants == {tenant.id: parse_roles("admin"), other_tenant.id: parse_roles("viewer")}
    assert (principal.actor, principal.user_id) == ("token:two", None)


def test_token_cannot_exceed_its_creator(client, tenant):
    created = client.post("/v1/tokens", headers=tenant.headers(),
                          json={"roles": ["viewer"], "name": "reporting", "expires_in_days": 7})
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("fbt_") and body["roles"] == ["viewer"]
    listed = client.get("/v1/tokens", headers=tenant.headers()).json()["items"]
    assert all("token" not in item for item in listed)
    assert any(item["id"] == body["id"] for item in listed)


def test_admin_creates_a_tenant_and_administers_it(client, tenant):
    response = client.post("/v1/tenants", headers=tenant.headers(), json={
        "slug": "initech", "name": "Initech", "timezone": "Europe/Paris", "base_currency": "EUR"})
    assert response.status_code == 201, response.text
    assert response.json()["id"] >= 1000
    multi = tenant.headers() | {"Finbatch-Tenant": "initech"}
    assert client.get("/v1/tenants/initech", headers=tenant.headers()).status_code == 200
    assert client.get("/v1/gl-accounts", headers=multi).status_code == 200
    slugs = [t["slug"] for t in client.get("/v1/tenants", headers=multi).json()["items"]]
    assert slugs == ["acme", "initech"]


def test_a_refresh_token_follows_the_users_current_access(database, tenant, other_tenant):
    import pytest

    from finbatch.kit.errors import Unauthenticated
    from finbatch.tenancy.models import Membership

    with database.unit_of_work() as session:
        user = tenancy.create_user(session, tenant_id=tenant.id, username="refresher",
                                   password="long enough", roles=["accountant"])
        refresh = tenancy.create_token(session, grants={tenant.id: ["accountant"]}, user_id=user.id,
                                       expires_in=timedelta(days=1), kind="refresh")
    with database.unit_of_work() as session:
        access, again = tenancy.exchange_refresh_token(
            session, refresh.secret, expires_in=timedelta(hours=1), refresh_expires_in=timedelta(days=1))
        session.get(Membership, (tenant.id, user.id)).roles = "viewer"
    with database.unit_of_work() as session:
        narrowed, latest = tenancy.exchange_refresh_token(
            session, again.secret, expires_in=timedelta(hours=1), refresh_expires_in=timedelta(days=1))
        grants = tenancy.user_memberships(session, user.id)
        assert {str(r) for r in grants[tenant.id]} == {"viewer"}
        session.delete(session.get(Membership, (tenant.id, user.id)))
    with pytest.raises(Unauthenticated):
        with database.unit_of_work() as session:
            tenancy.exchange_refresh_token(session, latest.secret, expires_in=timedelta(hours=1),
                                           refresh_expires_in=timedelta(days=1))


def test_surface_prefixes_match_whatever_their_case():
    from finbatch.api.surfaces import Surface

    surface = Surface("x", ("/Ams/",), lambda r, e: None)
    assert surface.owns("/ams/1000/FinanceBatches") and surface.owns("/AMS/x")
    assert not surface.owns("/v1/x")
