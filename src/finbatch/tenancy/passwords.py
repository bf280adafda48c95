"""Password hashing with argon2id (the winner of the Password Hashing Competition, OWASP's first
choice). Verification of an unknown user still spends one hash so timing does not reveal names."""

from __future__ import annotations

import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults (RFC 9106's "low memory" profile) unless the operator tunes them; the test
# suite lowers them because it hashes hundreds of passwords
_hasher = PasswordHasher(
    time_cost=int(os.environ.get("FINBATCH_ARGON2_TIME_COST", "3")),
    memory_cost=int(os.environ.get("FINBATCH_ARGON2_MEMORY_KIB", "65536")),
)
_DUMMY_HASH = _hasher.hash("finbatch-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
