"""The wiki as an add-on: found through its entry point, inactive until a
site activates it (through the web or the CLI), deactivated with its
content kept, and a site made with it still serving once the package is
gone."""

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from addon_fixtures import file_site  # noqa: F401  (fixture, found by name)
from conftest import Site, build_app, csrf_from
from wiki_support import add_page, add_wiki, admin_browser, publish, wiki_app

TESTS = Path(__file__).resolve().parents[2]


def act(browser, action):
    page = browser.get("/@@addons")
    return browser.post("/@@addons", {"_csrf": csrf_from(page), "action": action,
                                      "name": "cupola_wiki"}, status=303).follow()


def test_the_entry_point_is_installed():
    found = {ep.name: ep.value for ep in entry_points(group="cupola.addons")}
    assert found["cupola_wiki"] == "cupola_wiki:includeme"


def test_inactive_it_changes_nothing():
    app = build_app()  # included through the entry point, not activated
    browser = admin_browser(app)
    browser.get("/++add++Wiki", status=404)
    assert "++add++Wiki" not in browser.get("/@@contents").text
    with Site(app) as site:
        assert site.installed_versions == {"cupola": 1}
        assert app.registry.addons["cupola_wiki"].title == "Wiki"
    app.db.close()


def test_activate_and_deactivate_through_the_web():
    app = build_app()
    browser = admin_browser(app)
    page = act(browser, "activate")
    assert "Activated Wiki." in page.text
    assert "Active" in page.html.select_one("#addon-cupola_wiki").text
    wiki = add_wiki(browser)
    add_page(browser, wiki, "Notes", "Some [[notes]] here.", status=303)
    assert browser.get(f"{wiki}/notes").html.select_one(".wiki-text a")
    page = act(browser, "deactivate")
    assert "Deactivated Wiki. Its content is kept." in page.text
    browser.get("/++add++Wiki", status=404)
    notes = browser.get(f"{wiki}/notes")
    assert "needs the add-on Wiki, which is not active on this site" in notes.text
    browser.get(f"{wiki}/@@recent-changes", status=404)
    with Site(app) as site:
        assert site["team-wiki"]["notes"].body == "Some [[notes]] here."
    act(browser, "activate")  # back whole, nothing made twice
    assert browser.get(f"{wiki}/notes").html.select_one(".wiki-text a")
    with Site(app) as site:
        assert sorted(site["team-wiki"].keys()) == ["front-page", "notes"]
    app.db.close()


def test_activate_through_the_cli(file_site, capsys):
    from cupola.cli import main
    assert main(["addons", "activate", "cupola_wiki", "--zodb-uri", file_site]) == 0
    assert "Activated Wiki (cupola_wiki)." in capsys.readouterr().out
    assert main(["addons", "activate", "cupola_wiki", "--zodb-uri", file_site]) == 1
    app = build_app(zodb_uri=file_site)
    try:
        browser = admin_browser(app)
        wiki = add_wiki(browser)
        assert browser.get(wiki).follow().html.select_one("#wiki-page h1").text == "FrontPage"
    finally:
        app.db.close()
    assert main(["addons", "deactivate", "cupola_wiki", "--zodb-uri", file_site]) == 0
    assert "its content is kept" in capsys.readouterr().out


# -- the package gone ----------------------------------------------------------

# cupola-wiki stays installed in the test environment, so the process below
# plays an environment without it: the package cannot be imported (as after
# `pip uninstall` of an add-on) and no entry point names it. The real
# `pip uninstall` is tests/deploy/test_addon_packages.py.
WITHOUT_WIKI = textwrap.dedent("""
    import json, sys

    class Uninstalled:
        def find_spec(self, name, path=None, target=None):
            if name == "cupola_wiki" or name.startswith("cupola_wiki."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Uninstalled())
    sys.path.insert(0, sys.argv[2])
    from webtest import TestApp
    from conftest import build_app, sign_in
    app = build_app(zodb_uri=sys.argv[1], discover_addons="false")
    seen = {}
    visitor = TestApp(app)
    for path in ("/", "/team-wiki", "/team-wiki/front-page"):
        seen["anonymous " + path] = visitor.get(path, expect_errors=True).status_int
    editor = TestApp(app)
    sign_in(editor)
    for path in ("/", "/team-wiki", "/team-wiki/front-page", "/team-wiki/notes",
                 "/@@contents", "/team-wiki/@@contents", "/@@search?q=notes",
                 "/@@addons", "/team-wiki/@@recent-changes"):
        response = editor.get(path, expect_errors=True)
        seen[path] = [response.status_int, response.text]
    seen["imported"] = "cupola_wiki" in sys.modules
    print(json.dumps(seen))
""")


@pytest.mark.slow  # a Python subprocess
def test_a_site_still_serves_after_the_package_is_gone(tmp_path):
    uri = f"file://{tmp_path}/Data.fs"
    app = wiki_app(zodb_uri=uri)
    browser = admin_browser(app)
    wiki = add_wiki(browser)
    add_page(browser, wiki, "Notes", "Plans and notes.", status=303)
    publish(browser, wiki, f"{wiki}/front-page")
    app.db.close()

    done = subprocess.run([sys.executable, "-c", WITHOUT_WIKI, uri, str(TESTS)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["imported"] is False
    assert seen["anonymous /"] == 200
    assert seen["anonymous /team-wiki"] == 303  # sign in: its workflow is gone too
    for path in ("/", "/team-wiki", "/team-wiki/front-page", "/team-wiki/notes",
                 "/@@contents", "/team-wiki/@@contents", "/@@search?q=notes", "/@@addons"):
        assert seen[path][0] == 200, path
    assert "needs the package 'cupola_wiki', which is not installed" in seen["/team-wiki/notes"][1]
    assert "Notes" in seen["/team-wiki"][1]  # the placeholder lists what is inside
    assert "Team wiki" in seen["/@@contents"][1]
    assert "package missing" in seen["/@@addons"][1].lower()
    assert seen["/team-wiki/@@recent-changes"][0] == 404


def test_works_beside_the_other_installed_add_ons():
    installed = sorted(ep.name for ep in entry_points(group="cupola.addons"))
    app = build_app(activate_addons=" ".join(installed))
    try:
        browser = admin_browser(app)
        wiki = add_wiki(browser)
        add_page(browser, wiki, "Notes", "See FrontPage.", status=303)
        assert browser.get(f"{wiki}/notes").html.select_one(".wiki-text a.wikilink")
        assert browser.get("/").status_int == 200
        with Site(app) as site:
            assert set(installed) <= set(site.installed_versions)
    finally:
        app.db.close()
