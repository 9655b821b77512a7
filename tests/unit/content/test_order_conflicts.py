"""Concurrent changes to one folder's order, on a real FileStorage.

Two connections, each with its own transaction manager, change the same
folder and commit one after the other.  Appends of different names into
the same leaf merge (``OrderLeaf._p_resolveConflict`` and
``OrderInner._p_resolveConflict``); everything else still conflicts.
"""

import pytest
import transaction
from ZODB import DB
from ZODB.ConflictResolution import PersistentReference
from ZODB.FileStorage import FileStorage
from ZODB.POSException import ConflictError

from cupola.content.container import Container
from cupola.content.item import Item
from cupola.content.ordernodes import OrderInner, OrderLeaf

LEAF = OrderLeaf.MAX


@pytest.fixture
def db(tmp_path):
    database = DB(FileStorage(str(tmp_path / "Data.fs")))
    yield database
    database.close()


def names(count, prefix="n"):
    return [f"{prefix}{i:04d}" for i in range(count)]


def make_folder(db, existing):
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    folder = conn.root()["folder"] = Container("Folder")
    for name in existing:
        folder[name] = Item(name)
    tm.commit()
    conn.close()


class Writer:
    """One connection with a transaction manager of its own."""

    def __init__(self, db):
        self.tm = transaction.TransactionManager()
        self.conn = db.open(transaction_manager=self.tm)
        self.tm.begin()
        self.folder = self.conn.root()["folder"]

    def commit(self):
        self.tm.commit()

    def close(self):
        self.tm.abort()
        self.conn.close()


@pytest.fixture
def writers(db):
    opened = []

    def open_two():
        pair = Writer(db), Writer(db)
        opened.extend(pair)
        return pair
    yield open_two
    for writer in opened:
        writer.close()


def reread(db):
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    folder = conn.root()["folder"]
    try:
        folder._order.check()
        return list(folder.keys()), len(folder), set(folder._items.keys())
    finally:
        tm.abort()
        conn.close()


# -- appends of different names merge --

@pytest.mark.parametrize("existing", [0, 5, 2 * LEAF + 5],
                         ids=["empty", "one leaf", "three leaves"])
def test_two_appends_of_different_names_merge(db, writers, existing):
    before = names(existing)
    make_folder(db, before)
    one, two = writers()
    one.folder["a"] = Item("A")
    two.folder["b"] = Item("B")
    one.commit()
    two.commit()
    keys, length, stored = reread(db)
    assert keys == before + ["a", "b"]
    assert length == existing + 2
    assert stored == set(before) | {"a", "b"}


def test_several_appends_on_each_side_merge_in_commit_order(db, writers):
    before = names(2 * LEAF + 3)
    make_folder(db, before)
    one, two = writers()
    for name in ("a1", "a2"):
        one.folder[name] = Item(name)
    for name in ("b1", "b2", "b3"):
        two.folder[name] = Item(name)
    two.commit()
    one.commit()
    keys, length, _ = reread(db)
    assert keys == before + ["b1", "b2", "b3", "a1", "a2"]
    assert length == len(before) + 5


def test_append_merges_with_a_removal_in_another_leaf(db, writers):
    # the removal leaves its (first) leaf above MIN: only counts change above
    before = names(2 * LEAF + 5)
    make_folder(db, before)
    one, two = writers()
    one.folder.remove("n0003", send_events=False)
    two.folder["b"] = Item("B")
    one.commit()
    two.commit()
    keys, length, _ = reread(db)
    assert keys == [n for n in before if n != "n0003"] + ["b"]
    assert length == len(before)


def test_appends_merge_in_a_deep_tree(db, writers, monkeypatch):
    # tiny nodes: 150 names make leaves of 8 under two levels of inner nodes
    monkeypatch.setattr(OrderLeaf, "MAX", 8)
    monkeypatch.setattr(OrderLeaf, "MIN", 3)
    monkeypatch.setattr(OrderInner, "MAX", 4)
    monkeypatch.setattr(OrderInner, "MIN", 2)
    before = names(150)
    make_folder(db, before)
    one, two = writers()
    root = one.folder._order._root
    assert isinstance(root.children[0], OrderInner)
    one.folder["a"] = Item()
    two.folder["b"] = Item()
    one.commit()
    two.commit()
    keys, length, _ = reread(db)
    assert keys == before + ["a", "b"]
    assert length == 152


# -- what must still conflict --

def conflicts(one, two):
    one.commit()
    with pytest.raises(ConflictError) as caught:
        two.commit()
    return caught.value


def test_same_name_added_on_both_sides_conflicts(db, writers):
    make_folder(db, names(5))
    one, two = writers()
    one.folder["x"] = Item("X")
    two.folder["x"] = Item("X again")
    conflicts(one, two)
    keys, _, _ = reread(db)
    assert keys.count("x") == 1


@pytest.mark.parametrize("change", [
    lambda folder: folder.remove("n0002", send_events=False),
    lambda folder: folder.move_child("n0004", 0),
    lambda folder: folder.rename_child("n0001", "renamed"),
], ids=["remove", "move", "rename"])
def test_a_change_in_the_leaf_against_an_append_conflicts(db, writers, change):
    make_folder(db, names(5))
    one, two = writers()
    change(one.folder)
    two.folder["b"] = Item("B")
    error = conflicts(one, two)
    assert error.class_name == "cupola.content.ordernodes.OrderLeaf"


def test_a_leaf_split_on_one_side_conflicts(db, writers):
    before = names(2 * LEAF - 1)       # the last leaf has one free place
    make_folder(db, before)
    one, two = writers()
    one.folder["a1"] = Item()
    one.folder["a2"] = Item()          # splits the last leaf
    two.folder["b"] = Item()
    conflicts(one, two)
    keys, _, _ = reread(db)
    assert keys == before + ["a1", "a2"]


def test_appends_that_would_overfill_the_leaf_conflict(db, writers):
    before = names(LEAF - 1)           # one place left in the only leaf
    make_folder(db, before)
    one, two = writers()
    one.folder["a"] = Item()
    two.folder["b"] = Item()
    error = conflicts(one, two)
    assert error.class_name == "cupola.content.ordernodes.OrderLeaf"
    assert reread(db)[0] == before + ["a"]


# -- the resolvers themselves, on states as ZODB hands them over --

def ref(oid):
    return PersistentReference((oid, ("cupola.content.ordernodes",
                                      "OrderLeaf")))


def leaf_state(names, parent=None, next=None):
    return {"names": list(names), "parent": parent, "next": next}


def resolve_leaf(old, committed, new):
    return OrderLeaf.__new__(OrderLeaf)._p_resolveConflict(old, committed, new)


def test_leaf_resolution_keeps_references_compared_by_oid():
    parent = b"\0" * 7 + b"\1"
    old = leaf_state(["a"], ref(parent))
    committed = leaf_state(["a", "b"], ref(parent))
    new = leaf_state(["a", "c"], ref(parent))   # equal oid, other object
    resolved = resolve_leaf(old, committed, new)
    assert resolved["names"] == ["a", "b", "c"]
    assert resolved["parent"].oid == parent and resolved["next"] is None


@pytest.mark.parametrize("committed,new", [
    (leaf_state(["a", "x"]), leaf_state(["a", "x"])),          # same name
    (leaf_state(["x", "a"]), leaf_state(["a", "b"])),          # insert first
    (leaf_state([]), leaf_state(["a", "b"])),                  # removal
    (leaf_state(["a", "b"], next=ref(b"\0" * 8)), leaf_state(["a", "c"])),
    (leaf_state(["a", "b"], parent=ref(b"\0" * 8)), leaf_state(["a", "c"])),
    (leaf_state(["a", "b"]), {"names": ["a", "c"], "next": None}),
], ids=["same name", "not at the end", "removed", "next", "parent",
        "attributes"])
def test_leaf_resolution_refuses(committed, new):
    with pytest.raises(ConflictError):
        resolve_leaf(leaf_state(["a"]), committed, new)


def inner_state(children, counts, parent=None):
    return {"children": [ref(oid) for oid in children],
            "counts": list(counts), "parent": parent}


def resolve_inner(old, committed, new):
    return OrderInner.__new__(OrderInner)._p_resolveConflict(
        old, committed, new)


KIDS = [b"\0" * 7 + bytes([i]) for i in (1, 2, 3)]


def test_inner_resolution_adds_both_sides_count_changes():
    resolved = resolve_inner(inner_state(KIDS, [128, 128, 5]),
                             inner_state(KIDS, [127, 128, 6]),
                             inner_state(KIDS, [128, 128, 8]))
    assert resolved["counts"] == [127, 128, 9]
    assert [r.oid for r in resolved["children"]] == KIDS


@pytest.mark.parametrize("committed", [
    inner_state(KIDS[:2] + [b"\0" * 7 + b"\x09"], [128, 128, 6]),
    inner_state(KIDS + [b"\0" * 7 + b"\x09"], [128, 128, 5, 1]),
    inner_state(KIDS, [128, 128, 6], parent=ref(b"\0" * 7 + b"\x08")),
    inner_state(KIDS, [128, 0, 5]),
], ids=["other child", "child added", "parent", "emptied"])
def test_inner_resolution_refuses(committed):
    with pytest.raises(ConflictError):
        resolve_inner(inner_state(KIDS, [128, 128, 5]), committed,
                      inner_state(KIDS, [128, 128, 6]))
