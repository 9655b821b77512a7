"""Docids in blocks: a process reserves DOCID_BLOCK at a time, so that
concurrent adds do not all write the catalog object."""

import pytest
import transaction

from conftest import build_app
from cupola.catalog import blocks
from cupola.catalog import catalog as C
from cupola.content import operations as ops
from cupola.registry import pop_registry, push_registry


@pytest.fixture
def app(tmp_path):  # FileStorage: conflict resolution as in production
    application = build_app(zodb_uri=f"file://{tmp_path}/Data.fs")
    yield application
    application.db.close()


@pytest.fixture
def sessions(app):
    opened = []

    def session():
        tm = transaction.TransactionManager()
        conn = app.db.open(transaction_manager=tm)
        opened.append((tm, conn))
        return tm, conn.root()["cupola.site"]
    push_registry(app.registry)
    yield session
    pop_registry()
    for tm, conn in opened:
        tm.abort()
        conn.close()


def add(app, site, title):
    return ops.create(app.registry, site, "Document", {"title": title})


def docid(site, obj):
    return site.catalog.docid_for("/" + obj.__name__)


def forget_blocks(app):
    """What another process knows: no block of this one's."""
    blocks.forget(app.db)


class TestBlocks:
    def test_a_transaction_reserves_a_block_and_numbers_in_order(self, app, sessions):
        tm, site = sessions()
        start = site.catalog._next_docid
        docs = [add(app, site, f"Page {i}") for i in range(3)]
        tm.commit()
        assert [docid(site, d) for d in docs] == [start, start + 1, start + 2]
        assert site.catalog._next_docid == start + C.DOCID_BLOCK

    def test_later_transactions_take_from_the_block_without_writing_the_catalog(
            self, app, sessions):
        tm, site = sessions()
        add(app, site, "First")
        tm.commit()
        serial = site.catalog._p_serial
        page = add(app, site, "Second")
        tm.commit()
        assert site.catalog._p_serial == serial
        assert docid(site, page) == docid(site, site["first"]) + 1

    def test_two_connections_adding_at_once_both_commit(self, app, sessions):
        tm, site = sessions()
        for title in ("Zero", "First"):  # values shared already: bitmaps
            add(app, site, title)
        tm.commit()
        (tm_a, site_a), (tm_b, site_b) = sessions(), sessions()
        for tm_x, site_x, title in ((tm_a, site_a, "Warm A"), (tm_b, site_b, "Warm B")):
            tm_x.abort()  # a new snapshot
            add(app, site_x, title)  # each connection reserves its block
            tm_x.commit()
        tm_a.abort()
        a, b = add(app, site_a, "Alpha"), add(app, site_b, "Beta")
        tm_a.commit()
        tm_b.commit()  # no ConflictError: neither wrote the catalog object
        tm.abort()
        assert docid(site, site["alpha"]) == docid(site, site["warm-a"]) + 1
        assert docid(site, site["beta"]) == docid(site, site["warm-b"]) + 1
        assert abs(docid(site, site["alpha"]) - docid(site, site["beta"])) > C.DOCID_BLOCK // 2
        found = site.catalog.search(unrestricted=True, text="alpha OR beta")
        assert sorted(b.path for b in found) == ["/alpha", "/beta"]

    def test_an_aborted_reservation_is_not_kept(self, app, sessions):
        tm, site = sessions()
        start = site.catalog._next_docid
        add(app, site, "Gone")
        tm.abort()
        page = add(app, site, "Kept")
        tm.commit()
        assert docid(site, page) == start

    def test_another_process_reserves_the_next_block(self, app, sessions):
        tm, site = sessions()
        first = add(app, site, "First")
        tm.commit()
        forget_blocks(app)
        second = add(app, site, "Second")
        tm.commit()
        assert docid(site, second) == docid(site, first) + C.DOCID_BLOCK

    def test_a_used_up_block_is_followed_by_a_new_one(self, app, sessions, monkeypatch):
        monkeypatch.setattr(C, "DOCID_BLOCK", 2)
        tm, site = sessions()
        docs = [add(app, site, f"Page {i}") for i in range(5)]
        tm.commit()
        ids = [docid(site, d) for d in docs]
        assert ids == sorted(set(ids)) and site.catalog._next_docid == ids[0] + 6

    def test_a_docid_in_use_is_skipped(self, app, sessions):
        tm, site = sessions()
        first = add(app, site, "First")
        tm.commit()
        taken = docid(site, first) + 1
        site.catalog._paths.index_doc(taken, "/elsewhere")  # as after an undo
        tm.commit()
        page = add(app, site, "Second")
        tm.commit()
        assert docid(site, page) == taken + 1
