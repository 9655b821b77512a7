"""Editing wiki pages through the core edit form, their history, diffs
and revert (the core revision history), and the rendering cache."""

import pytest

from conftest import Site, csrf_from
from wiki_support import add_page, add_wiki, edit_page
from wiki_support import admin, app  # noqa: F401  (fixtures, found by name)


@pytest.fixture
def page(admin):
    wiki = add_wiki(admin)
    add_page(admin, wiki, "Plans", "First plan: see FrontPage.", status=303)
    return f"{wiki}/plans"


def test_the_edit_form_has_text_and_format(admin, page):
    form = admin.get(f"{page}/@@edit")
    assert form.html.select_one("textarea#field-body").text == "First plan: see FrontPage."
    formats = {i["value"]: i.has_attr("checked")
               for i in form.html.select("input[name=format]")}
    assert formats == {"markdown": True, "rst": False}


def test_an_edit_shows_at_once_and_is_cached_in_its_revision(app, admin, page):
    edit_page(admin, page, body="Second plan: see OtherPage.", comment="rethink")
    shown = admin.get(page).html.select_one(".wiki-text")
    assert shown.text.strip() == "Second plan: see OtherPage."
    with Site(app) as site:
        plans = site["team-wiki"]["plans"]
        from cupola_wiki.rendering import cache_key
        key, parts = plans._rendered
        assert key == cache_key(plans)
        assert "Second plan" in parts[0]


def test_viewing_writes_nothing(app, admin, page):
    with Site(app) as site:
        before = site["team-wiki"]["plans"]._p_serial
    for _ in range(2):
        admin.get(page)
    with Site(app) as site:
        assert site["team-wiki"]["plans"]._p_serial == before


def test_a_format_change_renders_again(admin, page):
    edit_page(admin, page, body="Head\n====\n\n* item", format="rst")
    text = admin.get(page).html.select_one(".wiki-text")
    assert text.select_one("h2").text == "Head" and text.select_one("li").text == "item"


def test_history_is_linked_lists_edits_and_diffs_them(admin, page):
    edit_page(admin, page, body="First plan: see FrontPage and more.", comment="more")
    view = admin.get(page)
    history_url = view.html.select_one(".wiki-actions a[href$='@@history']")["href"]
    history = admin.get(history_url.replace("http://localhost", ""))
    lines = [p.get_text(" ", strip=True) for p in history.html.select(".history-line")]
    assert "changed Text" in lines[0] and "created it" in lines[-1]
    assert history.html.select_one("blockquote.comment").text == "more"
    diff = admin.get(f"{page}/@@history-diff?a=1&b=2")
    text = diff.html.select_one(".diff-field .diff-text")
    assert [i.text for i in text.select("ins")] == [" and more"]
    assert not text.select("del")


def test_revert_brings_the_text_back(app, admin, page):
    edit_page(admin, page, body="Vandalised!")
    history = admin.get(f"{page}/@@history")
    admin.post(f"{page}/@@history", {"_csrf": csrf_from(history), "revision": "1"},
               status=303)
    assert admin.get(page).html.select_one(".wiki-text").text.strip() == \
        "First plan: see FrontPage."
    with Site(app) as site:
        from cupola.content import revisions
        plans = site["team-wiki"]["plans"]
        assert revisions.count(plans) == 3
        assert revisions.get_revision(plans, 3).action == "revert"
        assert "Vandalised" not in "".join(p for p in plans._rendered[1]
                                           if isinstance(p, str))
