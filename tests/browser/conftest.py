"""Fixtures for the browser tests: a live Cupola server and headless Chromium.

The server is a real Cupola Application (``build_app`` from tests/conftest.py)
on a memory:// database, served by waitress from a daemon thread on a free
port; the browser is Debian's Chromium driven by Playwright.

tests/browser is a package (it has an ``__init__.py``) so that this module is
imported as ``browser.conftest``: a second top-level module named ``conftest``
would replace tests/conftest.py in ``sys.modules`` and break the
``from conftest import publish, ...`` lines of the other test folders.
"""

import contextlib
import os
import threading
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from conftest import ADMIN_PASSWORD, Site, build_app, publish

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True}

# Rich text that tends to overflow narrow screens: a wide table, long code,
# an unbroken word, an image with big width and height attributes.
WIDE_TEXT = (
    "<p>A paragraph with a very long word: "
    "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamten.</p>"
    "<h2>Figures</h2>"
    "<table><thead><tr><th>Planet</th><th>Distance from the Sun (AU)</th>"
    "<th>Moons</th><th>Notes</th></tr></thead><tbody>"
    "<tr><td>Mercury</td><td>0.39</td><td>0</td><td>Closest to the Sun</td></tr>"
    "<tr><td>Jupiter</td><td>5.20</td><td>95</td>"
    "<td>Largest planet in the solar system</td></tr></tbody></table>"
    "<pre><code>def hello(name):\n    return f'Hello, {name}! This line of code is much"
    " longer than a phone screen is wide, so it has to scroll in its box.'</code></pre>"
    "<blockquote><p>We are made of star-stuff.</p></blockquote>"
    "<p><img src='/++resource++cupola/favicon.svg' alt='A wide picture'"
    " width='1600' height='900'></p>"
)


def _seed(app):
    """Content enough for a realistic look: long prose, a batched folder."""
    from cupola.content.document import Document
    with Site(app) as site:
        site["welcome"].text = site["welcome"].text + WIDE_TEXT
        news = site["news"]
        for n in range(1, 26):
            publish(news.add(f"item-{n}", Document(
                f"News item number {n}", "A short summary of what happened.",
                f"<p>Story {n}.</p>")))


@contextlib.contextmanager
def serve(app, threads=2):
    """Serve *app* with waitress from a daemon thread on a free port; yield
    its base URL. On exit the server stops and the app's database closes."""
    import waitress
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, name="cupola-live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=10)
        app.db.close()


def sign_in(page, login="admin", password=ADMIN_PASSWORD, came_from=""):
    """Sign in through the login form as a person would, then wait for the
    page the form sends to (*came_from*, else the site root) and for the
    signed-in user menu (its Sign out button)."""
    query = f"?came_from={quote(came_from, safe='')}" if came_from else ""
    page.goto(f"/@@login{query}")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.locator("form.form").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{came_from or '/'}")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(1)


def console_errors(page):
    """A list that the page's console errors are added to as they come."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def activate_addon(page, name, title):
    """Activate the add-on *name* on @@addons (signed in as admin)."""
    page.goto("/@@addons")
    page.locator(f"#addon-{name}").get_by_role("button", name="Activate").click()
    expect(page.locator(".status-messages")).to_contain_text(f"Activated {title}.")


@pytest.fixture(scope="session")
def live_server():
    """Base URL of a Cupola site served by waitress in a background thread."""
    app = build_app()
    _seed(app)
    with serve(app, threads=4) as url:
        yield url


@pytest.fixture(scope="session")
def chromium_browser():
    """Headless Chromium (Debian's package, not Playwright's download).

    Not named ``browser``: that name belongs to pytest-playwright, whose
    fixtures would download and launch their own browser.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium "
                    "(make chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(chromium_browser, live_server):
    """open_page(path, device=DESKTOP) -> (page, response) in a fresh context.

    Each call gets its own browser context (no shared cookies). The page
    collects what went wrong while loading: ``page.console_messages`` and
    ``page.failed_resources`` (stylesheets, images... answered with >= 400).
    """
    contexts = []

    def open_(path="/", device=DESKTOP):
        context = chromium_browser.new_context(base_url=live_server, **device)
        contexts.append(context)
        page = context.new_page()
        page.console_messages = []
        page.failed_resources = []
        page.on("console", lambda msg: page.console_messages.append(msg.text))
        page.on("response", lambda r: page.failed_resources.append(r.url) if (
            r.status >= 400 and r.request.resource_type != "document") else None)
        response = page.goto(path)
        return page, response

    yield open_
    for context in contexts:
        context.close()
