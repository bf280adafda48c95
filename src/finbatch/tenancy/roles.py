"""Roles and the permissions they carry: the one table every route consults.

- ``admin``: everything, including users, tokens and setup.
- ``accountant``: post, unpost, export, close periods, verify and reopen batches, and clerk work.
- ``clerk``: create and edit transactions and open batches, close batches.
- ``viewer``: read only.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ACCOUNTANT = "accountant"
    CLERK = "clerk"
    VIEWER = "viewer"


#: Vendor role names that mean one of ours (YourMembership's ``oauthadmin`` is an admin).
ROLE_ALIASES = {"oauthadmin": Role.ADMIN}


class Permission(StrEnum):
    READ = "read"
    WRITE_TRANSACTIONS = "write_transactions"  # transactions and open batches
    CLOSE_BATCHES = "close_batches"
    VERIFY_BATCHES = "verify_batches"  # verify and reopen
    POST = "post"  # post and unpost
    EXPORT = "export"
    CLOSE_PERIODS = "close_periods"
    SETUP = "setup"  # chart of accounts, business units, fiscal years, posting rules
    ARCHIVE = "archive"
    ADMINISTER = "administer"  # tenants, users, tokens


_ALL = frozenset(Role)
_ACCOUNTING = frozenset({Role.ADMIN, Role.ACCOUNTANT})
_BOOKKEEPING = frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.CLERK})
_ADMIN = frozenset({Role.ADMIN})

GRANTED_TO: dict[Permission, frozenset[Role]] = {
    Permission.READ: _ALL,
    Permission.WRITE_TRANSACTIONS: _BOOKKEEPING,
    Permission.CLOSE_BATCHES: _BOOKKEEPING,
    Permission.VERIFY_BATCHES: _ACCOUNTING,
    Permission.POST: _ACCOUNTING,
    Permission.EXPORT: _ACCOUNTING,
    Permission.CLOSE_PERIODS: _ACCOUNTING,
    Permission.SETUP: _ADMIN,
    Permission.ARCHIVE: _ADMIN,
    Permission.ADMINISTER: _ADMIN,
}


def parse_roles(text: str | list[str] | tuple[str, ...]) -> frozenset[Role]:
    """Role names (a list or a comma-separated string) → roles; raises ``ValueError`` on unknown."""
    names = text.split(",") if isinstance(text, str) else list(text)
    roles: set[Role] = set()
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name in ROLE_ALIASES:
            roles.add(ROLE_ALIASES[name])
            continue
        try:
            roles.add(Role(name))
        except ValueError:
            raise ValueError(f"unknown role '{raw.strip()}' (known: "
                             f"{', '.join(r.value for r in Role)})") from None
    return frozenset(roles)


def format_roles(roles: frozenset[Role] | set[Role]) -> str:
    order = list(Role)
    return ",".join(r.value for r in sorted(roles, key=order.index))


def allows(roles: frozenset[Role], permission: Permission) -> bool:
    return bool(roles & GRANTED_TO[permission])


def within(requested: frozenset[Role], held: frozenset[Role]) -> bool:
    """Whether ``requested`` roles grant nothing that ``held`` roles do not."""
    return all(allows(held, p) for p in Permission if allows(requested, p))
