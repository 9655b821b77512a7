"""Revisions: one small delta per edit, states walked back, revert, files shared."""

import pytest
import transaction

from cupola.content import operations as ops
from cupola.content import revisions as R
from cupola.content.document import Document
from cupola.content.events import ObjectModified, notify
from cupola.content.file import File
from cupola.interfaces import IRevision


@pytest.fixture
def registry(app):
    return app.registry


@pytest.fixture
def tm():
    return transaction.TransactionManager()


@pytest.fixture
def site(app, tm):
    """The site of a memory:// app, in a transaction the test commits."""
    from cupola.registry import pop_registry, push_registry
    conn = app.db.open(transaction_manager=tm)
    tm.begin()
    push_registry(app.registry)
    yield conn.root()["cupola.site"]
    pop_registry()
    tm.abort()
    conn.close()


@pytest.fixture
def doc(registry, site, tm):
    obj = ops.create(registry, site, "Document",
                     {"title": "Minutes", "text": "<p>One two three.</p>",
                      "subjects": ("board",)}, creator="ann")
    tm.commit()
    return obj


class TestCreation:
    def test_revision_1_holds_every_field_and_the_creator(self, doc):
        first = R.get_revision(doc, 1)
        assert IRevision.providedBy(first)
        assert (first.number, first.action, first.actor) == (1, "create", "ann")
        assert first.values["title"] == "Minutes"
        assert first.values["text"] == "<p>One two three.</p>"
        assert first.values["subjects"] == ("board",)
        assert set(first.fields) >= {"title", "description", "subjects", "text"}

    def test_content_added_directly_gets_revision_1_too(self, site):
        obj = site.add("raw", Document("Raw", "", "<p>x</p>"))
        assert R.count(obj) == 1 and R.get_revision(obj, 1).values["title"] == "Raw"

    def test_everything_inside_an_added_folder_gets_revision_1(self, site):
        from cupola.content.folder import Folder
        folder = Folder("Box")
        folder.add("inner", Document("Inner"), send_events=False)
        site.add("box", folder)
        assert R.count(site["box"]) == 1 and R.count(site["box"]["inner"]) == 1


class TestEdits:
    def test_an_edit_keeps_only_the_changed_fields(self, registry, doc):
        ops.edit(registry, doc, {"title": "Minutes", "text": "<p>One two four.</p>"},
                 actor="bob", comment="typo")
        second = R.get_revision(doc, 2)
        assert (second.action, second.actor, second.comment) == ("edit", "bob", "typo")
        assert second.fields == ("text",)
        assert second.values == {"text": "<p>One two four.</p>"}

    def test_no_change_no_revision(self, registry, doc):
        assert ops.edit(registry, doc, {"title": "Minutes"}) == []
        assert R.count(doc) == 1

    def test_the_event_carries_the_old_values(self, registry, doc):
        seen = []
        from cupola.interfaces import IObjectModified
        registry.registerHandler(lambda obj, ev: seen.append(ev.old),
                                 (Document, IObjectModified))
        try:
            ops.edit(registry, doc, {"title": "New"})
        finally:
            registry.unregisterHandler(required=(Document, IObjectModified))
        assert seen == [{"title": "Minutes"}]

    def test_an_event_without_fields_records_nothing(self, doc):
        notify(ObjectModified(doc))
        assert R.count(doc) == 1

    def test_state_at_walks_the_deltas(self, registry, doc):
        ops.edit(registry, doc, {"title": "Minutes 2"})
        ops.edit(registry, doc, {"text": "<p>Changed.</p>"})
        ops.edit(registry, doc, {"title": "Minutes 3"})
        assert R.count(doc) == 4
        assert [R.state_at(doc, n)["title"] for n in (1, 2, 3, 4)] == [
            "Minutes", "Minutes 2", "Minutes 2", "Minutes 3"]
        assert R.state_at(doc, 2)["text"] == "<p>One two three.</p>"
        assert R.state_at(doc, 3)["text"] == "<p>Changed.</p>"
        assert R.state_at(doc, 0) == {}
        with pytest.raises(KeyError):
            R.state_at(doc, 9)

    def test_changed_between(self, registry, doc):
        ops.edit(registry, doc, {"title": "T2"})
        ops.edit(registry, doc, {"title": "Minutes", "description": "d"})
        assert R.changed_between(doc, 1, 3) == ["description"]
        assert R.changed_between(doc, 1, 2) == ["title"]

    def test_revisions_and_their_values_are_records_of_their_own(
            self, registry, doc, tm):
        ops.edit(registry, doc, {"text": "<p>" + "long " * 1000 + "</p>"})
        tm.commit()
        second = R.get_revision(doc, 2)
        assert second._p_oid is not None and second._p_oid != doc._p_oid
        assert second._values._p_oid not in (None, second._p_oid)
        # the unchanged title is not copied into the new revision
        assert "title" not in second.values

    def test_workflow_transitions_are_not_copied(self, registry, doc):
        from cupola.workflow.engine import do_transition
        from types import SimpleNamespace
        request = SimpleNamespace(registry=registry, environ={
            "cupola.user": None, "cupola.principals": ("admin",),
            "cupola.global_roles": frozenset({"Anonymous", "Authenticated",
                                              "Manager"})}, site=doc.__parent__)
        do_transition(registry, doc, request, "publish", actor="admin")
        assert R.count(doc) == 1 and doc.workflow_history[-1]["action"] == "publish"

    def test_content_older_than_its_history_gets_a_baseline(self, registry, doc):
        del doc._revisions  # as if made before revisions existed
        ops.edit(registry, doc, {"title": "Renamed"}, actor="bob")
        baseline, edit = R.revisions(doc)
        assert baseline.action == "baseline"
        assert baseline.values["title"] == "Minutes"
        assert baseline.values["text"] == "<p>One two three.</p>"
        assert (edit.action, edit.values) == ("edit", {"title": "Renamed"})


class TestRevert:
    def test_revert_is_a_new_revision(self, registry, doc):
        ops.edit(registry, doc, {"title": "Wrong", "text": "<p>Bad.</p>"})
        changed = R.revert(registry, doc, 1, actor="ann", comment="oops")
        assert sorted(changed) == ["text", "title"]
        assert (doc.title, doc.text) == ("Minutes", "<p>One two three.</p>")
        latest = R.get_revision(doc, 3)
        assert (latest.action, latest.reverted_to, latest.actor) == ("revert", 1, "ann")
        assert latest.comment == "Reverted to revision 1: oops"

    def test_revert_to_the_current_values_changes_nothing(self, registry, doc):
        assert R.revert(registry, doc, 1) == []
        assert R.count(doc) == 1

    def test_revert_to_an_unknown_revision(self, registry, doc):
        with pytest.raises(KeyError):
            R.revert(registry, doc, 7)


class TestFiles:
    @pytest.fixture
    def file(self, registry, site, tm):
        obj = ops.create(registry, site, "File",
                         {"title": "Report", "file": (b"first version", "r1.txt", None)})
        tm.commit()
        return obj

    def test_new_bytes_go_to_a_new_blob_and_the_old_one_stays(
            self, registry, file, tm):
        first_blob = file.blob
        ops.edit(registry, file, {"file": (b"second, longer version", "r2.txt", None)})
        tm.commit()
        assert file.blob is not first_blob
        kept = R.state_at(file, 1)["file"]
        assert kept.blob is first_blob and kept.filename == "r1.txt" and kept.size == 13
        with kept.blob.open("r") as f:
            assert f.read() == b"first version"
        assert R.get_revision(file, 2).values["file"].blob is file.blob

    def test_revert_shares_the_kept_blob(self, registry, file, tm):
        first_blob = file.blob
        ops.edit(registry, file, {"file": (b"v2", "r2.txt", None)})
        tm.commit()
        R.revert(registry, file, 1)
        tm.commit()
        assert file.blob is first_blob  # no bytes copied
        assert (file.filename, file.size) == ("r1.txt", 13)
        with file.open() as f:
            assert f.read() == b"first version"

    def test_a_copy_starts_its_own_history(self, registry, site, file, tm):
        ops.edit(registry, file, {"file": (b"v2", "r2.txt", None)})
        tm.commit()
        clone = ops.copy(registry, file, site)
        tm.commit()
        assert R.count(clone) == 1
        first = R.get_revision(clone, 1)
        assert (first.action, first.comment) == ("copy", "Copy of /report")
        assert first.values["file"].blob is clone.blob
        with clone.open() as f:
            assert f.read() == b"v2"
        assert R.count(file) == 2


class TestActor:
    def test_without_an_actor_the_transaction_user_is_kept(self, registry, doc, tm):
        ops.edit(registry, doc, {"title": "Changed by the web"})
        tm.get().user = "carl"  # what the publisher sets before committing
        tm.commit()
        assert R.get_revision(doc, 2).actor == "carl"

    def test_a_named_actor_wins(self, registry, doc, tm):
        ops.edit(registry, doc, {"title": "X"}, actor="ann")
        tm.get().user = "carl"
        tm.commit()
        assert R.get_revision(doc, 2).actor == "ann"

    def test_a_deletion_without_an_actor_too(self, site, doc, tm):
        from cupola.content.trash import query_bin
        ops.delete(doc)
        tm.get().user = "/ carl"  # the form of Transaction.setUser
        tm.commit()
        assert query_bin(site).newest()[0].actor == "carl"
