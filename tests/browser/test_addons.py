"""@@addons in Chromium: activate an add-on, use it, deactivate it; phone width."""

import sys

import pytest

from addon_fixtures import ADDONS, forget
from conftest import build_app

from .conftest import DESKTOP, PHONE, serve, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def addon_server():
    """A site with the greetings fixture add-on installed, not active."""
    sys.path.insert(0, str(ADDONS))
    try:
        app = build_app(addons="greetings", discover_addons="false")
        with serve(app) as url:
            yield url
    finally:
        sys.path.remove(str(ADDONS))
        forget("greetings")


def signed_in(chromium_browser, base, device=DESKTOP):
    context = chromium_browser.new_context(base_url=base, **device)
    page = context.new_page()
    sign_in(page, came_from="/@@addons")
    return context, page


def test_activate_use_and_deactivate(chromium_browser, addon_server):
    context, page = signed_in(chromium_browser, addon_server)
    try:
        row = page.locator("#addon-greetings")
        assert row.locator(".badge").inner_text() == "Inactive"
        row.get_by_role("button", name="Activate").click()
        page.wait_for_url("**/@@addons")
        assert "Activated Greetings." in page.locator("main").inner_text()
        assert row.locator(".badge").inner_text() == "Active"
        page.goto("/welcome/@@shout")
        assert page.locator("#shout").inner_text() == "WELCOME TO CUPOLA!"
        page.goto("/@@addons")
        row.get_by_role("button", name="Deactivate").click()
        page.wait_for_url("**/@@addons")
        assert "Its content is kept." in page.locator("main").inner_text()
        assert page.goto("/welcome/@@shout").status == 404
    finally:
        context.close()


def test_fits_a_phone(chromium_browser, addon_server):
    context, page = signed_in(chromium_browser, addon_server, PHONE)
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        button = page.locator("#addon-greetings button").bounding_box()
        assert button["height"] >= 24 and button["x"] + button["width"] <= 390
    finally:
        context.close()
