"""RFC 6902 patches of a Rhythm batch document, applied with the maintained ``jsonpatch`` library.

Rules (``dialects/rhythm.md``), checked before anything is applied:
- The patch is a JSON array of operations; each is an object with an ``op`` among ``add``,
  ``copy``, ``move``, ``remove``, ``replace`` and ``test``, a JSON Pointer ``path``, a ``from``
  pointer for ``copy`` and ``move`` and a ``value`` for ``add``, ``replace`` and ``test``.
- Every pointer addresses a field of the batch document (its first token); the whole document
  cannot be addressed. An operation that writes (``add``, ``remove``, ``replace``, the ``path`` of
  ``copy`` and ``move``, and the ``from`` of ``move``, which removes) must address a client-writable
  field or ``status``; ``status`` can only be set whole (``add``/``replace``, ``copy``/``move``
  into it), never removed. ``test`` and the ``from`` of ``copy`` only read, so any field will do.
- Any of these broken → 400, nothing applied.

The patch is then applied to a copy of the document, all or nothing: a ``test`` whose value differs
(or whose location does not exist) → 409; a location that does not resolve, an index out of range
or a value that cannot be placed → 400. The patched document goes on to ``wire.batch_fields`` like
a full replacement, so the result must still be a valid batch.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import jsonpatch
from jsonpointer import JsonPointer, JsonPointerException

from finbatch.dialects.rhythm.wire import WRITABLE
from finbatch.kit.errors import BadRequest, Conflict, ErrorList, FieldError

OPERATIONS = ("add", "copy", "move", "remove", "replace", "test")
MAX_OPERATIONS = 1000
#: Fields an operation may write.
WRITABLE_PATHS = frozenset(WRITABLE) | {"status"}


def apply_patch(doc: dict[str, Any], operations: Any) -> dict[str, Any]:
    """``doc`` with ``operations`` applied (``doc`` itself is left unchanged)."""
    _check(operations, doc.keys())
    try:
        return jsonpatch.JsonPatch(operations).apply(doc)
    except jsonpatch.JsonPatchTestFailed as exc:
        where = _location(exc)
        raise Conflict(f"the test of {where} failed: the batch holds another value there",
                       code="PATCH_TEST_FAILED",
                       errors=[FieldError(where, "differs from the tested value", "test_failed")]
                       ) from None
    except (jsonpatch.JsonPatchException, JsonPointerException, LookupError, TypeError,
            ValueError) as exc:
        # a location that does not resolve (a missing member, an index out of range, a token
        # applied to a scalar): the patch does not fit this document
        where = _location(exc)
        raise BadRequest(f"the patch cannot be applied at {where}: {_clip(exc)}",
                         code="PATCH_NOT_APPLICABLE",
                         errors=[FieldError(where, _clip(exc), "not_applicable")]) from None


def _location(exc: Exception) -> str:
    """The ``path`` of the operation that failed (from ``jsonpatch``'s exception)."""
    location = getattr(getattr(exc, "op", None), "location", None)
    return location if isinstance(location, str) and location else "the batch"


def _clip(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


def _check(operations: Any, fields: Collection[str]) -> None:
    if not isinstance(operations, list):
        raise BadRequest("the body must be a JSON array of RFC 6902 operations",
                         code="INVALID_PATCH")
    if len(operations) > MAX_OPERATIONS:
        raise BadRequest(f"a patch holds at most {MAX_OPERATIONS} operations", code="INVALID_PATCH")
    errors = ErrorList()
    for index, operation in enumerate(operations):
        _check_operation(errors, str(index), operation, fields)
    if errors.errors:
        first = errors.errors[0]
        message = (f"{first.field}: {first.message}" if len(errors.errors) == 1
                   else f"{len(errors.errors)} patch operations are invalid")
        raise BadRequest(message, code="INVALID_PATCH", errors=errors.errors)


def _check_operation(errors: ErrorList, where: str, operation: Any, fields: Collection[str]) -> None:
    if not isinstance(operation, dict):
        errors.add(where, "must be an object with op and path", "invalid")
        return
    op = operation.get("op")
    if op not in OPERATIONS:
        errors.add(f"{where}.op", f"must be one of {', '.join(OPERATIONS)}", "invalid")
        return
    if op in ("add", "replace", "test") and "value" not in operation:
        errors.add(f"{where}.value", f"is required for {op}", "required")
    target = _field(errors, f"{where}.path", operation.get("path"), fields)
    source = None
    if op in ("copy", "move"):
        source = _field(errors, f"{where}.from", operation.get("from"), fields)
    if op == "test":
        return
    if target is not None:
        name, depth = target
        if name not in WRITABLE_PATHS:
            errors.add(f"{where}.path", f"'{name}' is server-owned and cannot be written",
                       "server_owned")
        elif name == "status" and (op == "remove" or depth > 1):
            errors.add(f"{where}.path", "status can only be replaced whole", "invalid")
    if op == "move" and source is not None:
        name, depth = source
        if name not in WRITABLE_PATHS:
            errors.add(f"{where}.from", f"'{name}' is server-owned and cannot be moved away",
                       "server_owned")
        elif name == "status":
            errors.add(f"{where}.from", "status cannot be removed", "invalid")


def _field(errors: ErrorList, where: str, pointer: Any,
           fields: Collection[str]) -> tuple[str, int] | None:
    """The batch field a pointer addresses and the pointer's depth, or None (error added)."""
    if not isinstance(pointer, str):
        errors.add(where, "must be a JSON Pointer string such as /name", "invalid")
        return None
    try:
        parts = JsonPointer(pointer).parts
    except JsonPointerException as exc:
        errors.add(where, f"is not a JSON Pointer: {_clip(exc)}", "invalid")
        return None
    if not parts:
        errors.add(where, "cannot address the whole batch", "invalid")
        return None
    if parts[0] not in fields:
        errors.add(where, f"'{parts[0]}' is not a field of the batch", "unknown_field")
        return None
    return parts[0], len(parts)
