"""Persistent roaring bitmaps: storage, the int-or-bitmap entries, conflicts."""

import pytest
import transaction
import ZODB
from BTrees.IFBTree import IFTreeSet
from BTrees.OOBTree import OOBTree
from pyroaring import BitMap
from ZODB.FileStorage import FileStorage
from ZODB.POSException import ConflictError

from cupola.catalog.bits import (Bits, add, as_bitmap, bitmap_of, count_in,
                                 remove, union)


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
        assert len(Bits(range(1, 100_001)).__getstate__()) < 64

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
