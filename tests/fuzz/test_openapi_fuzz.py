"""API fuzzing (issue #11): every operation of ``/openapi.json``, in-process, with schemathesis.

- The schema is the application's own document (``create_app().openapi()``), loaded when the
  module is imported so that each operation is its own pytest item (``pytest -n 2`` spreads them).
  The requests go to an application on a fresh SQLite database of this worker, seeded with the
  demo tenant plus the isolation matrix's records, through an ASGI proxy set up by a fixture.
- Each surface is called with its own credentials: a native bearer token for ``/v1``, Rhythm and
  Agvance; an Envi token from ``/oauth2/token``; a Saasu token from ``/authorisation/token``; a YM
  ``BearerToken`` from ``/Ams/Authenticate``.
- Positive and negative data: valid requests must not fail the server or break the documented
  response; invalid requests must be refused with a documented 4xx.
- Stateful: chains of calls along the links schemathesis infers (a created record's id, used by
  the next call), in one more test.
- Path parameters are either generated or, half of the time in positive cases, real ids of the
  seeded records (the matrix's fillers), so record GETs and writes reach real rows.

``make test`` runs a short deterministic pass (FINBATCH_FUZZ_EXAMPLES, default 8, derandomized by
the default Hypothesis profile); ``make fuzz`` a thorough one (more examples, random seeds).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks
from sqlalchemy.engine import make_url

from finbatch.app import create_app
from finbatch.config import Settings
from finbatch.db import Database
from finbatch.demo import load_demo
from finbatch.demo.setup import DEMO_ADMIN, DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_SLUG
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy import service as tenancy
from tests.features.test_isolation_matrix import TENANT_PARAMS, fillers, seed_tenant_a
from tests.support.databases import SqliteTemplates

EXAMPLES = int(os.environ.get("FINBATCH_FUZZ_EXAMPLES", "8"))
#: Stateful scenarios (chains of calls) per run: a quarter of the examples per operation, at least 5.
SCENARIOS = max(5, EXAMPLES // 4)
#: `make fuzz` explores (random seeds); otherwise every run draws the same examples.
EXPLORE = os.environ.get("HYPOTHESIS_PROFILE") == "explore"
#: Where each worker appends what it sent (one JSON line), for the report of a thorough run.
REPORT = os.environ.get("FINBATCH_FUZZ_REPORT")

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]


def _settings(database_url: str, export_dir: Path) -> Settings:
    return Settings(database_url=database_url, export_dir=export_dir, embedded_workers=0,
                    signing_secret="fuzz-signing-secret", public_url="http://testserver",
                    rate_limit_per_minute=10**6, tenant_rate_limit_per_minute=10**6)


def _document() -> dict:
    """The OpenAPI document; building it touches no database."""
    return create_app(_settings("sqlite://", Path("/nonexistent"))).openapi()


class Proxy:
    """An ASGI application that forwards HTTP to the fuzzed app of this worker, set by a fixture."""

    def __init__(self) -> None:
        self.target = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":  # the target's lifespan runs in the fixture's TestClient
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert self.target is not None, "the fuzz_world fixture did not run"
        await self.target(scope, receive, send)


PROXY = Proxy()
schema = schemathesis.openapi.from_dict(_document())
schema.app = PROXY
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                max_examples=EXAMPLES, deterministic=not EXPLORE,
                                # the credentials are real ones (SurfaceCredentials), not drawn
                                with_security_parameters=False)


@dataclass
class World:
    headers: dict[str, dict[str, str]]
    paths: dict[str, object] = field(default_factory=dict)
    #: requests sent, by generation mode and status ("positive 200": 1234, …)
    sent: Counter = field(default_factory=Counter)
    #: restores the seeded database (each stateful scenario starts from the same state)
    restore: Callable[[], None] = lambda: None

    def headers_for(self, path: str) -> dict[str, str]:
        for pattern, headers in self.headers.items():
            if re.match(pattern, path):
                return dict(headers)
        return {}


WORLD: World | None = None


@pytest.fixture(scope="module")
def fuzz_world(sqlite_templates: SqliteTemplates,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A fresh SQLite database with the demo tenant and the matrix's records (SQLite only)."""
    global WORLD
    url = sqlite_templates.new_database()
    settings = _settings(url, tmp_path_factory.mktemp("fuzz-exports"))
    database = Database(settings)
    demo = load_demo(database)
    with database.unit_of_work() as session:  # what the fuzzer may revoke or demote (not ours)
        tenant_id = tenancy_repo.tenant_by_slug(session, DEMO_SLUG).id
        targets = {"token_id": tenancy.create_token(session, grants={tenant_id: ["viewer"]},
                                                    name="fuzz-target",
                                                    expires_in=timedelta(days=1)).token.id,
                   "user_id": tenancy.create_user(session, tenant_id=tenant_id,
                                                  username="fuzz-target", password="long enough pw",
                                                  roles=["viewer"]).id}
    app = create_app(settings, database)
    with TestClient(app) as client:
        bearer = {"Authorization": f"Bearer {demo.token}"}
        ids, _ = seed_tenant_a(client, bearer)
        envi = client.post("/oauth2/token", data={"grant_type": "password", "client_id": DEMO_SLUG,
                                                  "username": DEMO_ADMIN, "password": DEMO_PASSWORD})
        assert envi.status_code == 200, envi.text
        saasu = client.post("/authorisation/token", json={
            "grant_type": "password", "username": DEMO_ADMIN, "password": DEMO_PASSWORD,
            "scope": "full"})
        assert saasu.status_code == 200, saasu.text
        ym = client.post("/Ams/Authenticate", json={"ClientID": DEMO_CLIENT_ID, "UserType": "Admin",
                                                    "Username": DEMO_ADMIN, "Password": DEMO_PASSWORD})
        assert ym.status_code == 200, ym.text
        world = World(headers={
            r"/(odata|oauth2)\b": {"Authorization": f"Bearer {envi.json()['access_token']}"},
            r"/(authorisation|[Pp]ayments?)\b": {
                "Authorization": f"Bearer {saasu.json()['access_token']}"},
            r"/([Aa]ms|\w+/reply)\b": {"Authorization": f"Bearer {ym.json()['BearerToken']}"},
            r"/": bearer,  # /v1, Rhythm, Agvance
        }, paths=fillers(ids) | targets)
        path = Path(make_url(url).database)
        snapshot = path.with_suffix(".seeded")
        database.dispose()
        shutil.copyfile(path, snapshot)

        def restore() -> None:
            database.dispose()
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(snapshot, path)
        world.restore = restore
        PROXY.target = app
        WORLD = world
        yield world
        PROXY.target = None
        WORLD = None
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as report:
            report.write(json.dumps(dict(world.sent)) + "\n")
    database.dispose()
    sqlite_templates.drop(url)


def _real_value(table: dict[str, object], path: str, name: str) -> object | None:
    found = table.get(name)
    if isinstance(found, list):
        return next((value for pattern, value in found if re.fullmatch(pattern, path)), None)
    return found


@schema.hook
def flatmap_case(context, case):
    """Half of the positive cases aim at real records (the seeded ids) instead of random ones."""
    if (WORLD is None or not case.path_parameters
            or case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE):
        return st.just(case)
    real = {name: _real_value(WORLD.paths, case.path, name) for name in case.path_parameters}
    if any(value is None for value in real.values()):
        return st.just(case)

    def with_real(_: bool):
        case.path_parameters = {name: str(value) for name, value in real.items()}
        return case
    return st.sampled_from([False, True]).map(lambda use: with_real(use) if use else case)


@schema.auth(refresh_interval=None)
class SurfaceCredentials:
    """The credentials of the surface owning the path (each authenticates its own way)."""

    def get(self, case, ctx) -> dict[str, str] | None:
        return WORLD.headers_for(case.path) if WORLD is not None else None

    def set(self, case, data: dict[str, str], ctx) -> None:
        case.headers = {**(case.headers or {}), **data}


@schema.parametrize()
def test_every_operation_honours_its_documented_contract(case, fuzz_world: World) -> None:
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    if positive:  # a valid request names the demo tenant, if any (another one is a 403)
        for name in list(case.headers or {}):
            if name.lower() == "finbatch-tenant":
                case.headers[name] = DEMO_SLUG
        for name in set(case.path_parameters or {}) & TENANT_PARAMS:
            case.path_parameters[name] = fuzz_world.paths[name]
    # the coverage phase's cases bypass the auth provider: give them the surface's credentials too
    case.headers = {**fuzz_world.headers_for(case.path), **(case.headers or {})}
    checks = CHECKS
    if not positive and "xml" in (case.media_type or ""):
        # an XML body cannot carry a JSON Schema type violation: null, "", {} and [] are all written
        # as the same empty element, which is a valid (empty) value; every other check still runs
        checks = [check for check in CHECKS if check is not openapi_checks.negative_data_rejection]
    response = case.call_and_validate(checks=checks)
    mode = case.meta.generation.mode.value if case.meta else "explicit"
    fuzz_world.sent[f"{mode} {response.status_code}"] += 1
    if os.environ.get("FINBATCH_FUZZ_TRACE"):
        fuzz_world.sent[f"{mode} {response.status_code} {case.method} {case.path}"] += 1


class Workflows(schema.as_state_machine()):
    """Stateful: chains of calls along the links schemathesis infers from the document (an id a
    response names, used by the next call), with the same credentials and checks."""

    def setup(self) -> None:
        if WORLD is not None:
            WORLD.restore()

    def teardown(self) -> None:  # the stateless tests after this one see the seeded state too
        self.setup()

    def after_call(self, response, case) -> None:
        super().after_call(response, case)
        if WORLD is not None:
            WORLD.sent[f"stateful {response.status_code}"] += 1

    def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
        case.validate_response(response, checks=CHECKS)


def test_stateful_workflows_honour_the_documented_contract(fuzz_world: World) -> None:
    # no shrinking: the database keeps what earlier scenarios did, so a replay cannot draw the
    # same steps again (Hypothesis would report that as a flaky strategy, hiding the failure)
    Workflows.run(settings=hypothesis_settings(
        max_examples=SCENARIOS, stateful_step_count=8, deadline=None, derandomize=not EXPLORE,
        database=None, phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck)))
