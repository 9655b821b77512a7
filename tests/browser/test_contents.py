"""Folder contents in Chromium: select with shift-click, delete after the
confirmation, reorder from the keyboard and by dragging."""

import threading

import pytest
from playwright.sync_api import expect

from browser.conftest import DESKTOP
from conftest import ADMIN_PASSWORD, Site, build_app

pytestmark = pytest.mark.browser
TITLES = ["Agenda", "Budget", "Calendar", "Directions", "Events", "Forms"]


@pytest.fixture(scope="module")
def box_server():
    """A server of its own (this flow deletes and reorders): /box holds six pages."""
    import waitress
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    app = build_app()
    with Site(app) as site:
        box = site.add("box", Folder("Box"))
        for title in TITLES:
            box.add(title.lower(), Document(title, "", f"<p>{title}</p>"))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    server.task_dispatcher.shutdown()
    thread.join(timeout=10)
    app.db.close()


def titles(page):
    return page.locator("tbody th.item a").all_inner_texts()


def test_select_delete_and_reorder(chromium_browser, box_server, tmp_path):
    context = chromium_browser.new_context(base_url=box_server, **DESKTOP)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/@@login?came_from=%2Fbox%2F%40%40contents")
    page.fill("#login", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/box/@@contents")
    assert titles(page) == TITLES

    # select Budget, then shift-click Calendar: both are selected
    boxes = page.locator("tbody input[name=item]")
    boxes.nth(1).click()
    boxes.nth(2).click(modifiers=["Shift"])
    expect(page.locator(".selected-count")).to_have_text("2 selected")
    assert [boxes.nth(i).is_checked() for i in range(6)] == [
        False, True, True, False, False, False]

    # delete them: the confirmation names them, then they are gone
    page.get_by_role("button", name="Delete…").click()
    expect(page.locator("h1")).to_have_text("Delete 2 items?")
    expect(page.locator(".doomed")).to_contain_text("Budget")
    page.get_by_role("button", name="Delete 2 items").click()
    expect(page.locator(".status-messages")).to_contain_text("Deleted 2 items.")
    assert titles(page) == ["Agenda", "Directions", "Events", "Forms"]

    # keyboard: pick Forms up with Space, two places up, drop with Space
    handle = page.get_by_role("button", name="Reorder “Forms”")
    handle.focus()
    page.keyboard.press("Space")
    expect(page.locator("#contents-live")).to_contain_text("Picked up “Forms”")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#contents-live")).to_have_text("Position 2 of 4.")
    page.keyboard.press("Space")
    expect(page.locator("#contents-live")).to_have_text("Moved “Forms” to position 2.")
    page.reload()
    assert titles(page) == ["Agenda", "Forms", "Directions", "Events"]

    # Escape puts a picked-up row back
    page.get_by_role("button", name="Reorder “Agenda”").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert titles(page) == ["Agenda", "Forms", "Directions", "Events"]

    # drag Events to the top with the mouse
    page.locator("table").scroll_into_view_if_needed()
    grip = page.get_by_role("button", name="Reorder “Events”").bounding_box()
    top = page.locator("tbody tr").first.bounding_box()
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(grip["x"] + 5, top["y"] + top["height"] / 2, steps=8)
    page.mouse.up()
    expect(page.locator("#contents-live")).to_have_text("Moved “Events” to position 1.")
    page.reload()
    assert titles(page) == ["Events", "Agenda", "Forms", "Directions"]

    page.screenshot(path=str(tmp_path / "contents.png"), full_page=True)
    assert errors == []
    context.close()
