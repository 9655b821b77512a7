"""A wiki made by a script, copied, exported and imported: one FrontPage
each time, cataloged and rendered."""

from conftest import Site
from wiki_support import add_page, add_wiki, admin_browser
from wiki_support import app  # noqa: F401  (fixture, found by name)


def pages_of(site, name):
    return sorted(site[name].keys())


def test_a_wiki_made_by_a_script_gets_its_front_page_on_commit(app):
    from cupola.content import operations
    with Site(app) as site:
        wiki = operations.create(app.registry, site, "Wiki", {"title": "Scripted"},
                                 creator="admin")
        assert len(wiki) == 0  # made as the transaction commits
    with Site(app) as site:
        assert pages_of(site, "scripted") == ["front-page"]
        front = site["scripted"]["front-page"]
        assert front._rendered is not None and front.creator == "admin"
        found = site.catalog.search(None, unrestricted=True, path="/scripted",
                                    type="WikiPage")
        assert [b.path for b in found] == ["/scripted/front-page"]
        found = site.catalog.search(None, unrestricted=True, wiki_links="recent-changes")
        assert [b.path for b in found] == ["/scripted/front-page"]


def test_a_wiki_removed_in_the_same_transaction_gets_nothing(app):
    from cupola.content import operations
    with Site(app) as site:
        wiki = operations.create(app.registry, site, "Wiki", {"title": "Gone"})
        site.remove(wiki.__name__)
    with Site(app) as site:
        assert "gone" not in site


def test_a_copy_has_the_pages_of_the_original_only(app):
    browser = admin_browser(app)
    wiki = add_wiki(browser)
    add_page(browser, wiki, "Notes", "See FrontPage.", status=303)
    from cupola.content import operations
    with Site(app) as site:
        operations.copy(app.registry, site["team-wiki"], site, "copied-wiki")
    with Site(app) as site:
        assert pages_of(site, "copied-wiki") == ["front-page", "notes"]
    assert browser.get("/copied-wiki/notes").html.select_one(".wiki-text a")["href"] \
        == "http://localhost/copied-wiki/front-page"


def test_export_and_import_bring_the_same_pages(app, tmp_path):
    from cupola.transfer import export_tree, load_export, read_export
    browser = admin_browser(app)
    wiki = add_wiki(browser)
    add_page(browser, wiki, "Notes", "Links to [[Front page]].", format="rst", status=303)
    with Site(app) as site:
        assert export_tree(app.registry, site["team-wiki"], tmp_path / "out") == 3
    checked = read_export(app.registry, tmp_path / "out")
    with Site(app) as site:
        load_export(app.registry, site, checked, name="imported")
    with Site(app) as site:
        assert pages_of(site, "imported") == ["front-page", "notes"]
        notes = site["imported"]["notes"]
        assert (notes.format, notes.body) == ("rst", "Links to [[Front page]].")
        found = site.catalog.search(None, unrestricted=True, path="/imported",
                                    wiki_links="front-page")
        assert [b.path for b in found] == ["/imported/front-page", "/imported/notes"]
