"""/@@trash: the recycle bin; restore, delete for good, empty, expiry."""

from datetime import datetime, timedelta, timezone

import pytest

from conftest import Site, csrf_from

from . import add_person, browser, is_login_redirect, last_audit, member, messages_of, post_form


def obj_at(site, path):
    obj = site
    for name in path.strip("/").split("/"):
        obj = obj[name]
    return obj


@pytest.fixture
def deleted(app):
    """/archive (a folder with two pages, one published) deleted by admin,
    and /news/notes (a page) deleted after it. Returns their bin keys."""
    from cupola.content import operations as ops
    from cupola.security.localroles import set_local_roles
    add_person(app, "ann")
    with Site(app) as site:
        archive = ops.create(app.registry, site, "Folder", {"title": "Archive"},
                             creator="admin")
        ops.create(app.registry, archive, "Document", {"title": "Old one"})
        two = ops.create(app.registry, archive, "Document", {"title": "Old two"})
        two.workflow_state = "published"
        set_local_roles(archive, "ann", ["Editor"])
        ops.create(app.registry, site["news"], "Document",
                   {"title": "Notes", "text": "<p>zanzibar</p>"})
    with Site(app) as site:
        ops.delete(site["archive"], actor="admin")
    with Site(app) as site:
        ops.delete(site["news"]["notes"], actor="admin")
    with Site(app) as site:
        return {e.name: e.key for e in site._trash.newest()}


def keys(app):
    from cupola.content.trash import query_bin
    with Site(app) as site:
        found = query_bin(site)
        return [e.name for e in found.newest()] if found is not None else []


def rows(page):
    return [tr.th.select_one(".name").text for tr in page.html.select(".trash-table tbody tr")]


def restore(client, key, **fields):
    return post_form(client, "/@@trash-restore", {"key": str(key), **fields},
                     page=client.get("/@@trash"))


class TestList:
    def test_lists_what_was_deleted_newest_first(self, admin, deleted):
        page = admin.get("/@@trash")
        assert rows(page) == ["Notes", "Archive"]
        archive = page.html.select(".trash-table tbody tr")[1]
        text = archive.get_text(" ", strip=True)
        assert "Folder · 2 items inside" in text
        assert "Private" in text and "Site administrator" in text
        assert "Top of the site" in text
        notes = page.html.select(".trash-table tbody tr")[0]
        assert notes.select_one("td[data-label='Was in'] a")["href"].endswith("/news")

    def test_an_empty_bin(self, admin):
        page = admin.get("/@@trash")
        assert "The recycle bin is empty." in page
        assert not page.html.select("a[href$='@@trash-empty']")

    def test_deleted_content_is_gone_from_the_site_and_search(self, app, admin, deleted):
        admin.get("/archive", status=404)
        admin.get("/news/notes", status=404)
        page = admin.get("/@@search", {"q": "zanzibar"})
        assert "Nothing found" in page and "/news/notes" not in page.text

    def test_old_items_are_purged_when_the_bin_is_opened(self, app, admin, deleted):
        from cupola.content.document import Document
        from cupola.content.trash import query_bin
        with Site(app) as site:
            site.settings["trash_days"] = 10
            query_bin(site).add(Document("Ancient"), "/", "ancient",
                                when=datetime.now(timezone.utc) - timedelta(days=11))
        page = admin.get("/@@trash")
        assert messages_of(page) == ["1 item older than 10 days was deleted for good."]
        assert rows(page) == ["Notes", "Archive"]
        assert "stay here for 10 days" in page

    def test_a_long_bin_is_batched(self, app, admin):
        from cupola.content.document import Document
        from cupola.content.trash import query_bin
        with Site(app) as site:
            bin_ = query_bin(site, create=True)
            for n in range(55):
                bin_.add(Document(f"Item {n}"), "/", f"item-{n}")
        page = admin.get("/@@trash")
        assert len(rows(page)) == 50 and rows(page)[0] == "Item 54"
        more = admin.get(page.html.select_one("a[rel=next]")["href"])
        assert rows(more) == [f"Item {n}" for n in range(4, -1, -1)]


class TestAccess:
    @pytest.mark.parametrize("view", ["trash", "trash-empty", "trash-purge?key=1",
                                      "trash-restore?key=1"])
    def test_anonymous_is_asked_to_sign_in(self, app, view):
        assert is_login_redirect(browser(app).get(f"/@@{view}"))

    @pytest.mark.parametrize("roles", [("Member",), ("Editor",), ("Reviewer",)])
    def test_only_site_managers_may_open_it(self, app, deleted, roles):
        add_person(app, "eve", roles=roles)
        eve = browser(app, "eve")
        eve.get("/@@trash", status=403)
        token = csrf_from(eve.get("/@@account"))
        for view in ("trash-restore", "trash-purge"):
            eve.post(f"/@@{view}", {"_csrf": token, "key": str(deleted["notes"])},
                     status=403)
        eve.post("/@@trash-empty", {"_csrf": token}, status=403)
        assert keys(app) == ["notes", "archive"]

    def test_a_site_administrator_may(self, app, deleted):
        add_person(app, "sam", roles=("Site Administrator",))
        assert rows(browser(app, "sam").get("/@@trash")) == ["Notes", "Archive"]

    @pytest.mark.parametrize("view", ["trash-restore", "trash-purge", "trash-empty"])
    def test_without_a_token_nothing_changes(self, app, admin, deleted, view):
        before = app.db.lastTransaction()
        admin.post(f"/@@{view}", {"key": str(deleted["notes"])}, status=403)
        assert app.db.lastTransaction() == before
        assert keys(app) == ["notes", "archive"]


class TestRestore:
    def test_back_in_place_with_state_roles_and_history(self, app, admin, deleted):
        from cupola.content.revisions import revisions
        from cupola.security.localroles import local_roles
        response = restore(admin, deleted["archive"])
        assert response.location.endswith("/@@trash")
        assert messages_of(response.follow()) == ["Restored “Archive” to /archive."]
        assert keys(app) == ["notes"]
        with Site(app) as site:
            archive = site["archive"]
            assert set(archive.keys()) == {"old-one", "old-two"}
            assert archive["old-two"].workflow_state == "published"
            assert local_roles(archive)["ann"] == ("Editor",)
            assert [r.action for r in revisions(archive)] == ["create", "delete", "restore"]
        assert browser(app).get("/archive/old-two").status_int == 200
        entry = last_audit(app, "trash.restored")
        assert (entry["object"], entry["title"]) == ("/archive", "Archive")

    def test_the_catalog_finds_it_again(self, app, admin, deleted):
        restore(admin, deleted["notes"])
        page = admin.get("/@@search", {"q": "zanzibar"})
        assert "/news/notes" in page.text

    def test_a_taken_name_gives_a_free_one(self, app, admin, deleted):
        from cupola.content import operations as ops
        with Site(app) as site:
            ops.create(app.registry, site["news"], "Document", {"title": "Notes"})
        response = restore(admin, deleted["notes"])
        assert messages_of(response.follow()) == [
            "Restored “Notes” to /news/notes-2: its name was taken."]

    def test_a_gone_place_asks_for_another_folder(self, app, admin, deleted):
        from cupola.content import operations as ops
        with Site(app) as site:
            ops.delete(site["news"], actor="admin")
        before = app.db.lastTransaction()
        page = restore(admin, deleted["notes"])
        assert page.status_int == 200
        assert "/news , the folder it was in, no longer exists" in page.html.select_one(
            ".confirm").get_text(" ", strip=True)
        assert not page.html.select(".field-error")
        assert page.html.select_one("input[name=target]")["value"] == "/"
        assert app.db.lastTransaction() == before
        response = post_form(admin, "/@@trash-restore",
                             {"key": str(deleted["notes"]), "target": "/"}, page=page)
        assert messages_of(response.follow()) == ["Restored “Notes” to /notes."]

    def test_a_bad_folder_is_refused_with_the_entered_value(self, app, admin, deleted):
        page = admin.get(f"/@@trash-restore?key={deleted['notes']}")
        before = app.db.lastTransaction()
        page = post_form(admin, "/@@trash-restore",
                         {"key": str(deleted["notes"]), "target": "/nowhere"}, page=page)
        assert page.status_int == 200
        assert "There is no folder at /nowhere." in page.html.select_one(".field-error").text
        assert page.html.select_one("input[name=target]")["value"] == "/nowhere"
        assert app.db.lastTransaction() == before

    def test_a_page_is_not_a_folder(self, app, admin, deleted):
        page = post_form(admin, "/@@trash-restore",
                         {"key": str(deleted["archive"]), "target": "/welcome"},
                         page=admin.get("/@@trash"))
        assert "There is no folder at /welcome." in page.html.select_one(".field-error").text
        assert keys(app) == ["notes", "archive"]

    def test_an_item_no_longer_in_the_bin(self, app, admin, deleted):
        response = restore(admin, 42)
        assert messages_of(response.follow()) == [
            "That item is no longer in the recycle bin."]
        admin.get("/@@trash-restore?key=x").follow()


class TestPurge:
    def test_confirmation_names_what_goes(self, admin, deleted):
        page = admin.get(f"/@@trash-purge?key={deleted['archive']}")
        text = " ".join(page.html.select_one(".confirm").get_text(" ").split())
        assert "Delete “Archive” for good?" in text
        assert "/archive" in text and "with the 2 items inside it" in text

    def test_purge(self, app, admin, deleted):
        page = admin.get(f"/@@trash-purge?key={deleted['archive']}")
        response = post_form(admin, "/@@trash-purge", {"key": str(deleted["archive"])},
                             page=page)
        assert messages_of(response.follow()) == [
            "Deleted “Archive” with the 2 items inside it for good."]
        assert keys(app) == ["notes"]
        entry = last_audit(app, "trash.purged")
        assert (entry["object"], entry["inside"]) == ("/archive", 2)

    def test_purging_twice(self, app, admin, deleted):
        page = admin.get(f"/@@trash-purge?key={deleted['notes']}")
        post_form(admin, "/@@trash-purge", {"key": str(deleted["notes"])}, page=page)
        response = post_form(admin, "/@@trash-purge", {"key": str(deleted["notes"])},
                             page=page)
        assert messages_of(response.follow()) == [
            "That item is no longer in the recycle bin."]


class TestEmpty:
    def test_confirmation_counts_what_goes(self, admin, deleted):
        page = admin.get("/@@trash-empty")
        text = " ".join(page.html.select_one(".confirm").get_text(" ").split())
        assert "All 2 items in the bin, and the 2 items inside them," in text

    def test_empty(self, app, admin, deleted):
        response = post_form(admin, "/@@trash-empty", {}, page=admin.get("/@@trash-empty"))
        assert messages_of(response.follow()) == [
            "Emptied the recycle bin: 2 items deleted for good."]
        assert keys(app) == []
        assert last_audit(app, "trash.emptied")["count"] == 2

    def test_an_empty_bin_needs_no_confirmation(self, admin):
        response = admin.get("/@@trash-empty")
        assert messages_of(response.follow()) == ["The recycle bin is already empty."]


def test_the_delete_page_moves_to_the_bin(app, admin):
    """The content delete view of the admin (another module) uses
    operations.delete, so its deletions land here with who did it."""
    from cupola.content.document import Document
    with Site(app) as site:
        site.add("gone", Document("Gone"))
    page = admin.get("/gone/@@delete")
    post_form(admin, "/gone/@@delete", {}, page=page)
    assert keys(app) == ["gone"]
    assert "Site administrator" in admin.get("/@@trash").html.select_one(
        ".trash-table tbody tr").text


def test_a_member_is_refused(app):
    member(app).get("/@@trash", status=403)
