"""An add-on takes effect only in sites where it is active: views, types,
templates, event handlers; activation installs, deactivation uninstalls."""

import sys
from pathlib import Path

import pytest
from webtest import TestApp

from conftest import Site, build_app, csrf_from, sign_in

ADDONS = Path(__file__).parent / "addons"


@pytest.fixture
def greetings(monkeypatch):
    """The fixture add-on tests/functional/addons/greetings, importable."""
    monkeypatch.syspath_prepend(str(ADDONS))
    yield "greetings"
    for name in [m for m in sys.modules if m == "greetings" or m.startswith("greetings.")]:
        del sys.modules[name]


def make(active, **settings):
    if active:
        settings["activate_addons"] = "greetings"
    app = build_app(addons="greetings", discover_addons="false", **settings)
    testapp = TestApp(app)
    sign_in(testapp)
    return app, testapp


def test_addon_is_declared_with_its_layer(greetings):
    app, _ = make(active=False)
    info = app.registry.addons["greetings"]
    assert (info.title, info.version, info.description) == (
        "Greetings", "1.0", "Says hello on every page.")
    assert info.layer.__name__ == "IGreetingsLayer"
    assert app.registry.types["Greeting"].addon == "greetings"
    assert app.registry.skin_layer_addons == {"greetings": "greetings"}


def test_inactive_addon_views_are_not_found(greetings):
    _, testapp = make(active=False)
    testapp.get("/welcome/@@shout", status=404)


def test_active_addon_views_are_found(greetings):
    _, testapp = make(active=True)
    page = testapp.get("/welcome/@@shout")
    assert page.html.select_one("#shout").text == "WELCOME TO CUPOLA!"


def test_inactive_addon_templates_are_not_found(greetings):
    _, testapp = make(active=False)
    page = testapp.get("/welcome")
    assert page.html.select_one("#greeted") is None
    assert page.html.select_one("article.document h1").text == "Welcome to Cupola"


def test_active_addon_templates_override_the_core(greetings):
    _, testapp = make(active=True)
    page = testapp.get("/welcome")
    assert page.html.select_one("#greeted h1").text == "Greetings: Welcome to Cupola"


def test_install_runs_on_activation(greetings):
    app, testapp = make(active=True)
    with Site(app) as site:
        assert site.settings["greetings.installed"] == "yes"
        assert site.installed_versions == {"cupola": 1, "greetings": 1}
    page = testapp.get("/hello")
    assert page.html.select_one("#greeting").text == "Good morning, says Hello world"


def test_inactive_type_is_not_addable(greetings):
    _, testapp = make(active=False)
    testapp.get("/++add++Greeting", status=404)
    menu = testapp.get("/@@contents").text
    assert "++add++Greeting" not in menu


def test_active_type_is_addable_through_the_web(greetings):
    _, testapp = make(active=True)
    assert "++add++Greeting" in testapp.get("/@@contents").text
    form = testapp.get("/++add++Greeting")
    testapp.post("/++add++Greeting", {"_csrf": csrf_from(form), "title": "Hi there",
                                      "greeting": "Howdy"}, status=303)
    assert testapp.get("/hi-there").html.select_one("#greeting").text == "Howdy, says Hi there"


def test_handlers_run_only_where_active(greetings):
    for active, expected in ((True, 1), (False, None)):
        app, testapp = make(active=active)
        form = testapp.get("/++add++Document")
        testapp.post("/++add++Document", {"_csrf": csrf_from(form), "title": "New page"},
                     status=303)
        with Site(app) as site:
            assert site.settings.get("greetings.documents") == expected


def test_deactivation_runs_uninstall_and_keeps_content(greetings):
    from cupola.addons import deactivate
    app, testapp = make(active=True)
    with Site(app) as site:
        deactivate(site, app.registry, "greetings")
    with Site(app) as site:
        assert site.settings["greetings.installed"] == "no"
        assert site.installed_versions == {"cupola": 1}
        assert site["hello"].greeting == "Good morning"
    testapp.get("/welcome/@@shout", status=404)
    page = testapp.get("/hello")
    assert "needs the add-on Greetings, which is not active" in page.text
    assert testapp.get("/").status_int == 200


def test_activation_errors_are_clear(greetings):
    from cupola.addons import activate, deactivate
    from cupola.exceptions import AddonError
    app, _ = make(active=True)
    with Site(app) as site:
        with pytest.raises(AddonError, match="already active"):
            activate(site, app.registry, "greetings")
        with pytest.raises(AddonError, match="No add-on 'nope' is installed"):
            activate(site, app.registry, "nope")
        deactivate(site, app.registry, "greetings")
        with pytest.raises(AddonError, match="not active"):
            deactivate(site, app.registry, "greetings")


def test_two_sites_one_application(greetings, tmp_path):
    """Requests are marked per site: the same registry serves a site with
    the add-on and one without (two databases, one registry)."""
    from cupola.addons import activate
    from cupola.db.bootstrap import bootstrap
    from cupola.db.storage import open_db
    from cupola.publisher import Application
    app, _ = make(active=False)
    with Site(app) as site:
        activate(site, app.registry, "greetings")
    other_db = open_db("memory://")
    bootstrap(other_db, admin_password="x" * 12, echo=None, registry=app.registry)
    other = TestApp(Application(app.registry, other_db, app.settings))
    TestApp(app).get("/welcome/@@shout", status=200)
    other.get("/welcome/@@shout", status=404)
    TestApp(app).get("/welcome/@@shout", status=200)
