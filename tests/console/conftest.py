"""Console fixtures: the demo tenant loaded into this test's database, and a test client that signs
in through the sign-in form the way a browser does (pre-session cookie, CSRF token, password)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from finbatch.app import create_app
from finbatch.demo import load_demo
from finbatch.demo.setup import DEMO_PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD, **extra):
    form = client.get("/console/sign-in")
    return client.post("/console/sign-in", data={
        "username": username, "password": password, "csrf_token": csrf_of(form.text),
        "next": "/console/batches", **extra}, follow_redirects=False)


@pytest.fixture
def demo_app(settings, database):
    load_demo(database)
    return create_app(settings, database)


@pytest.fixture
def console(demo_app) -> Iterator[TestClient]:
    """A client of the demo application, not yet signed in (https base URL, so the secure
    session cookie is sent back as a browser would)."""
    with TestClient(demo_app, base_url="https://testserver") as client:
        yield client


def signed_in(client: TestClient, username: str) -> TestClient:
    response = sign_in(client, username)
    assert response.status_code == 303, response.text
    return client
