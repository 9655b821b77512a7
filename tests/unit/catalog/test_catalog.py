"""Keeping the catalog current through the content operations."""

import pytest

from cupola.catalog import Catalog, reindex
from cupola.content import operations as ops
from cupola.content.events import ObjectModified, notify
from cupola.workflow.engine import do_transition

from catalog_fixtures import (  # noqa: F401 (fixtures)
    catalog, manager, registry, searcher, site, tm)


def paths(catalog, **query):
    return sorted(b.path for b in catalog.search(None, unrestricted=True, **query))


def add(registry, container, type_name="Document", title="Page", **data):
    return ops.create(registry, container, type_name, {"title": title, **data},
                      creator="ann")


@pytest.fixture
def index_calls(monkeypatch):
    """Paths in the order Catalog.index_object is called with them."""
    calls = []
    real = Catalog.index_object

    def index_object(self, registry, obj, path, names=None):
        calls.append(path)
        return real(self, registry, obj, path, names)

    monkeypatch.setattr(Catalog, "index_object", index_object)
    return calls


class TestAdding:
    def test_a_new_object_is_indexed_at_commit(self, registry, site, catalog, tm):
        add(registry, site, title="Hello")
        tm.commit()
        assert catalog.docid_for("/hello") is not None
        assert len(catalog) == 1

    def test_a_new_object_waits_in_the_queue_until_commit(self, registry, site, catalog):
        add(registry, site, title="Hello")
        assert catalog.docid_for("/hello") is None

    def test_a_search_sees_what_this_transaction_added(self, registry, site, catalog):
        add(registry, site, title="Hello")
        assert paths(catalog) == ["/hello"]

    def test_nested_objects_are_indexed(self, registry, site, catalog, tm):
        folder = add(registry, site, "Folder", "Docs")
        add(registry, add(registry, folder, "Folder", "Sub"), title="Deep")
        tm.commit()
        assert paths(catalog) == ["/docs", "/docs/sub", "/docs/sub/deep"]

    def test_a_folder_added_with_children_indexes_them_too(self, registry, site, catalog, tm):
        from cupola.content.document import Document
        from cupola.content.folder import Folder
        folder = Folder("Box")
        folder.add("inside", Document("Inside"), send_events=False)
        site.add("box", folder)
        tm.commit()
        assert paths(catalog) == ["/box", "/box/inside"]

    def test_indexes_hold_the_object_values(self, registry, site, catalog, tm):
        add(registry, site, title="Hello", subjects=("x", "y"))
        tm.commit()
        docid = catalog.docid_for("/hello")
        assert catalog.index("type_name").value_of(docid) == "Document"
        assert catalog.index("state").value_of(docid) == "private"
        assert catalog.index("subject").value_of(docid) == ("x", "y")
        assert catalog.index("creator").value_of(docid) == "ann"
        assert catalog.index("sortable_title").value_of(docid) == "hello"

    def test_added_then_deleted_in_one_transaction_is_never_indexed(
            self, registry, site, catalog, tm):
        ops.delete(add(registry, site, title="Brief"))
        tm.commit()
        assert len(catalog) == 0 and catalog.docid_for("/brief") is None


class TestEditing:
    def test_edit_reindexes_title_subjects_and_text(self, registry, site, catalog, tm):
        doc = add(registry, site, title="Hello", subjects=("x",), text="<p>old</p>")
        tm.commit()
        ops.edit(registry, doc, {"title": "Goodbye", "subjects": ("y",),
                                 "text": "<p>zebra</p>"})
        tm.commit()
        assert paths(catalog, subject="y") == ["/hello"]
        assert paths(catalog, subject="x") == []
        assert paths(catalog, text="zebra") == ["/hello"]
        assert paths(catalog, text="old") == []
        assert catalog.search(None, unrestricted=True)[0].title == "Goodbye"

    def test_edit_keeps_the_docid(self, registry, site, catalog, tm):
        doc = add(registry, site, title="Hello")
        tm.commit()
        docid = catalog.docid_for("/hello")
        ops.edit(registry, doc, {"title": "Goodbye"})
        tm.commit()
        assert catalog.docid_for("/hello") == docid

    def test_object_modified_reindexes(self, registry, site, catalog, tm):
        doc = add(registry, site, title="Hello")
        tm.commit()
        doc.subjects = ("late",)
        notify(ObjectModified(doc))
        tm.commit()
        assert paths(catalog, subject="late") == ["/hello"]

    def test_a_change_without_an_event_is_not_seen(self, registry, site, catalog, tm):
        doc = add(registry, site, title="Hello")
        tm.commit()
        doc.subjects = ("silent",)
        tm.commit()
        assert paths(catalog, subject="silent") == []


class TestQueue:
    def test_repeated_edits_index_the_object_once(
            self, registry, site, catalog, tm, index_calls):
        doc = add(registry, site, title="Hello")
        tm.commit()
        index_calls.clear()
        for title in ("One", "Two", "Three"):
            ops.edit(registry, doc, {"title": title})
        tm.commit()
        assert index_calls == ["/hello"]

    def test_add_then_edits_index_the_object_once(
            self, registry, site, catalog, tm, index_calls):
        doc = add(registry, site, title="Hello")
        ops.edit(registry, doc, {"title": "Two"})
        ops.edit(registry, doc, {"subjects": ("x",)})
        tm.commit()
        assert index_calls == ["/hello"]
        assert paths(catalog, subject="x") == ["/hello"]

    def test_a_search_flushes_and_later_changes_queue_again(
            self, registry, site, catalog, tm, index_calls):
        doc = add(registry, site, title="Hello")
        assert paths(catalog) == ["/hello"]
        ops.edit(registry, doc, {"subjects": ("x",)})
        tm.commit()
        assert index_calls == ["/hello", "/hello"]
        assert paths(catalog, subject="x") == ["/hello"]

    def test_edit_and_transition_merge_into_one_full_reindex(
            self, registry, site, catalog, tm, manager, index_calls):
        doc = add(registry, site, title="Hello")
        tm.commit()
        index_calls.clear()
        do_transition(registry, doc, manager, "publish")
        ops.edit(registry, doc, {"subjects": ("x",)})
        tm.commit()
        assert index_calls == ["/hello"]
        assert paths(catalog, subject="x", state="published") == ["/hello"]

    def test_an_aborted_transaction_indexes_nothing(self, registry, site, catalog, tm):
        add(registry, site, title="Hello")
        tm.abort()
        tm.commit()
        assert len(catalog) == 0


class TestMoving:
    @pytest.fixture
    def tree(self, registry, site, tm):
        folder = add(registry, site, "Folder", "Docs")
        add(registry, folder, title="Page")
        add(registry, add(registry, folder, "Folder", "Sub"), title="Deep")
        target = add(registry, site, "Folder", "Target")
        tm.commit()
        return folder, target

    def test_rename_reindexes_the_subtree_at_its_new_path(
            self, registry, site, catalog, tm, tree):
        ops.rename(tree[0], "papers")
        tm.commit()
        assert paths(catalog) == ["/papers", "/papers/page", "/papers/sub",
                                  "/papers/sub/deep", "/target"]

    def test_rename_of_a_leaf(self, registry, site, catalog, tm, tree):
        ops.rename(tree[0]["page"], "leaf")
        tm.commit()
        assert paths(catalog, path="/docs", depth=1) == ["/docs/leaf", "/docs/sub"]

    def test_move_reindexes_the_subtree_at_its_new_place(
            self, registry, site, catalog, tm, tree):
        folder, target = tree
        ops.move(registry, folder["sub"], target)
        tm.commit()
        assert paths(catalog) == ["/docs", "/docs/page", "/target",
                                  "/target/sub", "/target/sub/deep"]

    def test_move_then_rename_in_one_transaction(self, registry, site, catalog, tm, tree):
        folder, target = tree
        ops.move(registry, folder["sub"], target)
        ops.rename(target["sub"], "moved")
        tm.commit()
        assert paths(catalog, path="/target") == [
            "/target", "/target/moved", "/target/moved/deep"]

    def test_copy_indexes_the_copy_and_keeps_the_original(
            self, registry, site, catalog, tm, tree):
        folder, target = tree
        ops.copy(registry, folder, target)
        tm.commit()
        assert paths(catalog, path="/target") == [
            "/target", "/target/docs", "/target/docs/page", "/target/docs/sub",
            "/target/docs/sub/deep"]
        assert len(catalog) == 9

    def test_a_copy_of_published_content_is_indexed_private(
            self, registry, site, catalog, tm, manager, tree):
        folder, target = tree
        do_transition(registry, folder["page"], manager, "publish")
        tm.commit()
        ops.copy(registry, folder["page"], target)
        tm.commit()
        assert paths(catalog, state="published") == ["/docs/page"]
        assert paths(catalog, state="private", path="/target", depth=1) == ["/target/page"]

    def test_delete_unindexes_the_subtree(self, registry, site, catalog, tm, tree):
        ops.delete(tree[0])
        tm.commit()
        assert paths(catalog) == ["/target"]
        assert len(catalog) == 1
        assert all(len(catalog.index(n)) <= 1 for n in catalog._indexes)

    def test_delete_in_the_same_transaction_as_a_queued_edit(
            self, registry, site, catalog, tm, tree):
        ops.edit(registry, tree[0]["page"], {"title": "Edited"})
        ops.delete(tree[0])
        tm.commit()
        assert paths(catalog) == ["/target"]


class TestMetadata:
    def test_a_record_holds_every_column(self, registry, site, catalog, tm):
        doc = add(registry, site, title="Hello", description="Hi", subjects=("x",),
                  text="<p>abc</p>")
        tm.commit()
        record = dict(zip(catalog.columns, catalog.record(catalog.docid_for("/hello"))))
        assert record == {
            "title": "Hello", "description": "Hi", "type_name": "Document",
            "state": "private", "created": int(doc.created.timestamp()),
            "modified": int(doc.modified.timestamp()), "effective": None,
            "expires": None, "creator": "ann", "subjects": ("x",),
            "size": doc.size, "content_type": "", "is_container": False}

    def test_a_transition_refreshes_the_state_column(
            self, registry, site, catalog, tm, manager):
        doc = add(registry, site, title="Hello")
        tm.commit()
        do_transition(registry, doc, manager, "publish")
        tm.commit()
        assert catalog.search(None, unrestricted=True)[0].state == "published"


class TestReindex:
    def test_reindex_rebuilds_what_events_built(self, registry, site, catalog, tm):
        folder = add(registry, site, "Folder", "Docs")
        add(registry, folder, title="Page", subjects=("x",))
        tm.commit()
        before = {b.path: dict(zip(catalog.columns, catalog.record(b.docid)))
                  for b in catalog.search(None, unrestricted=True)}
        assert reindex(site, registry) == 2
        after = {b.path: dict(zip(catalog.columns, catalog.record(b.docid)))
                 for b in catalog.search(None, unrestricted=True)}
        assert after == before
        assert paths(catalog, subject="x") == ["/docs/page"]

    def test_with_paths_walks_in_order_with_each_path(self, registry, site, catalog, tm):
        from cupola.catalog import path_of, with_paths
        folder = add(registry, site, "Folder", "Docs")
        inner = add(registry, folder, "Folder", "Inner")
        for title in ("B", "A"):
            add(registry, inner, title=title)
        add(registry, folder, title="C")
        walked = list(with_paths(site))
        assert [path for _, path in walked] == [
            "/docs", "/docs/inner", "/docs/inner/b", "/docs/inner/a", "/docs/c"]
        assert all(path_of(obj)[1] == path for obj, path in walked)


class TestSiteRoot:
    """The site itself is not in its catalog (``reindex`` skips it)."""

    def test_local_roles_on_the_site_do_not_catalog_the_site(
            self, registry, site, catalog, tm):
        from cupola.security.localroles import set_local_roles
        add(registry, site, title="Hello")
        tm.commit()
        set_local_roles(site, "bob", ["Editor"])
        tm.commit()
        assert catalog.docid_for("/") is None
        assert paths(catalog) == ["/hello"]

    def test_editing_the_site_does_not_make_it_a_search_result(
            self, registry, site, catalog, tm):
        ops.edit(registry, site, {"title": "Renamed site"})
        tm.commit()
        assert [b.path for b in catalog.search(None)] == []


class TestSync:
    """An add-on's new index is created and filled for the existing content."""

    @pytest.fixture
    def extended(self):
        from cupola.wsgi import configure
        config = configure({"zodb_uri": "memory://"})
        config.add_catalog_index("colour", "field",
                                 lambda obj, registry: getattr(obj, "colour", None))
        return config.registry

    def test_sync_creates_and_fills_a_new_index(self, registry, site, catalog, tm, extended):
        from cupola.catalog import sync_site
        doc = add(registry, site, title="Hello")
        doc.colour = "red"
        tm.commit()
        assert sync_site(site, extended) == ["colour"]
        assert list(catalog.index("colour").apply("red")) == [catalog.docid_for("/hello")]

    def test_sync_with_nothing_new_does_nothing(self, registry, site):
        from cupola.catalog import sync_site
        assert sync_site(site, registry) == []

    def test_sync_drops_an_index_the_registry_no_longer_has(
            self, registry, site, catalog, extended):
        from cupola.catalog import sync_site
        sync_site(site, extended)
        sync_site(site, registry)
        assert not catalog.has_index("colour")
