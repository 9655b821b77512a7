"""Transaction notes: plain-words lines in the transaction's description."""

from types import SimpleNamespace

import pytest
import transaction

from cupola.content import notes
from cupola.content import operations as ops
from cupola.content.document import Document
from cupola.content.events import notify
from cupola.content.folder import Folder, Site
from cupola.registry import Configurator, pop_registry, push_registry


@pytest.fixture
def registry():
    config = Configurator()
    config.include("cupola.content")
    push_registry(config.registry)
    transaction.begin()
    yield config.registry
    transaction.abort()
    pop_registry()


@pytest.fixture
def site():
    s = Site()
    news = s.add("news", Folder("News"), send_events=False)
    news.add("minutes", Document("Minutes", "", "<p>x</p>"), send_events=False)
    s.add("bench", Folder("Bench"), send_events=False)
    return s


def lines():
    return transaction.get().description.split("\n")


class TestLines:
    def test_added(self, registry, site):
        ops.create(registry, site["news"], "Document", {"title": "Agenda"})
        assert lines() == ["Added Page “Agenda” in /news"]

    def test_changed_names_the_fields_by_their_titles(self, registry, site):
        ops.edit(registry, site["news"]["minutes"],
                 {"title": "Minutes 2", "text": "<p>y</p>"})
        assert lines() == ["Changed Title, Body text of /news/minutes"]

    def test_two_edits_of_one_object_make_one_line(self, registry, site):
        doc = site["news"]["minutes"]
        ops.edit(registry, doc, {"title": "Minutes 2"})
        ops.edit(registry, doc, {"text": "<p>y</p>"})
        ops.edit(registry, doc, {"title": "Minutes 3"})
        assert lines() == ["Changed Title, Body text of /news/minutes"]

    def test_the_site_itself_is_the_site(self, registry, site):
        ops.edit(registry, site, {"title": "Our site"})
        assert lines() == ["Changed Title of the site"]

    def test_an_added_object_is_not_also_changed(self, registry, site):
        doc = ops.create(registry, site["news"], "Document", {"title": "Agenda"})
        ops.edit(registry, doc, {"text": "<p>more</p>"})
        assert lines() == ["Added Page “Agenda” in /news"]

    def test_deleted(self, registry, site):
        ops.delete(site["news"]["minutes"])
        assert lines() == ["Deleted Page “Minutes” from /news"]

    def test_deleted_folder_counts_what_was_in_it(self, registry, site):
        ops.delete(site["news"])
        assert lines() == ["Deleted Folder “News” from / (with the 1 item in it)"]

    def test_renamed(self, registry, site):
        ops.rename(site["news"]["minutes"], "notes")
        assert lines() == ["Renamed /news/minutes to notes"]

    def test_moved(self, registry, site):
        ops.move(registry, site["news"]["minutes"], site["bench"])
        assert lines() == ["Moved /news/minutes to /bench"]

    def test_moved_under_another_name(self, registry, site):
        ops.move(registry, site["news"]["minutes"], site["bench"], "old")
        assert lines() == ["Moved /news/minutes to /bench as old"]

    def test_copied_replaces_the_added_line_of_the_copy(self, registry, site):
        ops.copy(registry, site["news"]["minutes"], site["bench"])
        assert lines() == ["Copied /news/minutes to /bench/minutes"]

    @pytest.mark.parametrize("name, text", [
        ("publish", "Published /news/minutes"),
        ("submit", "Submitted /news/minutes for review"),
        ("retract", "Retracted /news/minutes"),
        ("archive", "Archive on /news/minutes (Published → Archived)"),
    ])
    def test_transitions(self, registry, site, name, text):
        from cupola.workflow.model import ObjectTransitioned
        transition = SimpleNamespace(name=name, title=name.title())
        notify(ObjectTransitioned(
            site["news"]["minutes"], None, transition,
            SimpleNamespace(title="Published"), SimpleNamespace(title="Archived")))
        assert lines() == [text]


class TestDescription:
    def test_lines_keep_their_order_and_repeats_are_dropped(self, registry, site):
        doc = site["news"]["minutes"]
        ops.rename(doc, "a")
        ops.edit(registry, doc, {"title": "T"})
        ops.rename(doc, "b")
        ops.rename(doc, "a")
        ops.rename(doc, "b")  # the same words as the second rename
        assert lines() == ["Renamed /news/minutes to a", "Changed Title of /news/a",
                           "Renamed /news/a to b", "Renamed /news/b to a"]

    def test_notes_of_others_are_kept_and_ours_follow(self, registry, site):
        txn = transaction.get()
        txn.note("Imported from the old site")
        ops.edit(registry, site["news"]["minutes"], {"title": "New"})
        ops.edit(registry, site["news"]["minutes"], {"text": "<p>z</p>"})
        assert lines() == ["Imported from the old site",
                           "Changed Title, Body text of /news/minutes"]

    def test_a_note_between_our_lines_is_not_lost_nor_repeated(self, registry, site):
        ops.edit(registry, site["news"]["minutes"], {"title": "New"})
        transaction.get().note("By the importer")
        ops.rename(site["news"]["minutes"], "b")
        assert lines() == ["Changed Title of /news/minutes", "By the importer",
                           "Renamed /news/minutes to b"]

    def test_the_description_is_capped(self, registry, site):
        folder = site["bench"]
        for n in range(300):
            ops.create(registry, folder, "Document", {"title": f"Page number {n}"})
        text = transaction.get().description
        assert len(text) <= notes.MAX_LENGTH
        assert text.startswith("Added Page “Page number 0” in /bench\n")
        assert text.endswith("more changes")
        shown = text.count("\n")
        assert f"… and {300 - shown} more changes" in text

    def test_the_transaction_comes_from_the_objects_connection(self, registry):
        import ZODB
        db = ZODB.DB(None)
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        try:
            conn.root()["site"] = site = Site()
            tm.commit()
            ops.create(registry, site, "Folder", {"title": "Elsewhere"})
            assert tm.get().description == "Added Folder “Elsewhere” in /"
            assert transaction.get().description == ""
        finally:
            tm.abort()
            conn.close()
            db.close()


class TestRecycleBin:
    def test_restored(self, registry, site):
        from cupola.content import trash
        ops.delete(site["news"]["minutes"])
        transaction.get().description = ""
        key = trash.query_bin(site).newest()[0].key
        trash.restore(registry, site, key)
        assert lines() == ["Restored Page “Minutes” from the recycle bin to /news/minutes"]

    def test_purged(self, registry, site):
        from cupola.content import trash
        ops.delete(site["news"]["minutes"])
        transaction.get().description = ""
        trash.purge(site, trash.query_bin(site).newest()[0].key)
        assert lines() == ["Deleted Page “Minutes” from the recycle bin for good"]
