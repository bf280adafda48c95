"""Secrets: random tokens, their stored hashes, constant-time comparison, and HMAC signing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _secrets


def new_token(prefix: str) -> str:
    """A random bearer token: ``prefix`` + 32 bytes of randomness, URL-safe."""
    return prefix + base64.urlsafe_b64encode(_secrets.token_bytes(32)).decode().rstrip("=")


def token_hash(token: str) -> str:
    """Tokens are high-entropy, so a fast hash is the right store (a slow KDF is for passwords)."""
    return hashlib.sha256(token.encode()).hexdigest()


def equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def sign(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def verify(secret: str, message: str, signature: str) -> bool:
    return equal(sign(secret, message), signature)
