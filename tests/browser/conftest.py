"""One demo catalogue served on 127.0.0.1 and one Chromium (Debian's, driven by Playwright) per session."""
from __future__ import annotations

import functools
import subprocess
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from support import http_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
NODE_MODULES = ROOT / "node_modules"
HARNESS = Path(__file__).parent / "viewers"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"  # add_init_script(path=str(AXE)) on a page to check
SERIOUS = ("serious", "critical")
expect.set_options(timeout=30_000)  # a shared 2-core machine: wait for conditions, generously

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def server(demo_app):
    """The demo served by a threaded WSGI server on a free port of 127.0.0.1."""
    httpd = http_server(demo_app)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()  # the listening socket too, or it is an unclosed-socket ResourceWarning


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def viewers(tmp_path_factory) -> str:
    """The four IIIF viewers from npm, each on a tiny page of tests/browser/viewers/, served from another
    origin of 127.0.0.1 than Vitrine (as a visitor's own viewer is): /harness/, /npm/ and /build/ (Clover,
    which npm ships only as React modules, bundled with esbuild)."""
    root = tmp_path_factory.mktemp("viewers")
    (root / "harness").symlink_to(HARNESS)
    (root / "npm").symlink_to(NODE_MODULES)
    subprocess.run([str(NODE_MODULES / ".bin" / "esbuild"), str(HARNESS / "clover.js"), "--bundle", "--minify",
                    "--format=iife", "--define:process.env.NODE_ENV=\"production\"", "--log-level=warning",
                    f"--outfile={root / 'build' / 'clover.js'}"], check=True, timeout=120)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()  # the listening socket too, or it is an unclosed-socket ResourceWarning


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Debian's Chromium with a fresh profile; never a browser Playwright downloads."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}, locale="en-GB",
        )
        yield context
        context.close()


def new_tab(browser, *, axe: bool = False, console: bool = True) -> Page:
    """A new tab with no cookies (no session, no remembered language); its page errors, and with
    ``console`` its console errors, are in ``tab.errors``; with ``axe``, axe-core is loaded in every page."""
    browser.clear_cookies()
    tab = browser.new_page()
    tab.set_default_timeout(30_000)
    if axe:
        tab.add_init_script(path=str(AXE))
    tab.errors = []
    if console:
        tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    return tab


@pytest.fixture
def page(browser, server) -> Page:
    """A new tab (:func:`new_tab`) while the demo server runs."""
    tab = new_tab(browser)
    yield tab
    tab.close()


def screenshot(page: Page, name: str, full_page: bool = True) -> None:
    """Keep what a person saw, for CI's artifacts (the whole page, or only what the window shows)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def until(condition: Callable[[], object], timeout: float = 20.0, message: str = "condition", page: Page | None = None):
    """Poll ``condition`` until it returns something true (for what the DOM cannot signal).

    ``page``: the page whose event handlers feed what ``condition`` reads (its responses). Playwright's
    sync API delivers events only while it is being called, so such a wait must be the page's own
    (``wait_for_timeout``): a plain sleep lets a response that came after the last call go unheard."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        if page is not None:
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)


@pytest.fixture
def curator_tab(browser):
    """A fresh tab, signed out (no cookies), with axe-core loaded and page errors collected."""
    page = new_tab(browser, axe=True, console=False)
    yield page
    page.close()


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (AXE must be loaded)."""
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
    }""")
    return [f"{page.url} ({page.viewport_size['width']}px) {v['impact']} {v['id']}: {v['help']} @ {v['targets']}"
            for v in found if v["impact"] in SERIOUS]


def sign_in_page(page: Page, base: str, name: str, password: str) -> None:
    """Sign in on the real login page, as a person would, and wait for the curator bar."""
    page.goto(f"{base}/curate/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("nav.curate-nav")).to_be_visible()
