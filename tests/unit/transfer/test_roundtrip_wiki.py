"""A wiki through a JSON export and import into a fresh site: nothing of
the wiki lives outside its schema but the rendered HTML, which is derived
(not exported) and made anew on import, so the pages render, their links
resolve and backlinks work in the new site."""

from webtest import TestApp

from conftest import Site, build_app, csrf_from, sign_in
from cupola.transfer import export_tree, load_export, read_export


def wiki_app():
    return build_app(activate_addons="cupola_wiki")


def admin_browser(app):
    browser = TestApp(app)
    sign_in(browser)
    return browser


def add_page(browser, wiki, title, body):
    form = browser.get(f"{wiki}/++add++WikiPage")
    browser.post(f"{wiki}/++add++WikiPage",
                 {"_csrf": csrf_from(form), "title": title, "body": body,
                  "format": "markdown", "_name": ""}, status=303)


def links(page):
    return [(a.text, a.get("href"), a.get("class")) for a in page.html.select("a.wikilink")]


def test_a_wiki_renders_after_a_round_trip(tmp_path):
    from cupola_wiki.rendering import cache_key
    source, target = wiki_app(), wiki_app()
    try:
        admin = admin_browser(source)
        form = admin.get("/++add++Wiki")
        wiki = admin.post("/++add++Wiki", {"_csrf": csrf_from(form), "title": "Team wiki"},
                          status=303).location.replace("http://localhost", "")
        add_page(admin, wiki, "Target", "The *target* page.")
        add_page(admin, wiki, "One", "See [[Target]] and [[Nowhere]].")
        with Site(source) as site:
            before = admin.get(f"{wiki}/one")
            assert site["team-wiki"]["one"]._rendered is not None
            export_tree(source.registry, site["team-wiki"], tmp_path / "out")
        assert not list((tmp_path / "out").rglob("_extra"))  # nothing outside the schema
        assert "_rendered" not in (tmp_path / "out/team-wiki/one/_object.json").read_text()

        checked = read_export(target.registry, tmp_path / "out")
        with Site(target) as site:
            load_export(target.registry, site, checked)
        with Site(target) as site:
            pages = site["team-wiki"]
            assert sorted(pages.keys()) == ["front-page", "one", "target"]  # no second FrontPage
            for page in pages.values():  # rendered on import, for the current text
                assert page._rendered is not None and page._rendered[0] == cache_key(page)
        reader = admin_browser(target)
        after = reader.get(f"{wiki}/one")
        assert links(after) == links(before)
        assert ("Target", "http://localhost/team-wiki/target", ["wikilink"]) in links(after)
        assert after.html.select_one(".wikilink-missing").text == "Nowhere"
        assert "<em>target</em>" in reader.get(f"{wiki}/target").text
        backlinks = reader.get(f"{wiki}/target/@@backlinks")
        assert [a.text for a in backlinks.html.select(".wiki-pages a")] == ["One"]
    finally:
        source.db.close()
        target.db.close()
