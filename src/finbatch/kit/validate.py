"""Field checks shared by services: each adds a ``FieldError`` naming the field instead of raising,
so one response can report every problem of a request."""

from __future__ import annotations

import re

from finbatch.kit.clock import is_timezone
from finbatch.kit.currencies import is_currency
from finbatch.kit.errors import ErrorList

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def currency(errors: ErrorList, field: str, value: str | None) -> None:
    if value is not None and not is_currency(value):
        errors.add(field, f"'{value}' is not an ISO 4217 currency code", "unknown_currency")


def timezone(errors: ErrorList, field: str, value: str | None) -> None:
    if value is not None and not is_timezone(value):
        errors.add(field, f"'{value}' is not an IANA time zone", "unknown_timezone")


def month(errors: ErrorList, field: str, value: int | None) -> None:
    if value is not None and not 1 <= value <= 12:
        errors.add(field, "must be a month number from 1 to 12", "out_of_range")


def slug(errors: ErrorList, field: str, value: str | None) -> None:
    if value is not None and not SLUG.match(value):
        errors.add(field, "must be 1-63 lowercase letters, digits or hyphens, not starting or "
                          "ending with a hyphen", "invalid_slug")


def code(errors: ErrorList, field: str, value: str | None) -> None:
    if value is not None and not CODE.match(value):
        errors.add(field, "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter "
                          "or digit", "invalid_code")


def text(errors: ErrorList, field: str, value: str | None, *, max_length: int,
         required: bool = False) -> None:
    if value is None or value == "":
        if required:
            errors.add(field, "is required", "required")
        return
    if len(value) > max_length:
        errors.add(field, f"must be at most {max_length} characters", "too_long")
    if any(ch in value for ch in "\x00"):
        errors.add(field, "must not contain NUL characters", "invalid_characters")
