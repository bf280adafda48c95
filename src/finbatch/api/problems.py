"""RFC 9457 problem details for the native API, and the one error handler for all surfaces.

Body: ``{"type", "title", "status", "detail", "code", "instance", "errors": [{field, message,
code}]}`` with ``application/problem+json``. ``code`` is the stable machine code of the
``FinbatchError``; ``errors`` names every invalid field.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from finbatch.api.responses import dumps
from finbatch.api.surfaces import SurfaceRegistry
from finbatch.db import is_busy_error
from finbatch.kit.errors import (
    BadRequest,
    Conflict,
    FieldError,
    FinbatchError,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    ValidationFailed,
)

log = logging.getLogger("finbatch.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"


#: The problem document as JSON Schema (inline, so every response that names it is self-contained).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "The stable machine code of the error."},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message", "code"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"},
                           "code": {"type": "string"}}}},
    },
    "additionalProperties": True,
}

_PROBLEMS = {
    400: "The request is malformed (unparseable body, a value that cannot be stored).",
    401: "No valid bearer token.",
    403: "The token does not grant this tenant, or its roles do not allow this.",
    404: "No such resource in this tenant.",
    405: "The method is not allowed on this resource.",
    409: "The change conflicts with the record's state or a concurrent change.",
    412: "`If-Match` names another version of the record.",
    413: "The body is too large.",
    415: "The body's media type is not accepted.",
    422: "A field breaks a rule (every invalid field is listed), or an idempotency key was reused.",
    428: "The update needs an `If-Match` header.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "The database is busy; retry after `Retry-After` seconds.",
}

#: The error responses every /v1 operation may give, in one place (app.py puts them on the /v1
#: router; a route's own entry for a status wins).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description,
             "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}
    for status, description in _PROBLEMS.items()
}


def problem_response(description: str) -> dict[str, Any]:
    """A route's own entry for an error status, in the problem shape."""
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}


def problem_body(error: FinbatchError, instance: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:finbatch:problem:{error.code.lower().replace('_', '-')}",
        "title": error.title,
        "status": error.status,
        "detail": error.message,
        "code": error.code,
    }
    if instance:
        body["instance"] = instance
    if error.errors:
        body["errors"] = [{"field": e.field, "message": e.message, "code": e.code}
                          for e in error.errors]
    body.update({k: v for k, v in error.extra.items() if k not in body})
    return body


def render_problem(request: Request, error: FinbatchError) -> Response:
    return Response(dumps(problem_body(error, request.url.path)), status_code=error.status,
                    media_type=PROBLEM_MEDIA_TYPE, headers=error.headers)


class MethodNotAllowed(FinbatchError):
    status, code, title = 405, "METHOD_NOT_ALLOWED", "Method not allowed"


def validation_error(exc: RequestValidationError) -> FinbatchError:
    """FastAPI's request validation errors → ``BadRequest`` (unparseable) or ``ValidationFailed``."""
    fields: list[FieldError] = []
    for item in exc.errors():
        loc = [str(p) for p in item.get("loc", ())]
        if item.get("type") == "json_invalid":
            detail = item.get("ctx", {}).get("error", "invalid JSON")
            return BadRequest(f"the body is not valid JSON: {detail}", code="MALFORMED_JSON")
        if loc and loc[0] == "body":
            loc = loc[1:]
        fields.append(FieldError(".".join(loc) or "body", item.get("msg", "is invalid"),
                                 item.get("type", "invalid")))
    return ValidationFailed.of(fields)


def to_finbatch_error(exc: Exception) -> FinbatchError:
    if isinstance(exc, FinbatchError):
        return exc
    if isinstance(exc, RequestValidationError):
        return validation_error(exc)
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return NotFound("no such resource")
        if exc.status_code == 413:
            return PayloadTooLarge(str(exc.detail))
        if exc.status_code == 400:
            # FastAPI's own refusal of a body it could not decode (one nested too deeply for
            # the JSON parser, for one): the request is malformed, like any bad JSON
            return BadRequest(f"the body could not be read: {exc.detail}", code="MALFORMED_JSON")
        if exc.status_code == 405:
            return MethodNotAllowed("method not allowed on this resource",
                                    headers=dict(exc.headers or {}))
        error = FinbatchError(str(exc.detail))
        error.status = exc.status_code
        error.code = "HTTP_ERROR"
        return error
    if isinstance(exc, IntegrityError):
        # a uniqueness or reference rule checked by the service, lost to a concurrent writer
        return Conflict("the change conflicts with a concurrent change; retry the request",
                        code="CONCURRENT_CONFLICT")
    if isinstance(exc, DBAPIError) and _is_data_error(exc):
        # a value the database cannot hold (a NUL character, an out-of-range number) that a
        # check upstream missed: the request is bad, not the server
        return BadRequest("a value in the request cannot be stored or compared (for example a "
                          "NUL character or an out-of-range number)", code="INVALID_VALUE")
    if isinstance(exc, DBAPIError) and is_busy_error(exc):
        return ServiceUnavailable("the database is busy; retry shortly",
                                  headers={"Retry-After": "1"})
    return FinbatchError("an unexpected error occurred")


def _is_data_error(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if sqlstate.startswith("22"):  # PostgreSQL's data exceptions
        return True
    text = str(exc.orig) if exc.orig is not None else ""
    return "NUL" in text or "null character" in text.lower() or "too large to convert" in text


def install_error_handlers(app: FastAPI, surfaces: SurfaceRegistry) -> None:
    def handle(request: Request, exc: Exception) -> Response:
        error = to_finbatch_error(exc)
        if error.status >= 500 and not isinstance(exc, FinbatchError):
            log.exception("unhandled error on %s %s", request.method, request.url.path,
                          exc_info=exc)
        surface = surfaces.for_path(request.url.path)
        response = surface.render_error(request, error)
        for name, value in surface.headers.items():
            response.headers.setdefault(name, value)
        return response

    app.add_exception_handler(FinbatchError, handle)
    app.add_exception_handler(RequestValidationError, handle)
    app.add_exception_handler(StarletteHTTPException, handle)
    app.add_exception_handler(DBAPIError, handle)
    app.add_exception_handler(Exception, handle)
