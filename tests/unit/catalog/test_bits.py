"""Persistent roaring bitmaps: storage, the int-or-bitmap entries, conflicts."""

import pytest
import transaction
import ZODB
from BTrees.IFBTree import IFTreeSet
from BTrees.OOBTree import OOBTree
from pyroaring import BitMap
from ZODB.FileStorage import FileStorage
from ZODB.POSException import ConflictError

from cupola.catalog import bits as bits_module
from cupola.catalog.bits import (SPLIT, Bits, Frozen, add, as_bitmap, bitmap_of,
                                 count_in, remove, union)


@pytest.fixture
def db(tmp_path):
    db = ZODB.DB(FileStorage(str(tmp_path / "Data.fs")))
    yield db
    db.close()


def open_root(db):
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    return tm, conn, conn.root()


class TestStorage:
    def test_the_state_is_the_serialized_bitmap(self):
        bits = Bits([1, 2, 3, 70000])
        assert BitMap.deserialize(bits.__getstate__()) == BitMap([1, 2, 3, 70000])

    def test_a_run_of_sequential_docids_is_stored_in_a_few_bytes(self):
        assert len(Bits(range(1, 2_001)).__getstate__()) < 64
        assert len(Frozen(BitMap(range(1, 100_001))).__getstate__()) < 64

    def test_round_trip_through_the_database(self, db):
        tm, conn, root = open_root(db)
        root["bits"] = Bits([5, 7, 2**31 - 1])
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        assert list(root2["bits"]) == [5, 7, 2**31 - 1]
        conn.close(), conn2.close()

    def test_a_change_is_stored(self, db):
        tm, conn, root = open_root(db)
        root["bits"] = Bits([1])
        tm.commit()
        root["bits"].add(9)
        root["bits"].discard(1)
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        assert list(root2["bits"]) == [9]
        conn.close(), conn2.close()

    def test_concurrent_changes_are_merged(self, db):
        tm, conn, root = open_root(db)
        root["bits"] = Bits([1, 2, 3])
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        root["bits"].add(10)
        root["bits"].discard(1)
        root2["bits"].add(20)
        root2["bits"].discard(3)
        tm.commit()
        tm2.commit()  # resolved, not a ConflictError
        tm3, conn3, root3 = open_root(db)
        assert list(root3["bits"]) == [2, 10, 20]
        conn.close(), conn2.close(), conn3.close()

    def test_a_docid_removed_on_one_side_and_kept_on_the_other_goes(self, db):
        tm, conn, root = open_root(db)
        root["bits"] = Bits([1, 2])
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        root["bits"].discard(2)
        root2["bits"].add(3)
        tm.commit()
        tm2.commit()
        tm3, conn3, root3 = open_root(db)
        assert list(root3["bits"]) == [1, 3]
        conn.close(), conn2.close(), conn3.close()

    def test_a_retired_bitmap_is_stored_empty(self, db):
        tm, conn, root = open_root(db)
        root["bits"] = Bits([1, 2])
        tm.commit()
        root["bits"].retire()
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        assert root2["bits"].retired and list(root2["bits"]) == []
        conn.close(), conn2.close()

    def test_adding_to_a_bitmap_its_entry_gave_up_conflicts(self, db):
        # A shrinks {1, 2} back to the int 1 while B adds 3 to the bitmap:
        # merging would put 3 where nothing looks; B must be replayed
        tm, conn, root = open_root(db)
        root["fwd"] = OOBTree()
        for docid in (1, 2):
            add(root["fwd"], "k", docid)
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        remove(root["fwd"], "k", 2)
        add(root2["fwd"], "k", 3)
        tm.commit()
        with pytest.raises(ConflictError):
            tm2.commit()
        tm2.abort()
        add(root2["fwd"], "k", 3)  # the replay
        tm2.commit()
        tm3, conn3, root3 = open_root(db)
        assert list(bitmap_of(root3["fwd"]["k"])) == [1, 3]
        conn.close(), conn2.close(), conn3.close()

    def test_a_child_added_to_a_folder_emptied_meanwhile_conflicts(self, db):
        from cupola.catalog.pathindex import PathIndex
        tm, conn, root = open_root(db)
        root["paths"] = PathIndex()
        root["paths"].index_doc(1, "/a")
        root["paths"].index_doc(2, "/a/b")
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        root["paths"].unindex_doc(2)   # /a has no children now
        root2["paths"].index_doc(3, "/a/c")
        tm.commit()
        with pytest.raises(ConflictError):
            tm2.commit()
        tm2.abort()
        conn.close(), conn2.close()

    def test_a_tree_of_entries_still_conflicts_on_the_same_bucket(self, db):
        # the BTree holding the entries resolves its own conflicts; this
        # only shows that the test storage detects real conflicts at all
        tm, conn, root = open_root(db)
        root["x"] = OOBTree()
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        root["x"]["a"] = 1
        root2["x"]["a"] = 2
        tm.commit()
        with pytest.raises(ConflictError):
            tm2.commit()
        tm2.abort()
        conn.close(), conn2.close()


class TestBigBits:
    """More than SPLIT docids: a frozen base and the changes beside it."""

    def big(self, extra=()):
        return Bits([*range(0, 2 * SPLIT + 2, 2), *extra])

    def test_a_big_set_is_a_base_and_changes(self):
        bits = self.big()
        base, added, removed, size, top = bits.__getstate__()
        assert isinstance(base, Frozen) and len(base.bits) == SPLIT + 1
        assert (size, top) == (SPLIT + 1, 2 * SPLIT)
        assert BitMap.deserialize(added) == BitMap() == BitMap.deserialize(removed)

    def test_changes_are_kept_beside_the_base(self):
        bits = self.big()
        base = bits._base
        bits.add(1)
        bits.discard(0)
        bits.add(0)      # back: no longer a removal
        bits.discard(2)
        bits.add(2 * SPLIT + 5)
        assert bits._base is base
        assert list(bits._added) == [1, 2 * SPLIT + 5] and list(bits._removed) == [2]
        assert 1 in bits and 2 not in bits and 0 in bits and len(bits) == SPLIT + 2
        assert bits.bits == BitMap([*range(0, 2 * SPLIT + 2, 2), 1, 2 * SPLIT + 5]) - BitMap([2])

    def test_changes_past_split_make_a_new_base(self):
        bits = self.big()
        base = bits._base
        bits.update(range(1, 2 * SPLIT + 4, 2))
        assert bits._base is not base and not bits._added and not bits._removed
        assert len(bits) == 2 * SPLIT + 3

    def test_a_big_base_takes_a_sixteenth_of_itself_in_changes(self):
        bits = Bits(range(0, 40 * SPLIT, 2))  # 20 * SPLIT docids
        base = bits._base
        bits.update(range(1, 2 * SPLIT + 1, 2))  # SPLIT changes: kept
        bits.update(range(2 * SPLIT + 1, 2 * SPLIT + 400, 2))  # past SPLIT
        assert bits._base is base
        bits.update(range(2 * SPLIT + 401, 3 * SPLIT, 2))  # past a sixteenth
        assert bits._base is not base and len(bits) == 20 * SPLIT + 3 * SPLIT // 2

    def test_an_add_rewrites_the_changes_only(self, db):
        tm, conn, root = open_root(db)
        root["bits"] = self.big()
        tm.commit()
        base = root["bits"]._base
        serial = base._p_serial
        root["bits"].add(99_999)
        tm.commit()
        assert base._p_serial == serial  # the base was not written again
        assert len(db.storage.load(root["bits"]._p_oid)[0]) < 200
        tm2, conn2, root2 = open_root(db)
        assert 99_999 in root2["bits"] and len(root2["bits"]) == SPLIT + 2
        conn.close(), conn2.close()

    def test_a_new_document_is_added_without_reading_the_base(self, db):
        tm, conn, root = open_root(db)
        root["bits"] = self.big()
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        conn2.cacheMinimize()
        bits = root2["bits"]
        bits.add(10 * SPLIT)
        bits.update([10 * SPLIT + 1, 10 * SPLIT + 2])
        assert bits._base._p_status == "ghost"
        assert 10 * SPLIT + 2 in bits and len(bits) == SPLIT + 4
        assert bits._base._p_status == "ghost"
        tm2.commit()
        conn.close(), conn2.close()

    def test_a_state_without_the_base_summary_still_loads(self):
        bits = self.big()
        state = bits.__getstate__()[:3]  # as first written, 29 November 2026
        copy = Bits.__new__(Bits)
        copy.__setstate__(state)
        copy.add(1)
        copy.add(10 * SPLIT)
        assert len(copy) == SPLIT + 3 and 1 in copy and 10 * SPLIT in copy

    def test_concurrent_changes_on_one_base_are_merged(self, db):
        tm, conn, root = open_root(db)
        root["bits"] = self.big()
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        root["bits"].add(1)
        root["bits"].discard(0)
        root2["bits"].add(3)
        root2["bits"].discard(4)
        tm.commit()
        tm2.commit()  # resolved
        tm3, conn3, root3 = open_root(db)
        assert root3["bits"].bits == (BitMap(range(0, 2 * SPLIT + 2, 2)) | BitMap([1, 3])) - BitMap(
            [0, 4])
        conn.close(), conn2.close(), conn3.close()

    def test_a_new_base_made_meanwhile_conflicts(self, db):
        tm, conn, root = open_root(db)
        root["bits"] = self.big()
        tm.commit()
        tm2, conn2, root2 = open_root(db)
        root["bits"].update(range(1, 2 * SPLIT + 4, 2))  # a new base
        root2["bits"].add(7)
        tm.commit()
        with pytest.raises(ConflictError):
            tm2.commit()
        tm2.abort()
        conn.close(), conn2.close()

    @pytest.mark.parametrize("seed", range(4))
    def test_random_changes_through_the_database(self, db, monkeypatch, seed):
        import random
        monkeypatch.setattr(bits_module, "SPLIT", 8)
        rng = random.Random(seed)
        tm, conn, root = open_root(db)
        root["bits"], truth = Bits(), set()
        for step in range(300):
            docids = rng.sample(range(64), rng.randint(1, 5))
            how = rng.choice(["add", "discard", "update", "difference_update"])
            bits = root["bits"]
            if how in ("add", "discard"):
                for docid in docids:
                    getattr(bits, how)(docid)
                    (truth.add if how == "add" else truth.discard)(docid)
            else:
                getattr(bits, how)(docids)
                truth = truth | set(docids) if how == "update" else truth - set(docids)
            assert set(bits) == truth and len(bits) == len(truth)
            assert all((d in bits) == (d in truth) for d in range(64))
            if step % 7 == 0:
                tm.commit()
                tm2, conn2, root2 = open_root(db)
                assert set(root2["bits"]) == truth
                conn2.close()
        tm.abort()
        conn.close()


class TestEntries:
    def test_one_docid_is_an_int(self):
        fwd = OOBTree()
        add(fwd, "k", 4)
        assert fwd["k"] == 4 and isinstance(fwd["k"], int)

    def test_adding_the_same_docid_twice_keeps_an_int(self):
        fwd = OOBTree()
        add(fwd, "k", 4)
        add(fwd, "k", 4)
        assert fwd["k"] == 4

    def test_two_docids_are_bits(self):
        fwd = OOBTree()
        add(fwd, "k", 4)
        add(fwd, "k", 2)
        assert isinstance(fwd["k"], Bits) and list(fwd["k"]) == [2, 4]

    def test_back_to_an_int_then_gone(self):
        fwd = OOBTree()
        for d in (4, 2):
            add(fwd, "k", d)
        bits = fwd["k"]
        remove(fwd, "k", 4)
        assert fwd["k"] == 2 and bits.retired
        remove(fwd, "k", 2)
        assert "k" not in fwd

    def test_removing_an_absent_docid_changes_nothing(self):
        fwd = OOBTree()
        add(fwd, "k", 4)
        remove(fwd, "k", 5)
        remove(fwd, "other", 4)
        assert dict(fwd) == {"k": 4}

    @pytest.mark.parametrize("found, expected", [
        (None, []), (7, [7]), (Bits([1, 9]), [1, 9]), (IFTreeSet([3, 4]), [3, 4])])
    def test_bitmap_of_each_shape(self, found, expected):
        assert list(bitmap_of(found)) == expected

    def test_union_of_mixed_entries_is_a_new_bitmap(self):
        bits = Bits([1, 2])
        found = union([bits, 5, None, BitMap([8]), IFTreeSet([9])])
        found.add(100)
        assert list(found) == [1, 2, 5, 8, 9, 100] and list(bits) == [1, 2]

    def test_union_of_nothing(self):
        assert union([]) == BitMap()

    @pytest.mark.parametrize("found, expected", [
        (None, 0), (3, 1), (4, 0), (Bits([1, 3, 4]), 2), (IFTreeSet([3, 5, 6]), 2)])
    def test_count_in(self, found, expected):
        assert count_in(found, BitMap([1, 2, 3, 5])) == expected

    def test_as_bitmap(self):
        bm = BitMap([1])
        assert as_bitmap(bm) is bm and as_bitmap([3, 1]) == BitMap([1, 3])
