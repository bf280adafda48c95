"""The console over plain HTTP with the demo data: every page renders, sign-in and its failures,
CSRF refusal, and roles enforced by the server whatever the page shows."""

from __future__ import annotations

import re

from sqlalchemy import select

from finbatch.batches.models import ARBatch
from finbatch.console.session import csrf_token
from finbatch.jobs.handlers import Worker
from finbatch.jobs.models import Job
from finbatch.tenancy.models import User
from tests.console.conftest import csrf_of, sign_in, signed_in

BATCH_LINK = re.compile(r'href="/console/batches/([0-9a-f-]{36})"')


def _batch(database, **where) -> ARBatch:
    with database.reading() as session:
        stmt = select(ARBatch).order_by(ARBatch.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(ARBatch, name) == value)
        return session.execute(stmt).scalars().first()


def _form(client, batch_id: str) -> dict:
    page = client.get(f"/console/batches/{batch_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    return {"csrf_token": csrf_of(page.text), "version": version.group(1) if version else "1"}


def test_pages_render_with_the_demo_data(console):
    signed_in(console, "demo-admin")
    page = console.get("/console/batches")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "By period and status" in page.text and "<svg" in page.text
    ids = sorted(set(BATCH_LINK.findall(page.text)))
    assert len(ids) == 15
    for batch_id in ids:
        detail = console.get(f"/console/batches/{batch_id}")
        assert detail.status_code == 200, detail.text
        for heading in ("Transactions", "Statistics", "Posting preview", "Journal entries",
                        "Jobs and exports"):
            assert heading in detail.text
        assert console.get(f"/console/batches/{batch_id}/live").status_code == 200
    posted = console.get("/console/batches?status=posted").text
    assert len(set(BATCH_LINK.findall(posted))) == 5
    assert "2,662.50 USD" in posted  # grouped digits, the currency's two decimals
    searched = console.get("/console/batches?q=canada").text
    assert "CANADA CAD FY2026-09 M" in searched and "EVENTS USD" not in searched
    assert "Totals in CAD" in console.get("/console/batches?currency=CAD").text
    periods = console.get("/console/periods")
    assert periods.status_code == 200 and "Batches keeping it open" in periods.text
    assert console.get("/console/static/htmx.min.js").status_code == 200
    # a posted demo batch shows its journal
    posted_batch = _batch(console.app.state.db, status="posted")
    assert "#" in console.get(f"/console/batches/{posted_batch.id}").text.split("Journal entries")[1]


def test_without_a_session_pages_send_the_browser_to_sign_in(console):
    response = console.get("/console/batches?status=open", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?next=%2Fconsole%2Fbatches%3Fstatus%3Dopen"
    console.cookies.set("finbatch_console", "eyJ1IjoieCJ9.forged", domain="testserver",
                        path="/console")
    assert console.get("/console/batches", follow_redirects=False).status_code == 303


def test_sign_in_failure(console, database):
    response = sign_in(console, "demo-admin", "wrong-password")
    assert response.status_code == 401
    assert "Invalid username or password" in response.text
    assert "finbatch_console=" not in response.headers.get("set-cookie", "")
    assert sign_in(console, "nobody", "x").status_code == 401
    with database.reading() as session:
        user = session.execute(select(User).where(User.username == "demo-admin")).scalar_one()
        assert user.failed_logins == 1  # counts towards the lockout, as every login path does
    assert console.get("/console/batches", follow_redirects=False).status_code == 303


def test_sign_in_sets_a_hardened_cookie_and_sign_out_ends_it(console):
    response = sign_in(console, "demo-viewer")
    assert response.status_code == 303 and response.headers["location"] == "/console/batches"
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("finbatch_console=")][0]
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "secure" in lowered
    page = console.get("/console/batches")
    assert "demo-viewer" in page.text
    out = console.post("/console/sign-out", data={"csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    assert out.status_code == 303
    assert console.get("/console/batches", follow_redirects=False).status_code == 303


def test_sign_in_form_needs_its_csrf_token(console):
    console.get("/console/sign-in")
    response = console.post("/console/sign-in", data={"username": "demo-admin",
                                                       "password": "demo-password"},
                            follow_redirects=False)
    assert response.status_code == 403
    assert console.get("/console/batches", follow_redirects=False).status_code == 303


def test_posts_without_the_csrf_token_are_refused(console, database, settings):
    signed_in(console, "demo-admin")
    batch = _batch(database, status="open")
    form = _form(console, batch.id)
    # no token, a made-up one, and a well-signed token of another session
    for token in (None, "forged", csrf_token(settings.signing_secret, "another-session-nonce")):
        data = {"version": form["version"]} | ({"csrf_token": token} if token else {})
        response = console.post(f"/console/batches/{batch.id}/actions/close", data=data,
                                follow_redirects=False)
        assert response.status_code == 403, token
        assert "CSRF_REFUSED" in response.text
    assert _batch(database, id=batch.id).status == "open"


def test_viewer_cannot_post_even_by_forging_the_form(console, database):
    signed_in(console, "demo-viewer")
    batch = _batch(database, status="closed")
    page = console.get(f"/console/batches/{batch.id}")
    assert "/actions/post" not in page.text and "/actions/close" not in page.text
    data = {"csrf_token": csrf_of(page.text), "version": str(batch.version)}
    response = console.post(f"/console/batches/{batch.id}/actions/post", data=data,
                            follow_redirects=False)
    assert response.status_code == 403 and "ROLE_FORBIDDEN" in response.text
    export = console.post(f"/console/batches/{batch.id}/export",
                          data={"csrf_token": data["csrf_token"], "format": "iif"})
    assert export.status_code == 403
    close = console.post("/console/periods/FY2026/9/close", data={"csrf_token": data["csrf_token"]})
    assert close.status_code == 403
    assert _batch(database, id=batch.id).status == "closed"
    with database.reading() as session:
        assert session.execute(select(Job).where(Job.kind == "post_batch",
                                                 Job.payload["batch_id"].as_string() == batch.id)
                               ).first() is None


def test_clerk_closes_but_may_not_post(console, database):
    signed_in(console, "demo-clerk")
    batch = _batch(database, status="open")
    page = console.get(f"/console/batches/{batch.id}").text
    assert "/actions/close" in page and "/actions/post" not in page
    done = console.post(f"/console/batches/{batch.id}/actions/close", data=_form(console, batch.id),
                        follow_redirects=False)
    assert done.status_code == 303
    assert _batch(database, id=batch.id).status == "closed"
    refused = console.post(f"/console/batches/{batch.id}/actions/post",
                           data=_form(console, batch.id), follow_redirects=False)
    assert refused.status_code == 403
    assert _batch(database, id=batch.id).status == "closed"


def test_a_stale_page_does_not_act(console, database):
    signed_in(console, "demo-accountant")
    batch = _batch(database, status="open")
    form = _form(console, batch.id)
    assert console.post(f"/console/batches/{batch.id}/actions/close", data=form,
                        follow_redirects=False).status_code == 303
    again = console.post(f"/console/batches/{batch.id}/actions/reopen", data=form)
    assert again.status_code == 409 and "reload the page" in again.text


def test_close_post_export_download(console, database):
    """The operator's day, over HTTP: close, verify against control totals, post, export to IIF,
    download, and see the batch downloaded."""
    signed_in(console, "demo-accountant")
    batch = _batch(database, status="open", business_unit_id="MAIN")
    url = f"/console/batches/{batch.id}"
    console.post(f"{url}/actions/close", data=_form(console, batch.id))
    wrong = console.post(f"{url}/verify", data=_form(console, batch.id) | {"control_count": "999"})
    assert wrong.status_code == 422 and "control_count" in wrong.text
    page = console.post(f"{url}/verify", data=_form(console, batch.id)).text
    assert "Done: verify." in page and 'id="batch-status">verified' in page
    page = console.post(f"{url}/actions/post", data=_form(console, batch.id)).text
    assert 'id="batch-status">posting' in page
    assert 'hx-get="/console/batches/' in page  # the live panel polls while the job runs
    Worker(database, name="test").drain()
    live = console.get(f"{url}/live?was_running=1")
    assert live.headers.get("HX-Refresh") == "true" and "hx-get" not in live.text
    page = console.get(url).text
    assert 'id="batch-status">posted' in page and "No journal entries" not in page
    assert '<option value="iif" selected>' in page  # the business unit's format
    page = console.post(f"{url}/export", data={"csrf_token": csrf_of(page), "format": "iif"}).text
    assert "Done: export." in page
    Worker(database, name="test").drain()
    page = console.get(url).text
    assert 'id="batch-status">downloaded' in page
    link = re.search(r'href="(/console/exports/[0-9a-f-]{36}/download)"', page).group(1)
    redirect = console.get(link, follow_redirects=False)
    assert redirect.status_code == 303 and "/v1/exports/" in redirect.headers["location"]
    file = console.get(link)
    assert file.status_code == 200 and file.content.startswith(b"!TRNS")
    assert "attachment" in file.headers["content-disposition"]


def test_periods_show_what_keeps_them_open_and_close(console, database):
    signed_in(console, "demo-accountant")
    page = console.get("/console/periods").text
    october = page.split("<th scope=\"row\">10</th>")[1].split("</tr>")[0]
    assert "FY2026-10" in october and "/10/close" not in october
    refused = console.post("/console/periods/FY2026/10/close", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 409 and "Batches in the way" in refused.text
    done = console.post("/console/periods/FY2026/9/close", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 200 and "Done: close." in done.text
    september = done.text.split("<th scope=\"row\">9</th>")[1].split("</tr>")[0]
    assert "closed" in september and "/9/reopen" in september


def test_missing_gl_configuration_is_spelled_out(console, database):
    from finbatch.ledger import rules
    from finbatch.ledger.rules import PostingRuleRepository
    tenant_id = _batch(database).tenant_id
    with database.unit_of_work() as session:
        for rule in PostingRuleRepository(session, tenant_id).all():
            if rule.kind == "invoice" and rule.role == "revenue":
                rules.delete_rule(session, tenant_id=tenant_id, rule_id=rule.id, actor="test")
    signed_in(console, "demo-accountant")
    batch = _batch(database, status="closed", name="MAIN USD FY2026-10 M")
    page = console.get(f"/console/batches/{batch.id}").text
    preview = page.split('id="preview-h"')[1].split("</section>")[0]
    assert "GL configuration is missing" in preview
    assert "invoice: no revenue account for product DUES-IND" in preview
    refused = console.post(f"/console/batches/{batch.id}/actions/post", data=_form(console, batch.id))
    assert refused.status_code == 422 and "GL_CONFIGURATION_MISSING" in refused.text
    assert _batch(database, id=batch.id).status == "closed"
