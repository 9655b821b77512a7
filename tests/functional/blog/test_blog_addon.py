"""The blog as an add-on: found through its entry point, inactive until a
site activates it (through the web or the CLI), deactivated with its
content kept, and a site made with it still serving once the package is
gone."""

from importlib.metadata import entry_points

import pytest
from webtest import TestApp

from addon_fixtures import file_site  # noqa: F401  (fixture, found by name)
from blog_support import (add_blog, add_post, admin_browser, blog_app, comment,
                          pending_ids)
from conftest import Site, build_app, csrf_from, sign_in


def act(browser, action):
    page = browser.get("/@@addons")
    return browser.post("/@@addons", {"_csrf": csrf_from(page), "action": action,
                                      "name": "cupola_blog"}, status=303).follow()


def test_the_entry_point_is_installed():
    found = {ep.name: ep.value for ep in entry_points(group="cupola.addons")}
    assert found["cupola_blog"] == "cupola_blog:includeme"


def test_inactive_it_changes_nothing():
    app = build_app()  # included through the entry point, not activated
    try:
        browser = admin_browser(app)
        browser.get("/++add++Blog", status=404)
        assert "++add++Blog" not in browser.get("/@@contents").text
        browser.get("/news/@@archive/2026", status=404)
        with Site(app) as site:
            assert "cupola_blog" not in site.installed_versions
            assert app.registry.addons["cupola_blog"].title == "Blog"
    finally:
        app.db.close()


def test_activate_and_deactivate_through_the_web():
    app = build_app()
    try:
        browser = admin_browser(app)
        page = act(browser, "activate")
        assert "Activated Blog." in page.text
        assert "Active" in page.html.select_one("#addon-cupola_blog").text
        blog = add_blog(browser)
        post = add_post(browser, blog, "Hello", subjects="news")
        comment(TestApp(app), post, "Ann", "Hi there.")
        assert browser.get(blog).html.select_one(".blog-teaser h2").text.strip() == "Hello"
        page = act(browser, "deactivate")
        assert "Deactivated Blog. Its content is kept." in page.text
        browser.get("/++add++Blog", status=404)
        assert "needs the add-on Blog, which is not active on this site" in \
            browser.get(post).text
        browser.get(f"{blog}/@@tag/news", status=404)
        browser.get(f"{blog}/@@moderate-comments", status=404)
        assert len(pending_ids(app, post)) == 1
        act(browser, "activate")  # back whole
        assert browser.get(post).html.select_one("#blog-post h1").text == "Hello"
        assert browser.get(f"{blog}/@@moderate-comments").html.select_one(
            "#moderation-count").text == "1 comment waits"
    finally:
        app.db.close()


def test_activate_through_the_cli(file_site, capsys):
    from cupola.cli import main
    assert main(["addons", "activate", "cupola_blog", "--zodb-uri", file_site]) == 0
    assert "Activated Blog (cupola_blog)." in capsys.readouterr().out
    assert main(["addons", "activate", "cupola_blog", "--zodb-uri", file_site]) == 1
    app = build_app(zodb_uri=file_site)
    try:
        browser = admin_browser(app)
        blog = add_blog(browser)
        add_post(browser, blog, "From the CLI site")
        assert "From the CLI site" in TestApp(app).get(f"{blog}/@@rss").text
    finally:
        app.db.close()
    assert main(["addons", "deactivate", "cupola_blog", "--zodb-uri", file_site]) == 0
    assert "its content is kept" in capsys.readouterr().out


def test_a_site_still_serves_with_the_package_hidden(tmp_path, monkeypatch):
    """Made while importable, reopened as if `pip uninstall` had removed it."""
    from addon_fixtures import hide_package
    uri = f"file://{tmp_path}/Data.fs"
    app = blog_app(zodb_uri=uri)
    browser = admin_browser(app)
    blog = add_blog(browser)
    post = add_post(browser, blog, "Still here", "<p>Kept words.</p>")
    comment(TestApp(app), post, "Ann", "A comment.")
    app.db.close()

    hide_package(monkeypatch, "cupola_blog")
    with pytest.raises(ImportError):
        import cupola_blog  # noqa: F401
    app = build_app(zodb_uri=uri, discover_addons="false")
    try:
        visitor = TestApp(app)
        assert visitor.get("/").status_int == 200
        assert visitor.get(blog, expect_errors=True).status_int == 303  # sign in
        editor = TestApp(app)
        sign_in(editor)
        for path in ("/", blog, post, "/@@contents", f"{blog}/@@contents",
                     "/@@search?q=still", "/@@addons"):
            assert editor.get(path).status_int == 200, path
        assert "needs the package 'cupola_blog', which is not installed" in editor.get(post).text
        assert "Still here" in editor.get(blog).text  # the placeholder lists what is inside
        assert "Still here" in editor.get("/@@search?q=still").text
        assert "package missing" in editor.get("/@@addons").text.lower()
        editor.get(f"{blog}/@@moderate-comments", status=404)
        page = editor.get(f"{post}/@@delete")
        editor.post(f"{post}/@@delete", {"_csrf": csrf_from(page)}, status=303)
        assert "Still here" not in editor.get(f"{blog}/@@contents").text
    finally:
        app.db.close()
