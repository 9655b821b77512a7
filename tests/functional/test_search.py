"""@@search through the WSGI app: results, security, facets, snippets, pages."""

import pytest

from conftest import publish, sign_in


def add(site, folder, name, title, text="", subjects=(), published=True, **attrs):
    from cupola.content.document import Document
    doc = Document(title, attrs.pop("description", ""), text)
    doc.subjects = tuple(subjects)
    for key, value in attrs.items():
        setattr(doc, key, value)
    folder.add(name, doc)
    if published:
        publish(doc)
    return doc


@pytest.fixture
def content(app, site_of):
    from cupola.content.folder import Folder
    with site_of(app) as site:
        garden = publish(site.add("garden", Folder("Garden")))
        add(site, garden, "roses", "Roses in winter",
            "<p>Pruning roses before the frost keeps them healthy.</p>",
            subjects=("plants", "winter"))
        add(site, garden, "tulips", "Tulip bulbs",
            "<p>Plant tulip bulbs in autumn; roses come later.</p>",
            subjects=("plants",))
        add(site, site, "plans", "Secret roses plan", "<p>roses for the boss</p>",
            published=False)
        add(site, site, "escape", "Roses <script>alert(1)</script> & co",
            "<p>roses &amp; <b>thorns</b> &lt;script&gt;</p>")
    return app


def results(page):
    return [a.text.strip() for a in page.html.select("ol.results a.result-title")]


class TestSearchPage:
    def test_empty_search_shows_the_form_only(self, testapp, content):
        page = testapp.get("/@@search")
        assert page.html.select_one("form.search-form input[name=q]")
        assert not page.html.select("ol.results")

    def test_finds_published_documents_by_body_text(self, testapp, content):
        page = testapp.get("/@@search?q=frost")
        assert results(page) == ["Roses in winter"]

    def test_anonymous_never_sees_private_content(self, testapp, content):
        titles = results(testapp.get("/@@search?q=roses"))
        assert "Secret roses plan" not in titles
        assert "Roses in winter" in titles

    def test_signed_in_manager_sees_private_content(self, testapp, content):
        sign_in(testapp)
        assert "Secret roses plan" in results(testapp.get("/@@search?q=roses"))

    def test_search_in_a_folder_is_limited_to_it(self, testapp, content):
        titles = results(testapp.get("/garden/@@search?q=roses"))
        assert sorted(titles) == ["Roses in winter", "Tulip bulbs"]

    def test_result_count_is_stated(self, testapp, content):
        page = testapp.get("/@@search?q=tulip")
        assert "1 result" in page.html.select_one(".search-summary").text


class TestSnippets:
    def test_query_words_are_marked(self, testapp, content):
        page = testapp.get("/@@search?q=frost")
        snippet = page.html.select_one(".result-snippet")
        assert [m.text for m in snippet.select("mark")] == ["frost"]

    def test_a_summary_without_a_full_stop_is_set_off_from_the_body(self, app, site_of,
                                                                    testapp):
        with site_of(app) as site:
            add(site, site, "a", "Harbour", "<p>The quay opens.</p>",
                description="Notes on the harbour")
            add(site, site, "b", "Bridge", "<p>The bridge opens.</p>",
                description="Notes on the bridge.")
        snippets = {a.text.strip(): li.select_one(".result-snippet").text for li in
                    testapp.get("/@@search?q=opens").html.select("ol.results li")
                    for a in li.select("a.result-title")}
        assert snippets == {"Harbour": "Notes on the harbour — The quay opens.",
                            "Bridge": "Notes on the bridge. The bridge opens."}

    def test_titles_and_snippets_are_escaped(self, testapp, content):
        page = testapp.get("/@@search?q=thorns")
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert not page.html.select(".results script")


class TestFacets:
    def facet(self, page, heading):
        for section in page.html.select("aside.facets .facet"):
            if section.h2.text == heading:
                return {a.select_one("span").text: int(a.select_one(".count").text)
                        for a in section.select("a")}
        return {}

    def test_counts_per_tag(self, testapp, content):
        page = testapp.get("/@@search?q=roses")
        assert self.facet(page, "Tags") == {"plants": 2, "winter": 1}

    def test_type_names_are_shown_as_people_know_them(self, testapp, content):
        page = testapp.get("/@@search?q=roses")
        assert self.facet(page, "Type") == {"Page": 3}

    def test_choosing_a_tag_filters_and_can_be_undone(self, testapp, content):
        page = testapp.get("/@@search?q=roses")
        link = page.html.select_one('aside.facets a[href*="subject=winter"]')
        filtered = testapp.get(link["href"])
        assert results(filtered) == ["Roses in winter"]
        chosen = filtered.html.select_one('aside.facets a[aria-pressed="true"]')
        assert "subject=winter" not in chosen["href"]

    def test_facet_counts_ignore_private_content(self, testapp, content):
        page = testapp.get("/@@search?q=roses")
        assert sum(self.facet(page, "State").values()) == 3

    def test_modified_buckets(self, testapp, content):
        page = testapp.get("/@@search?q=roses")
        assert self.facet(page, "Modified") == {"Past day": 3}
        assert len(results(testapp.get("/@@search?q=roses&modified=day"))) == 3
        assert results(testapp.get("/@@search?q=roses&modified=year")) == []


class TestSortingAndPages:
    @pytest.fixture
    def many(self, app, site_of):
        from cupola.content.folder import Folder
        with site_of(app) as site:
            folder = publish(site.add("many", Folder("Many")))
            for i in range(45):
                add(site, folder, f"doc-{i:02d}", f"Item {i:02d}", "<p>common word</p>")
        return app

    def test_twenty_per_page_with_links(self, testapp, many):
        page = testapp.get("/@@search?q=common&sort=title")
        assert results(page)[:2] == ["Item 00", "Item 01"]
        assert len(results(page)) == 20
        second = testapp.get(page.html.select_one(".pagination a[rel=next]")["href"])
        assert results(second)[0] == "Item 20"

    def test_sort_by_title_reverse_is_not_offered_but_oldest_is(self, testapp, many):
        page = testapp.get("/@@search?q=common&sort=oldest")
        assert len(results(page)) == 20

    @pytest.mark.parametrize("query", ["sort=bogus", "b_start=-5", "b_start=abc",
                                       "b_start=99999", "type=Nothing"])
    def test_bad_parameters_do_not_fail(self, testapp, many, query):
        testapp.get(f"/@@search?q=common&{query}", status=200)


class TestBadQueries:
    @pytest.mark.parametrize("query", ["AND", "OR OR", "NOT"])
    def test_malformed_query_is_a_400_with_a_message(self, testapp, content, query):
        page = testapp.get("/@@search", {"q": query}, status=400)
        assert "could not be understood" in page.html.select_one(".error-message").text

    def test_overlong_query_is_cut(self, testapp, content):
        testapp.get("/@@search", {"q": "roses " * 500}, status=200)


def test_every_page_has_a_search_box(testapp):
    form = testapp.get("/").html.select_one("form.header-search")
    assert form["action"].endswith("/@@search")
