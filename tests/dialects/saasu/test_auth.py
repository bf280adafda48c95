"""Saasu's OAuth routes: password and refresh grants, scopes, lockout, OAuth error bodies."""

from __future__ import annotations

import pytest

from finbatch.kit.clock import utcnow
from finbatch.tenancy import service as tenancy
from finbatch.tenancy.models import Membership

PASSWORD = "correct horse battery"


@pytest.fixture
def user(client, tenant, other_tenant, database):
    """A viewer in acme (FileId 2000) and an accountant in globex (FileId 3000)."""
    response = client.post("/v1/users", headers=tenant.headers(),
                           json={"username": "kim@example.org", "password": PASSWORD, "roles": ["viewer"]})
    assert response.status_code == 201, response.text
    with database.unit_of_work() as session:
        session.add(Membership(tenant_id=other_tenant.id, user_id=response.json()["id"],
                               roles="accountant", created_at=utcnow()))
    return "kim@example.org"


def grant(client, **body):
    return client.post("/authorisation/token", json={"grant_type": "password", **body})


def test_password_grant_lists_the_users_files_and_the_token_works(client, user, tenant, other_tenant):
    response = grant(client, username=user, password=PASSWORD, scope="full")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 10800
    assert body["scope"] == f"full fileid:{tenant.id} fileid:{other_tenant.id}"
    assert response.headers["cache-control"] == "no-store"
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    for file_id in (tenant.id, other_tenant.id):
        listed = client.get(f"/Payments?FileId={file_id}", headers=bearer)
        assert listed.status_code == 200, listed.text
    assert client.get("/Payments?FileId=123", headers=bearer).status_code == 403
    # the same token as the legacy access key
    legacy = client.get(f"/Payments?FileId={tenant.id}&WsAccessKey={body['access_token']}")
    assert legacy.status_code == 200


def test_scope_limits_the_files(client, user, tenant, other_tenant):
    body = grant(client, username=user, password=PASSWORD, scope=f"full fileid:{other_tenant.id}").json()
    assert body["scope"] == f"full fileid:{other_tenant.id}"
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get(f"/Payments?FileId={tenant.id}", headers=bearer).status_code == 403
    refused = grant(client, username=user, password=PASSWORD, scope="fileid:123")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    odd = grant(client, username=user, password=PASSWORD, scope="everything")
    assert odd.status_code == 400 and odd.json()["error"] == "invalid_scope"


def test_form_encoded_grant_and_refresh(client, user, tenant):
    response = client.post("/authorisation/token", data={
        "grant_type": "password", "username": user, "password": PASSWORD})
    assert response.status_code == 200, response.text
    first = response.json()
    renewed = client.post("/authorisation/refresh", json={"grant_type": "refresh_token",
                                                           "refresh_token": first["refresh_token"]})
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()
    assert second["access_token"] != first["access_token"] and second["scope"] == first["scope"]
    bearer = {"Authorization": f"Bearer {second['access_token']}"}
    assert client.get(f"/Payments?FileId={tenant.id}", headers=bearer).status_code == 200
    # a refresh token is single-use
    again = client.post("/authorisation/refresh", json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # the token route takes the refresh grant too
    via_token = client.post("/authorisation/token", data={"grant_type": "refresh_token",
                                                          "refresh_token": second["refresh_token"]})
    assert via_token.status_code == 200


def test_failed_logins_are_counted_and_lock_the_account(client, user, settings):
    for _ in range(settings.login_max_failures):
        failed = grant(client, username=user, password="wrong password")
        assert failed.status_code == 400
        assert failed.json() == {"error": "invalid_grant", "error_description": "invalid username or password"}
    locked = grant(client, username=user, password=PASSWORD)
    assert locked.status_code == 400 and locked.json()["error"] == "invalid_grant"
    assert "locked" in locked.json()["error_description"] and "retry-after" in locked.headers


@pytest.mark.parametrize(("body", "code", "named"), [
    ({"grant_type": "password", "password": PASSWORD}, "invalid_request", "username"),
    ({"grant_type": "password", "username": "kim@example.org"}, "invalid_request", "password"),
    ({"grant_type": "client_credentials"}, "unsupported_grant_type", "grant_type"),
    ({"username": "kim@example.org"}, "invalid_request", "grant_type"),
    ({"grant_type": "password", "username": 7, "password": PASSWORD}, "invalid_request", "username"),
])
def test_bad_requests_are_oauth_errors(client, user, body, code, named):
    response = client.post("/authorisation/token", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == code and named in response.json()["error_description"]


def test_malformed_bodies_and_methods(client):
    for content, media in ((b"{nope", "application/json"), (b"[1]", "application/json"),
                           (b"<x/>", "application/xml")):
        response = client.post("/authorisation/token", content=content, headers={"Content-Type": media})
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    wrong = client.get("/authorisation/token")
    assert wrong.status_code == 405 and set(wrong.json()) == {"error", "error_description"}
    missing = client.post("/authorisation/nothing", json={})
    assert missing.status_code == 404 and set(missing.json()) == {"error", "error_description"}


def test_a_user_without_files_gets_no_token(client, database):
    with database.unit_of_work() as session:
        tenant = tenancy.create_tenant(session, slug="lonely", name="Lonely", client_id=4000)
        user = tenancy.create_user(session, tenant_id=tenant.id, username="solo", password=PASSWORD,
                                   roles=["viewer"])
        session.query(Membership).filter_by(user_id=user.id).delete()
    response = grant(client, username="solo", password=PASSWORD)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
