"""The console in a real headless Chromium: sign in, close a batch, post it, export it to IIF,
download the file, see the batch downloaded. A real server runs (uvicorn in a thread, with an
embedded job worker) on SQLite with the demo data; screenshots of each step are kept in
``test-artifacts/console/`` (or ``$FINBATCH_TEST_ARTIFACTS``).

The browser is the system's Chromium (Debian's ``chromium`` package, or
``$FINBATCH_TEST_CHROMIUM``) driven by Playwright's Python package; no browser is downloaded.
Without either the tests skip and say why, unless FINBATCH_TEST_REQUIRE_BROWSER=1 (CI), which turns
a missing browser into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from finbatch.app import create_app
from finbatch.config import Settings
from finbatch.db import Database
from finbatch.demo import load_demo
from finbatch.demo.setup import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _chromium() -> str | None:
    configured = os.environ.get("FINBATCH_TEST_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    if _chromium() is None:
        return "no Chromium found (apt-get install chromium, or set FINBATCH_TEST_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser_needed() -> None:
    problem = _browser_problem()
    if problem is None:
        return
    if os.environ.get("FINBATCH_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(f"a browser is required (FINBATCH_TEST_REQUIRE_BROWSER=1) but {problem}")
    pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture
def artifacts(request) -> Path:
    base = Path(os.environ.get("FINBATCH_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    folder = base / "console" / request.node.name.replace("/", "_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(browser_needed, sqlite_templates, tmp_path):
    """The demo application served over HTTP with one embedded job worker."""
    url = sqlite_templates.new_database(empty=False)
    port = _free_port()
    settings = Settings(database_url=url, export_dir=tmp_path / "exports", embedded_workers=1,
                        signing_secret="browser-test-secret", public_url=f"http://127.0.0.1:{port}")
    database = Database(settings)
    load_demo(database)
    app = create_app(settings, database)
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=15)
    database.dispose()
    sqlite_templates.drop(url)


@pytest.fixture
def page(server, artifacts):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1366, "height": 900},
                                      accept_downloads=True, base_url=server)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        yield tab
        tab.screenshot(path=str(artifacts / "last.png"), full_page=True)
        context.close()
        browser.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


def _sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/console/batches")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_close_post_export_and_download_in_a_browser(page, artifacts):
    from playwright.sync_api import expect

    _sign_in(page, "demo-accountant", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Invalid username or password")
    page.screenshot(path=str(artifacts / "01-sign-in-refused.png"))
    _sign_in(page, "demo-accountant")
    expect(page.get_by_role("heading", name="Batches", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "02-batches.png"), full_page=True)

    page.get_by_label("Status", exact=True).select_option("open")
    page.get_by_label("Business unit", exact=True).select_option("MAIN")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="MAIN USD FY2026-11 D").click()
    status = page.locator("#batch-status")
    expect(status).to_have_text("open")
    page.screenshot(path=str(artifacts / "03-open-batch.png"), full_page=True)

    page.get_by_role("button", name="Close", exact=True).click()
    expect(status).to_have_text("closed")
    page.get_by_role("button", name="Post", exact=True).click()
    # the live panel polls the job; when it ends the page reloads with the new status
    expect(status).to_have_text("posted", timeout=60_000)
    expect(page.locator("#journal-h + table")).to_be_visible()
    page.screenshot(path=str(artifacts / "04-posted.png"), full_page=True)

    page.get_by_label("Format").select_option("iif")
    page.get_by_role("button", name="Export", exact=True).click()
    link = page.get_by_role("link", name="Download")
    expect(link).to_be_visible(timeout=60_000)
    expect(status).to_have_text("downloaded")
    page.screenshot(path=str(artifacts / "05-exported.png"), full_page=True)
    with page.expect_download() as info:
        link.click()
    download = info.value
    target = artifacts / download.suggested_filename
    download.save_as(target)
    assert target.suffix == ".iif"
    assert target.read_bytes().startswith(b"!TRNS")

    page.goto("/console/batches?status=downloaded")
    expect(page.get_by_role("link", name="MAIN USD FY2026-11 D")).to_be_visible()
    page.screenshot(path=str(artifacts / "06-downloaded-list.png"), full_page=True)


def test_a_viewer_sees_no_action_buttons(page, artifacts):
    from playwright.sync_api import expect

    _sign_in(page, "demo-viewer")
    page.get_by_label("Status", exact=True).select_option("closed")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="MAIN USD FY2026-10 M").click()
    expect(page.locator("#batch-status")).to_have_text("closed")
    expect(page.get_by_role("button", name="Post")).to_have_count(0)
    expect(page.get_by_role("button", name="Verify")).to_have_count(0)
    page.screenshot(path=str(artifacts / "viewer-batch.png"), full_page=True)
    page.get_by_role("link", name="Periods").click()
    expect(page.get_by_role("heading", name="Fiscal periods")).to_be_visible()
    expect(page.get_by_role("button", name="Close period 9")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
