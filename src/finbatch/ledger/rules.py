"""Posting rules: which GL account fills each role when a transaction kind is posted.

Roles per kind (SPEC §5):
- invoice, debit memo: debit ``receivable``; credit ``revenue`` per line (or ``deferred_revenue``
  when a rule for the line's product says so; a line's own GL code overrides both); credit
  ``tax_payable`` per tax line.
- credit memo: the mirror image of an invoice.
- payment (SP): debit ``cash`` (the payment's own account overrides) for the net, ``merchant_fees``
  for the fee; credit ``receivable``. Purchase payment (PP): debit ``payable``, credit ``cash``.
- refund: debit ``receivable``, credit ``cash``.
- credit: debit ``allowances``, credit ``receivable``. Write-off: debit ``write_off``, credit
  ``receivable``.

Resolution: among the rules of the kind and role, the most specific match wins — product (4),
commerce type (2), business unit (1); an empty field matches anything. Memos, credits and
write-offs fall back to the invoice's rules, refunds and purchase payments to the payment's, so a
tenant configures each account once and overrides where it differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from finbatch.events.service import record_change
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, ErrorList, NotFound
from finbatch.kit.ids import uuid7
from finbatch.ledger.accounts_repository import GLAccountRepository
from finbatch.ledger.models import ROLES, RULE_KINDS, PostingRule
from finbatch.repository import Page, TenantRepository, keyset_page

FALLBACK_KIND = {"debit_memo": "invoice", "credit_memo": "invoice", "credit": "invoice",
                 "write_off": "invoice", "refund": "payment", "purchase_payment": "payment"}

#: The roles a transaction kind needs regardless of its lines.
FIXED_ROLES = {
    "invoice": ("receivable",), "debit_memo": ("receivable",), "credit_memo": ("receivable",),
    "payment": ("cash", "receivable"), "purchase_payment": ("payable", "cash"),
    "refund": ("receivable", "cash"), "credit": ("allowances", "receivable"),
    "write_off": ("write_off", "receivable"),
}


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    code: str
    name: str
    is_active: bool


class RuleBook:
    """A tenant's rules and chart, loaded once per posting run (rules are few)."""

    def __init__(self, rules: list[PostingRule], accounts: dict[str, Account]) -> None:
        self._rules: dict[tuple[str, str], list[PostingRule]] = {}
        for rule in rules:
            self._rules.setdefault((rule.kind, rule.role), []).append(rule)
        self.accounts = accounts
        self.by_code = {a.code: a for a in accounts.values()}
        # a batch asks the same few questions for each of its transactions: answer each once
        self._answers: dict[tuple, Account | None] = {}

    @classmethod
    def load(cls, session: Session, tenant_id: int) -> RuleBook:
        rules = PostingRuleRepository(session, tenant_id).all()
        chart = GLAccountRepository(session, tenant_id)
        accounts = {a.id: Account(a.id, a.code, a.name, a.is_active) for a in chart.all()}
        return cls(rules, accounts)

    def _match(self, kind: str, role: str, product: str | None, commerce: str | None,
               unit: str | None, *, product_only: bool = False) -> str | None:
        best, best_score = None, -1
        for rule in self._rules.get((kind, role), ()):
            if rule.product and rule.product != (product or ""):
                continue
            if rule.commerce_type and rule.commerce_type != (commerce or ""):
                continue
            if rule.business_unit_id and rule.business_unit_id != (unit or ""):
                continue
            if product_only and not rule.product:
                continue
            score = (4 if rule.product else 0) + (2 if rule.commerce_type else 0) + \
                (1 if rule.business_unit_id else 0)
            if score > best_score:
                best, best_score = rule.account_id, score
        return best

    def account(self, kind: str, role: str, *, product: str | None = None,
                commerce_type: str | None = None, business_unit_id: str | None = None,
                product_only: bool = False) -> Account | None:
        """The active account for ``role``, or ``None`` when nothing is configured."""
        key = (kind, role, product, commerce_type, business_unit_id, product_only)
        try:
            return self._answers[key]
        except KeyError:
            answer = self._answers[key] = self._account(kind, role, product, commerce_type,
                                                        business_unit_id, product_only)
            return answer

    def _account(self, kind: str, role: str, product: str | None, commerce_type: str | None,
                 business_unit_id: str | None, product_only: bool) -> Account | None:
        for candidate in (kind, FALLBACK_KIND.get(kind)):
            if candidate is None:
                continue
            account_id = self._match(candidate, role, product, commerce_type, business_unit_id,
                                     product_only=product_only)
            if account_id is not None:
                account = self.accounts.get(account_id)
                return account if account is not None and account.is_active else None
        return None

    def revenue_account(self, kind: str, *, product: str | None, commerce_type: str | None,
                        business_unit_id: str | None) -> tuple[str, Account | None]:
        """The role and account a line's revenue goes to: a product's deferred-revenue rule, or
        revenue."""
        deferred = self.account(kind, "deferred_revenue", product=product,
                                commerce_type=commerce_type, business_unit_id=business_unit_id,
                                product_only=True)
        if deferred is not None:
            return "deferred_revenue", deferred
        return "revenue", self.account(kind, "revenue", product=product,
                                       commerce_type=commerce_type,
                                       business_unit_id=business_unit_id)


class PostingRuleRepository(TenantRepository[PostingRule]):
    model = PostingRule
    noun = "posting rule"

    def all(self) -> list[PostingRule]:
        return list(self.session.execute(self.scoped().order_by(
            PostingRule.kind, PostingRule.role, PostingRule.product, PostingRule.commerce_type,
            PostingRule.business_unit_id)).scalars())

    def page(self, *, cursor: str | None, limit: int, kind: str | None = None) -> Page:
        stmt = self.scoped()
        if kind:
            stmt = stmt.where(PostingRule.kind == kind)
        return keyset_page(self.session, stmt, key=[PostingRule.id], cursor=cursor, limit=limit)

    def same_scope(self, kind: str, role: str, product: str, commerce: str, unit: str) -> PostingRule | None:
        return self.session.execute(self.scoped().where(
            PostingRule.kind == kind, PostingRule.role == role, PostingRule.product == product,
            PostingRule.commerce_type == commerce, PostingRule.business_unit_id == unit)
        ).scalar_one_or_none()


def rule_data(rule: PostingRule, accounts: dict[str, tuple[str, str]]) -> dict:
    code, name = accounts.get(rule.account_id, ("", ""))
    return {"id": rule.id, "kind": rule.kind, "role": rule.role, "product": rule.product or None,
            "commerce_type": rule.commerce_type or None,
            "business_unit_id": rule.business_unit_id or None, "account_id": rule.account_id,
            "account_code": code, "account_name": name, "created_at": rule.created_at,
            "updated_at": rule.updated_at, "version": rule.version}


def _account_id(session: Session, tenant_id: int, code: str, errors: ErrorList) -> str | None:
    account = GLAccountRepository(session, tenant_id).by_code(code)
    if account is None:
        errors.add("account_code", f"no GL account '{code}'", "unknown_account")
        return None
    if not account.is_active:
        errors.add("account_code", f"GL account '{code}' is inactive", "inactive_account")
    return account.id


def create_rule(session: Session, *, tenant_id: int, kind: str, role: str, account_code: str,
                product: str | None = None, commerce_type: str | None = None,
                business_unit_id: str | None = None, actor: str) -> PostingRule:
    errors = ErrorList()
    if kind not in RULE_KINDS:
        errors.add("kind", f"must be one of {', '.join(RULE_KINDS)}", "invalid")
    if role not in ROLES:
        errors.add("role", f"must be one of {', '.join(ROLES)}", "invalid")
    if commerce_type not in (None, "", "D", "M", "S"):
        errors.add("commerce_type", "must be D, M or S", "invalid")
    if role == "deferred_revenue" and not product:
        errors.add("product", "a deferred-revenue rule names the product it defers", "required")
    account_id = _account_id(session, tenant_id, account_code, errors)
    errors.raise_if_any()
    repo = PostingRuleRepository(session, tenant_id)
    scope = (kind, role, product or "", commerce_type or "", business_unit_id or "")
    if repo.same_scope(*scope) is not None:
        raise Conflict("a rule for this kind, role and scope exists: change its account instead",
                       code="ALREADY_EXISTS")
    now = utcnow()
    rule = repo.add(PostingRule(tenant_id=tenant_id, id=uuid7(), kind=kind, role=role,
                                product=scope[2], commerce_type=scope[3],
                                business_unit_id=scope[4], account_id=account_id,
                                created_at=now, updated_at=now, version=1))
    _record(session, rule, "created", actor)
    return rule


def update_rule(session: Session, *, tenant_id: int, rule_id: str, account_code: str,
                check_version, actor: str) -> PostingRule:
    rule = PostingRuleRepository(session, tenant_id).require(rule_id, for_update=True)
    check_version(rule.version)
    errors = ErrorList()
    account_id = _account_id(session, tenant_id, account_code, errors)
    errors.raise_if_any()
    rule.account_id = account_id
    rule.version += 1
    rule.updated_at = utcnow()
    session.flush()
    _record(session, rule, "updated", actor)
    return rule


def delete_rule(session: Session, *, tenant_id: int, rule_id: str, actor: str) -> None:
    rule = PostingRuleRepository(session, tenant_id).get(rule_id)
    if rule is None:
        raise NotFound(f"posting rule '{rule_id}' was not found")
    session.delete(rule)
    session.flush()
    record_change(session, tenant_id=tenant_id, type="deleted", record_kind="posting_rule",
                  record_id=rule_id, actor=actor, data=None)


def _record(session: Session, rule: PostingRule, event_type: str, actor: str) -> None:
    accounts = {i: (c, n) for i, (c, n, _p) in GLAccountRepository(session, rule.tenant_id).chart().items()}
    record_change(session, tenant_id=rule.tenant_id, type=event_type, record_kind="posting_rule",
                  record_id=rule.id, actor=actor, data=rule_data(rule, accounts))
