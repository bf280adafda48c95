"""Domain errors with stable machine codes.

Services raise these; each API surface (the native ``/v1`` API, every vendor dialect) renders them
in its own shape. The HTTP status lives here because every surface agrees on it; the body does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input field: ``field`` is a dotted path such as ``body.lines.0.amount``."""

    field: str
    message: str
    code: str = "invalid"


class FinbatchError(Exception):
    """Base of every expected failure. ``code`` is stable and machine-readable."""

    status: int = 500
    code: str = "INTERNAL_ERROR"
    title: str = "Internal error"

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 errors: list[FieldError] | None = None, headers: dict[str, str] | None = None,
                 extra: dict | None = None) -> None:
        self.message = message or self.title
        if code:
            self.code = code
        self.errors: list[FieldError] = list(errors or [])
        self.headers: dict[str, str] = dict(headers or {})
        self.extra: dict = dict(extra or {})
        super().__init__(self.message)


class BadRequest(FinbatchError):
    """The request cannot be understood: malformed JSON, a bad cursor, an unparseable body."""

    status, code, title = 400, "BAD_REQUEST", "Bad request"


class ValidationFailed(FinbatchError):
    """The request was understood but a field breaks a rule; ``errors`` names each field."""

    status, code, title = 422, "VALIDATION_FAILED", "Validation failed"

    @classmethod
    def single(cls, field_name: str, message: str, code: str = "invalid") -> ValidationFailed:
        return cls(f"{field_name}: {message}", errors=[FieldError(field_name, message, code)])

    @classmethod
    def of(cls, fields: list[FieldError]) -> ValidationFailed:
        """One error naming every field (the message names the field, or counts them)."""
        first = fields[0] if fields else FieldError("body", "is invalid")
        message = f"{first.field}: {first.message}" if len(fields) <= 1 else \
            f"{len(fields)} fields are invalid: " + ", ".join(f.field for f in fields)
        return cls(message, errors=fields or [first])


class Unauthenticated(FinbatchError):
    """No credentials, or credentials that are unknown, expired or revoked."""

    status, code, title = 401, "UNAUTHENTICATED", "Authentication required"


class Forbidden(FinbatchError):
    """Authenticated, but the role or the named tenant is not granted."""

    status, code, title = 403, "FORBIDDEN", "Forbidden"


class NotFound(FinbatchError):
    """No such record in the caller's tenant (records of other tenants are reported the same way)."""

    status, code, title = 404, "NOT_FOUND", "Not found"


class Conflict(FinbatchError):
    """The record's state does not allow the operation (lifecycle, uniqueness, locks)."""

    status, code, title = 409, "CONFLICT", "Conflict"


class InvalidTransition(Conflict):
    """A lifecycle transition that the transition table does not allow."""

    code, title = "INVALID_TRANSITION", "Invalid state transition"


class Locked(Conflict):
    """The record is locked (posted, archived, or in a closed period) and refuses changes."""

    code, title = "RECORD_LOCKED", "Record locked"


class PreconditionFailed(FinbatchError):
    """``If-Match`` named a version that is no longer current."""

    status, code, title = 412, "PRECONDITION_FAILED", "Precondition failed"


class IdempotencyKeyReused(FinbatchError):
    """The same ``Idempotency-Key`` was sent with a different request."""

    status, code, title = 422, "IDEMPOTENCY_KEY_REUSED", "Idempotency key reused"


class PayloadTooLarge(FinbatchError):
    status, code, title = 413, "PAYLOAD_TOO_LARGE", "Payload too large"


class RateLimited(FinbatchError):
    status, code, title = 429, "RATE_LIMITED", "Too many requests"


class ServiceUnavailable(FinbatchError):
    """A transient condition (database busy, shutting down); the client should retry."""

    status, code, title = 503, "SERVICE_UNAVAILABLE", "Service unavailable"


@dataclass(slots=True)
class ErrorList:
    """Collects field errors so a validator can report all of them at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(field_name, message, code))

    def raise_if_any(self, message: str = "Validation failed") -> None:
        if self.errors:
            first = self.errors[0]
            text = message if len(self.errors) > 1 else f"{first.field}: {first.message}"
            raise ValidationFailed(text, errors=self.errors)
