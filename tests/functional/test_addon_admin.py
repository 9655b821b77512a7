"""@@addons: list, activate, deactivate and upgrade through the web."""

import pytest
from webtest import TestApp

from addon_fixtures import ADDONS, forget
from conftest import Site, build_app, csrf_from, sign_in


@pytest.fixture
def addons(monkeypatch):
    monkeypatch.syspath_prepend(str(ADDONS))
    monkeypatch.delenv("EVOLVING_VERSION", raising=False)
    monkeypatch.delenv("EVOLVING_CORE", raising=False)
    monkeypatch.delenv("EVOLVING_FAIL", raising=False)
    yield monkeypatch
    forget("greetings")
    forget("evolving")


def make(**settings):
    app = build_app(addons="greetings evolving", discover_addons="false", **settings)
    browser = TestApp(app)
    sign_in(browser)
    return app, browser


def act(browser, action, name=""):
    page = browser.get("/@@addons")
    return browser.post("/@@addons", {"_csrf": csrf_from(page), "action": action,
                                      "name": name}, status=303).follow()


def test_lists_installed_addons_with_status(addons):
    _, browser = make(activate_addons="greetings")
    page = browser.get("/@@addons")
    row = page.html.select_one("#addon-greetings")
    assert "Greetings" in row.text and "1.0" in row.text and "Active" in row.text
    assert "Says hello on every page." in row.text
    assert "Inactive" in page.html.select_one("#addon-evolving").text
    provides = " ".join(page.html.select_one("#addon-greetings .addon-provides").text.split())
    assert provides == ("Adds types: Greeting, Greeting box · views: shout on IDocument, view on IGreeting"
                        " · skin layers: greetings · handlers: 1")
    assert page.html.select_one('nav.admin-tabs a[aria-current="page"]').text == "Add-ons"


def test_activate_and_deactivate(addons):
    app, browser = make()
    browser.get("/welcome/@@shout", status=404)
    page = act(browser, "activate", "greetings")
    assert "Activated Greetings." in page.text
    assert "Active" in page.html.select_one("#addon-greetings").text
    assert browser.get("/welcome/@@shout").status_int == 200
    with Site(app) as site:
        assert site.settings["greetings.installed"] == "yes"
    page = act(browser, "deactivate", "greetings")
    assert "Deactivated Greetings. Its content is kept." in page.text
    browser.get("/welcome/@@shout", status=404)
    with Site(app) as site:
        assert site.settings["greetings.installed"] == "no" and "hello" in site
        from cupola.security.audit import recent
        logged = [(e["action"], e["actor"], e["addons"]) for e in recent(site, action="addon.")]
        assert logged == [("addon.deactivated", "admin", ["greetings"]),
                          ("addon.activated", "admin", ["greetings"])]


def test_errors_come_back_as_messages(addons):
    app, browser = make(activate_addons="greetings")
    page = act(browser, "activate", "greetings")
    assert "Greetings is already active on this site." in page.text
    page = act(browser, "activate", "nope")
    assert "No add-on &#39;nope&#39; is installed" in page.text or \
        "No add-on 'nope' is installed" in page.text
    page = act(browser, "explode", "greetings")
    assert "Choose an add-on and an action." in page.text


def test_needs_csrf_and_a_manager(addons):
    app, browser = make()
    browser.post("/@@addons", {"action": "activate", "name": "greetings"}, status=403)
    anonymous = TestApp(app)
    anonymous.get("/@@addons", status=303)
    with Site(app) as site:
        assert "greetings" not in site.installed_versions


def test_pending_upgrades_are_listed_and_run(addons):
    app, browser = make(activate_addons="evolving")
    addons.setenv("EVOLVING_VERSION", "3")
    addons.setenv("EVOLVING_CORE", "1")
    forget("evolving")
    from cupola.publisher import Application
    from cupola.wsgi import configure
    newer = Application(configure(app.settings).registry, app.db, app.settings)
    browser = TestApp(newer)
    sign_in(browser)
    page = browser.get("/@@addons")
    steps = [li.text.split() for li in page.html.select(".upgrade-steps li")]
    assert [s[:4] for s in steps] == [["cupola", "1", "→", "2:"], ["evolving", "1", "→", "2:"],
                                      ["evolving", "2", "→", "3:"]]
    assert "changes are refused until it is upgraded" in page.text
    # while Cupola is behind, only upgrading is allowed
    assert "Run the pending upgrades first" in act(browser, "activate", "greetings").text
    page = act(browser, "upgrade")
    assert "Ran 3 upgrade step(s)" in page.text
    assert not page.html.select(".upgrade-steps li")
    with Site(newer) as site:
        assert site.installed_versions == {"cupola": 2, "evolving": 3}


def test_failed_upgrade_says_which_step(addons):
    app, _ = make(activate_addons="evolving")
    addons.setenv("EVOLVING_VERSION", "3")
    addons.setenv("EVOLVING_FAIL", "3")
    forget("evolving")
    from cupola.publisher import Application
    from cupola.wsgi import configure
    newer = Application(configure(app.settings).registry, app.db, app.settings)
    browser = TestApp(newer)
    sign_in(browser)
    page = act(browser, "upgrade")
    assert "Ran 1 step(s) before it." in page.text and "step to 3 broke" in page.text
    with Site(newer) as site:
        assert site.installed_versions["evolving"] == 2


