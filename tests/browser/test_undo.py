"""Undo in headless Chromium: a page is deleted, the manager finds the change
in @@undo in plain words, looks at what it touched, undoes it, and the page
is back. Then @@settings: the filter box narrows the form."""

import pytest
from playwright.sync_api import expect

from browser.conftest import DESKTOP, PHONE, console_errors, serve, sign_in
from conftest import Site, build_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A site of its own on FileStorage (memory:// keeps no history to undo)."""
    folder = tmp_path_factory.mktemp("undo-site")
    app = build_app(zodb_uri=f"file://{folder}/Data.fs")
    with serve(app) as url:
        yield app, url


def test_delete_then_undo_it(chromium_browser, server, tmp_path):
    app, url = server
    from cupola.content import operations
    context = chromium_browser.new_context(base_url=url, **DESKTOP)
    page = context.new_page()
    try:
        sign_in(page)
        with Site(app) as site:  # as the delete button would
            site._p_jar.transaction_manager.get().user = "admin"
            operations.delete(site["welcome"])
        assert page.goto("/welcome").status == 404

        page.goto("/@@undo")
        expect(page.locator(".undo-row").nth(1).locator(".undo-what")).to_have_text("Signed in")
        row = page.locator(".undo-row").first
        expect(row.locator(".undo-what")).to_have_text("Deleted Page “Welcome to Cupola” from /")
        expect(row).to_contain_text("Site administrator (admin)")
        expect(row.locator(".undo-status")).to_have_text("Can be undone")

        row.get_by_role("link", name="What it touched").click()
        details = page.locator(".undo-details")
        expect(details).to_contain_text("No longer in the site (it was called “welcome”)")
        expect(details).to_contain_text("internal records")

        page.locator(".undo-row.open").get_by_role("checkbox").check()
        page.get_by_role("button", name="Undo selected").first.click()
        expect(page.locator(".status-messages")).to_contain_text(
            "Undid 1 change: Deleted Page “Welcome to Cupola” from /")
        first = page.locator(".undo-row").first
        expect(first.locator(".undo-what")).to_have_text(
            "Undid: Deleted Page “Welcome to Cupola” from /")
        page.screenshot(path=str(tmp_path / "undo.png"), full_page=True)

        response = page.goto("/welcome")
        assert response.status == 200
        expect(page.locator("h1")).to_have_text("Welcome to Cupola")
        page.screenshot(path=str(tmp_path / "undo-page-back.png"))
    finally:
        context.close()


def test_admin_pages_fit_a_phone_and_settings_filter(chromium_browser, server, tmp_path):
    app, url = server
    context = chromium_browser.new_context(base_url=url, **PHONE)
    page = context.new_page()
    problems = console_errors(page)
    try:
        sign_in(page)
        for path in ("/@@undo", "/@@database", "/@@settings"):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["viewport"]["width"], f"{path} is {width}px wide"
            boxes = page.locator("main input[type=checkbox]").evaluate_all(
                "els => els.map(e => e.getBoundingClientRect().toJSON())")
            assert all(b["width"] >= 24 and b["height"] >= 24 for b in boxes), path

        # the filter box appears with the script and narrows the form
        box = page.get_by_placeholder("Find a setting")
        expect(box).to_be_visible()
        box.fill("smtp")
        expect(page.get_by_label("Mail server (SMTP)")).to_be_visible()
        expect(page.get_by_label("Title")).to_be_hidden()
        expect(page.locator("legend", has_text="Recycle bin")).to_be_hidden()
        box.fill("zz-nothing")
        expect(page.get_by_text("No setting matches.")).to_be_visible()
        box.fill("")
        expect(page.get_by_label("Title")).to_be_visible()
        page.screenshot(path=str(tmp_path / "settings-phone.png"), full_page=True)
        assert problems == []
    finally:
        context.close()
