"""Rhythm's bulk route: ``{operations: [{id, object, operation, patch_directives}]}``.

Rules (``dialects/rhythm.md``):
- At most 100 operations (more is a 400 for the whole request, and nothing runs); each is
  ``create`` (``object``, no ``id``), ``update`` (``id`` and a full ``object``), ``patch`` (``id``
  and ``patch_directives``, an object keyed ``"0"``, ``"1"``, … in patch order) or ``delete``
  (``id``), with the semantics of the single routes.
- Each operation succeeds or fails on its own: it runs in a SAVEPOINT (``events.service.savepoint``),
  so a failing one leaves neither changes nor change events behind, and the others go on. The
  request commits once, at the end.
- ``results[i]`` is operation i's outcome: the batch (create, update, patch), the deleted batch's
  id (delete), or ``{id, status_code, message, errors}`` with the status the single route would
  have answered. The request itself answers 200 with ``error_count`` and ``success_count``.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from finbatch.api.problems import to_finbatch_error
from finbatch.dialects.rhythm import operations
from finbatch.dialects.rhythm.surface import error_body, error_status
from finbatch.dialects.rhythm.wire import is_id, require_object
from finbatch.events.service import savepoint
from finbatch.kit.errors import BadRequest, Conflict, FinbatchError
from finbatch.tenancy.auth import Principal

log = logging.getLogger("finbatch.dialects.rhythm")

MAX_OPERATIONS = 100
KINDS = ("create", "update", "patch", "delete")


def run(session: Session, principal: Principal, body: Any) -> dict[str, Any]:
    body = require_object(body)
    ops = body.get("operations")
    if not isinstance(ops, list):
        raise BadRequest("operations must be a list of operations", code="INVALID_BULK")
    if len(ops) > MAX_OPERATIONS:
        raise BadRequest(f"a bulk request holds at most {MAX_OPERATIONS} operations, not {len(ops)}",
                         code="TOO_MANY_OPERATIONS")
    results: list[Any] = []
    failed = 0
    for op in ops:
        try:
            results.append(_run_one(session, principal, op))
        except Exception as exc:  # every failure becomes this operation's result
            error = to_finbatch_error(exc)
            if not isinstance(exc, FinbatchError):
                log.exception("bulk operation failed unexpectedly", exc_info=exc)
            target = op.get("id") if isinstance(op, dict) else None
            results.append({"id": target if isinstance(target, str) else None,
                            "status_code": error_status(error), **error_body(error)})
            failed += 1
    return {"error_count": failed, "success_count": len(ops) - failed, "results": results}


def _run_one(session: Session, principal: Principal, op: Any) -> Any:
    op = require_object(op, "an operation")
    kind = op.get("operation")
    if kind not in KINDS:
        raise BadRequest(f"operation must be one of {', '.join(KINDS)}", code="INVALID_OPERATION")
    target = op.get("id")
    if kind == "create":
        if target is not None:
            raise BadRequest("a create takes no id: batch ids are generated", code="ID_NOT_ALLOWED")
        obj = require_object(op.get("object"), "object")
        with savepoint(session):
            batch = operations.create(session, principal, obj)
        return operations.read(session, batch)
    if not is_id(target):
        raise BadRequest(f"the {kind} operation needs the id of a batch", code="ID_REQUIRED")
    if kind == "update":
        obj = require_object(op.get("object"), "object")
        with savepoint(session):
            batch = operations.replace(session, principal, target, obj)
        return operations.read(session, batch)
    if kind == "patch":
        directives = _directives(op.get("patch_directives"))
        with savepoint(session):
            batch = operations.patch(session, principal, target, directives)
        return operations.read(session, batch)
    refused: Conflict | None = None
    with savepoint(session):
        try:
            deleted = operations.delete(session, principal, target)
        except Conflict as exc:
            if exc.code != "BATCH_NOT_DELETABLE":
                raise
            refused = exc  # keep the record of who tried (sys_deleted_by_id), as DELETE does
    if refused is not None:
        raise refused
    return deleted


def _directives(value: Any) -> list[Any]:
    """``patch_directives`` in patch order: an object keyed "0", "1", … without gaps."""
    if not isinstance(value, dict) or not value:
        raise BadRequest('patch_directives must be an object keyed "0", "1", … in patch order',
                         code="INVALID_PATCH")
    if set(value) != {str(i) for i in range(len(value))}:
        raise BadRequest('patch_directives must be keyed "0", "1", … without gaps',
                         code="INVALID_PATCH")
    return [value[str(i)] for i in range(len(value))]
