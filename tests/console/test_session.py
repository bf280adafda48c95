"""The console's signed session cookie, CSRF tokens and amount formatting (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from finbatch.console import session as cookies
from finbatch.console.web import amount
from finbatch.kit.clock import clock

SECRET = "unit-secret"


def test_a_session_round_trips_and_refuses_tampering():
    value, issued = cookies.issue(SECRET, user_id="u1", tenant_id=7, password_hash="$argon2id$x")
    assert cookies.read(SECRET, value) == issued
    body, _, signature = value.rpartition(".")
    assert cookies.read("another-secret", value) is None
    assert cookies.read(SECRET, body + "." + signature[:-1] + ("A" if signature[-1] != "A" else "B")) is None
    forged_body = cookies._b64(b'{"u":"admin","t":7,"e":99999999999,"n":"x","p":"y"}')
    assert cookies.read(SECRET, f"{forged_body}.{signature}") is None
    for junk in (None, "", "no-dot", "a.b", "x" * 2000):
        assert cookies.read(SECRET, junk) is None


def test_a_session_expires():
    with clock.freeze(datetime(2026, 11, 20, 9, 0, tzinfo=UTC)):
        value, _ = cookies.issue(SECRET, user_id="u1", tenant_id=7, password_hash="h")
        clock.advance(timedelta(seconds=cookies.LIFETIME_SECONDS - 1))
        assert cookies.read(SECRET, value) is not None
        clock.advance(timedelta(seconds=1))
        assert cookies.read(SECRET, value) is None


def test_a_session_signature_is_not_a_csrf_token_and_tokens_bind_to_their_nonce():
    token = cookies.csrf_token(SECRET, "nonce-a")
    assert cookies.csrf_valid(SECRET, "nonce-a", token)
    assert not cookies.csrf_valid(SECRET, "nonce-b", token)
    assert not cookies.csrf_valid(SECRET, None, token)
    assert not cookies.csrf_valid(SECRET, "nonce-a", None)
    # the same HMAC key signs both, under different purposes
    assert token != cookies.crypto.sign(SECRET, "console-session:nonce-a")


def test_a_new_password_changes_the_stamp():
    assert cookies.password_stamp("hash-1") != cookies.password_stamp("hash-2")


def test_amounts_keep_the_currency_exponent_exactly():
    assert amount(123456789, "USD") == "1,234,567.89"
    assert amount(-5, "USD") == "-0.05"
    assert amount(1200, "JPY") == "1,200"
    assert amount(1234, "KWD") == "1.234"
    assert amount(10**17 + 1, "USD") == "1,000,000,000,000,000.01"
