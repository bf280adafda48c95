"""``api.prefix_router.PrefixRouter``: a path outside the prefix is refused before any route is
tried, and everything under it routes exactly as an ``APIRouter`` would."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from finbatch.api.prefix_router import PrefixRouter


def _app() -> FastAPI:
    inner = APIRouter()

    @inner.get("/things/{thing}")
    def thing(thing: str) -> dict:
        return {"thing": thing}

    v1 = PrefixRouter(prefix="/v1")
    v1.include_router(inner)
    app = FastAPI()
    app.include_router(v1)

    @app.get("/v1x/things/{thing}")  # shares the text of the prefix, not its segment
    def sibling(thing: str) -> dict:
        return {"sibling": thing}

    @app.get("/other")
    def other() -> dict:
        return {"other": True}

    return app


def test_paths_under_the_prefix_route_as_before() -> None:
    with TestClient(_app()) as client:
        assert client.get("/v1/things/a").json() == {"thing": "a"}
        assert client.post("/v1/things/a").status_code == 405  # a partial match still counts
        assert client.get("/v1/nothing").status_code == 404


def test_paths_outside_the_prefix_reach_their_own_routes() -> None:
    with TestClient(_app()) as client:
        assert client.get("/v1x/things/b").json() == {"sibling": "b"}
        assert client.get("/other").json() == {"other": True}
        assert client.get("/v1").status_code == 404


def test_a_path_outside_the_prefix_tries_none_of_its_routes(monkeypatch) -> None:
    tried: list[str] = []
    routes_matches = APIRouter.matches

    def counting(self, scope):  # what PrefixRouter hands on to FastAPI's route-by-route match
        tried.append(scope["path"])
        return routes_matches(self, scope)

    monkeypatch.setattr(APIRouter, "matches", counting)
    with TestClient(_app()) as client:
        assert client.get("/other").status_code == 200
        assert client.get("/v1x/things/b").status_code == 200
        assert tried == []
        assert client.get("/v1/things/a").status_code == 200
        assert "/v1/things/a" in tried


@pytest.mark.parametrize(("root_path", "path", "expected"), [
    ("/base", "/base/v1/things/c", {"thing": "c"}),
    ("/base", "/base/other", {"other": True}),
])
def test_the_prefix_is_read_after_the_root_path(root_path, path, expected) -> None:
    with TestClient(_app(), root_path=root_path) as client:
        assert client.get(path).json() == expected
