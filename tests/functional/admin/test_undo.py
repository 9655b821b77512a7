"""@@undo: the undo log in plain words, what a change touched, undoing."""

from webtest import TestApp

from conftest import Site, build_app, csrf_from, sign_in

from . import file_admin, file_app  # noqa: F401  (the app and admin fixtures)
from . import add_person, browser, is_login_redirect, last_audit, messages_of


class As:
    """``with As(app, "admin") as site:`` a change committed as *login*."""

    def __init__(self, app, login="admin"):
        self.site, self.login = Site(app), login

    def __enter__(self):
        site = self.site.__enter__()
        site._p_jar.transaction_manager.get().user = self.login
        return site

    def __exit__(self, *exc):
        return self.site.__exit__(*exc)


def create(app, title="Agenda", folder="news"):
    with As(app) as site:
        from cupola.content import operations
        operations.create(app.registry, site[folder], "Document",
                          {"title": title, "text": "<p>running late</p>"})


def text_of(node):
    return " ".join(node.get_text(" ", strip=True).split())


def rows(page):
    return page.html.select(".undo-row")


def row_for(page, words):
    for row in rows(page):
        if words in row.select_one(".undo-what").get_text(" ", strip=True):
            return row
    raise AssertionError(f"no row with {words!r}")


def tid(row):
    return row.select_one("input[name=tid]")["value"]


def undo(client, *tids, page=None):
    page = page or client.get("/@@undo")
    return client.post("/@@undo", [("_csrf", csrf_from(page))] +
                       [("tid", t) for t in tids])


def in_catalog(app, path):
    with Site(app) as site:
        return [b.path for b in site.catalog.search(None, unrestricted=True, path=path,
                                                    depth=0)] == [path]


class TestList:
    def test_rows_say_when_who_and_what_in_plain_words(self, app, admin):
        create(app)
        page = admin.get("/@@undo")
        row = rows(page)[0]
        assert row.select_one(".undo-what").get_text(strip=True) == \
            "Added Page “Agenda” in /news"
        meta = row.select_one(".meta").get_text(" ", strip=True)
        assert "Today" in meta and "Site administrator (admin)" in meta
        assert row.select_one("time")["datetime"]
        assert "Can be undone" in row.get_text()

    def test_web_changes_carry_the_user_and_a_fallback_description(self, app, admin):
        from . import post_form
        post_form(admin, "/@@add-user", {"login": "newbie", "password": "a-fresh-password-7",
                                         "password2": "a-fresh-password-7"})
        page = admin.get("/@@undo")
        row = rows(page)[0]
        assert row.select_one(".undo-what").get_text(strip=True) == "Added a user"
        assert row.select_one(".meta code").text == "POST /@@add-user"
        assert "admin" in row.select_one(".undo-who").get_text()
        signed_in = row_for(page, "Signed in")  # admin's own sign-in, before the cookie
        assert signed_in.select_one(".undo-who") is None
        assert signed_in.select_one(".meta code").text == "POST /@@login"

    def test_the_creation_of_the_site_cannot_be_undone(self, app, admin):
        row = row_for(admin.get("/@@undo"), "Created the site")
        assert "it created the site itself" in row.get_text()
        assert row.select_one("input[name=tid]").has_attr("disabled")

    def test_fifty_a_page_newest_first(self, app, admin):
        for n in range(60):
            create(app, f"Page {n}")
        first = admin.get("/@@undo")
        assert len(rows(first)) == 50
        assert "Page 59" in rows(first)[0].get_text()
        assert not first.html.select("a[rel=prev]")
        second = first.click(href="b_start=50")
        assert "Page 9”" in rows(second)[0].get_text()
        assert second.html.select("a[rel=prev]")

    def test_details_name_what_was_created_and_changed(self, app, admin):
        create(app)
        with As(app) as site:
            from cupola.content import operations
            operations.edit(app.registry, site["news"]["agenda"], {"title": "Agenda 2"})
        page = admin.get("/@@undo")
        edit_row = rows(page)[0]
        details = admin.get(edit_row.select_one(".meta a")["href"].split("#")[0])
        shown = details.html.select_one(f"#t-{tid(edit_row)} .undo-details")
        text = text_of(shown)
        assert "Changed Page “Agenda 2” /news/agenda Title" in text
        assert "internal record" in text and "catalog" in text
        added = details.click(href=f"show={tid(rows(page)[1])}")
        text = text_of(added.html.select_one(".undo-details"))
        assert "Created Page “Agenda 2” /news/agenda" in text
        assert details.html.select(".undo-details") and len(details.html.select(".undo-details")) == 1

    def test_details_of_a_deletion_say_the_page_left_the_site(self, app, admin):
        from cupola.content import operations
        with As(app) as site:
            operations.delete(site["welcome"])
        page = admin.get("/@@undo")
        details = admin.get("/@@undo", {"show": tid(rows(page)[0])})
        text = text_of(details.html.select_one(".undo-details"))
        assert "Page “Welcome to Cupola”" in text
        assert "No longer in the site (it was called “welcome”)" in text


class TestUndo:
    def test_undoing_a_deletion_brings_the_page_and_its_catalog_entry_back(self, app, admin):
        from cupola.content import operations
        with As(app) as site:
            operations.delete(site["welcome"])
        assert not in_catalog(app, "/welcome")
        page = admin.get("/@@undo")
        row = row_for(page, "Deleted Page “Welcome to Cupola” from /")
        response = undo(admin, tid(row), page=page)
        assert response.status_int == 303
        assert messages_of(response.follow()) == [
            "Undid 1 change: Deleted Page “Welcome to Cupola” from /"]
        with Site(app) as site:
            assert site["welcome"].title == "Welcome to Cupola"
        assert in_catalog(app, "/welcome")
        with Site(app) as site:
            found = site.catalog.search(None, unrestricted=True, text="Cupola")
            assert "/welcome" in [b.path for b in found]
        assert admin.get("/welcome").status_int == 200

    def test_the_undo_is_a_change_of_its_own_by_the_user(self, app, admin):
        create(app)
        undo(admin, tid(rows(admin.get("/@@undo"))[0]))
        log = app.db.undoLog(0, 3)
        undid = next(e for e in log if e["description"].startswith("Undid:"))
        assert undid["description"] == "Undid: Added Page “Agenda” in /news"
        assert undid["user_name"] == "admin"
        entry = last_audit(app, "database.undo")
        assert entry["actor"] == "admin"
        assert entry["descriptions"] == ["Added Page “Agenda” in /news"]

    def test_an_undone_change_says_so_and_cannot_be_undone_again(self, app, admin):
        create(app)
        page = admin.get("/@@undo")
        target = tid(rows(page)[0])
        undo(admin, target, page=page)
        page = admin.get("/@@undo")
        row = page.html.select_one(f"#t-{target}")
        assert "Already undone (Today" in row.get_text() and "by admin" in row.get_text()
        assert row.select_one("input").has_attr("disabled")
        before = app.db.lastTransaction()
        response = undo(admin, target, page=page)
        assert messages_of(response.follow()) == [
            "That change was already undone. Nothing was changed."]
        assert app.db.lastTransaction() == before

    def test_a_later_change_blocks_and_is_named_before_anyone_clicks(self, app, admin):
        from cupola.content import operations
        create(app)
        with As(app, "ann") as site:
            operations.edit(app.registry, site["news"]["agenda"], {"title": "Agenda 2"})
        page = admin.get("/@@undo")
        row = row_for(page, "Added Page “Agenda”")
        reason = text_of(row.select_one(".undo-reason"))
        assert reason.startswith("Cannot be undone: a later change (Today ")
        assert "by ann, “Changed Title of /news/agenda”) touched the same objects. " \
               "Undo that one first." in reason
        assert "Blocked" in row.get_text()
        before = app.db.lastTransaction()
        response = undo(admin, tid(row), page=page)
        message = messages_of(response.follow())[0]
        assert message.startswith("Cannot be undone: a later change (")
        assert message.endswith("Undo that one first. Nothing was changed.")
        assert app.db.lastTransaction() == before
        with Site(app) as site:
            assert site["news"]["agenda"].title == "Agenda 2"

    def test_an_undo_can_itself_be_undone(self, app, admin):
        create(app)
        undo(admin, tid(rows(admin.get("/@@undo"))[0]))
        page = admin.get("/@@undo")
        redo = row_for(page, "Undid: Added Page “Agenda” in /news")
        assert "Can be undone" in redo.get_text()
        assert not [r for r in rows(page) if "Recorded the undo" in  # the audit entry's
                    r.select_one(".undo-what").text]                # own change: not listed
        undo(admin, tid(redo), page=page)
        with Site(app) as site:
            assert site["news"]["agenda"].title == "Agenda"
        assert in_catalog(app, "/news/agenda")

    def test_the_blocked_one_and_its_blocker_can_be_undone_together(self, app, admin):
        from cupola.content import operations
        create(app)
        with As(app) as site:
            operations.edit(app.registry, site["news"]["agenda"], {"title": "Agenda 2"})
        page = admin.get("/@@undo")
        both = [tid(r) for r in rows(page)[:2]]
        response = undo(admin, *both, page=page)
        assert messages_of(response.follow()) == ["Undid 2 changes."]
        with Site(app) as site:
            assert "agenda" not in site["news"]
        assert not in_catalog(app, "/news/agenda")

    def test_an_undo_error_at_commit_changes_nothing(self, app, admin, monkeypatch):
        from ZODB.POSException import UndoError
        from cupola.admin import undo as module
        create(app)
        page = admin.get("/@@undo")

        def fail(self, *args):
            raise UndoError("Some data were modified by a later transaction")
        monkeypatch.setattr(module.UndoView, "undo", fail)
        before = app.db.lastTransaction()
        response = undo(admin, tid(rows(page)[0]), page=page)
        assert messages_of(response.follow()) == [
            "Cannot be undone: later changes touched the same objects. Nothing was changed."]
        assert app.db.lastTransaction() == before

    def test_nothing_chosen(self, app, admin):
        response = undo(admin)
        assert messages_of(response.follow()) == ["Choose at least one change to undo."]

    def test_an_unknown_transaction_is_refused(self, app, admin):
        response = undo(admin, "00000000000000ff")
        assert "no longer in the undo log" in messages_of(response.follow())[0]


class TestRefusals:
    def test_memory_storage_says_it_cannot_undo(self):
        app = build_app()
        try:
            client = TestApp(app)
            sign_in(client)
            page = client.get("/@@undo")
            assert "This database cannot undo" in page
            assert "in-memory" in page.text.lower() or "in memory" in page.text.lower()
            response = client.post("/@@undo", {"_csrf": csrf_from(page), "tid": "0" * 16})
            assert messages_of(response.follow()) == [
                "This database keeps no history to undo."]
        finally:
            app.db.close()

    def test_only_managers_may_open_it(self, app):
        add_person(app, "ed", roles=("Editor",))
        assert browser(app, "ed").get("/@@undo", status=403)
        assert is_login_redirect(TestApp(app).get("/@@undo"))
        add_person(app, "sa", roles=("Site Administrator",))
        assert browser(app, "sa").get("/@@undo").status_int == 200

    def test_a_post_without_the_token_changes_nothing(self, app, admin):
        create(app)
        target = tid(rows(admin.get("/@@undo"))[0])
        before = app.db.lastTransaction()
        admin.post("/@@undo", {"tid": target}, status=403)
        assert app.db.lastTransaction() == before

    def test_a_non_manager_cannot_undo(self, app, admin):
        create(app)
        target = tid(rows(admin.get("/@@undo"))[0])
        add_person(app, "ed", roles=("Editor",))
        editor = browser(app, "ed")
        page = editor.get("/@@account")
        before = app.db.lastTransaction()
        editor.post("/@@undo", {"_csrf": csrf_from(page), "tid": target}, status=403)
        assert app.db.lastTransaction() == before
