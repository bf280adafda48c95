"""The console's session cookie and CSRF tokens: stateless and signed, no table.

A session is a small JSON document (user id, tenant id, expiry, a random nonce, and a stamp of the
user's password hash) signed with HMAC-SHA256 under the installation's signing secret, with a
purpose prefix so a console signature can never pass for a download-link signature. Nothing is
trusted from it but who signed in: the user (still active, password unchanged) and their roles are
read again on every request, so a role change or a password change takes effect at once.

CSRF: every POST form carries ``HMAC(secret, "console-csrf:" + nonce)``; the nonce lives only in
the HttpOnly session cookie, so another site can neither read nor forge the token. The sign-in form,
which comes before any session, uses a short-lived pre-session cookie holding its own nonce.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass

from finbatch.kit import crypto
from finbatch.kit.clock import utcnow

COOKIE = "finbatch_console"
PRE_COOKIE = "finbatch_console_pre"
#: A working day: an operator signs in once in the morning; a stolen cookie ages out by night.
LIFETIME_SECONDS = 8 * 3600
PRE_LIFETIME_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    user_id: str
    tenant_id: int
    expires: int
    nonce: str
    password_stamp: str


def password_stamp(password_hash: str) -> str:
    """Changes whenever the password does, which ends every session signed in with the old one."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(secret: str, *, user_id: str, tenant_id: int, password_hash: str) -> tuple[str, ConsoleSession]:
    session = ConsoleSession(user_id, tenant_id, int(utcnow().timestamp()) + LIFETIME_SECONDS,
                             new_nonce(), password_stamp(password_hash))
    body = _b64(json.dumps({"u": session.user_id, "t": session.tenant_id, "e": session.expires,
                            "n": session.nonce, "p": session.password_stamp},
                           separators=(",", ":")).encode())
    return f"{body}.{crypto.sign(secret, 'console-session:' + body)}", session


def read(secret: str, cookie: str | None) -> ConsoleSession | None:
    """The session in ``cookie``, or ``None`` when absent, tampered with, malformed or expired."""
    if not cookie or len(cookie) > 1024 or "." not in cookie:
        return None
    body, _, signature = cookie.rpartition(".")
    if not crypto.verify(secret, "console-session:" + body, signature):
        return None
    try:
        data = json.loads(_unb64(body))
        session = ConsoleSession(str(data["u"]), int(data["t"]), int(data["e"]), str(data["n"]),
                                 str(data["p"]))
    except (ValueError, KeyError, TypeError):
        return None
    if session.expires <= int(utcnow().timestamp()):
        return None
    return session


def csrf_token(secret: str, nonce: str) -> str:
    return crypto.sign(secret, "console-csrf:" + nonce)


def csrf_valid(secret: str, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token or len(token) > 128:
        return False
    return crypto.verify(secret, "console-csrf:" + nonce, token)
