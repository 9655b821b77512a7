"""A site with content of an add-on whose package was removed still serves:
the content shows as a placeholder, listings, search and the catalog work,
and it can be deleted; its stored record stays intact for the package's return.

The content is made in a subprocess that can import the fixture add-on;
this process cannot (tests/functional/addons is not on its path)."""

import os
import subprocess
import sys
import textwrap

import pytest
from webtest import TestApp

from addon_fixtures import ADDONS, forget
from conftest import ADMIN_PASSWORD, Site, build_app, csrf_from, sign_in

pytestmark = pytest.mark.slow  # starts Python subprocesses

MAKE = textwrap.dedent("""
    import sys, transaction
    from cupola.addons import site_scope
    from cupola.content import operations
    from cupola.db.bootstrap import bootstrap, get_site
    from cupola.db.storage import open_db
    from cupola.registry import push_registry
    from cupola.wsgi import configure
    uri = sys.argv[1]
    settings = {"addons": "greetings", "discover_addons": "false",
                "activate_addons": "greetings", "zodb_uri": uri}
    registry = configure(settings).registry
    db = open_db(uri)
    bootstrap(db, admin_password=sys.argv[2], echo=None, registry=registry)
    push_registry(registry)
    conn = db.open()
    site = get_site(conn)
    with site_scope(registry, site):
        operations.create(registry, site["about"], "Greeting",
                          {"title": "Hi from about", "greeting": "Hey"}, name="hi")
        box = operations.create(registry, site, "GreetingBox", {"title": "The box"},
                                name="box")
        operations.create(registry, box, "Greeting", {"title": "Boxed hello"}, name="hi2")
        operations.create(registry, box, "Document", {"title": "Boxed page"}, name="page")
    transaction.commit()
    conn.close()
    db.close()
""")

CHECK = textwrap.dedent("""
    import sys
    from cupola.content.trash import query_bin
    from cupola.db.bootstrap import get_site
    from cupola.db.storage import open_db
    db = open_db(sys.argv[1])
    site = get_site(db.open())
    kept = [e.object for e in query_bin(site).newest()]
    print(sorted((type(o).__name__, o.title, o.greeting)
                 for o in kept))
""")


def run(script, *args):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ADDONS), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", script, *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def orphaned_site(tmp_path):
    """The URI of a site made with the greetings add-on, opened by an app
    that cannot import it."""
    uri = f"file://{tmp_path}/Data.fs"
    run(MAKE, uri, ADMIN_PASSWORD)
    forget("greetings")
    assert "greetings" not in sys.modules
    app = build_app(zodb_uri=uri, discover_addons="false")
    yield uri, app
    app.db.close()


def test_pages_still_render(orphaned_site):
    _, app = orphaned_site
    browser = TestApp(app)
    sign_in(browser)
    assert browser.get("/").status_int == 200
    assert browser.get("/about").status_int == 200
    page = browser.get("/hello")
    assert page.html.select_one("#addon-placeholder h1").text == "Hello world"
    assert "needs the package 'greetings', which is not installed" in page.text
    contents = browser.get("/@@contents")
    assert "Hello world" in contents.text
    assert "Hi from about" in browser.get("/about/@@contents").text
    assert browser.get("/@@search", {"q": "Hello"}).status_int == 200


def test_visitors_are_not_shown_the_placeholder(orphaned_site):
    _, app = orphaned_site
    TestApp(app).get("/hello", status=303)  # to the login page, not a crash


def test_site_knows_the_package_is_missing(orphaned_site):
    from cupola.addons.overview import addon_rows
    _, app = orphaned_site
    with Site(app) as site:
        row = [r for r in addon_rows(app.registry, site) if r.name == "greetings"][0]
        assert (row.active, row.installed, row.status) == (True, False, "package missing")
        assert type(site["hello"]).__name__ == "Greeting"
        assert site["hello"].missing_class == "greetings.Greeting"


def test_changes_are_refused_clearly(orphaned_site):
    from cupola.addons.missing import MissingContentModified
    _, app = orphaned_site
    with pytest.raises(MissingContentModified, match="needs the package 'greetings'"):
        with Site(app) as site:
            site["hello"].title = "Changed"


def test_reindex_survives_missing_content(orphaned_site):
    from cupola.catalog import reindex
    _, app = orphaned_site
    with Site(app) as site:
        # about, team, welcome, news, hello, hi, box and the two inside it
        assert reindex(site, app.registry) == 9
        paths = {b.path for b in site.catalog.search(None, unrestricted=True)}
        assert {"/hello", "/about/hi", "/box", "/box/hi2", "/box/page"} <= paths


def test_missing_content_can_be_deleted_and_comes_back_intact(orphaned_site):
    uri, app = orphaned_site
    browser = TestApp(app)
    sign_in(browser)
    for path in ("/hello", "/about/hi"):
        form = browser.get(f"{path}/@@delete")
        browser.post(f"{path}/@@delete", {"_csrf": csrf_from(form)}, status=303)
        browser.get(path, status=404)
    assert "Hello world" not in browser.get("/@@contents").text
    assert browser.get("/@@trash").status_int == 200
    app.db.close()
    # where the package is installed again, the deleted objects load whole
    out = run(CHECK, uri)
    assert out.strip() == ("[('Greeting', 'Hello world', 'Good morning'), "
                           "('Greeting', 'Hi from about', 'Hey')]")


def test_a_missing_container_lists_and_gives_its_children(orphaned_site):
    _, app = orphaned_site
    browser = TestApp(app)
    sign_in(browser)
    page = browser.get("/box")
    assert "needs the package 'greetings'" in page.text
    assert [a.text for a in page.html.select(".placeholder-children a")] == [
        "Boxed hello", "Boxed page"]
    assert "Boxed page" in browser.get("/box/@@contents").text
    assert browser.get("/box/page").html.select_one("article h1").text == "Boxed page"
    assert "needs the package" in browser.get("/box/hi2").text
    form = browser.get("/box/page/@@delete")
    browser.post("/box/page/@@delete", {"_csrf": csrf_from(form)}, status=303)
    browser.get("/box/page", status=404)
    with Site(app) as site:
        assert list(site["box"].keys()) == ["hi2"] and len(site["box"]) == 1
    form = browser.get("/box/@@delete")
    browser.post("/box/@@delete", {"_csrf": csrf_from(form)}, status=303)
    browser.get("/box", status=404)


def test_in_process_with_the_package_hidden(tmp_path, monkeypatch):
    """The same without a subprocess, as add-ons living in this repository
    test it: made while importable, reopened with the package hidden."""
    from addon_fixtures import hide_package
    monkeypatch.syspath_prepend(str(ADDONS))
    uri = f"file://{tmp_path}/Data.fs"
    app = build_app(zodb_uri=uri, addons="greetings", discover_addons="false",
                    activate_addons="greetings")
    app.db.close()
    hide_package(monkeypatch, "greetings")
    with pytest.raises(ImportError):
        import greetings  # noqa: F401
    app = build_app(zodb_uri=uri, discover_addons="false")
    try:
        browser = TestApp(app)
        sign_in(browser)
        assert "needs the package 'greetings'" in browser.get("/hello").text
        assert browser.get("/").status_int == 200
    finally:
        app.db.close()


def test_a_change_through_the_web_answers_409(orphaned_site):
    _, app = orphaned_site
    browser = TestApp(app)
    sign_in(browser)
    form = browser.get("/hello/@@sharing")
    page = browser.post("/hello/@@sharing", {"_csrf": csrf_from(form), "block": "on"},
                        status=409)
    assert page.html.select_one("h1").text == "Add-on not installed"
    assert "It can still be deleted." in page.text
