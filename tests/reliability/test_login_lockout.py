"""Audit: every endpoint that exchanges a password for a session or token locks the account
after repeated failures, answers the lock in its own shape (with ``Retry-After``), and shares
one failure count with the others, so an attacker cannot spread guesses across surfaces.

``SIGN_IN`` lists the password endpoints; ``test_every_credential_route_is_audited`` reads the
application's route table, so a sign-in route added later without a place here fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from finbatch.tenancy import service as tenancy
from finbatch.tenancy.models import User
from tests.console.conftest import csrf_of
from tests.features.test_isolation_matrix import Endpoint, enumerate_routes

USERNAME, PASSWORD = "lock.audit", "correct horse battery staple"
MAX_FAILURES = 3


@dataclass(frozen=True)
class SignIn:
    route: str  # the route template it posts to
    attempt: Callable[[TestClient, str], object]  # (client, password) → response
    succeeded: Callable[[object], bool]
    locked: Callable[[object], bool]  # the response says the account is locked


def _envi(client, password):
    return client.post("/oauth2/token", data={"grant_type": "password", "client_id": "acme",
                                              "username": USERNAME, "password": password})


def _saasu(client, password):
    return client.post("/authorisation/token", json={"grant_type": "password",
                                                     "username": USERNAME, "password": password})


def _ym(client, password):
    return client.post("/Ams/Authenticate", json={"ClientID": 2000, "UserType": "Admin",
                                                 "Username": USERNAME, "Password": password})


def _console(client, password):
    client.cookies.clear()  # a fresh browser each time, as a guesser would be
    form = client.get("/console/sign-in")
    return client.post("/console/sign-in", data={
        "username": USERNAME, "password": password, "csrf_token": csrf_of(form.text),
        "next": "/console/batches"}, follow_redirects=False)


SIGN_IN = {
    "envi": SignIn("/oauth2/token", _envi, lambda r: r.status_code == 200,
                   lambda r: "locked" in r.json()["error"]["message"]),
    "saasu": SignIn("/authorisation/token", _saasu, lambda r: r.status_code == 200,
                    lambda r: "locked" in r.json()["error_description"]),
    "ym": SignIn("/Ams/Authenticate", _ym, lambda r: r.status_code == 200,
                 lambda r: r.json()["FailedLoginReason"] == "AccountLockedOut"),
    "console": SignIn("/console/sign-in", _console, lambda r: r.status_code == 303,
                      lambda r: "locked" in r.text.lower()),
}

#: Credential routes that take no password, and why a lockout does not apply to them.
NOT_PASSWORD_ROUTES = {
    "/authorisation/refresh": "exchanges a 256-bit refresh token (unguessable), not a password",
}

CREDENTIAL_ROUTE = re.compile(r"token|authenticat|sign-in", re.IGNORECASE)


@pytest.fixture
def engine_name() -> str:
    return "sqlite"  # the count is one column on the user, the same on both engines


@pytest.fixture
def https_client(app) -> TestClient:
    with TestClient(app, base_url="https://testserver") as client:
        yield client


@pytest.fixture
def user(database, tenant, settings) -> str:
    settings.login_max_failures = MAX_FAILURES
    with database.unit_of_work() as session:
        tenancy.create_user(session, tenant_id=tenant.id, username=USERNAME, password=PASSWORD,
                            roles=["admin"])
    return USERNAME


def _failed_logins(database) -> tuple[int, object]:
    with database.reading() as session:
        found = session.execute(select(User).where(User.username == USERNAME)).scalar_one()
        return found.failed_logins, found.locked_until


@pytest.mark.parametrize("path", sorted(SIGN_IN))
def test_repeated_failures_lock_the_account_at_every_sign_in(https_client, database, user, path):
    sign_in = SIGN_IN[path]
    assert sign_in.succeeded(sign_in.attempt(https_client, PASSWORD)), "the control sign-in failed"
    for _ in range(MAX_FAILURES):
        refused = sign_in.attempt(https_client, "wrong")
        assert not sign_in.succeeded(refused)
    assert _failed_logins(database)[1] is not None, "no lock after the failures"
    locked = sign_in.attempt(https_client, PASSWORD)
    assert not sign_in.succeeded(locked), "the right password got through a locked account"
    assert sign_in.locked(locked), locked.text[:300]
    assert int(locked.headers["retry-after"]) > 0


def test_failures_at_different_sign_ins_add_up_to_one_lock(https_client, database, user):
    """One guess at each of three surfaces is three failures of the same account."""
    for path in ("envi", "saasu", "ym"):
        SIGN_IN[path].attempt(https_client, "wrong")
    assert _failed_logins(database)[1] is not None
    console = SIGN_IN["console"]
    refused = console.attempt(https_client, PASSWORD)
    assert not console.succeeded(refused) and console.locked(refused)


def test_every_credential_route_is_audited(app):
    routes = {e.path for e in enumerate_routes(app.routes)
              if isinstance(e, Endpoint) and e.method == "POST"}
    credential = {path for path in routes if CREDENTIAL_ROUTE.search(path)
                  and not path.startswith("/v1/")}  # /v1/tokens is token management, by admins
    audited = {s.route for s in SIGN_IN.values()} | set(NOT_PASSWORD_ROUTES)
    aliases = {path for path in credential - audited
               if re.search(r"/[Aa]ms/[Aa]uthenticate|/reply/[Aa]uthenticate", path)}
    assert credential - audited - aliases == set(), "a sign-in route without a lockout audit"
    assert audited <= routes
