"""Browser fixtures: one headless Chromium for the whole run, a fresh context for each test.

Two checks run after every browser test:
- no page asked for anything from another host (the app must never leak a visit to a CDN,
  font service or tracker; see DOMAIN.md), and
- every app page the test visited was checked with axe and had no serious or critical problem.
"""

import os
import threading
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from incidents.models import User

# Playwright's sync API keeps an event loop running in the test thread, and Django refuses
# database calls from a thread with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class OneRequestAtATime(ThreadedWSGIServer):
    """The browser tests' server: its threads share the test's one in-memory SQLite connection
    (Django shares it so they see the test's data), so two requests writing at once (a page's
    thumbnails, each logged as shown) collide on it with "database table is locked". A real
    server has a connection per process and a busy timeout, and never sees this; here the app
    is handed one request at a time, while connections (keep-alive) stay on their own threads."""

    _lock = threading.Lock()

    def set_app(self, application):
        def app(environ, start_response):
            with self._lock:
                return application(environ, start_response)

        super().set_app(app)


LiveServerThread.server_class = OneRequestAtATime

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

# What the browser is shown instead of the real quick-exit site: the tests never go online.
# The empty icon stops the browser from asking that host for a favicon.
NEUTRAL_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Welcome</title>'
    '<link rel="icon" href="data:,"></head><body><p>An ordinary page.</p></body></html>'
)
SERIOUS = {"serious", "critical"}

expect.set_options(timeout=5_000)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class NetworkGuard:
    """Lets requests to the live server through; blocks and records everything else."""

    def __init__(self, origin: str):
        self.origin = origin
        self.offsite: list[str] = []
        # Only the quick-exit tests set this: they need the exit to land somewhere.
        self.fulfil_quick_exit = False

    def handle(self, route: Route) -> None:
        request = route.request
        if _origin(request.url) == self.origin:
            route.continue_()
        elif self.fulfil_quick_exit and request.url == settings.QUICK_EXIT_URL:
            route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)
        else:
            self.offsite.append(f"{request.method} {request.url}")
            route.abort("blockedbyclient")


class AccessibilityAudit:
    """Runs axe on a page; remembers which app pages were shown and which were checked."""

    def __init__(self, origin: str):
        self.origin = origin
        self.axe = Axe()
        self.visited: list[str] = []
        self.checked: set[str] = set()

    def watch(self, page: Page) -> None:
        def on_navigated(frame) -> None:
            if frame == page.main_frame and _origin(frame.url) == self.origin:
                self.visited.append(frame.url)

        page.on("framenavigated", on_navigated)

    def __call__(self, page: Page) -> None:
        # Let the page settle (styles, deferred scripts) so that contrast is judged correctly.
        page.wait_for_load_state("load")
        results = self.axe.run(page)
        self.checked.add(page.url)
        serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
        assert not serious, f"Accessibility problems on {page.url}:\n{_report(serious)}"

    def unchecked(self) -> list[str]:
        return sorted({url for url in self.visited if url not in self.checked})


def _report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"      {summary_line.strip()}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def network(live_server) -> NetworkGuard:
    return NetworkGuard(_origin(live_server.url))


@pytest.fixture
def a11y(live_server) -> AccessibilityAudit:
    """Call a11y(page) on every page a test shows; the teardown fails if one was skipped."""
    return AccessibilityAudit(_origin(live_server.url))


def _open_page(browser, live_server, network, a11y, **options) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(5_000)
    context.route("**/*", network.handle)
    page = context.new_page()
    a11y.watch(page)
    yield page
    context.close()
    assert not network.offsite, "Requests to other hosts:\n" + "\n".join(network.offsite)
    assert not a11y.unchecked(), f"Pages shown without an accessibility check: {a11y.unchecked()}"


@pytest.fixture
def page(browser, live_server, network, a11y) -> Iterator[Page]:
    """A desktop-sized browser tab."""
    yield from _open_page(browser, live_server, network, a11y)


@pytest.fixture
def phone(browser, live_server, network, a11y) -> Iterator[Page]:
    """A small phone: 360 px wide, touch screen."""
    yield from _open_page(browser, live_server, network, a11y, **PHONE)


@pytest.fixture
def sign_in(live_server) -> Callable[[Page, User], None]:
    """Sign a browser in without the form: a session made on the server, handed over as a cookie."""

    def sign_in(page: Page, user: User) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
        page.context.add_cookies([cookie])

    return sign_in
