"""Browser test set-up: the app served on a loopback port by a real WSGI server, and
headless Chromium (Debian's, never a downloaded one) driven by Playwright."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from shared.extensions import db
from tests import factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots and other things for people to look at; git-ignored.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    """Every test in this folder drives a browser; fail loudly if one forgets to say so."""
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).parent == here:
            assert item.get_closest_marker("browser"), f"{item.nodeid} must be marked @pytest.mark.browser"


class _QuietRequestHandler(WSGIRequestHandler):
    """Logs errors, not every request: a page and its assets would bury a failure."""

    def log_request(self, code="-", size="-"):
        pass


@contextmanager
def serve(app, port: int = 0) -> Iterator[str]:
    """Serve `app` on a loopback port (a free one unless given) until the block ends;
    yields its base URL."""
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(
        target=server.serve_forever, name=f"live-server-{server.server_port}", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()  # close the pooled connections the server's threads used


@pytest.fixture(scope="session")
def live_server(app):
    """The app on a free loopback port, for the whole run; yields its base URL. Each
    test's data is still emptied afterwards by the autouse `_clean_database`."""
    with serve(app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """Makes fresh browser contexts (separate cookies: one per person) on the live
    server, or on another server given by its base URL, and closes them all after the
    test."""
    contexts = []

    def make(base_url: str = live_server):
        context = browser.new_context(base_url=base_url, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in reversed(contexts):
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh browser context of its own."""
    return new_context().new_page()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _sign_in(page, sign_in_path: str, landing: str, email: str, password: str) -> None:
    page.goto(sign_in_path)
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#submit").click()
    page.wait_for_url(landing)


def staff_password_step(page, email: str, landing: str, password: str = factories.PASSWORD) -> None:
    """The first step of a member of staff's sign-in, up to the second step at `landing`
    (the code page, or setting up the authenticator app)."""
    _sign_in(page, "/backoffice/sign-in", landing, email, password)


def staff_sign_in(page, email: str, password: str = factories.PASSWORD) -> None:
    """Password, then a code from the authenticator key the factories gave the member."""
    staff_password_step(page, email, "**/backoffice/sign-in/code", password)
    totp = pyotp.TOTP(factories.totp_secret(email))
    for attempt in range(2):
        page.locator("#code").fill(totp.now())
        page.locator("#submit").click()
        try:
            page.wait_for_url("**/backoffice/cases", timeout=5_000)
            return
        except PlaywrightTimeoutError:
            if attempt:
                raise
            # This 30-second step's code was used already: wait for the next one.
            time.sleep(31 - time.time() % 30)


def victim_sign_in(page, email: str, password: str = factories.PASSWORD) -> None:
    _sign_in(page, "/sign-in", "**/cases", email, password)
