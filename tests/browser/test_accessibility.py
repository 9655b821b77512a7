"""Accessibility of every admin screen: axe-core (from npm, node_modules) run
in headless Chromium against WCAG 2.0/2.1 A and AA rules; no violation.

Also: Escape closes the toolbar's Add menu, ``<html lang>`` follows the
site's language, and the main screens fit a phone (390 px) without
horizontal scrolling.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.conftest import DESKTOP, PHONE, serve, sign_in
from conftest import Site, build_app, publish

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# (name, path) of every admin screen; "@follow:<page>|<css>" takes the
# address from a link on another page (screens that need an id).
SCREENS = [
    ("toolbar", "/welcome"),
    ("as-anonymous", "/welcome/@@as-anonymous"),
    ("edit", "/welcome/@@edit"),
    ("++add++", "/news/++add++Document"),
    ("delete", "/welcome/@@delete"),
    ("contents", "/news/@@contents"),
    ("history", "/welcome/@@history"),
    ("history-diff", "/welcome/@@history-diff?a=1&b=2"),
    ("sharing", "/news/@@sharing?q=erin"),
    ("workflow", "/welcome/@@workflow"),
    ("reference-picker", "/news/@@reference-picker?field=field-related"),
    ("users", "/@@users"),
    ("add-user", "/@@add-user"),
    ("edit-user", "/@@edit-user?login=erin"),
    ("reset-password", "/@@reset-password?login=erin"),
    ("delete-user", "/@@delete-user?login=erin"),
    ("groups", "/@@groups"),
    ("add-group", "/@@add-group"),
    ("edit-group", "/@@edit-group?id=reviewers"),
    ("delete-group", "/@@delete-group?id=reviewers"),
    ("account", "/@@account"),
    ("audit", "/@@audit"),
    ("undo", "/@@undo"),
    ("trash", "/@@trash"),
    ("trash-restore", "@follow:/@@trash|a[href*='@@trash-purge']|trash-restore"),
    ("trash-purge", "@follow:/@@trash|a[href*='@@trash-purge']"),
    ("trash-empty", "/@@trash-empty"),
    ("settings", "/@@settings"),
    ("database", "/@@database"),
    ("skins", "/@@skins"),
    ("skins-edit", "/@@skins-edit?name=document_view.pt"),
    ("skins-edit", "/@@skins-edit?name=site_footer.pt"),  # customised: with its changes
    ("addons", "/@@addons"),
]
NOT_SCREENS = {"get"}  # registered GET names that are no page of their own


@pytest.fixture(scope="module")
def server():
    """A site with something on every screen: two revisions, a user, a
    group, an item in the recycle bin."""
    from cupola.content import operations as ops
    from cupola.security.users import add_group, add_user
    app = build_app()
    with Site(app) as site:
        ops.edit(app.registry, site["welcome"], {"title": "Welcome!"}, actor="admin",
                 comment="Shorter")
        gone = ops.create(app.registry, site["news"], "Document", {"title": "Old news"})
        add_user(site, "erin", "erin-has-a-long-password", roles=("Member",),
                 fullname="Erin Example")
        add_group(site, "reviewers", "Reviewers", roles=("Reviewer",))
        publish(site["news"])
        from cupola.customlayer import save_template
        footer = app.registry.skins.find("site_footer.pt")
        with open(footer, encoding="utf-8") as f:
            save_template(site, "site_footer.pt", f.read().replace(
                "</footer>", "<p>Customised footer</p></footer>"), login="admin")
    with Site(app) as site:
        ops.delete(site["news"][gone.__name__], actor="admin")
    with serve(app, threads=4) as url:
        yield app, url


@pytest.fixture(scope="module")
def admin_state(chromium_browser, server):
    """The signed-in cookies of the admin, made once."""
    _, url = server
    context = chromium_browser.new_context(base_url=url)
    sign_in(context.new_page())
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def admin_page(chromium_browser, server, admin_state):
    """admin_page(device) -> a page signed in as admin; axe may be injected
    (bypass_csp: axe.min.js goes in as an inline script)."""
    _, url = server
    contexts = []

    def make(device=DESKTOP):
        context = chromium_browser.new_context(base_url=url, storage_state=admin_state,
                                               bypass_csp=True, **device)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def resolve(page, path):
    if not path.startswith("@follow:"):
        return path
    where, css, *view = path[len("@follow:"):].split("|")
    page.goto(where)
    href = page.locator(css).first.get_attribute("href")
    return href.replace("trash-purge", view[0]) if view else href


def axe_violations(page):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make editor installs it)", pytrace=False)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "where": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def test_every_admin_screen_is_listed(server):
    """A new admin screen must be added to SCREENS (and so be checked)."""
    app, _ = server
    registered = {info.name for _, _, info in app.registry.views
                  for method, entry in info.methods.items()
                  if method == "GET" and "/cupola/admin/" in entry.origin}
    assert registered - NOT_SCREENS - {name for name, _ in SCREENS} == set()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name, path", SCREENS, ids=[p for _, p in SCREENS])
def test_no_wcag_aa_violation(admin_page, name, path, scheme):
    """In the light and the dark colour scheme (the CSS follows the system's)."""
    page = admin_page({**DESKTOP, "color_scheme": scheme})
    response = page.goto(resolve(page, path))
    assert response.status == 200, f"{name}: {response.status}"
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


def test_the_login_page_has_no_violation(chromium_browser, server):
    _, url = server
    context = chromium_browser.new_context(base_url=url, bypass_csp=True, **DESKTOP)
    try:
        page = context.new_page()
        page.goto("/@@login")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_escape_closes_the_add_menu(admin_page):
    page = admin_page()
    page.goto("/news")
    toolbar = page.get_by_role("navigation", name="Editing")
    toolbar.get_by_text("Add", exact=True).click()
    menu_item = toolbar.get_by_role("link", name="Page")
    expect(menu_item.first).to_be_visible()
    menu_item.first.focus()
    page.keyboard.press("Escape")
    expect(menu_item.first).to_be_hidden()
    # focus goes back to the menu's button, so the keyboard user is not lost
    assert page.evaluate("document.activeElement.textContent.trim()").startswith("Add")


def test_escape_closes_a_rows_move_menu_and_a_click_elsewhere_the_add_menu(admin_page):
    page = admin_page()
    page.goto("/@@contents")
    menu = page.locator("details.move-menu").first
    menu.locator("summary").click()
    expect(menu.get_by_role("button", name="Up one")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu.get_by_role("button", name="Up one")).to_be_hidden()
    toolbar = page.get_by_role("navigation", name="Editing")
    toolbar.get_by_text("Add", exact=True).click()
    expect(toolbar.get_by_role("link", name="Page").first).to_be_visible()
    page.locator("h1").click()
    expect(toolbar.get_by_role("link", name="Page").first).to_be_hidden()


def test_html_lang_follows_the_site_language(admin_page, server):
    app, _ = server
    page = admin_page()
    page.goto("/@@users")
    assert page.get_attribute("html", "lang") == "en"
    with Site(app) as site:
        site.settings["language"] = "de"
    try:
        for path in ("/@@users", "/welcome", "/welcome/@@edit", "/@@login"):
            page.goto(path)
            assert page.get_attribute("html", "lang") == "de", path
    finally:
        with Site(app) as site:
            site.settings["language"] = "en"


MAIN_SCREENS = ["/welcome", "/news/@@contents", "/welcome/@@edit", "/welcome/@@history",
                "/@@users", "/@@edit-user?login=erin", "/@@sharing", "/@@settings",
                "/@@undo", "/@@skins", "/@@skins-edit?name=document_view.pt", "/@@trash",
                "/news/@@reference-picker"]


@pytest.mark.parametrize("path", MAIN_SCREENS)
def test_main_screens_fit_a_phone(admin_page, path, tmp_path):
    page = admin_page(PHONE)
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    assert width <= PHONE["viewport"]["width"], f"{path} is {width}px wide"
    small = page.locator("main input[type=checkbox], main input[type=radio]").evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect())"
        ".filter(b => b.width < 24 || b.height < 24).length")
    assert small == 0, f"{path}: {small} boxes under 24 px"
