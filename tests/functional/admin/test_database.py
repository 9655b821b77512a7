"""@@database: figures about the storage and caches; packing."""

import pytest
from webtest import TestApp

from conftest import Site, build_app, csrf_from, sign_in

from . import file_admin, file_app  # noqa: F401  (the app and admin fixtures)
from . import add_person, browser, is_login_redirect, last_audit, messages_of


def figures(page):
    return {dt.get_text(strip=True): " ".join(dd.get_text(" ", strip=True).split())
            for dt, dd in zip(page.html.select(".figures dt"),
                              page.html.select(".figures dd"))}


def pack(client, days, confirm=False):
    page = client.get("/@@database")
    fields = {"_csrf": csrf_from(page), "days": days}
    if confirm:
        fields["confirm"] = "1"
    return client.post("/@@database", fields)


def churn(app, count=40):
    """Add pages, change them, delete them: history to pack away."""
    from cupola.content import operations
    from cupola.content.trash import empty
    for n in range(count):
        with Site(app) as site:
            operations.create(app.registry, site["news"], "Document",
                              {"title": f"Page {n}", "text": "<p>" + "words " * 200 + "</p>"})
    with Site(app) as site:
        for n in range(count):
            operations.delete(site["news"][f"page-{n}"])
    with Site(app) as site:
        empty(site)


class TestFigures:
    def test_storage_figures(self, app, admin):
        page = admin.get("/@@database")
        shown = figures(page)
        assert "FileStorage" in page.html.select_one(".admin-header .meta").text
        assert "Data.fs" in page.html.select_one(".admin-header code").text
        assert shown["Size on disk"].endswith(("KB", "MB"))
        assert int(shown["Objects"].replace(",", "")) == len(app.db.storage)
        assert shown["Last change"].startswith("Today ")
        assert shown["Undo history"].startswith("Kept")

    def test_cache_and_pool_figures(self, app, admin):
        shown = figures(admin.get("/@@database"))
        assert "open" in shown["Connections"] and "pool of 7" in shown["Connections"]
        assert "loaded" in shown["Objects in memory"]
        assert shown["Cache target"].startswith(f"{app.db.getCacheSize():,} objects")

    def test_blob_files_are_counted(self, app, admin):
        from cupola.content.file import File
        with Site(app) as site:
            site.add("f", File("A file", "", b"x" * 5000, "a.bin"))
        shown = figures(admin.get("/@@database"))
        assert shown["Files (blobs)"].startswith("1 file, 4.9 KB")

    def test_a_password_in_the_address_is_not_shown(self):
        from cupola.admin.database import safe_uri
        assert safe_uri("postgres://ann:s3cret@db:5432/site") == "postgres://ann:***@db:5432/site"
        assert safe_uri("file:///var/Data.fs?blobstorage_dir=/b") == \
            "file:///var/Data.fs?blobstorage_dir=/b"

    def test_memory_storage(self):
        app = build_app()
        try:
            client = TestApp(app)
            sign_in(client)
            page = client.get("/@@database")
            assert "In memory" in page.html.select_one(".admin-header .meta").text
            assert figures(page)["Undo history"] == "Not kept by this storage"
        finally:
            app.db.close()


class TestPack:
    def test_packing_reduces_the_size_after_deletes(self, app, admin):
        churn(app)
        before = app.db.getSize()
        response = pack(admin, "0", confirm=True)
        assert response.status_int == 303
        after = app.db.getSize()
        assert after < before / 2
        message = messages_of(response.follow())[0]
        assert message.startswith("Packed the database: removed all history. Size ")
        entry = last_audit(app, "database.packed")
        assert (entry["days"], entry["size_before"]) == (0, before)
        assert entry["size_after"] <= after  # the audit entry itself came after

    def test_packing_keeps_the_chosen_days_of_history(self, app, admin):
        churn(app, 5)
        undoable = len(app.db.undoLog(0, 1000))
        response = pack(admin, "7")
        assert "removed history older than 7 days" in messages_of(response.follow())[0]
        assert len(app.db.undoLog(0, 1000)) >= undoable  # all of it is newer than 7 days

    def test_zero_days_needs_the_confirmation(self, app, admin):
        churn(app, 5)
        before = app.db.getSize()
        page = pack(admin, "0")
        assert page.status_int == 200
        assert "tick the box to confirm" in page.html.select_one(".field-error").text
        assert page.html.select_one("#days")["value"] == "0"
        assert app.db.getSize() == before

    @pytest.mark.parametrize("days", ["-1", "3651", "seven", ""])
    def test_bad_numbers_are_refused(self, app, admin, days):
        before = app.db.lastTransaction()
        page = pack(admin, days)
        assert page.html.select_one("#days-error").text == \
            "Enter a number of days from 0 to 3650."
        assert app.db.lastTransaction() == before

    def test_a_storage_that_cannot_pack_gets_a_clear_error(self, app, admin, monkeypatch):
        def refuse(**kw):
            raise NotImplementedError
        monkeypatch.setattr(app.db, "pack", refuse)
        page = pack(admin, "7")
        assert page.status_int == 200
        assert "cannot be packed from here" in page.html.select_one(".pack-panel .error-message").text

    def test_memory_storage_packs(self):
        app = build_app()
        try:
            client = TestApp(app)
            sign_in(client)
            response = pack(client, "1")
            assert messages_of(response.follow())[0].startswith("Packed the database")
        finally:
            app.db.close()


class TestRefusals:
    def test_only_managers(self, app):
        add_person(app, "ed", roles=("Editor",))
        browser(app, "ed").get("/@@database", status=403)
        assert is_login_redirect(TestApp(app).get("/@@database"))

    def test_a_post_without_the_token_packs_nothing(self, app, admin):
        churn(app, 5)
        before = app.db.getSize()
        admin.post("/@@database", {"days": "0", "confirm": "1"}, status=403)
        assert app.db.getSize() == before
