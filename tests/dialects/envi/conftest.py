"""Envi fixtures: a tenant with AP master data (built through the native API, as dialects/envi.md
says) and users of every role who log in through ``/oauth2/token``."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from finbatch.tenancy import service as tenancy
from tests.support.payables import ApWorld, build_world

PASSWORD = "correct horse battery"
ROLES = ("admin", "accountant", "clerk", "viewer")


@dataclass
class Envi:
    client: object
    database: object
    tenant: object
    world: ApWorld
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, role: str) -> str:
        """A token from /oauth2/token for a user of ``role`` (created and logged in once)."""
        if role not in self.tokens:
            make_user(self.database, self.tenant, role)
            response = login(self.client, f"{self.tenant.slug}.{role}", self.tenant.slug)
            assert response.status_code == 200, response.text
            self.tokens[role] = response.json()["access_token"]
        return self.tokens[role]

    def headers(self, role: str = "admin", **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}", **extra}

    def get(self, url: str, role: str = "admin", **kwargs):
        headers = self.headers(role) | kwargs.pop("headers", {})
        return self.client.get(url, headers=headers, **kwargs)

    def post(self, url: str, role: str = "admin", **kwargs):
        headers = self.headers(role) | kwargs.pop("headers", {})
        return self.client.post(url, headers=headers, **kwargs)


def make_user(database, tenant, role: str) -> str:
    """A user ``<slug>.<role>`` with that role in the tenant; returns the username."""
    username = f"{tenant.slug}.{role}"
    with database.unit_of_work() as session:
        tenancy.create_user(session, tenant_id=tenant.id, username=username, password=PASSWORD,
                            roles=[role])
    return username


def make_users(database, tenant) -> None:
    for role in ROLES:
        make_user(database, tenant, role)


def login(client, username: str, client_id: str, password: str = PASSWORD):
    return client.post("/oauth2/token", data={"grant_type": "password", "client_id": client_id,
                                              "username": username, "password": password})


def envi_for(client, database, tenant) -> Envi:
    return Envi(client, database, tenant, build_world(client, tenant))


@pytest.fixture
def envi(client, database, tenant) -> Envi:
    return envi_for(client, database, tenant)
