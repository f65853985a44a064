"""Browser tests: the real server (`python run.py`) driven through Debian's Chromium by Playwright.

Playwright's own browser download is never used: Chromium comes from the `chromium` package
(`scripts/test.sh` installs it when missing). Under CI a missing browser fails the tests.
"""
from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess

import pytest

from tests.live_server import ROOT, ApiClient, running_server
from tests.services_env import unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ADMIN = ("admin@web.test", "admin-pw-123")
PASSWORD = "pw-secret-1"
VIEWPORT = {"width": 1100, "height": 700}
TIMEOUT_MS = 30_000          # generous: 2 cores, other suites running alongside
SCREENSHOTS = ROOT / "docs" / "screenshots"
DIST_ENTRY = ROOT / "app" / "static" / "dist" / "manifest.json"   # written last by web/build.mjs
WEB_SOURCES = [ROOT / "web" / "src", ROOT / "web" / "build.mjs", ROOT / "web" / "package-lock.json"]


def _newest_source_mtime() -> float:
    files = [p for src in WEB_SOURCES for p in ([src] if src.is_file() else src.rglob("*")) if p.is_file()]
    return max(p.stat().st_mtime for p in files)


def ensure_web_client_built() -> None:
    """Builds the assets when missing or older than their sources, so the tests never run a stale bundle."""
    if DIST_ENTRY.is_file() and DIST_ENTRY.stat().st_mtime >= _newest_source_mtime():
        return
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("node and npm are needed to build the web client (scripts/build_web.sh)")
    result = subprocess.run([str(ROOT / "scripts" / "build_web.sh")], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"building the web client failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pipenv install --dev)")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium; scripts/test.sh does it as root)")
    ensure_web_client_built()
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("web")
    with running_server(instance, SEED_DEMO="true", FIRST_ADMIN_EMAIL=ADMIN[0], FIRST_ADMIN_PASSWORD=ADMIN[1],
                        ROOM_COUNTDOWN_S="3", ROOM_DISCONNECT_GRACE_S="60") as base:
        yield base


@pytest.fixture
def new_page(browser):
    """new_page() → a page in its own browser context (own localStorage: one user each).

    Uncaught page errors fail the test at teardown."""
    contexts, errors = [], []

    def make():
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page
    yield make
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


_numbers = itertools.count(1)


@pytest.fixture
def player(server):
    """player("Alice") → a registered ApiClient (e-mail unique per call)."""
    def make(full_name: str) -> ApiClient:
        email = f"{re.sub(r'[^a-z]', '', full_name.lower())}{next(_numbers)}@web.test"
        return ApiClient(server).signup(email, full_name, PASSWORD)
    return make


def sign_in(page, base: str, client: ApiClient, hash_path: str = "") -> None:
    """Signs `client`'s user in through the sign-in form (then goes to `hash_path`, if given)."""
    page.goto(f"{base}/#/login")
    page.get_by_label("E-mail").fill(client.user["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Challenges").wait_for()
    if hash_path:
        page.goto(f"{base}/#{hash_path}")


def set_query(page, sql: str, within=None) -> None:
    """Replaces the SQL editor's text (inside `within`, a locator, when there are several)."""
    editor = (within or page).locator(".cm-content").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(sql)


def screenshot(page, name: str) -> None:
    """A small PNG of the viewport for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))
