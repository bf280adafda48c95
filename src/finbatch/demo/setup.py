"""Demo step 1: the tenant, its users, business units, fiscal year and chart of accounts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from finbatch.db import Database
from finbatch.fiscal import service as fiscal
from finbatch.fiscal.repository import FiscalYearRepository
from finbatch.ledger import accounts
from finbatch.ledger.accounts_repository import GLAccountRepository
from finbatch.tenancy import business_units
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy import service as tenancy
from finbatch.tenancy.auth import TenantContext
from finbatch.tenancy.models import Tenant
from finbatch.tenancy.repository import BusinessUnitRepository

DEMO_SLUG = "demo"
DEMO_CLIENT_ID = 1000
DEMO_ADMIN = "demo-admin"
DEMO_PASSWORD = "demo-password"
ACTOR = "system:demo"

#: Other demo users, one per role, sharing the demo password (console role tests use them).
DEMO_USERS = [("demo-accountant", "accountant"), ("demo-clerk", "clerk"), ("demo-viewer", "viewer")]

BUSINESS_UNITS = [
    ("MAIN", "Demo Association", "USD", "iif"),
    ("EVENTS", "Demo Events", "USD", "qbo-csv"),
    ("CANADA", "Demo Association Canada", "CAD", "xero-csv"),
]

#: code, name, type, parent code
CHART = [
    ("1000", "Assets", "asset", None),
    ("1010", "Operating Bank", "asset", "1000"),
    ("1020", "Merchant Clearing", "asset", "1000"),
    ("1100", "Accounts Receivable", "asset", "1000"),
    ("1200", "Inventory", "asset", "1000"),
    ("2000", "Liabilities", "liability", None),
    ("2100", "Accounts Payable", "liability", "2000"),
    ("2200", "Sales Tax Payable", "liability", "2000"),
    ("2300", "Deferred Revenue", "liability", "2000"),
    ("2400", "Customer Credits", "liability", "2000"),
    ("3000", "Equity", "equity", None),
    ("3100", "Retained Earnings", "equity", "3000"),
    ("4000", "Revenue", "revenue", None),
    ("4100", "Membership Dues", "revenue", "4000"),
    ("4200", "Donations", "revenue", "4000"),
    ("4300", "Store Sales", "revenue", "4000"),
    ("4400", "Event Registrations", "revenue", "4000"),
    ("4500", "Late Fees", "revenue", "4000"),
    ("4900", "Discounts and Allowances", "revenue", "4000"),
    ("5000", "Cost of Goods Sold", "expense", None),
    ("5100", "Merchandise Cost", "expense", "5000"),
    ("6000", "Operating Expenses", "expense", None),
    ("6100", "Merchant Fees", "expense", "6000"),
    ("6200", "Bad Debt Write-offs", "expense", "6000"),
    ("6300", "Medical Supplies", "expense", "6000"),
    ("6400", "Facilities Maintenance", "expense", "6000"),
    ("6500", "Use Tax Expense", "expense", "6000"),
    ("1500", "Capital Equipment", "asset", "1000"),
]


def create_demo_tenant(session: Session) -> Tenant:
    return tenancy.create_tenant(session, slug=DEMO_SLUG, name="Demo Association",
                                 client_id=DEMO_CLIENT_ID, timezone="America/New_York",
                                 base_currency="USD", fiscal_year_start_month=1, actor=ACTOR)


def load_setup(db: Database, tenant: TenantContext) -> None:
    with db.unit_of_work() as session:
        _load(session, tenant)


def _load(session: Session, tenant: TenantContext) -> None:
    if tenancy_repo.user_by_username(session, DEMO_ADMIN) is None:
        tenancy.create_user(session, tenant_id=tenant.id, username=DEMO_ADMIN,
                            password=DEMO_PASSWORD, roles=["admin"], display_name="Demo Admin",
                            actor=ACTOR)
        for username, role in DEMO_USERS:
            tenancy.create_user(session, tenant_id=tenant.id, username=username,
                                password=DEMO_PASSWORD, roles=[role],
                                display_name=username.replace("-", " ").title(), actor=ACTOR)
    units = BusinessUnitRepository(session, tenant.id)
    for unit_id, name, currency, export_format in BUSINESS_UNITS:
        if units.get(unit_id) is None:
            business_units.create_business_unit(session, tenant_id=tenant.id, id=unit_id,
                                                name=name, currency=currency,
                                                export_format=export_format, actor=ACTOR)
    years = FiscalYearRepository(session, tenant.id)
    for year in (2025, 2026):
        if years.get(f"FY{year}") is None:
            fiscal.create_fiscal_year(session, tenant_id=tenant.id,
                                      start_month=tenant.fiscal_year_start_month, year=year,
                                      actor=ACTOR)
    chart = GLAccountRepository(session, tenant.id)
    for code, name, account_type, parent in CHART:
        if chart.by_code(code) is None:
            accounts.create_account(session, tenant_id=tenant.id, code=code, name=name,
                                    type=account_type, parent_code=parent, actor=ACTOR)
