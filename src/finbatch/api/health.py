"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from starlette.responses import Response

from finbatch import __version__
from finbatch.api.responses import json_response

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str


class Readiness(BaseModel):
    status: str
    database: str


@router.get("/healthz", response_model=Health, summary="The process is alive")
def healthz() -> Response:
    return json_response({"status": "ok", "version": __version__})


@router.get("/readyz", response_model=Readiness, summary="The database answers",
            responses={503: {"model": Readiness}})
def readyz(request: Request) -> Response:
    db = request.app.state.db
    try:
        with db.reading() as session:
            session.execute(text("SELECT 1"))
    except Exception:
        return json_response({"status": "unavailable", "database": db.engine.dialect.name},
                             status_code=503)
    return json_response({"status": "ok", "database": db.engine.dialect.name})
