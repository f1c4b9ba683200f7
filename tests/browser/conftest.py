"""Headless Chromium through Playwright, always Debian's /usr/bin/chromium (never a download)."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures in
# that same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    # The app's service worker (static/js/sw.js) is kept out of the other journeys: requests it
    # answers would escape page.route(). tests/browser/test_pwa_offline.py allows it.
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}, service_workers="block"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    # Unload the page while the test database still exists: a SCORM runtime reports on unload,
    # and a request reaching the live server after the test would hit a flushed database.
    page.goto("about:blank")
    page.wait_for_timeout(300)
    context.close()


@pytest.fixture(autouse=True)
def _rows_of_the_data_migrations(request):
    """The city's rubric and the catalogue of record kinds come from data migrations; a test that
    runs after another transactional test finds them flushed, so they are put back first."""
    if "live_server" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps
    from django.core.cache import cache

    from reviews.models import Criterion, Rubric
    from reviews.rubrics import rubric_ensure_default

    rubric_ensure_default(Rubric, Criterion)
    importlib.import_module("submissions.migrations.0009_record_kinds").add_kinds(apps, None)
    cache.clear()


def pytest_collection_modifyitems(config, items):
    # Every test here drives Chromium: marked `browser`, so CI runs them once (on SQLite) and
    # deselects them on its PostgreSQL run (`-m "not browser"`), where they would test nothing new.
    for item in items:
        if "tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def login(page, live_server, username, password="hoclieu2026"):
    """Signs in through the real login form and waits for the home page."""
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
