"""A wiki through the web: its FrontPage, pages in Markdown and
reStructuredText, WikiWord and [[links]], create links, who sees what."""

from urllib.parse import parse_qs, urlsplit

from webtest import TestApp

from conftest import Site
from wiki_support import add_page, person, publish
from wiki_support import admin, app, wiki  # noqa: F401  (fixtures, found by name)


def test_a_new_wiki_has_a_front_page_and_opens_on_it(app, admin, wiki):
    assert wiki == "/team-wiki"
    response = admin.get(wiki, status=303)
    assert response.location == "http://localhost/team-wiki/front-page"
    page = response.follow()
    assert page.html.select_one("#wiki-page h1").text == "FrontPage"
    with Site(app) as site:
        assert list(site["team-wiki"].keys()) == ["front-page"]
        front = site["team-wiki"]["front-page"]
        assert (front.type_name, front.format, front.creator) == ("WikiPage", "markdown", "admin")


def test_wiki_is_offered_in_the_site_and_folders_but_pages_only_in_wikis(admin, wiki):
    admin.get("/about/++add++Wiki", status=200)
    admin.get("/++add++WikiPage", status=404)
    admin.get("/about/++add++WikiPage", status=404)
    admin.get(f"{wiki}/++add++Document", status=404)


def test_links_to_existing_and_missing_pages(admin, wiki):
    add_page(admin, wiki, "Meeting notes", "Back to FrontPage.", status=303)
    add_page(admin, wiki, "Start", "See [[Meeting notes]], [[meeting notes|the notes]], "
             "MeetingNotes and NewIdeas.\n\n`NotALink` and !NotLinked.", status=303)
    page = admin.get(f"{wiki}/start")
    anchors = [(a.text, a["href"], a.get("class")) for a in page.html.select(".wiki-text a")]
    notes = "http://localhost/team-wiki/meeting-notes"
    assert anchors[:3] == [("Meeting notes", notes, ["wikilink"]),
                           ("the notes", notes, ["wikilink"]),
                           ("MeetingNotes", notes, ["wikilink"])]
    text, href, classes = anchors[3]
    assert (text, classes) == ("NewIdeas", ["wikilink", "wikilink-missing"])
    assert href.startswith("http://localhost/team-wiki/++add++WikiPage?")
    assert parse_qs(urlsplit(href).query) == {"title": ["NewIdeas"], "name": ["new-ideas"]}
    assert len(anchors) == 4
    assert page.html.select_one(".wiki-text code").text == "NotALink"
    assert "NotLinked." in page.html.select_one(".wiki-text").text


def test_a_create_link_opens_the_add_form_filled_in(admin, wiki):
    add_page(admin, wiki, "Start", "Write [[Team rules]] soon.", status=303)
    href = admin.get(f"{wiki}/start").html.select_one("a.wikilink-missing")["href"]
    form = admin.get(href.replace("http://localhost", ""))
    assert form.html.select_one("#field-title")["value"] == "Team rules"
    assert form.html.select_one("[name=_name]")["value"] == "team-rules"
    add_page(admin, wiki, "Team rules", "Be kind.", status=303)
    link = admin.get(f"{wiki}/start").html.select_one(".wiki-text a")
    assert (link["href"], link["class"]) == ("http://localhost/team-wiki/team-rules",
                                             ["wikilink"])


def test_a_page_added_without_a_name_is_named_by_the_rule(app, admin, wiki):
    response = add_page(admin, wiki, "ProjectPlan", "x", status=303)
    assert response.location == "http://localhost/team-wiki/project-plan"
    add_page(admin, wiki, "Road map 2027", "x", status=303)
    with Site(app) as site:
        assert {"project-plan", "road-map-2027"} <= set(site["team-wiki"].keys())


def test_a_name_in_use_is_refused_next_to_the_field(admin, wiki):
    page = add_page(admin, wiki, "Front page", "again", status=200)
    assert "already an item called 'front-page'" in page.text


def test_restructuredtext_pages(admin, wiki):
    add_page(admin, wiki, "Guide", "Setup\n=====\n\nRead FrontPage.\n\n"
             ".. raw:: html\n\n   <script>alert(1)</script>\n", format="rst", status=303)
    page = admin.get(f"{wiki}/guide")
    text = page.html.select_one(".wiki-text")
    assert text.select_one("h2").text == "Setup"
    assert text.select_one("a.wikilink").text == "FrontPage"
    assert "<script" not in page.text.split("<main", 1)[1]
    assert "reStructuredText" in page.html.select_one(".meta").text


def test_hostile_text_is_sanitised_and_titles_escaped(admin, wiki):
    added = add_page(admin, wiki, "<b>Bold</b> title", '<img src=x onerror="alert(1)">'
                     '<script>alert(2)</script> [[Tom & Jerry|Tom <3 "Jerry"]]', status=303)
    page = added.follow()
    main = page.text.split("<main", 1)[1]
    assert "onerror" not in main and "<script" not in main
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in main
    link = page.html.select_one(".wiki-text a")
    assert link.text == 'Tom <3 "Jerry"' and "&lt;3" in str(link)
    assert link["title"] == "Create the page “Tom & Jerry”"
    assert link["aria-label"] == 'Tom <3 "Jerry" (no such page yet: create it)'


class TestWhoSeesWhat:
    def test_anonymous_sees_only_published_pages(self, app, admin, wiki):
        add_page(admin, wiki, "Draft", "Secret words.", status=303)
        anonymous = TestApp(app)
        assert anonymous.get(f"{wiki}/front-page").status_int == 303  # sign in
        publish(admin, wiki, f"{wiki}/front-page")
        assert anonymous.get(f"{wiki}/front-page").status_int == 200
        assert anonymous.get(f"{wiki}/draft").status_int == 303
        assert "Draft" not in anonymous.get(f"{wiki}/@@title-index").text

    def test_links_to_unseen_or_missing_pages_are_plain_text_for_readers(self, app, admin, wiki):
        add_page(admin, wiki, "Draft", "x", status=303)
        add_page(admin, wiki, "Home", "See DraftPage, [[Draft]] and FrontPage.", status=303)
        publish(admin, wiki, f"{wiki}/front-page", f"{wiki}/home")
        page = TestApp(app).get(f"{wiki}/home")
        assert [a.text for a in page.html.select(".wiki-text a")] == ["FrontPage"]
        assert [s.text for s in page.html.select(".wiki-text span.wikilink-missing")] == [
            "DraftPage", "Draft"]
        assert page.html.select_one(".wiki-actions a") is not None  # What links here
        assert not page.html.select(".wiki-actions a[href$='@@edit']")
        assert "New page" not in page.html.select_one(".wiki-bar").text

    def test_a_member_may_read_but_not_create(self, app, admin, wiki):
        add_page(admin, wiki, "Home", "See NewIdeas.", status=303)
        publish(admin, wiki, f"{wiki}/home")
        mel = person(app, "mel", roles=("Member",))
        page = mel.get(f"{wiki}/home")
        assert page.html.select_one("span.wikilink-missing").text == "NewIdeas"
        mel.get(f"{wiki}/++add++WikiPage", status=403)

    def test_a_contributor_may_create_from_a_link(self, app, admin, wiki):
        add_page(admin, wiki, "Home", "See NewIdeas.", status=303)
        publish(admin, wiki, f"{wiki}/home")
        cora = person(app, "cora", roles=("Contributor",))
        link = cora.get(f"{wiki}/home").html.select_one("a.wikilink-missing")
        assert link.text == "NewIdeas"
        response = add_page(cora, wiki, "NewIdeas", "Mine.", status=303)
        assert response.location.endswith("/team-wiki/new-ideas")
