"""Admin flows in headless Chromium, as a person walks them: share a folder
with a user who then edits inside it; manage a user from adding to deleting;
override a template in the custom layer (and see a broken one refused)."""

import pytest
from playwright.sync_api import expect

from browser.conftest import DESKTOP, serve, sign_in
from conftest import Site, build_app, publish

pytestmark = pytest.mark.browser

USER_PASSWORD = "erin-has-a-long-password"


@pytest.fixture(scope="module")
def server():
    """A site of its own: a published /projects folder with one page, a user
    with no role but Member, and a group to join."""
    from cupola.content import operations as ops
    from cupola.security.users import add_group, add_user
    app = build_app()
    with Site(app) as site:
        folder = ops.create(app.registry, site, "Folder", {"title": "Projects"})
        page = ops.create(app.registry, folder, "Document",
                          {"title": "Roadmap", "text": "<p>Plans for the year.</p>"})
        publish(folder, page)
        add_user(site, "erin", USER_PASSWORD, roles=("Member",), fullname="Erin Example")
        add_group(site, "reviewers", "Reviewers", roles=("Reviewer",))
    with serve(app, threads=4) as url:
        yield url


@pytest.fixture
def new_page(chromium_browser, server):
    """new_page() -> a page in a fresh browser context; page errors collected."""
    contexts = []

    def make():
        context = chromium_browser.new_context(base_url=server, **DESKTOP)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()


def messages(page):
    return page.locator(".status-messages p")


def test_share_a_folder_with_a_user_who_then_edits_inside(new_page, tmp_path):
    admin = new_page()
    sign_in(admin)
    admin.goto("/projects")
    admin.get_by_role("navigation", name="Editing").get_by_role("link", name="Sharing").click()
    expect(admin.locator("h1")).to_have_text("Sharing")
    admin.get_by_label("Find users and groups").fill("erin")
    admin.get_by_role("button", name="Find").click()
    row = admin.locator("table.sharing tbody tr", has_text="erin")
    row.get_by_label("Editor for erin").check()
    admin.locator(".sharing-form").get_by_role("button", name="Save").click()
    expect(messages(admin)).to_have_text(["Saved the sharing settings."])
    expect(admin.locator("table.sharing tbody tr", has_text="erin")
           .get_by_label("Editor for erin")).to_be_checked()

    erin = new_page()
    sign_in(erin, "erin", USER_PASSWORD)
    erin.goto("/projects/roadmap")
    toolbar = erin.get_by_role("navigation", name="Editing")
    toolbar.get_by_role("link", name="Edit").click()
    erin.get_by_role("textbox", name="Title", exact=True).fill("Roadmap for 2027")
    erin.get_by_role("button", name="Save", exact=True).click()
    expect(messages(erin)).to_have_text(["Changes saved."])
    expect(erin.locator("h1")).to_have_text("Roadmap for 2027")
    # the role is local: outside the folder erin may not edit
    response = erin.goto("/welcome/@@edit")
    assert response.status == 403
    erin.goto("/projects/roadmap")
    erin.screenshot(path=str(tmp_path / "shared-folder-edited-by-erin.png"), full_page=True)
    assert admin.errors == [] and erin.errors == []


def test_manage_a_user(new_page, tmp_path):
    page = new_page()
    sign_in(page)
    page.goto("/@@users")
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Login").fill("frank")
    page.get_by_label("Full name").fill("Frank Field")
    page.get_by_label("E-mail").fill("frank@example.org")
    page.get_by_label("Password", exact=True).fill("river-stone-lantern-7")
    page.get_by_label("Password again").fill("river-stone-lantern-7")
    page.get_by_role("checkbox", name="Editor").check()
    page.get_by_role("button", name="Add user").click()
    expect(messages(page)).to_contain_text("frank")
    row = page.locator(".admin-table tbody tr", has_text="frank")
    expect(row).to_contain_text("Editor")
    expect(row.locator(".badge-enabled")).to_have_text("Enabled")

    # edit: a new name, a group, disabled
    row.get_by_role("link", name="Edit frank").click()
    page.get_by_label("Full name").fill("Frank Fieldman")
    page.get_by_role("checkbox", name="Reviewers").check()
    page.get_by_label("Enabled: may sign in").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages(page).first).to_be_visible()
    page.goto("/@@users")
    row = page.locator(".admin-table tbody tr", has_text="frank")
    expect(row).to_contain_text("Frank Fieldman")
    expect(row).to_contain_text("reviewers")
    expect(row.locator(".badge-disabled")).to_have_text("Disabled")

    # a disabled user cannot sign in
    other = new_page()
    other.goto("/@@login")
    other.fill("#login", "frank")
    other.fill("#password", "river-stone-lantern-7")
    other.press("#password", "Enter")
    expect(other.locator(".error-message")).to_be_visible()

    # enable again, set a new password: the new one works
    row.get_by_role("link", name="Edit frank").click()
    page.get_by_label("Enabled: may sign in").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto("/@@edit-user?login=frank")
    page.get_by_role("link", name="Set a new password").click()
    page.get_by_label("New password", exact=True).fill("copper-meadow-kettle-9")
    page.get_by_label("New password again").fill("copper-meadow-kettle-9")
    page.get_by_role("button", name="Set password").click()
    expect(messages(page).first).to_be_visible()
    sign_in(other, "frank", "copper-meadow-kettle-9")
    other.context.clear_cookies()

    # delete, confirmed
    page.goto("/@@edit-user?login=frank")
    page.get_by_role("link", name="Delete this user…").click()
    page.get_by_role("button", name="Delete frank").click()
    expect(messages(page)).to_contain_text("frank")
    expect(page.locator(".admin-table tbody tr", has_text="frank")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "users-after-delete.png"), full_page=True)
    assert page.errors == []


def test_override_a_template_and_see_a_broken_one_refused(new_page, tmp_path):
    page = new_page()
    sign_in(page)
    page.goto("/@@skins")
    page.get_by_label("Find a template").fill("document_view")
    page.get_by_role("button", name="Find").click()
    row = page.locator(".skins-table tbody tr", has_text="document_view.pt")
    row.get_by_role("button", name="Customise document_view.pt").click()
    expect(messages(page)).to_contain_text("Copied document_view.pt into the custom layer")
    source = page.get_by_label("Source")
    text = source.input_value()
    assert '<div class="prose"' in text
    source.fill(text.replace('<div class="prose"',
                             '<p class="banner">Read our new roadmap!</p>\n    <div class="prose"', 1))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages(page)).to_have_text(["Saved document_view.pt: the site uses it now."])

    visitor = new_page()
    visitor.goto("/projects/roadmap")
    expect(visitor.locator(".banner")).to_have_text("Read our new roadmap!")

    # a template that does not compile is refused, and what was typed is kept
    broken = page.get_by_label("Source").input_value().replace(
        "${context.title}", "${context.title(}", 1)
    page.get_by_label("Source").fill(broken)
    page.get_by_role("button", name="Save", exact=True).click()
    error = page.locator(".compile-error")
    expect(error).to_contain_text("Not saved: the template does not compile.")
    expect(error).to_contain_text("was never closed")
    expect(error).to_contain_text("Line 4, column")
    assert page.get_by_label("Source").input_value() == broken
    # the script put the caret on the line the compiler named
    line = page.evaluate("""() => { const t = document.querySelector('#source');
        return t.value.slice(0, t.selectionStart).split('\\n').length; }""")
    assert line == 4
    expect(page.locator(".code-gutter")).to_contain_text("12")
    page.screenshot(path=str(tmp_path / "template-refused.png"), full_page=True)
    visitor.reload()
    expect(visitor.locator(".banner")).to_have_text("Read our new roadmap!")

    # revert: the file template is back
    page.get_by_role("button", name="Revert to the file version").click()
    expect(messages(page)).to_contain_text("Reverted document_view.pt")
    visitor.reload()
    expect(visitor.locator("h1")).to_contain_text("Roadmap")  # erin may have renamed it
    expect(visitor.locator(".banner")).to_have_count(0)
    visitor.screenshot(path=str(tmp_path / "template-reverted.png"))
    assert page.errors == []
