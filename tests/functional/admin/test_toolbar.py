"""The editing toolbar on content pages, and @@as-anonymous."""

import pytest

from conftest import Site, build_app, csrf_from, publish

from . import add_person, browser, is_login_redirect, member, messages_of


@pytest.fixture
def doc(app):
    """/news/draft: a private page."""
    from cupola.content.document import Document
    with Site(app) as site:
        site["news"].add("draft", Document("Draft", "", "<p>secret draft</p>"))
    return "/news/draft"


def bar(page):
    return page.html.select_one('nav.toolbar[aria-label="Editing"]')


def actions(page):
    """The labels of the toolbar's links and menus, in order."""
    found = []
    for li in bar(page).select(".toolbar-actions > li"):
        link = li.select_one("a.toolbar-link, summary")
        found.append(link.get_text(strip=True))
    return found


def admin_css(page):
    return [l["href"] for l in page.html.select("link[rel=stylesheet]")
            if "admin.css" in l["href"]]


class TestWhoSeesIt:
    def test_anonymous_gets_no_toolbar_and_no_admin_stylesheet(self, app):
        page = browser(app).get("/")
        assert bar(page) is None and admin_css(page) == []

    def test_a_member_who_may_do_nothing_gets_no_toolbar(self, app):
        page = member(app).get("/welcome")
        assert bar(page) is None

    def test_a_manager_gets_it_with_the_admin_stylesheet_once(self, admin):
        page = admin.get("/news")
        assert bar(page) is not None
        assert len(admin_css(page)) == 1
        edit = admin.get("/news/@@edit")
        assert len(admin_css(edit)) == 1  # admin pages link it themselves

    def test_the_form_scripts_load_on_edit_screens_only(self, admin, doc):
        def scripts(page):
            return [s["src"] for s in page.html.select("script[src]")]
        viewing = scripts(admin.get(doc))  # only the toolbar's menus (Escape closes them)
        assert [src.split("?")[0].rsplit("/", 1)[-1] for src in viewing] == ["menus.js"]
        assert any("edit.js" in src for src in scripts(admin.get(f"{doc}/@@edit")))

    def test_error_pages_have_no_toolbar(self, admin):
        page = admin.get("/news/no-such-thing", status=404)
        assert bar(page) is None


class TestActions:
    def test_on_a_folder(self, admin):
        page = admin.get("/news")
        labels = actions(page)
        assert labels[:2] == ["View", "Edit"]
        assert "Add" in labels and "Sharing" in labels and "View as anonymous" in labels
        assert labels[-1] == "Delete…"
        links = {a.get_text(strip=True): a["href"] for a in bar(page).select("a.toolbar-link")}
        assert links["Edit"] == "http://localhost/news/@@edit"
        assert links["Delete…"] == "http://localhost/news/@@delete"
        assert links["View as anonymous"] == "http://localhost/news/@@as-anonymous"
        assert bar(page).select_one("a[aria-current=page]").text == "View"

    def test_the_add_menu_lists_the_types_allowed_here(self, admin):
        page = admin.get("/news")
        menu = bar(page).select_one("details.toolbar-menu")
        assert menu.select_one("summary").get_text(strip=True) == "Add"
        items = [(a.select_one("strong").text, a["href"]) for a in menu.select("a")]
        assert items == [
            ("Folder", "http://localhost/news/++add++Folder"),
            ("Page", "http://localhost/news/++add++Document"),
            ("File", "http://localhost/news/++add++File"),
            ("Image", "http://localhost/news/++add++Image"),
            ("Link", "http://localhost/news/++add++Link")]

    def test_on_a_page_no_contents_nor_add(self, admin, doc):
        labels = actions(admin.get(doc))
        assert "Contents" not in labels and "Add" not in labels
        assert {"View", "Edit", "Sharing", "Delete…"} <= set(labels)

    def test_the_site_root_cannot_be_deleted(self, admin):
        assert "Delete…" not in actions(admin.get("/"))

    def test_the_current_action_is_marked(self, admin, doc):
        page = admin.get(f"{doc}/@@edit")
        assert bar(page).select_one("a[aria-current=page]").text == "Edit"

    def test_contents_and_history_follow_the_registered_views(self, app, admin, doc):
        registered = {info.name for _, _, info in app.registry.views}
        assert ("Contents" in actions(admin.get("/news"))) == ("contents" in registered)
        assert ("History" in actions(admin.get(doc))) == ("history" in registered)

    def test_an_add_on_may_add_an_action(self):
        from cupola.admin.toolbar import add_toolbar_action
        from cupola.interfaces import IDocument
        from cupola.security.roles import MODIFY

        def addon(config):
            add_toolbar_action(config, "stats", "Statistics", permission=MODIFY,
                               context=IDocument, order=75)

        application = build_app(addon)
        try:
            from webtest import TestApp
            from conftest import sign_in
            client = TestApp(application)
            sign_in(client)
            labels = actions(client.get("/welcome"))
            assert labels.index("Statistics") == labels.index("View as anonymous") - 1
            assert "Statistics" not in actions(client.get("/news"))
        finally:
            application.db.close()


class TestWorkflow:
    def test_the_state_is_a_coloured_badge_with_transitions_one_click_away(self, app, admin, doc):
        page = admin.get(doc)
        state = bar(page).select_one(".toolbar-state")
        badge = state.select_one(".badge")
        assert badge.text == "Private" and "badge-private" in badge["class"]
        form = state.select_one("form")
        assert form["action"] == "http://localhost/news/draft/@@workflow"
        assert form["method"] == "post" and form.select_one("input[name=_csrf]")
        assert [b["value"] for b in form.select("button[name=transition]")] == ["submit", "publish"]
        response = admin.post(form["action"], {"_csrf": csrf_from(page),
                                               "transition": "publish"})
        page = response.follow()
        assert "Published." in messages_of(page)
        badge = bar(page).select_one(".toolbar-state .badge")
        assert badge.text == "Published" and "badge-published" in badge["class"]
        assert [b["value"] for b in bar(page).select("button[name=transition]")] == ["retract"]

    def test_the_badge_leads_to_the_state_page_which_offers_the_transitions(self, admin, doc):
        badge = bar(admin.get(doc)).select_one(".toolbar-state a.badge")
        assert badge["href"] == "http://localhost/news/draft/@@workflow"
        page = admin.get(badge["href"])
        assert bar(page).select_one(".toolbar-state a.badge")["aria-current"] == "page"
        assert bar(page).select("button[name=transition]") == []  # the page has them

    def test_a_contributor_sees_what_they_may_do_on_their_own_page(self, app, doc):
        add_person(app, "carl", roles=("Contributor",))
        carl = browser(app, "carl")
        with Site(app) as site:
            site["news"]["draft"].creator = "carl"
            from cupola.security.localroles import add_local_role
            add_local_role(site["news"]["draft"], "carl", "Owner")
        page = carl.get(doc)
        labels = actions(page)
        assert "Edit" in labels and "Delete…" in labels
        assert "Sharing" not in labels
        assert [b["value"] for b in bar(page).select("button[name=transition]")] == ["submit"]

    def test_a_contributor_elsewhere_sees_only_add(self, app):
        add_person(app, "carl", roles=("Contributor",))
        page = browser(app, "carl").get("/news")
        labels = actions(page)
        assert "Add" in labels and "Edit" not in labels and "Delete…" not in labels
        types = [a.select_one("strong").text for a in bar(page).select(".toolbar-menu a")]
        assert types == ["Folder", "Page", "File", "Image", "Link"]

    def test_the_toolbar_follows_changes(self, app, admin, doc):
        assert bar(admin.get(doc)).select_one(".badge").text == "Private"
        with Site(app) as site:
            publish(site["news"]["draft"])
        assert bar(admin.get(doc)).select_one(".badge").text == "Published"


class TestAsAnonymous:
    def test_a_published_page_is_shown_without_the_user(self, app, admin):
        before = app.db.lastTransaction()
        page = admin.get("/welcome/@@as-anonymous")
        assert page.status_int == 200
        assert page.headers["Cache-Control"] == "no-store"
        assert "Welcome" in page.html.select_one("h1").text
        assert bar(page) is None
        banner = page.html.select_one(".toolbar-anonymous")
        assert "not signed in" in banner.text
        assert banner.select_one("a")["href"] == "http://localhost/welcome"
        assert page.html.select_one(".user-name") is None  # the header of a visitor
        assert app.db.lastTransaction() == before
        assert bar(admin.get("/welcome")) is not None  # still signed in

    def test_a_private_page_explains_that_visitors_cannot_see_it(self, app, admin, doc):
        page = admin.get(f"{doc}/@@as-anonymous")
        assert page.html.select_one("h1").text == "Visitors cannot see this page"
        assert "secret draft" not in page.text

    def test_a_folder_lists_only_what_visitors_may_see(self, app, admin, doc):
        from cupola.content.document import Document
        with Site(app) as site:
            publish(site["news"].add("out", Document("Out in the open")))
            publish(site["news"])
        page = admin.get("/news/@@as-anonymous")
        titles = [t.text for t in page.html.select(".card-title")]
        assert "Out in the open" in titles and "Draft" not in titles
        assert "Draft" in admin.get("/news").text

    def test_only_for_signed_in_users(self, app):
        assert is_login_redirect(browser(app).get("/welcome/@@as-anonymous"))
