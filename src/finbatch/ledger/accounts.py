"""The chart of accounts.

Rules: codes are unique per tenant and never change (every export references them); an account's
parent must exist in the same tenant and may not create a cycle; hierarchy depth is at most
``MAX_DEPTH``. ``full_name`` is ``Parent:Sub`` — QuickBooks' account reference style.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from finbatch.events.service import record_change
from finbatch.kit import validate
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, ErrorList, ValidationFailed
from finbatch.kit.ids import uuid7
from finbatch.ledger.accounts_repository import GLAccountRepository
from finbatch.ledger.models import ACCOUNT_TYPES, GLAccount

KIND = "gl_account"
MAX_DEPTH = 8


def full_names(chart: dict[str, tuple[str, str, str | None]]) -> dict[str, str]:
    """id → ``Grandparent:Parent:Name`` for every account of a chart."""
    names: dict[str, str] = {}

    def name_of(account_id: str, depth: int = 0) -> str:
        if account_id in names:
            return names[account_id]
        _code, name, parent = chart[account_id]
        if parent and parent in chart and depth < MAX_DEPTH:
            full = f"{name_of(parent, depth + 1)}:{name}"
        else:
            full = name
        names[account_id] = full
        return full

    for account_id in chart:
        name_of(account_id)
    return names


def _resolve_parent(repo: GLAccountRepository, errors: ErrorList, parent_code: str | None,
                    account_id: str | None) -> str | None:
    if not parent_code:
        return None
    parent = repo.by_code(parent_code)
    if parent is None:
        errors.add("parent_code", f"no GL account has code '{parent_code}'", "unknown_account")
        return None
    chart = repo.chart()
    depth, cursor = 1, parent.id
    while cursor is not None:
        if cursor == account_id:
            errors.add("parent_code", "would make the account its own ancestor", "cycle")
            return None
        cursor = chart[cursor][2]
        depth += 1
    if depth > MAX_DEPTH:
        errors.add("parent_code", f"hierarchy deeper than {MAX_DEPTH} levels", "too_deep")
    return parent.id


def create_account(session: Session, *, tenant_id: int, code: str, name: str, type: str,
                   parent_code: str | None = None, description: str = "",
                   is_active: bool = True, actor: str) -> GLAccount:
    errors = ErrorList()
    validate.text(errors, "code", code, max_length=32, required=True)
    validate.text(errors, "name", name, max_length=200, required=True)
    validate.text(errors, "description", description, max_length=500)
    if ":" in (name or ""):
        errors.add("name", "must not contain ':' (it separates parent and sub-account names)",
                   "invalid_characters")
    if type not in ACCOUNT_TYPES:
        errors.add("type", f"must be one of {', '.join(ACCOUNT_TYPES)}", "unknown_type")
    repo = GLAccountRepository(session, tenant_id)
    account_id = uuid7()
    parent_id = _resolve_parent(repo, errors, parent_code, account_id)
    errors.raise_if_any()
    if repo.by_code(code) is not None:
        raise Conflict(f"GL account code '{code}' already exists", code="ALREADY_EXISTS")
    now = utcnow()
    account = repo.add(GLAccount(tenant_id=tenant_id, id=account_id, code=code, name=name,
                                 type=type, parent_id=parent_id, description=description,
                                 is_active=is_active, created_at=now, updated_at=now, version=1))
    record_change(session, tenant_id=tenant_id, type="created", record_kind=KIND,
                  record_id=account.id, actor=actor, data=read(repo, account))
    return account


def update_account(session: Session, *, tenant_id: int, account_id: str, changes: dict,
                   check_version, actor: str) -> GLAccount:
    """Change name, description, parent or active flag (never the code or the type)."""
    repo = GLAccountRepository(session, tenant_id)
    account = repo.require(account_id, for_update=True)
    check_version(account.version)
    errors = ErrorList()
    validate.text(errors, "name", changes.get("name"), max_length=200)
    validate.text(errors, "description", changes.get("description"), max_length=500)
    if ":" in (changes.get("name") or ""):
        errors.add("name", "must not contain ':'", "invalid_characters")
    if "parent_code" in changes:
        account.parent_id = _resolve_parent(repo, errors, changes["parent_code"], account.id)
    errors.raise_if_any()
    for field in ("name", "description", "is_active"):
        if changes.get(field) is not None:
            setattr(account, field, changes[field])
    account.version += 1
    account.updated_at = utcnow()
    session.flush()
    record_change(session, tenant_id=tenant_id, type="updated", record_kind=KIND,
                  record_id=account.id, actor=actor, data=read(repo, account))
    return account


def require_by_code(session: Session, tenant_id: int, code: str, field: str = "account") -> GLAccount:
    account = GLAccountRepository(session, tenant_id).by_code(code)
    if account is None:
        raise ValidationFailed.single(field, f"no GL account has code '{code}'", "unknown_account")
    return account


def read(repo: GLAccountRepository, account: GLAccount,
         names: dict[str, str] | None = None,
         chart: dict[str, tuple[str, str, str | None]] | None = None) -> dict:
    if chart is None:
        chart = repo.chart()
    if names is None:
        names = full_names(chart)
    parent_code = chart[account.parent_id][0] if account.parent_id in chart else None
    return {
        "id": account.id, "code": account.code, "name": account.name,
        "full_name": names.get(account.id, account.name), "type": account.type,
        "parent_id": account.parent_id, "parent_code": parent_code,
        "description": account.description, "is_active": account.is_active,
        "created_at": account.created_at, "updated_at": account.updated_at,
        "version": account.version,
    }
