"""The wiki in headless Chromium: activate it in @@addons, add a wiki,
edit its FrontPage, follow a "create" link to a new page in
reStructuredText, look at RecentChanges, compare and revert in the
history; then a visitor's view, on a phone."""

import pytest
from playwright.sync_api import expect

from browser.conftest import (DESKTOP, PHONE, activate_addon, console_errors, serve,
                              sign_in)
from conftest import build_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    """A site of its own (the flow changes content); the wiki installed, inactive."""
    app = build_app()
    with serve(app) as url:
        yield url


def test_wiki_flow(chromium_browser, server, tmp_path):
    context = chromium_browser.new_context(base_url=server, **DESKTOP)
    page = context.new_page()
    errors = console_errors(page)
    try:
        sign_in(page)
        activate_addon(page, "cupola_wiki", "Wiki")

        # a wiki, which opens on its FrontPage
        page.goto("/++add++Wiki")
        page.get_by_role("textbox", name="Title", exact=True).fill("Team wiki")
        page.get_by_role("button", name="Save & publish").click()
        expect(page.locator("#wiki-page h1")).to_have_text("FrontPage")
        page.goto("/team-wiki")
        expect(page).to_have_url(f"{server}/team-wiki/front-page")

        # edit it: a link to a page that does not exist yet
        page.locator(".wiki-actions").get_by_role("link", name="Edit").click()
        page.get_by_role("textbox", name="Text").fill("# Welcome\n\nRead the [[Team rules]] first, "
                                       "then RecentChanges.\n\n    CodeStaysCode\n")
        page.get_by_label("Change note").fill("Say where to start")
        page.get_by_role("button", name="Save & publish").click()
        text = page.locator(".wiki-text")
        expect(text.locator("h2")).to_have_text("Welcome")
        missing = text.locator("a.wikilink-missing")
        expect(missing).to_have_text("Team rules")
        expect(text.locator("code")).to_have_text("CodeStaysCode")
        page.screenshot(path=str(tmp_path / "wiki-create-link.png"), full_page=True)

        # the create link opens the add form filled in; write it in reST
        missing.click()
        expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value("Team rules")
        expect(page.locator("[name=_name]")).to_have_value("team-rules")
        page.get_by_role("textbox", name="Text").fill("Rules\n=====\n\n* Be kind.\n* Back to FrontPage.\n")
        page.get_by_label("reStructuredText").check()
        page.get_by_role("button", name="Save & publish").click()
        expect(page).to_have_url(f"{server}/team-wiki/team-rules")
        expect(page.locator(".wiki-text h2")).to_have_text("Rules")
        expect(page.locator(".wiki-text li")).to_have_count(2)

        # the link is a link now; what links here
        page.locator(".wiki-text a.wikilink", has_text="FrontPage").click()
        expect(page.locator(".wiki-text a.wikilink", has_text="Team rules")).to_have_count(1)
        page.goto("/team-wiki/team-rules/@@backlinks")
        expect(page.locator(".wiki-pages a")).to_have_text(["FrontPage"])

        # RecentChanges: newest first, who and the change note
        page.locator(".wiki-bar").get_by_role("link", name="Recent changes").click()
        rows = page.locator(".wiki-changes > li")
        expect(rows.first).to_contain_text("Team rules")
        expect(rows.nth(1)).to_contain_text("Say where to start")
        page.screenshot(path=str(tmp_path / "wiki-recent-changes.png"), full_page=True)

        # the FrontPage's history: compare, then go back to the first text
        rows.nth(1).get_by_role("link", name="changes").click()
        expect(page.locator(".diff-field ins").filter(has_text="Team")).not_to_have_count(0)
        expect(page.locator(".diff-field del").filter(has_text="Edit this page")).not_to_have_count(0)
        page.goto("/team-wiki/front-page")
        page.locator(".wiki-actions").get_by_role("link", name="History").click()
        oldest = page.locator(".timeline > li").last
        oldest.get_by_text("Revert to this…").click()
        oldest.get_by_role("button", name="Revert to revision 1").click()
        expect(page.locator(".status-messages")).to_contain_text("Reverted to revision 1")
        page.goto("/team-wiki/front-page")
        expect(page.locator(".wiki-text")).to_contain_text("Welcome to this wiki.")

        # search inside the wiki
        page.locator(".wiki-bar input[type=search]").fill("kind")
        page.locator(".wiki-bar").get_by_role("button", name="Search").click()
        expect(page.locator(".results a.result-title")).to_have_text(["Team rules"])
        assert not errors, errors
    finally:
        context.close()

    # a visitor on a phone: published pages, no create links, nothing too wide
    phone = chromium_browser.new_context(base_url=server, **PHONE)
    visitor = phone.new_page()
    try:
        visitor.goto("/team-wiki/team-rules")
        expect(visitor.locator("#wiki-page h1")).to_have_text("Team rules")
        expect(visitor.locator("a.wikilink-missing")).to_have_count(0)
        expect(visitor.locator(".wiki-actions a", has_text="Edit")).to_have_count(0)
        assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
        visitor.screenshot(path=str(tmp_path / "wiki-phone.png"), full_page=True)
    finally:
        phone.close()
