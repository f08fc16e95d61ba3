"""A live server on its own committed database (seeded with the demo district)
and Debian's Chromium driven by Playwright on a phone-sized touch screen."""
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from grid.demo import seed_demo
from grid.extensions import db
from tests.conftest import database_url, make_migrated_app

CHROMIUM = os.environ.get("GRID_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which
# this machine's closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.own_database)


@pytest.fixture(scope="session")
def live_server():
    app = make_migrated_app(database_url("_browser"), TESTING=False)
    with app.app_context():
        seed_demo()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, live_server, *, timeout_ms: int, **options):
    """A new browser context and page that collects JavaScript errors in `page.js_errors`."""
    context = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.js_errors = errors
    return context, page


@pytest.fixture
def phone(browser, live_server):
    context, page = open_page(
        browser, live_server, timeout_ms=10_000, viewport={"width": 360, "height": 740}, device_scale_factor=2,
        is_mobile=True, has_touch=True,
        geolocation={"latitude": 30.29, "longitude": 120.16}, permissions=["geolocation"],
    )
    yield page
    context.close()


@pytest.fixture
def desk(browser, live_server):
    """A desktop browser (street office and administrator pages); touch as well
    as a mouse, since the shared log_in helper taps."""
    context, page = open_page(browser, live_server, timeout_ms=15_000, viewport={"width": 1366, "height": 860},
                              has_touch=True)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
