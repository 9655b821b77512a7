"""The recycle bin: delete keeps the subtree, restore puts it back, purge drops it."""

import os
import time
from datetime import datetime, timedelta, timezone

import pytest
import transaction

from conftest import build_app
from cupola.content import operations as ops
from cupola.content import revisions as R
from cupola.content import trash as T
from cupola.content.document import Document
from cupola.content.file import File
from cupola.content.folder import Folder
from cupola.exceptions import NotAllowedHere
from cupola.interfaces import IObjectPurged, IObjectRestored, IRecycleBin
from cupola.security.localroles import local_roles, set_local_roles


def open_site(app, tm):
    from cupola.registry import push_registry
    conn = app.db.open(transaction_manager=tm)
    tm.begin()
    push_registry(app.registry)
    return conn, conn.root()["cupola.site"]


@pytest.fixture
def registry(app):
    return app.registry


@pytest.fixture
def tm():
    return transaction.TransactionManager()


@pytest.fixture
def site(app, tm):
    from cupola.registry import pop_registry
    conn, site = open_site(app, tm)
    yield site
    pop_registry()
    tm.abort()
    conn.close()


@pytest.fixture
def tree(registry, site, tm):
    """/box (a folder) with /box/page and /box/inner/deep, committed."""
    box = ops.create(registry, site, "Folder", {"title": "Box"}, creator="ann")
    ops.create(registry, box, "Document", {"title": "Page", "text": "<p>x</p>"})
    inner = ops.create(registry, box, "Folder", {"title": "Inner"})
    ops.create(registry, inner, "Document", {"title": "Deep"})
    tm.commit()
    return box


def indexed(site, path):
    """Whether the catalog knows *path* (after this transaction's queue)."""
    from cupola.catalog.queue import flush_pending
    flush_pending(site.catalog)
    return site.catalog.docid_for(path) is not None


class TestDelete:
    def test_delete_moves_the_subtree_to_the_bin(self, site, tree):
        ops.delete(tree, actor="bob")
        assert "box" not in site and tree.__parent__ is None
        bin_ = T.query_bin(site)
        assert IRecycleBin.providedBy(bin_) and len(bin_) == 1
        entry = bin_.newest()[0]
        assert entry.object is tree
        assert (entry.parent_path, entry.name, entry.path) == ("/", "box", "/box")
        assert (entry.title, entry.type_name, entry.actor) == ("Box", "Folder", "bob")
        assert entry.count == 3 and entry.state == "private"
        assert tree["inner"]["deep"].title == "Deep"  # the subtree is whole

    def test_delete_unindexes_the_subtree(self, site, tree, tm):
        assert indexed(site, "/box/inner/deep")
        ops.delete(tree)
        tm.commit()
        for path in ("/box", "/box/page", "/box/inner", "/box/inner/deep"):
            assert not indexed(site, path)

    def test_delete_records_a_revision(self, site, tree):
        ops.delete(tree["page"], actor="bob")
        page = T.query_bin(site).newest()[0].object
        assert R.get_revision(page, R.count(page)).action == "delete"

    def test_the_site_cannot_be_deleted(self, site):
        with pytest.raises(NotAllowedHere):
            ops.delete(site)

    def test_newest_first_and_paged(self, site, tree):
        for name in ("page", "inner"):
            ops.delete(tree[name])
        ops.delete(tree)
        bin_ = T.query_bin(site)
        assert [e.name for e in bin_.newest()] == ["box", "inner", "page"]
        assert [e.name for e in bin_.newest(1, 1)] == ["inner"]


class TestRestore:
    def test_restore_puts_it_back_with_state_roles_and_history(
            self, registry, site, tree, tm):
        set_local_roles(tree, "carl", ["Editor"])
        tree.workflow_state = "published"
        revisions_before = R.count(tree)
        ops.delete(tree)
        tm.commit()
        key = T.query_bin(site).newest()[0].key
        events = []
        registry.registerHandler(lambda o, e: events.append(o), (Folder, IObjectRestored))
        try:
            obj = T.restore(registry, site, key, actor="ann")
        finally:
            registry.unregisterHandler(required=(Folder, IObjectRestored))
        assert events == [obj]
        assert site["box"] is obj and obj["inner"]["deep"].title == "Deep"
        assert obj.workflow_state == "published"
        assert local_roles(obj)["carl"] == ("Editor",)
        assert R.count(obj) == revisions_before + 2  # deleted, restored
        assert R.get_revision(obj, R.count(obj)).comment == \
            "Restored from the recycle bin to /box"
        assert len(T.query_bin(site)) == 0
        tm.commit()
        assert indexed(site, "/box/inner/deep")

    def test_a_taken_name_gives_a_free_one(self, registry, site, tree):
        ops.delete(tree)
        ops.create(registry, site, "Folder", {"title": "Box"})
        obj = T.restore(registry, site, T.query_bin(site).newest()[0].key)
        assert obj.__name__ == "box-2" and site["box-2"] is obj

    def test_a_gone_place_needs_a_target(self, registry, site, tree):
        ops.delete(tree["inner"]["deep"])
        ops.delete(tree)
        deep = T.query_bin(site).newest()[1]
        assert deep.name == "deep"
        with pytest.raises(T.PlaceGone, match="/box/inner, where “Deep” was"):
            T.restore(registry, site, deep.key)
        assert deep.key in T.query_bin(site)  # nothing changed
        obj = T.restore(registry, site, deep.key, target=site)
        assert site["deep"] is obj

    def test_a_target_that_does_not_take_the_type(self, registry, site, tree):
        ops.delete(tree)
        page = ops.create(registry, site, "Document", {"title": "P"})
        with pytest.raises(NotAllowedHere):
            T.restore(registry, site, T.query_bin(site).newest()[0].key, target=page)
        assert len(T.query_bin(site)) == 1

    def test_an_unknown_key(self, registry, site, tree):
        with pytest.raises(KeyError):
            T.restore(registry, site, 123)
        ops.delete(tree)
        with pytest.raises(KeyError):
            T.restore(registry, site, 123)


class TestPurge:
    def test_purge_drops_the_entry_and_fires_purged(self, registry, site, tree):
        ops.delete(tree)
        key = T.query_bin(site).newest()[0].key
        events = []
        registry.registerHandler(lambda o, e: events.append(o), (Folder, IObjectPurged))
        try:
            entry = T.purge(site, key)
        finally:
            registry.unregisterHandler(required=(Folder, IObjectPurged))
        assert entry.object is tree and events == [tree]
        assert len(T.query_bin(site)) == 0
        with pytest.raises(KeyError):
            T.purge(site, key)

    def test_empty(self, site, tree):
        ops.delete(tree["page"])
        ops.delete(tree)
        assert T.empty(site) == 2 and len(T.query_bin(site)) == 0

    def test_purge_expired(self, site, tree):
        now = datetime.now(timezone.utc)
        bin_ = T.query_bin(site, create=True)
        old = bin_.add(Document("Old"), "/", "old", when=now - timedelta(days=31))
        recent = bin_.add(Document("Recent"), "/", "recent", when=now - timedelta(days=29))
        assert T.purge_expired(site, now) == 1
        assert old.key not in bin_ and recent.key in bin_
        assert T.purge_expired(site, now, days=28) == 1 and len(bin_) == 0

    def test_zero_days_keeps_everything(self, site):
        bin_ = T.query_bin(site, create=True)
        bin_.add(Document("Old"), "/", "old",
                 when=datetime.now(timezone.utc) - timedelta(days=400))
        site.settings["trash_days"] = 0
        assert T.purge_expired(site) == 0 and len(bin_) == 1

    def test_days_come_from_the_site_then_the_app(self, site, registry):
        assert T.trash_days(site, registry) == 30
        registry.settings["trash_days"] = "7"
        try:
            assert T.trash_days(site, registry) == 7
            site.settings["trash_days"] = 14
            assert T.trash_days(site, registry) == 14
        finally:
            del registry.settings["trash_days"]


def test_purging_a_file_frees_its_blobs_at_pack(tmp_path):
    app = build_app(zodb_uri=f"file://{tmp_path}/Data.fs")
    tm = transaction.TransactionManager()
    blobs = tmp_path / "blobstorage"

    def count():
        return sum(name.endswith(".blob") for _, _, names in os.walk(blobs)
                   for name in names)

    from cupola.registry import pop_registry
    conn, site = open_site(app, tm)
    try:
        f = ops.create(app.registry, site, "File",
                       {"title": "F", "file": (b"one", "a.txt", None)})
        tm.commit()
        ops.edit(app.registry, f, {"file": (b"two", "b.txt", None)})
        tm.commit()
        assert count() == 2  # the revision keeps the first blob
        ops.delete(f)
        tm.commit()
        app.db.pack(time.time() + 1)
        assert count() == 2  # in the bin: kept
        T.empty(site)
        tm.commit()
        app.db.pack(time.time() + 1)
        assert count() == 0
    finally:
        pop_registry()
        tm.abort()
        conn.close()
        app.db.close()


def test_outside_a_site_delete_only_removes():
    folder = Folder("Loose")
    folder.add("x", File("X"), send_events=False)
    ops.delete(folder["x"])
    assert "x" not in folder
