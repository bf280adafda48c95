"""Business units, fiscal years, GL accounts, users, and the change feed they write."""

from __future__ import annotations

import threading
from datetime import date

from fastapi.testclient import TestClient

from finbatch.fiscal import service as fiscal
from finbatch.kit.clock import clock


def test_business_units(client, tenant):
    created = client.post("/v1/business-units", headers=tenant.headers(),
                          json={"id": "MAIN", "name": "Main", "currency": "USD"})
    assert created.status_code == 201 and created.json()["export_format"] == "iif"
    assert client.post("/v1/business-units", headers=tenant.headers(),
                       json={"id": "MAIN", "name": "Dup", "currency": "USD"}).status_code == 409
    bad = client.post("/v1/business-units", headers=tenant.headers(),
                      json={"id": "X", "name": "X", "currency": "ZZZ", "export_format": "pdf"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"export_format"}  # schema rejects first
    bad_currency = client.post("/v1/business-units", headers=tenant.headers(),
                               json={"id": "X", "name": "X", "currency": "ZZZ"})
    assert bad_currency.json()["errors"][0]["field"] == "currency"
    patched = client.patch("/v1/business-units/MAIN", headers=tenant.headers() | {"If-Match": '"1"'},
                           json={"export_format": "xero-csv"})
    assert patched.json()["export_format"] == "xero-csv" and patched.headers["etag"] == '"2"'
    assert client.get("/v1/business-units/NOPE", headers=tenant.headers()).status_code == 404


def test_fiscal_years_follow_the_tenant_calendar(client, database, other_tenant):
    # globex: fiscal year starting in July is created by a test fixture with start month 1;
    # make one with July to check the naming rule through the API
    from tests.conftest import make_tenant
    july = make_tenant(database, "julyco", fiscal_year_start_month=7)
    created = client.post("/v1/fiscal-years", headers=july.headers(), json={"year": 2026})
    assert created.status_code == 201, created.text
    year = created.json()
    assert (year["id"], year["start_date"], year["end_date"]) == ("FY2026", "2025-07-01", "2026-06-30")
    assert [p["number"] for p in year["periods"]] == list(range(1, 13))
    assert year["periods"][0]["start_date"] == "2025-07-01"
    assert year["periods"][7]["start_date"] == "2026-02-01" and year["periods"][7]["end_date"] == "2026-02-28"
    assert all(p["status"] == "open" for p in year["periods"])
    again = client.post("/v1/fiscal-years", headers=july.headers(), json={"year": 2026, "id": "FY26b"})
    assert again.status_code == 409 and again.json()["code"] == "FISCAL_YEAR_OVERLAP"
    periods = client.get("/v1/fiscal-years/FY2026/periods", headers=july.headers()).json()["items"]
    assert len(periods) == 12
    assert client.get("/v1/fiscal-years/FY2026", headers=other_tenant.headers()).status_code == 404


def test_period_for_creates_the_year_on_first_use(database, tenant):
    with database.unit_of_work() as session:
        period = fiscal.period_for(session, tenant_id=tenant.id, start_month=1,
                                   day=date(2031, 3, 1), actor="test")
        assert (period.fiscal_year_id, period.number) == ("FY2031", 3)
    with database.unit_of_work() as session:
        period = fiscal.period_for(session, tenant_id=tenant.id, start_month=1,
                                   day=date(2031, 12, 31), actor="test")
        assert (period.fiscal_year_id, period.number) == ("FY2031", 12)


def test_gl_account_hierarchy(client, tenant):
    h = tenant.headers()
    client.post("/v1/gl-accounts", headers=h, json={"code": "1000", "name": "Assets", "type": "asset"})
    child = client.post("/v1/gl-accounts", headers=h, json={
        "code": "1100", "name": "Receivables", "type": "asset", "parent_code": "1000"}).json()
    grandchild = client.post("/v1/gl-accounts", headers=h, json={
        "code": "1110", "name": "Trade", "type": "asset", "parent_code": "1100"}).json()
    assert grandchild["full_name"] == "Assets:Receivables:Trade"
    assert child["parent_code"] == "1000"
    parent = client.get("/v1/gl-accounts", headers=h, params={"type": "asset"}).json()["items"][0]
    cycle = client.patch(f"/v1/gl-accounts/{parent['id']}", headers=h, json={"parent_code": "1110"})
    assert cycle.status_code == 422 and cycle.json()["errors"][0]["code"] == "cycle"
    colon = client.post("/v1/gl-accounts", headers=h, json={"code": "9", "name": "A:B", "type": "asset"})
    assert colon.status_code == 422
    dup = client.post("/v1/gl-accounts", headers=h, json={"code": "1000", "name": "Again", "type": "asset"})
    assert dup.status_code == 409


def test_users(client, tenant):
    h = tenant.headers()
    created = client.post("/v1/users", headers=h, json={
        "username": "jo", "password": "long enough", "roles": ["clerk"]})
    assert created.status_code == 201 and created.json()["roles"] == ["clerk"]
    assert "password" not in created.text
    assert client.post("/v1/users", headers=h, json={
        "username": "jo", "password": "long enough", "roles": ["clerk"]}).status_code == 409
    short = client.post("/v1/users", headers=h, json={"username": "x", "password": "short", "roles": ["clerk"]})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "password"
    user_id = created.json()["id"]
    updated = client.patch(f"/v1/users/{user_id}", headers=h, json={"roles": ["accountant", "clerk"]})
    assert updated.json()["roles"] == ["accountant", "clerk"]


def test_change_feed_records_every_change_in_order(client, tenant):
    h = tenant.headers()
    client.post("/v1/business-units", headers=h, json={"id": "MAIN", "name": "Main", "currency": "USD"})
    account = client.post("/v1/gl-accounts", headers=h, json={"code": "1", "name": "A", "type": "asset"}).json()
    client.patch(f"/v1/gl-accounts/{account['id']}", headers=h, json={"name": "B"})
    feed = client.get("/v1/events", headers=h).json()
    kinds = [(e["type"], e["record_kind"]) for e in feed["items"]]
    assert kinds[-3:] == [("created", "business_unit"), ("created", "gl_account"), ("updated", "gl_account")]
    sequences = [e["sequence"] for e in feed["items"]]
    assert sequences == list(range(1, len(sequences) + 1))
    assert feed["items"][-1]["data"]["name"] == "B" and feed["last_sequence"] == sequences[-1]
    tail = client.get("/v1/events", headers=h, params={"after": sequences[-2]}).json()
    assert [e["sequence"] for e in tail["items"]] == [sequences[-1]]
    assert client.get("/v1/events", headers=h, params={"after": feed["last_sequence"]}).json()["items"] == []
    # Regression (API fuzzing): a sequence past the 64-bit range overflowed in the database.
    assert client.get("/v1/events", headers=h, params={"after": 2**63 - 1}).json()["items"] == []
    beyond = client.get("/v1/events", headers=h, params={"after": 2**63})
    assert beyond.status_code == 422 and beyond.json()["errors"][0]["field"] == "query.after"


def test_change_feed_follower_sees_every_event_once_under_concurrent_writers(app, tenant):
    """Many writers commit with the same frozen timestamp while a follower polls: every event is
    seen exactly once and in sequence order."""
    h = tenant.headers()
    writers, per_writer = 6, 8
    done = threading.Event()
    seen: list[int] = []

    def write(n):
        with TestClient(app) as c:
            for i in range(per_writer):
                r = c.post("/v1/gl-accounts", headers=h,
                           json={"code": f"{n}-{i}", "name": f"W{n} {i}", "type": "expense"})
                assert r.status_code == 201, r.text

    def follow():
        after = 0
        with TestClient(app) as c:
            while True:
                finished = done.is_set()
                page = c.get("/v1/events", headers=h, params={"after": after, "limit": 5}).json()
                seen.extend(e["sequence"] for e in page["items"])
                after = page["last_sequence"]
                if finished and not page["items"]:
                    return

    from datetime import UTC, datetime
    with clock.freeze(datetime(2026, 3, 1, 5, 16, tzinfo=UTC)):
        follower = threading.Thread(target=follow)
        follower.start()
        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        follower.join(timeout=60)
    # event 1 is the tenant's own creation; then one per account, each exactly once, in order
    assert seen == list(range(1, writers * per_writer + 2))
