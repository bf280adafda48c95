"""Shared fixtures.

``database`` (and everything built on it: ``app``, ``client``, ``demo``) is parametrised over the
storage engines: every storage test runs on SQLite and on PostgreSQL. PostgreSQL tests skip with a
clear message when no server answers at FINBATCH_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test), unless FINBATCH_TEST_REQUIRE_POSTGRES=1 (CI), which
turns an unreachable server into a failure.
"""

from __future__ import annotations

import os

# cheap password hashing for the hundreds of users tests create (read when finbatch is imported)
os.environ.setdefault("FINBATCH_ARGON2_TIME_COST", "1")
os.environ.setdefault("FINBATCH_ARGON2_MEMORY_KIB", "1024")

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from finbatch.app import create_app
from finbatch.config import Settings
from finbatch.db import Database
from finbatch.tenancy import service as tenancy
from tests.support.databases import (
    PostgresTemplates,
    SqliteTemplates,
    postgres_reachable,
    postgres_required,
    postgres_url,
)

ENGINES = ["sqlite", "postgresql"]

# Property tests draw the same examples on every run unless HYPOTHESIS_PROFILE=explore (make fuzz):
# CI must not pass or fail by the luck of the draw; exploring is a deliberate, separate run.
hypothesis_settings.register_profile("default", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, max_examples=500, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates | None]:
    problem = postgres_reachable()
    if problem is not None:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required (FINBATCH_TEST_REQUIRE_POSTGRES=1) but "
                        f"{postgres_url()} is unreachable: {problem}")
        yield None
        return
    templates = PostgresTemplates()
    yield templates
    templates.close()


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param


def _new_database(engine_name: str, sqlite_templates: SqliteTemplates,
                  postgres_templates: PostgresTemplates | None, *, empty: bool) -> Iterator[str]:
    templates = sqlite_templates if engine_name == "sqlite" else postgres_templates
    if templates is None:
        pytest.skip(f"PostgreSQL not reachable at {postgres_url()}: set "
                    "FINBATCH_TEST_POSTGRES_URL to run the PostgreSQL half of this test")
    url = templates.new_database(empty=empty)
    yield url
    templates.drop(url)


@pytest.fixture
def database_url(engine_name: str, sqlite_templates: SqliteTemplates,
                 postgres_templates: PostgresTemplates | None) -> Iterator[str]:
    """A migrated database of its own for this test."""
    yield from _new_database(engine_name, sqlite_templates, postgres_templates, empty=False)


@pytest.fixture
def empty_database_url(engine_name: str, sqlite_templates: SqliteTemplates,
                       postgres_templates: PostgresTemplates | None) -> Iterator[str]:
    """A database with no schema at all (for `finbatch db upgrade`)."""
    yield from _new_database(engine_name, sqlite_templates, postgres_templates, empty=True)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, export_dir=tmp_path / "exports",
                    embedded_workers=0, signing_secret="test-signing-secret",
                    public_url="http://testserver")


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings)
    yield db
    db.dispose()


@pytest.fixture
def app(settings: Settings, database: Database):
    return create_app(settings, database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class TenantHandle:
    id: int
    slug: str
    tokens: dict[str, str]

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_tenant(db: Database, slug: str, *, client_id: int | None = None,
                timezone: str = "America/New_York", currency: str = "USD",
                fiscal_year_start_month: int = 1) -> TenantHandle:
    """A tenant with one token per role."""
    with db.unit_of_work() as session:
        tenant = tenancy.create_tenant(session, slug=slug, name=slug.title(), client_id=client_id,
                                       timezone=timezone, base_currency=currency,
                                       fiscal_year_start_month=fiscal_year_start_month)
        tokens = {}
        for role in ("admin", "accountant", "clerk", "viewer"):
            issued = tenancy.create_token(session, grants={tenant.id: [role]}, name=role,
                                          expires_in=timedelta(days=1))
            tokens[role] = issued.secret
        return TenantHandle(tenant.id, tenant.slug, tokens)


@pytest.fixture
def tenant(database: Database) -> TenantHandle:
    return make_tenant(database, "acme", client_id=2000)


@pytest.fixture
def other_tenant(database: Database) -> TenantHandle:
    return make_tenant(database, "globex", client_id=3000)
