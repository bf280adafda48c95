"""The one error type for an unreadable wire document or value.

A body that does not parse, or a value that does not fit its field, is the client's fault on every
surface, so ``WireFormatError`` is a ``kit.errors.BadRequest`` (400, rendered by each surface in its
own shape) and also a ``ValueError`` (so plain-Python callers can catch it the usual way).
"""

from __future__ import annotations

from finbatch.kit.errors import BadRequest


class WireFormatError(BadRequest, ValueError):
    """A malformed JSV/XML document or a wire value that does not convert to its field's type.

    ``position`` is the 0-based character offset of the problem when known; ``line`` and
    ``column`` (1-based line, 0-based column, as expat reports them) when known; ``path`` names the
    field (``ResponseStatus.Errors[0].Message``) for conversion errors.
    """

    code = "MALFORMED_BODY"
    title = "Malformed body"

    def __init__(self, message: str, *, position: int | None = None, line: int | None = None,
                 column: int | None = None, path: str | None = None) -> None:
        self.position = position
        self.line = line
        self.column = column
        self.path = path
        super().__init__(message)
