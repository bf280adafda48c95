"""Audit: secrets are compared in constant time.

Every ``==`` / ``!=`` in the source whose operands name a secret (a password, signature, CSRF
token, nonce, secret or digest) is a finding unless it is listed in ``ALLOWED`` with the reason
it leaks nothing. Secrets are compared with ``kit.crypto.equal`` (``hmac.compare_digest``);
passwords are verified by argon2. A comparison added later fails this test until it is either
made constant-time or argued for here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import finbatch

SOURCE = Path(finbatch.__file__).parent
SECRET = re.compile(r"secret|signature|password|csrf|nonce|digest|refresh", re.IGNORECASE)

#: (file relative to the package, source text of the comparison) → why it is safe.
ALLOWED: dict[tuple[str, str], str] = {
    ("tenancy/auth.py", 'ApiToken.secret_hash == bindparam("digest")'):
        "a SQL predicate on the SHA-256 of a 256-bit token: the database's index lookup can at "
        "most reveal a prefix of the hash, which says nothing about the token; the row found is "
        "then compared with crypto.equal",
    ("tenancy/repository.py", "ApiToken.secret_hash == digest"):
        "the same SQL lookup by hash (refresh tokens)",
}


def _names(node: ast.AST) -> list[str]:
    return [n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node)
            if isinstance(n, ast.Name | ast.Attribute)]


def comparisons_of_secrets(root: Path = SOURCE) -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Compare):
                continue
            if not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                continue
            if any(SECRET.search(name) for name in _names(node)):
                found.append((str(path.relative_to(root)), ast.get_source_segment(text, node),
                              node.lineno))
    return found


def test_secrets_are_only_compared_in_constant_time():
    findings = [f"{file}:{line}: {code}" for file, code, line in comparisons_of_secrets()
                if (file, code) not in ALLOWED]
    assert not findings, "compare secrets with kit.crypto.equal:\n" + "\n".join(findings)


def test_the_allowed_list_holds_no_stale_entries():
    present = {(file, code) for file, code, _ in comparisons_of_secrets()}
    assert set(ALLOWED) <= present, set(ALLOWED) - present


def test_the_audit_catches_a_naive_comparison(tmp_path):
    (tmp_path / "naive.py").write_text("def check(signature, expected):\n"
                                       "    return signature == expected\n")
    assert [code for _, code, _ in comparisons_of_secrets(tmp_path)] == ["signature == expected"]
