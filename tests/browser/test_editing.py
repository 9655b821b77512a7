"""Adding and editing in Chromium: sign in, add a folder and a page in it
with "Save & publish", edit the page, and see the change as Anonymous."""

import re
import threading

import pytest
from playwright.sync_api import expect

from browser.conftest import DESKTOP
from conftest import ADMIN_PASSWORD, build_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def edit_server():
    """A server of its own: this flow adds content at the top of the site."""
    import waitress
    app = build_app()
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    server.task_dispatcher.shutdown()
    thread.join(timeout=10)
    app.db.close()


def make_png(path):
    from PIL import Image
    Image.new("RGB", (64, 40), (30, 120, 200)).save(path)


def messages(page):
    return page.locator(".status-messages p").all_inner_texts()


def test_add_publish_edit_and_view_as_anonymous(chromium_browser, edit_server, tmp_path):
    context = chromium_browser.new_context(base_url=edit_server, **DESKTOP)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto("/@@login")
    page.fill("#login", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(edit_server + "/")
    toolbar = page.get_by_role("navigation", name="Editing")
    expect(toolbar).to_be_visible()

    # Add a folder from the toolbar's Add menu, published at once
    toolbar.get_by_text("Add", exact=True).click()
    toolbar.get_by_role("link", name=re.compile(r"^Folder")).click()
    expect(page.locator("h1")).to_have_text("Add Folder")
    page.get_by_label("Title").fill("Trips")
    page.get_by_role("button", name="Save & publish").click()
    page.wait_for_url("**/trips")
    assert messages(page) == ["Folder “Trips” created and published."]
    expect(page.locator(".toolbar-state .badge")).to_have_text("Published")

    # An image in the folder, uploaded through the add form
    photo = tmp_path / "lake.png"
    make_png(photo)
    page.get_by_role("navigation", name="Editing").get_by_text("Add", exact=True).click()
    page.get_by_role("navigation", name="Editing").get_by_role("link", name=re.compile(r"^Image")).click()
    page.get_by_label("Title").fill("The lake")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Save", exact=True).click()  # images follow their folder
    page.wait_for_url("**/trips/the-lake")
    assert messages(page) == ["Image “The lake” created."]
    page.goto("/trips")

    # Add a page inside it: Add -> title and text -> Save & publish (3 clicks)
    page.get_by_role("navigation", name="Editing").get_by_text("Add", exact=True).click()
    page.get_by_role("navigation", name="Editing").get_by_role("link", name=re.compile(r"^Page")).click()
    page.get_by_label("Title").fill("Lake day")
    rich = page.locator("form[data-editor-src]").count() > 0  # built by `make editor`
    if not rich:
        page.locator("#field-text").fill(
            "<p>We swim at <strong>ten</strong>.</p>"
            "<p><img src='/trips/the-lake/@@inline' alt='The lake at dawn'></p>")
    else:
        editor = page.locator(".rte-content[contenteditable=true]")
        editor.click()
        page.keyboard.type("We swim at ")
        formatting = page.get_by_role("toolbar", name="Formatting")
        formatting.get_by_role("button", name="Bold").click()
        page.keyboard.type("ten")
        formatting.get_by_role("button", name="Bold").click()
        page.keyboard.type(".")
        answers = iter(["/trips/the-lake/@@inline", "The lake at dawn"])  # address, then alt

        def answer(dialog):
            dialog.accept(next(answers))
        page.on("dialog", answer)
        formatting.get_by_role("button", name="Image").click()
        expect(editor.locator("img")).to_have_attribute("alt", "The lake at dawn")
        page.remove_listener("dialog", answer)

    # Related items: browse the site in the dialog and choose the image
    page.locator("summary", has_text="Related").click()
    page.get_by_role("link", name="Browse the site…").click()
    dialog = page.get_by_role("dialog", name="Choose an item")
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Trips").click()
    expect(dialog.locator(".picker-crumbs")).to_contain_text("Trips")
    dialog.get_by_role("button", name="Choose The lake").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".reference-list")).to_contain_text("/trips/the-lake")

    page.get_by_role("button", name="Save & publish").click()
    page.wait_for_url("**/trips/lake-day")
    assert messages(page) == ["Page “Lake day” created and published."]
    expect(page.locator(".prose p").first).to_have_text("We swim at ten.")
    expect(page.locator(".prose strong")).to_have_text("ten")
    image = page.locator(".prose img")
    expect(image).to_have_attribute("alt", "The lake at dawn")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 64
    expect(page.locator(".related-items a")).to_have_text(["The lake"])

    # Edit it; leaving with unsaved changes would warn (the form is dirty)
    page.get_by_role("navigation", name="Editing").get_by_role("link", name="Edit").click()
    expect(page.locator("h1")).to_have_text("Edit Page")
    page.get_by_label("Title").fill("Lake day (moved to eleven)")
    expect(page.locator(".save-state")).to_have_text("Unsaved changes")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/trips/lake-day")
    assert messages(page) == ["Changes saved."]

    # What a visitor sees
    page.get_by_role("navigation", name="Editing").get_by_role(
        "link", name="View as anonymous").click()
    expect(page.locator(".toolbar-anonymous")).to_contain_text("not signed in")
    expect(page.locator("h1")).to_have_text("Lake day (moved to eleven)")
    expect(page.get_by_role("navigation", name="Editing")).to_have_count(0)

    anonymous = chromium_browser.new_context(base_url=edit_server, **DESKTOP).new_page()
    anonymous.goto("/trips/lake-day")
    expect(anonymous.locator("h1")).to_have_text("Lake day (moved to eleven)")
    expect(anonymous.get_by_role("navigation", name="Editing")).to_have_count(0)
    anonymous.context.close()

    page.get_by_role("link", name="Back to normal view").click()
    expect(page.get_by_role("navigation", name="Editing")).to_be_visible()
    page.screenshot(path=str(tmp_path / "editing.png"), full_page=True)
    assert errors == []
    context.close()
