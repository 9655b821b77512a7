"""RecentChanges, the title index, backlinks and search inside a wiki."""

from webtest import TestApp

from conftest import Site
from wiki_support import add_page, add_wiki, edit_page, person, publish
from wiki_support import admin, app, wiki  # noqa: F401  (fixtures, found by name)


def titles(page, selector):
    return [a.text for a in page.html.select(selector)]


def test_recent_changes_newest_first_with_who_when_and_comment(app, admin, wiki):
    add_page(admin, wiki, "Alpha", "a", status=303)
    cora = person(app, "cora", roles=("Editor",))
    add_page(cora, wiki, "Beta", "b", status=303)
    edit_page(admin, f"{wiki}/alpha", body="a2", comment="fixed a typo")
    page = admin.get(f"{wiki}/@@recent-changes")
    assert titles(page, ".wiki-change-title") == ["Alpha", "Beta", "FrontPage"]
    first, second = page.html.select(".wiki-changes li")[:2]
    assert first.select_one(".wiki-change-action").text == "edited"
    assert first.select_one(".wiki-change-who").text == "Site administrator"
    assert first.select_one(".wiki-change-comment").text == "fixed a typo"
    assert first.select_one(".wiki-change-diff")["href"].endswith(
        "/team-wiki/alpha/@@history-diff?a=1&b=2")
    assert first.select_one("time")["datetime"]
    assert (second.select_one(".wiki-change-action").text,
            second.select_one(".wiki-change-who").text) == ("created", "Cora")
    assert second.select_one(".wiki-change-diff") is None


def test_recent_changes_is_batched_and_linked_as_a_wikiword(app, admin, wiki):
    from cupola.content import operations
    with Site(app) as site:
        for n in range(35):
            operations.create(app.registry, site["team-wiki"], "WikiPage",
                              {"title": f"Page {n:02}", "body": "x",
                               "format": "markdown"}, name=f"page-{n:02}")
    first = admin.get(f"{wiki}/@@recent-changes")
    assert len(first.html.select(".wiki-changes li")) == 30
    assert first.html.select_one(".pagination .count").text == "1–30 of 36"
    later = admin.get(first.html.select_one(".pagination a[rel=next]")["href"])
    assert len(later.html.select(".wiki-changes li")) == 6
    link = admin.get(f"{wiki}/front-page").html.find("a", string="RecentChanges")
    assert link["href"] == "http://localhost/team-wiki/@@recent-changes"


def test_visitors_see_only_published_changes(app, admin, wiki):
    add_page(admin, wiki, "Hidden", "x", status=303)
    add_page(admin, wiki, "Shown", "x", status=303)
    publish(admin, wiki, f"{wiki}/shown")
    page = TestApp(app).get(f"{wiki}/@@recent-changes")
    assert titles(page, ".wiki-change-title") == ["Shown"]
    assert page.html.select_one(".wiki-change-diff") is None


def test_title_index_sorted_by_title(admin, wiki):
    for title in ("zebra", "Apple", "mango"):
        add_page(admin, wiki, title, "x", status=303)
    page = admin.get(f"{wiki}/@@title-index")
    assert titles(page, ".wiki-pages a") == ["Apple", "FrontPage", "mango", "zebra"]


def test_a_wiki_without_a_front_page_opens_on_its_index(app, admin, wiki):
    with Site(app) as site:
        from cupola.content import operations
        operations.delete(site["team-wiki"]["front-page"])
    response = admin.get(wiki, status=303)
    assert response.location.endswith("/team-wiki/@@title-index")


def test_backlinks_follow_edits(admin, wiki):
    add_page(admin, wiki, "Target", "x", status=303)
    add_page(admin, wiki, "One", "See [[Target]].", status=303)
    add_page(admin, wiki, "Two", "Also [[target|here]].", status=303)
    add_page(admin, wiki, "Three", "`Target` in code: [[Other]]", status=303)
    page = admin.get(f"{wiki}/target/@@backlinks")
    assert titles(page, ".wiki-pages a") == ["One", "Two"]
    edit_page(admin, f"{wiki}/two", body="Nothing now.")
    assert titles(admin.get(f"{wiki}/target/@@backlinks"), ".wiki-pages a") == ["One"]
    link = admin.get(f"{wiki}/target").html.select_one(".wiki-actions a[href$='@@backlinks']")
    assert link.text == "What links here"


def test_backlinks_stay_inside_their_wiki(admin, wiki):
    other = add_wiki(admin, "Other wiki")
    add_page(admin, other, "Elsewhere", "Links to FrontPage.", status=303)
    add_page(admin, wiki, "Here", "Links to FrontPage.", status=303)
    page = admin.get(f"{wiki}/front-page/@@backlinks")
    assert titles(page, ".wiki-pages a") == ["FrontPage", "Here"]  # its own text links it too


def test_search_is_restricted_to_the_wiki(admin, wiki):
    add_page(admin, wiki, "Harbour", "The harbour bridge is **open**.", status=303)
    other = add_wiki(admin, "Other wiki")
    add_page(admin, other, "Harbour elsewhere", "A harbour too.", status=303)
    form = admin.get(f"{wiki}/front-page").html.select_one("form.wiki-search")
    assert form["action"] == "http://localhost/team-wiki/@@search"
    results = admin.get(f"{wiki}/@@search", {"q": "harbour", "type": "WikiPage"})
    assert titles(results, ".results a.result-title") == ["Harbour"]
    everywhere = admin.get("/@@search", {"q": "harbour"})
    assert sorted(titles(everywhere, ".results a.result-title")) == [
        "Harbour", "Harbour elsewhere"]


def test_search_finds_rendered_words_not_markup(admin, wiki):
    add_page(admin, wiki, "Styled", "Some **emphasised** words", status=303)
    results = admin.get(f"{wiki}/@@search", {"q": "emphasised"})
    assert titles(results, ".results a.result-title") == ["Styled"]
    assert "**" not in results.html.select_one(".results").text
    assert titles(admin.get(f"{wiki}/@@search", {"q": "Some"}), ".results a.result-title") \
        == ["Styled"]
