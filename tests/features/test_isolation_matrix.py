"""The tenant isolation matrix (issue #11): every route of the route table, every method, four callers.

Design:

- The routes come from ``create_app(settings).routes`` itself (included routers and mounts
  followed), not from a hand-written list, so a route added later is in the matrix the day it
  lands. Only ``PUBLIC`` (explicit, each with its reason) is left out.
- Path parameters are filled with real ids of tenant A's records (the demo tenant, plus a few
  records seeded here with distinctive values). A positive control first calls every GET route
  with A's own admin token and requires it to be found, so a later 404 proves isolation rather
  than a bad id. A parameter name without a filler fails the test: a new route must be taught to
  the matrix, never silently skipped.
- Cases per route and method: (1) no credentials, (2) an expired credential, (3) a valid
  credential of tenant B aimed at A's records and tenant path parameters, (4) A's viewer on write
  routes. The console uses signed session cookies instead of bearer tokens; "refused" there is a
  303 to its sign-in page for (1) and (2).
- No response body of cases 1-4 may contain A's identifying data (record ids, names, the
  distinctive amount), except values the request itself carried (an error may echo the id it
  was asked for; that discloses nothing).
- One test function per engine does the whole matrix against one seeded database and collects
  every failure, reported together with the route it concerns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from finbatch.app import create_app
from finbatch.console import session as console_cookies
from finbatch.demo import load_demo
from finbatch.demo.setup import DEMO_CLIENT_ID, DEMO_SLUG
from finbatch.exports.signing import signing_secret
from finbatch.kit.clock import clock
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy import service as tenancy
from tests.conftest import make_tenant
from tests.support.posting import run_jobs

#: Routes that are public by design, matched on the full path (any method). Keep it small.
PUBLIC: dict[str, str] = {
    r"/openapi\.json": "the API description is public",
    r"/docs(/oauth2-redirect)?": "the interactive docs page holds no data",
    r"/healthz|/readyz": "health probes for load balancers, no tenant data",
    r"/oauth2/token": "Envi's token endpoint: where credentials are exchanged for a token",
    r"/authorisation/(token|refresh)": "Saasu's token endpoints",
    r"/[Aa]ms/[Aa]uthenticate(\.\w+)?": "YM's sign-in (route and its format suffixes)",
    r"/\w+/reply/[Aa]uthenticate": "YM's sign-in through the reply routes",
    r"/console/sign-in": "the console's sign-in form",
    r"/console/?": "a bare redirect to /console/batches (which is in the matrix); reads nothing",
    r"/v1/exports/\{export_id\}/file": "signed-URL download: the signature is the credential",
    r"/console/static": "the console's static files (CSS, JS)",
    r"/odata/?|/odata/\$metadata": "Envi's service document and CSDL schema (envi.md: lets OData "
                                    "clients bind); entity-set names only, no tenant data",
}

#: POSTs that read (search, preview, list): not write routes, so case 4 does not apply to them.
READ_POSTS: dict[str, str] = {
    r"/v1/batches/posting-preview": "a dry run that changes nothing",
    r"/[Ii]nvoice/[Gg]et[Ii]nvoices[Ll]ist": "Agvance's list call is a POST",
    r"/batches/\{tenantId\}/search": "Rhythm's search is a POST",
    r"/batchPosting/\{tenantId\}/batchPostingPreviewRequest": "Rhythm's dry run",
    r"/console/sign-out": "ends the caller's own session; touches no tenant data",
}

#: Path parameters that name a tenant: a token without that tenant is 403 (SPEC §3).
TENANT_PARAMS = {"tenantId", "ClientID", "slug"}

DISTINCT_CUSTOMER = "Quillon Vexbridge-Isolation"
DISTINCT_AMOUNT = "86420.13"
DISTINCT_BATCH_NAME = "ISOLATION-MATRIX-BATCH-QZ"


def _full(pattern_table: dict[str, str], path: str) -> bool:
    return any(re.fullmatch(pattern, path) for pattern in pattern_table)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # the template, e.g. /v1/batches/{batch_id}

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{(\w+)(?::[^}]*)?\}", self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def enumerate_routes(routes, prefix: str = "") -> Iterator[Endpoint | str]:
    """Every (method, path) of the route table; a str for a mount that is not a known static one."""
    for context in iter_route_contexts(routes):
        route = context.original_route
        path = prefix + (context.path or "")
        if isinstance(route, Mount):
            if isinstance(route.app, StaticFiles):
                yield Endpoint("GET", path)
                continue
            if route.routes:
                yield from enumerate_routes(route.routes, path)
                continue
            yield f"a mount at {path} whose routes cannot be enumerated"
            continue
        methods = context.methods or set()
        if not methods:
            yield f"a route at {path} without methods (websocket?)"
        for method in sorted(methods - {"HEAD"}):
            yield Endpoint(method, path)


# --- tenant A's data ---------------------------------------------------------------------------

def _first(client: TestClient, headers: dict[str, str], path: str, **match) -> dict:
    items = client.get(path, headers=headers, params={"limit": 200}).json()["items"]
    for item in items:
        if all(item.get(k) == v for k, v in match.items()):
            return item
    raise AssertionError(f"seed: no {path} item matching {match}")


def seed_tenant_a(client: TestClient, h: dict[str, str]) -> tuple[dict, set[str]]:
    """Ids for the fillers and the identifying strings no refused response may contain."""
    posted = _first(client, h, "/v1/batches", status="posted")
    open_batch = client.post("/v1/batches", headers=h, json={
        "name": DISTINCT_BATCH_NAME, "business_unit_id": "MAIN", "date": "2026-11-12",
        "fiscal_year_id": "FY2026", "fiscal_period": 11})
    assert open_batch.status_code == 201, open_batch.text
    batch = open_batch.json()
    customer = client.post("/v1/customers", headers=h, json={"name": DISTINCT_CUSTOMER,
                                                            "code": "QVX-1"})
    assert customer.status_code == 201, customer.text
    customer = customer.json()
    invoice = client.post("/v1/invoices", headers=h, json={
        "business_unit_id": "MAIN", "customer_id": customer["id"], "batch_id": batch["id"],
        "date": "2026-11-12", "lines": [{"unit_price": DISTINCT_AMOUNT, "product": "QVX"}]})
    assert invoice.status_code == 201, invoice.text
    invoice = invoice.json()
    export = client.post("/v1/exports", headers=h, json={"batch_ids": [posted["id"]],
                                                         "format": "qbo-csv"})
    assert export.status_code in (200, 201, 202), export.text
    export = export.json()
    ym_export = client.post("/v1/exports", headers=h, json={"batch_ids": [posted["id"]],
                                                            "format": "ym-items"})
    assert ym_export.status_code in (200, 201, 202), ym_export.text
    run_jobs(client.app.state.db)  # the export gets its file, so its status and download answer
    posted_txn = client.get(f"/v1/batches/{posted['id']}/transactions", headers=h).json()["items"][0]
    vendor = _first(client, h, "/v1/vendors")
    facility = _first(client, h, "/v1/facilities")
    ids = {
        "batch": batch["id"], "posted_batch": posted["id"], "customer": customer["id"],
        "invoice": invoice["id"], "posted_txn": posted_txn["id"], "export": export["id"],
        "ym_export": ym_export.json()["id"],
        "user": _first(client, h, "/v1/users")["id"],
        "token": _first(client, h, "/v1/tokens")["id"],
        "account": _first(client, h, "/v1/gl-accounts")["id"],
        "rule": _first(client, h, "/v1/posting-rules")["id"],
        "entry": _first(client, h, "/v1/journal-entries")["id"],
        "job": _first(client, h, "/v1/jobs", kind="post_batch")["id"],
        "vendor": vendor["id"],
        "remit_to": client.get(f"/v1/vendors/{vendor['id']}/remit-tos",
                               headers=h).json()["items"][0]["id"],
        "facility": facility["id"],
        "location": client.get(f"/v1/facilities/{facility['id']}/locations",
                               headers=h).json()["items"][0]["id"],
        "ap_code": _first(client, h, "/v1/ap-codes")["id"],
        "order": _first(client, h, "/v1/purchase-orders")["id"],
        "ap_batch": _first(client, h, "/v1/ap-batches", status="Exported")["id"],
        "matched_invoice": _first(client, h, "/v1/matched-invoices", status="Exported")["id"],
    }
    for kind in ("debit-memos", "credit-memos", "payments", "refunds", "credits", "write-offs"):
        ids[kind] = _first(client, h, f"/v1/{kind}")["id"]
    ids["payment_number"] = str(_first(client, h, "/v1/payments")["number"])
    secrets = {value for key, value in ids.items() if key != "payment_number"}
    secrets |= {DISTINCT_CUSTOMER, DISTINCT_AMOUNT, DISTINCT_BATCH_NAME, "Demo Association",
                posted["name"], _first(client, h, "/v1/customers")["name"],
                _first(client, h, "/v1/ap-batches", status="Exported")["batch_no"]}
    return ids, secrets


def fillers(ids: dict) -> dict[str, object]:
    """Parameter name → value, or a list of (path regex, value) when the name is ambiguous."""
    record_ids = [(rf"/v1/{kind}/.*", ids[kind]) for kind in
                  ("debit-memos", "credit-memos", "payments", "refunds", "credits", "write-offs")]
    return {
        "slug": DEMO_SLUG, "tenantId": DEMO_SLUG, "ClientID": str(DEMO_CLIENT_ID),
        "user_id": ids["user"], "token_id": ids["token"], "unit_id": "MAIN",
        "businessUnitId": "MAIN", "fiscal_year_id": "FY2026", "number": "11",
        "fiscal_period": "11", "status": "open", "account_id": ids["account"],
        "customer_id": ids["customer"], "code": "NY", "rule_id": ids["rule"],
        "entry_id": ids["entry"], "export_id": ids["export"], "ExportID": ids["ym_export"],
        "job_id": ids["job"], "executionArn": ids["job"], "vendor_id": ids["vendor"],
        "remit_to_id": ids["remit_to"], "facility_id": ids["facility"],
        "location_id": ids["location"], "code_id": ids["ap_code"], "order_id": ids["order"],
        "payment_id": ids["payment_number"], "id": ids["batch"], "action": "close",
        "batchId": ids["posted_batch"], "transactionId": ids["posted_txn"],
        "record_id": [(r"/v1/invoices/.*", ids["invoice"]), *record_ids],
        "batch_id": [(r"/v1/ap-batches/.*", ids["ap_batch"]), (r"/v1/batches/.*", ids["batch"]),
                     (r"/console/batches/.*", ids["batch"])],
        "invoice_id": [(r"/v1/(matched-invoices|ap-batches)/.*", ids["matched_invoice"])],
        "key": [(r"/odata/Batches.*", ids["ap_batch"]),
                (r"/odata/MatchedInvoices.*", ids["matched_invoice"])],
    }


def fill(endpoint: Endpoint, table: dict[str, object]) -> str:
    """The concrete path; raises LookupError for a parameter the matrix does not know."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in table:
            raise LookupError(f"no filler for path parameter {{{name}}}: teach the matrix "
                              "which of tenant A's records it names")
        found = table[name]
        if isinstance(found, list):
            for pattern, candidate in found:
                if re.fullmatch(pattern, endpoint.path):
                    return candidate
            raise LookupError(f"no filler for {{{name}}} in this path")
        return str(found)
    return re.sub(r"\{(\w+)(?::[^}]*)?\}", value, endpoint.path)


def body_for(endpoint: Endpoint, ids: dict) -> object:
    """A body that passes validation where one is required, so a write aimed at A's record reaches
    the record lookup (404) instead of stopping at 422 (which would prove nothing)."""
    bodies: dict[str, object] = {
        "PATCH /v1/users/{user_id}": {"roles": ["viewer"]},
        "PATCH /v1/posting-rules/{rule_id}": {"account_code": "1100"},
        "POST /v1/vendors/{vendor_id}/remit-tos": {
            "remit_to_no": "R-ISO", "address_line1": "1 Iso Way", "city": "Iso", "country": "US"},
        "POST /v1/facilities/{facility_id}/locations": {"location_no": "ISO", "name": "Iso"},
        "POST /v1/ap-batches/{batch_id}/invoices": {"invoice_ids": [ids["matched_invoice"]]},
        "POST /odata/Batches({key})/Invoices": {"apMatchedInvoiceId": ids["matched_invoice"]},
        "POST /odata/Batches({key})/invoices": {"apMatchedInvoiceId": ids["matched_invoice"]},
        "POST /console/batches/{batch_id}/actions/{action}": {"version": "1"},
        "POST /console/batches/{batch_id}/verify": {"version": "1"},
        "POST /console/batches/{batch_id}/export": {"format": "qbo-csv"},
    }
    if str(endpoint) in bodies:
        return bodies[str(endpoint)]
    if endpoint.path.startswith("/console"):
        return {}
    if endpoint.path.startswith("/batches/") and endpoint.method == "PATCH":
        return []  # Rhythm's PATCH is an RFC 6902 array
    if "/reply/" in endpoint.path:
        return {"ClientID": DEMO_CLIENT_ID}
    return {}


def query_for(endpoint: Endpoint, ids: dict) -> dict[str, str]:
    """Query parameters some dialects take the tenant (or record) from."""
    if endpoint.path == "/batches/{tenantId}/dependents":
        return {"ids": ids.get("batch", "")}
    if re.fullmatch(r"/[Pp]ayments?(/.*)?", endpoint.path):
        return {"FileId": str(DEMO_CLIENT_ID)}
    if re.fullmatch(r"/\w+/reply/\w+", endpoint.path):
        query = {"ClientID": str(DEMO_CLIENT_ID)}
        if endpoint.path.lower().endswith("exportstatus"):
            query["ExportID"] = ids.get("ym_export", "")
        return query
    return {}


def names_foreign_tenant(endpoint: Endpoint) -> bool:
    return bool(set(endpoint.params) & TENANT_PARAMS) or bool(query_for(endpoint, {}))


# --- the matrix ---------------------------------------------------------------------------------

@dataclass
class Caller:
    name: str
    headers: dict[str, str]
    cookies: dict[str, str]
    csrf: str | None = None


def test_every_route_refuses_other_callers(settings, database):
    settings = settings.model_copy(update={"rate_limit_per_minute": 10**6,
                                           "tenant_rate_limit_per_minute": 10**6})
    demo = load_demo(database)
    other = make_tenant(database, "globex", client_id=3000)
    with database.unit_of_work() as session:
        a = tenancy_repo.tenant_by_slug(session, DEMO_SLUG)
        viewer = tenancy.create_token(session, grants={a.id: ["viewer"]}, name="viewer",
                                      expires_in=timedelta(days=1)).secret
        expiring = tenancy.create_token(session, grants={a.id: ["admin"]}, name="expiring",
                                        expires_in=timedelta(minutes=5)).secret
        a_viewer_user = tenancy.create_user(session, tenant_id=a.id, username="iso-viewer",
                                            password="long enough pw", roles=["viewer"])
        a_admin_user = tenancy.create_user(session, tenant_id=a.id, username="iso-admin",
                                           password="long enough pw", roles=["admin"])
        b_admin_user = tenancy.create_user(session, tenant_id=other.id, username="iso-b-admin",
                                           password="long enough pw", roles=["admin"])
        users = {u.username: (u.id, u.password_hash)
                 for u in (a_viewer_user, a_admin_user, b_admin_user)}
    secret = signing_secret(database)

    def console(name: str, username: str, tenant_id: int) -> Caller:
        user_id, password_hash = users[username]
        cookie, found = console_cookies.issue(secret, user_id=user_id, tenant_id=tenant_id,
                                              password_hash=password_hash)
        return Caller(name, {}, {console_cookies.COOKIE: cookie},
                      console_cookies.csrf_token(secret, found.nonce))

    bearer = {"Authorization": f"Bearer {demo.token}"}
    # a console session issued an hour ago ... that expired (LIFETIME is 8 hours)
    with clock.freeze(datetime.now(UTC) - timedelta(seconds=console_cookies.LIFETIME_SECONDS + 60)):
        expired_console = console("expired", "iso-admin", a.id)

    app = create_app(settings, database)
    failures: list[str] = []
    with TestClient(app, follow_redirects=False) as client:
        ids, secrets = seed_tenant_a(client, bearer)
        table = fillers(ids)
        endpoints: list[Endpoint] = []
        for found in enumerate_routes(app.routes):
            if isinstance(found, str):
                failures.append(f"route table: {found}")
            elif not _full(PUBLIC, found.path):
                endpoints.append(found)

        def call(endpoint: Endpoint, url: str, caller: Caller | None,
                 query: dict[str, str] | None = None):
            is_console = endpoint.path.startswith("/console")
            headers = dict(caller.headers) if caller else {}
            kwargs: dict = {"params": query if query is not None else query_for(endpoint, ids)}
            if endpoint.method in ("POST", "PUT", "PATCH"):
                body = body_for(endpoint, ids)
                if is_console:
                    kwargs["data"] = {**body, "csrf_token": caller.csrf if caller else ""}
                else:
                    kwargs["json"] = body
            client.cookies.clear()
            for name, value in (caller.cookies if caller else {}).items():
                client.cookies.set(name, value)
            return client.request(endpoint.method, url, headers=headers, **kwargs)

        def check_leak(case: str, endpoint: Endpoint, url: str, response) -> None:
            carried = url + repr(query_for(endpoint, ids)) + repr(body_for(endpoint, ids))
            if case == "viewer":  # A's own member: the console's page chrome names its tenant
                carried += "Demo Association"
            leaked = [s for s in secrets if s not in carried and s in response.text]
            if leaked:
                failures.append(f"{case} {endpoint}: body discloses tenant A's {leaked}")

        urls: dict[Endpoint, str] = {}
        for endpoint in endpoints:
            try:
                urls[endpoint] = fill(endpoint, table)
            except LookupError as error:
                failures.append(f"{endpoint}: {error}")

        a_admin_console = console("A admin", "iso-admin", a.id)
        # positive control: A's admin finds every record the GET routes name
        for endpoint, url in urls.items():
            if endpoint.method != "GET":
                continue
            caller = (a_admin_console if endpoint.path.startswith("/console")
                      else Caller("A admin", bearer, {}))
            response = call(endpoint, url, caller)
            if response.status_code >= 400:
                failures.append(f"control {endpoint}: tenant A's own admin got "
                                f"{response.status_code} ({response.text[:200]}): the filler "
                                "does not name a real record")

        callers = {
            "expired": (Caller("expired", {"Authorization": f"Bearer {expiring}"}, {}),
                        expired_console),
            "other": (Caller("B admin", other.headers("admin"), {}),
                      console("B admin", "iso-b-admin", other.id)),
            "viewer": (Caller("A viewer", {"Authorization": f"Bearer {viewer}"}, {}),
                       console("A viewer", "iso-viewer", a.id)),
        }
        for endpoint, url in urls.items():
            is_console = endpoint.path.startswith("/console")

            def refused_login(case: str, response, endpoint=endpoint, is_console=is_console) -> None:
                if is_console:
                    ok = (response.status_code == 303
                          and response.headers.get("location", "").startswith("/console/sign-in"))
                else:
                    ok = response.status_code == 401
                if not ok:
                    failures.append(f"{case} {endpoint}: expected refusal (401 / 303 to sign-in), "
                                    f"got {response.status_code} "
                                    f"{response.headers.get('location')} {response.text[:200]}")

            # 1. no credentials
            response = call(endpoint, url, None)
            refused_login("no-token", response)
            check_leak("no-token", endpoint, url, response)

            # 2. expired credentials
            caller = callers["expired"][1 if is_console else 0]
            with clock.freeze(datetime.now(UTC) + timedelta(minutes=6)):
                response = call(endpoint, url, caller)
            refused_login("expired", response)
            check_leak("expired", endpoint, url, response)

            # 3. tenant B's admin aimed at A's tenant and records
            caller = callers["other"][1 if is_console else 0]
            response = call(endpoint, url, caller)
            check_leak("other-tenant", endpoint, url, response)
            expected = expected_for_other_tenant(endpoint)
            if expected is not None and response.status_code != expected:
                failures.append(f"other-tenant {endpoint}: expected {expected}, got "
                                f"{response.status_code} {response.text[:200]}")

            # 4. A's viewer on write routes
            if endpoint.method != "GET" and not _full(READ_POSTS, endpoint.path):
                caller = callers["viewer"][1 if is_console else 0]
                response = call(endpoint, url, caller)
                check_leak("viewer", endpoint, url, response)
                if response.status_code != 403:
                    failures.append(f"viewer {endpoint}: expected 403, got "
                                    f"{response.status_code} {response.text[:200]}")

    assert len(urls) > 200, f"only {len(urls)} routes enumerated: is the route walk broken?"
    assert not failures, f"{len(failures)} isolation failures:\n" + "\n".join(failures)


#: Contract notes: where a route's status for tenant B differs from SPEC §3's rule on purpose.
OTHER_TENANT_EXCEPTIONS: dict[str, int | None] = {}


def expected_for_other_tenant(endpoint: Endpoint) -> int | None:
    """403 when the request names A's tenant, 404 when it names A's record, else None (B acts in
    its own tenant: any status, as long as nothing of A's shows)."""
    key = str(endpoint)
    if key in OTHER_TENANT_EXCEPTIONS:
        return OTHER_TENANT_EXCEPTIONS[key]
    if names_foreign_tenant(endpoint):
        return 403
    if endpoint.params:
        return 404
    return None
