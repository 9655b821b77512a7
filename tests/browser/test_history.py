"""History and recycle bin in headless Chromium: edit twice, compare, revert,
delete, restore from the bin."""

import pytest
from playwright.sync_api import expect

from browser.conftest import DESKTOP, serve, sign_in
from conftest import Site, build_app

pytestmark = pytest.mark.browser

PAGE = "/news/minutes"


@pytest.fixture(scope="module")
def server():
    """A site of its own (this flow changes content), with /news/minutes
    created and edited once through the content operations."""
    from cupola.content import operations as ops
    app = build_app()
    with Site(app) as site:
        ops.create(app.registry, site["news"], "Document",
                   {"title": "Minutes", "text": "<p>The board met on Monday.</p>"
                    "<p>The budget was approved.</p>"}, creator="admin")
    with Site(app) as site:
        ops.edit(app.registry, site["news"]["minutes"],
                 {"text": "<p>The board met on Tuesday.</p>"
                  "<p>The budget was approved.</p>"},
                 actor="admin", comment="Wrong day")
    with serve(app) as url:
        yield url


def test_edit_compare_revert_delete_restore(chromium_browser, server, tmp_path):
    context = chromium_browser.new_context(base_url=server, **DESKTOP)
    page = context.new_page()
    try:
        sign_in(page)

        # the second edit, through the edit form, with a change note
        page.goto(f"{PAGE}/@@edit")
        page.get_by_role("textbox", name="Title", exact=True).fill("Minutes of the board")
        page.get_by_label("Change note").fill("A clearer title")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".status-messages")).to_contain_text("Changes saved.")

        # the history: newest first, in words
        page.get_by_role("link", name="History", exact=True).first.click()
        expect(page.locator("h1")).to_have_text("History")
        entries = page.locator(".timeline > li")
        expect(entries.first).to_contain_text("Site administrator changed Title")
        expect(entries.first).to_contain_text("A clearer title")
        expect(entries.nth(1)).to_contain_text("changed Body text")

        # what the first edit changed, word by word
        entries.nth(1).get_by_role("link", name="Compare with previous").click()
        body = page.locator(".diff-field", has_text="Body text")
        expect(body.locator("del")).to_have_text("Monday")
        expect(body.locator("ins")).to_have_text("Tuesday")

        # any two revisions, from the form on the history page
        page.goto(f"{PAGE}/@@history")
        page.get_by_label("Older").select_option("1")
        page.get_by_label("Newer").select_option("3")
        page.get_by_role("button", name="Compare").click()
        expect(page.locator("h1")).to_have_text("Revision 1 → 3")
        expect(page.locator(".diff-field h2")).to_have_text(["Title", "Body text"])

        # back to revision 1, confirmed in the same form
        page.goto(f"{PAGE}/@@history")
        oldest = page.locator(".timeline > li").last
        oldest.get_by_text("Revert to this…").click()
        oldest.get_by_label("Comment").fill("As first written")
        oldest.get_by_role("button", name="Revert to revision 1").click()
        expect(page.locator(".status-messages")).to_contain_text("Reverted to revision 1")
        expect(page.locator(".timeline > li").first).to_contain_text(
            "reverted it to revision 1")

        # delete the page, then bring it back from the recycle bin
        page.goto(PAGE)
        expect(page.locator("h1")).to_have_text("Minutes")
        page.get_by_role("link", name="Delete…").click()
        page.locator(".confirm").get_by_role("button", name="Delete").click()
        expect(page.locator(".status-messages")).to_contain_text("Deleted “Minutes”")
        page.goto("/@@trash")
        row = page.locator(".trash-table tbody tr", has_text="Minutes")
        expect(row).to_contain_text("News")
        row.get_by_role("button", name="Restore").click()
        expect(page.locator(".status-messages")).to_contain_text(
            "Restored “Minutes” to /news/minutes.")
        expect(page.locator(".empty")).to_have_text("The recycle bin is empty.")
        page.goto(f"{PAGE}/@@history")
        expect(page.locator(".timeline > li").first).to_contain_text(
            "restored it from the recycle bin")
        page.screenshot(path=str(tmp_path / "history-after-restore.png"), full_page=True)
    finally:
        context.close()
