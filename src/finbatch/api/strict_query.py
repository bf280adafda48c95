"""``/v1`` query strings read strictly, where FastAPI's reading is lenient.

FastAPI takes the last of repeated values of a scalar parameter (``?cursor=a&cursor=2`` reads
``2``) and pydantic reads ``5.0``, `` 5``, ``+5`` and ``1_0`` as integers. Both let a malformed
request through as if it were another one: a client that sends two cursors, or an amount-like
``limit``, has a bug it should hear about. So, before the endpoint runs, every query parameter the
route declares is checked:

- a parameter declared as one value must come at most once (422, code ``repeated``);
- an integer parameter must be written as digits with an optional minus sign (422, ``invalid``).

Everything else (types, ranges, patterns) is still FastAPI's validation. The route's declared
parameters are read from its dependency tree once and cached, so the check costs a dictionary walk
per request.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request

from finbatch.kit.errors import FieldError, ValidationFailed

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_SEQUENCES = (list, tuple, set, frozenset)


def _members(annotation: Any) -> tuple[Any, ...]:
    """The types a possibly optional annotation admits (``int | None`` → ``(int,)``)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(arg for arg in get_args(annotation) if arg is not type(None))
    return (annotation,)


def _query_fields(dependant: Dependant) -> Iterator[Any]:
    """The query parameters of a route's whole dependency tree (its own and its dependencies')."""
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _query_fields(sub)


def _declared(route: APIRoute) -> tuple[tuple[str, bool, bool], ...]:
    """``(name in the query string, takes several values, is an integer)`` per query parameter,
    kept on the route itself (routes are unhashable, and an ``id`` could be reused by another
    application's route once this one is gone)."""
    declared = getattr(route, "_finbatch_query_params", None)
    if declared is None:
        declared = _read_declared(route)
        route._finbatch_query_params = declared  # type: ignore[attr-defined]
    return declared


def _read_declared(route: APIRoute) -> tuple[tuple[str, bool, bool], ...]:
    declared = []
    for field in _query_fields(route.dependant):
        admitted = _members(field.field_info.annotation)
        several = any(get_origin(t) in _SEQUENCES or t in _SEQUENCES for t in admitted)
        integer = admitted == (int,)
        declared.append((field.alias, several, integer))
    return tuple(declared)


async def strict_query(request: Request) -> None:
    # a coroutine, so that this check of every /v1 request runs in the event loop instead of
    # costing a worker thread round trip (it does no I/O)
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    errors: list[FieldError] = []
    for name, several, integer in _declared(route):
        values = request.query_params.getlist(name)
        if len(values) > 1 and not several:
            errors.append(FieldError(f"query.{name}", "is given more than once", "repeated"))
        elif integer and values and not _WHOLE_NUMBER.fullmatch(values[0]):
            errors.append(FieldError(f"query.{name}", "must be a whole number written in digits",
                                     "invalid"))
    if errors:
        raise ValidationFailed.of(errors)
