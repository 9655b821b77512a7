"""<object>/@@history and @@history-diff: revisions, transitions, diffs, revert."""

import pytest

from conftest import Site, csrf_from, publish

from . import add_person, browser, is_login_redirect, last_audit, member, messages_of, post_form

PATH = "/news/minutes"


def obj_at(site, path):
    obj = site
    for name in path.strip("/").split("/"):
        obj = obj[name]
    return obj


@pytest.fixture
def doc(app):
    """/news/minutes, created by admin and then edited twice."""
    from cupola.content import operations as ops
    with Site(app) as site:
        ops.create(app.registry, site["news"], "Document",
                   {"title": "Minutes", "description": "Board meeting",
                    "text": "<p>The board met on Monday.</p><p>Budget approved.</p>"},
                   creator="admin")
    with Site(app) as site:
        ops.edit(app.registry, obj_at(site, PATH),
                 {"text": "<p>The board met on Tuesday.</p><p>Budget approved.</p>"},
                 actor="admin", comment="Wrong day")
    with Site(app) as site:
        ops.edit(app.registry, obj_at(site, PATH),
                 {"title": "Minutes of the board", "subjects": ("board", "2026")},
                 actor="admin")
    return PATH


def revision_count(app, path=PATH):
    from cupola.content.revisions import count
    with Site(app) as site:
        return count(obj_at(site, path))


def lines(page):
    return [li.select_one(".history-line").get_text(" ", strip=True)
            for li in page.html.select(".timeline > li")]


class TestList:
    def test_revisions_newest_first_in_plain_words(self, admin, doc):
        page = admin.get(f"{doc}/@@history")
        found = lines(page)
        assert found[0].startswith("3 Site administrator changed Title and Tags")
        assert "Current" in found[0]
        assert found[1].startswith("2 Site administrator changed Body text")
        assert found[-1].startswith("1 Site administrator created it")
        assert "Wrong day" in page.html.select(".timeline > li")[1].text

    def test_each_change_links_to_its_diff(self, admin, doc):
        page = admin.get(f"{doc}/@@history")
        links = [a["href"] for a in page.html.select(".history-actions a")]
        assert links[0].endswith("/news/minutes/@@history-diff?a=2&b=3")
        assert links[-1].endswith("/news/minutes/@@history-diff?a=0&b=1")

    def test_workflow_transitions_are_merged_in(self, app, admin, doc):
        response = post_form(admin, f"{doc}/@@workflow",
                             {"transition": "publish", "comment": "Go"})
        assert response.status_int == 303
        found = lines(admin.get(f"{doc}/@@history"))
        assert found[0].startswith("⇄ Site administrator published it")
        assert "Private → Published" in found[0]
        assert len(found) == 4  # the workflow's "create" is revision 1's
        assert revision_count(app) == 3  # transitions are not copied

    def test_revert_is_offered_except_for_the_current_revision(self, admin, doc):
        page = admin.get(f"{doc}/@@history")
        numbers = [i["value"] for i in page.html.select(
            ".revert-form input[name=revision]")]
        assert numbers == ["2", "1"]

    def test_a_long_history_is_batched(self, app, admin, doc):
        from cupola.content import operations as ops
        with Site(app) as site:
            obj = obj_at(site, doc)
            for n in range(25):
                ops.edit(app.registry, obj, {"description": f"Take {n}"}, actor="admin")
        first = admin.get(f"{doc}/@@history")
        assert len(first.html.select(".timeline > li")) == 20
        assert "1–20 of 28" in first.html.select_one(".pagination").text
        second = admin.get(first.html.select_one("a[rel=next]")["href"])
        assert lines(second)[-1].startswith("1 Site administrator created it")
        assert len(second.html.select(".timeline > li")) == 8

    def test_compare_form_lists_the_revisions(self, admin, doc):
        page = admin.get(f"{doc}/@@history")
        form = page.html.select_one("form.compare-form")
        assert form["action"].endswith("/news/minutes/@@history-diff")
        options = [o["value"] for o in form.select("select[name=a] option")]
        assert options == ["3", "2", "1"]
        assert form.select_one("select[name=a] option[selected]")["value"] == "2"
        assert form.select_one("select[name=b] option[selected]")["value"] == "3"

    def test_content_without_revisions_says_so(self, app, admin):
        from cupola.content.document import Document
        with Site(app) as site:
            site.add("old", Document("Old"), send_events=False)
        page = admin.get("/old/@@history")
        assert "No history has been kept for this item yet." in page


class TestAccess:
    def test_anonymous_is_asked_to_sign_in(self, app, doc):
        assert is_login_redirect(browser(app).get(f"{doc}/@@history"))
        assert is_login_redirect(browser(app).get(f"{doc}/@@history-diff?a=1&b=2"))

    def test_a_member_who_may_view_is_refused(self, app, doc):
        with Site(app) as site:
            publish(obj_at(site, doc))
        client = member(app)
        client.get(doc, status=200)
        client.get(f"{doc}/@@history", status=403)
        client.get(f"{doc}/@@history-diff?a=1&b=2", status=403)

    def test_a_reviewer_sees_the_history_but_may_not_revert(self, app, doc):
        add_person(app, "rita", roles=("Reviewer",))
        rita = browser(app, "rita")
        with Site(app) as site:
            publish(obj_at(site, doc))
        page = rita.get(f"{doc}/@@history")
        assert not page.html.select(".revert-form")
        token = csrf_from(rita.get("/@@account"))
        rita.post(f"{doc}/@@history", {"_csrf": token, "revision": "1"}, status=403)
        assert revision_count(app) == 3


class TestDiff:
    def test_words_inserted_and_deleted_in_the_body(self, admin, doc):
        page = admin.get(f"{doc}/@@history-diff", {"a": 1, "b": 2})
        field = page.html.select_one(".diff-field")
        assert field.h2.text == "Body text"
        assert [d.text for d in field.select("del")] == ["Monday"]
        assert [i.text for i in field.select("ins")] == ["Tuesday"]
        assert "Budget approved." in field.text  # context around the change
        assert "Wrong day" in page.html.select_one(".diff-rev-new").text

    def test_title_and_tags(self, admin, doc):
        page = admin.get(f"{doc}/@@history-diff?compare=2:3")
        fields = {f.h2.text: f for f in page.html.select(".diff-field")}
        assert set(fields) == {"Title", "Tags"}
        assert [i.text for i in fields["Title"].select("ins")] == [" of the board"]
        assert [t.text for t in fields["Tags"].select("ins.tag-added")] == ["board", "2026"]

    def test_the_order_of_the_numbers_does_not_matter(self, admin, doc):
        page = admin.get(f"{doc}/@@history-diff?a=3&b=1")
        assert page.html.h1.text.strip() == "Revision 1 → 3"

    def test_the_first_revision_against_nothing(self, admin, doc):
        page = admin.get(f"{doc}/@@history-diff?a=0&b=1")
        titles = [f.h2.text for f in page.html.select(".diff-field")]
        assert "Title" in titles and "Body text" in titles
        assert not page.html.select(".revert-form")  # nothing to go back to

    def test_the_same_revision_twice(self, admin, doc):
        page = admin.get(f"{doc}/@@history-diff?a=2&b=2")
        assert "No field differs between these two revisions." in page

    @pytest.mark.parametrize("query", ["a=1&b=9", "a=-1&b=2", "a=x&b=2", "", "compare=1"])
    def test_unknown_revisions_are_not_found(self, admin, doc, query):
        admin.get(f"{doc}/@@history-diff?{query}", status=404)

    def test_content_is_escaped(self, app, admin, doc):
        from cupola.content import operations as ops
        with Site(app) as site:
            ops.edit(app.registry, obj_at(site, doc),
                     {"title": "<script>alert(1)</script>",
                      "text": "<p>&lt;img src=x onerror=alert(1)&gt; <b>bold</b></p>"},
                     actor="admin")
        page = admin.get(f"{doc}/@@history-diff?a=3&b=4")
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "<img src=x" not in page.text and "<b>bold</b>" not in page.text

    def test_only_the_formatting_changed(self, app, admin, doc):
        from cupola.content import operations as ops
        with Site(app) as site:
            ops.edit(app.registry, obj_at(site, doc),
                     {"text": "<p>The board met on <strong>Tuesday</strong>.</p>"
                      "<p>Budget approved.</p>"}, actor="admin")
        page = admin.get(f"{doc}/@@history-diff?a=3&b=4")
        assert "Only the formatting changed." in page.html.select_one(".diff-field").text

    def test_unchanged_paragraphs_are_folded(self, app, admin, doc):
        from cupola.content import operations as ops
        many = "".join(f"<p>Paragraph {n}.</p>" for n in range(10))
        with Site(app) as site:
            ops.edit(app.registry, obj_at(site, doc), {"text": many}, actor="admin")
        with Site(app) as site:
            ops.edit(app.registry, obj_at(site, doc),
                     {"text": many.replace("Paragraph 5.", "Paragraph five.")
                      + "<h2>Next</h2>"}, actor="admin")
        field = admin.get(f"{doc}/@@history-diff?a=4&b=5").html.select_one(".diff-field")
        assert [p.text for p in field.select(".diff-skip")] == [
            "… 4 unchanged paragraphs …", "… 2 unchanged paragraphs …"]
        assert [d.text for d in field.select(".diff-mod del")] == ["5"]
        assert [i.text for i in field.select(".diff-mod ins")] == ["five"]
        added = field.select_one(".diff-ins")
        assert added.select_one(".diff-kind").text == "Added heading"
        assert added.select_one("ins").text == "Next"

    def test_files_show_name_and_size(self, app, admin):
        from cupola.content import operations as ops
        with Site(app) as site:
            ops.create(app.registry, site, "File",
                       {"title": "Report", "file": (b"x" * 2048, "report.txt", None)})
        with Site(app) as site:
            ops.edit(app.registry, site["report"],
                     {"file": (b"y" * 10, "report-v2.txt", None)}, actor="admin")
        page = admin.get("/report/@@history-diff?a=1&b=2")
        rows = {tr.th.text: (tr.select("td")[0].text, tr.select("td")[1].text)
                for tr in page.html.select(".diff-values tbody tr")}
        assert rows["Name"] == ("report.txt", "report-v2.txt")
        assert rows["Size"] == ("2.0 KB", "10 bytes")


class TestRevert:
    def test_revert_makes_a_new_revision(self, app, admin, doc):
        response = post_form(admin, f"{doc}/@@history",
                             {"revision": "1", "comment": "Back to the start"})
        assert response.status_int == 303
        assert response.location.endswith(f"{doc}/@@history")
        page = response.follow()
        assert messages_of(page) == [
            "Reverted to revision 1: Title, Tags and Body text are back as they were."]
        assert lines(page)[0].startswith(
            "4 Site administrator reverted it to revision 1: Title, Tags and Body text")
        assert "Reverted to revision 1: Back to the start" in page.html.select_one(
            ".timeline > li").text
        with Site(app) as site:
            obj = obj_at(site, doc)
            assert (obj.title, obj.subjects) == ("Minutes", ())
            assert "Monday" in obj.text
        entry = last_audit(app, "content.reverted")
        assert (entry["object"], entry["revision"]) == (doc, 1)

    def test_the_catalog_sees_the_reverted_title(self, app, admin, doc):
        post_form(admin, f"{doc}/@@history", {"revision": "1"})
        page = admin.get("/@@search", {"q": "Minutes"})
        assert "Minutes of the board" not in page.text

    def test_without_a_token_nothing_changes(self, app, admin, doc):
        before = app.db.lastTransaction()
        admin.post(f"{doc}/@@history", {"revision": "1"}, status=403)
        assert app.db.lastTransaction() == before

    @pytest.mark.parametrize("value", ["9", "x", ""])
    def test_an_unknown_revision_changes_nothing(self, app, admin, doc, value):
        page = admin.get(f"{doc}/@@history")
        before = app.db.lastTransaction()
        response = post_form(admin, f"{doc}/@@history", {"revision": value}, page=page)
        assert messages_of(response.follow()) == [
            "There is no such revision to go back to."]
        assert app.db.lastTransaction() == before

    def test_reverting_to_the_current_values_changes_nothing(self, app, admin, doc):
        page = admin.get(f"{doc}/@@history")
        before = app.db.lastTransaction()
        response = post_form(admin, f"{doc}/@@history", {"revision": "3"}, page=page)
        assert messages_of(response.follow()) == [
            "Nothing to revert: it already has the values of revision 3."]
        assert app.db.lastTransaction() == before

    def test_a_member_may_not_revert(self, app, doc):
        client = member(app)
        token = csrf_from(client.get("/@@account"))
        client.post(f"{doc}/@@history", {"_csrf": token, "revision": "1"}, status=403)
        assert revision_count(app) == 3

    def test_the_diff_page_offers_to_revert_to_the_older_revision(self, admin, doc):
        page = admin.get(f"{doc}/@@history-diff?a=1&b=3")
        assert page.html.select_one(".revert-form input[name=revision]")["value"] == "1"
