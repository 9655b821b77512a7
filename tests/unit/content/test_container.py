"""Containers: names, order, length, events."""

import pytest
from zope.interface.verify import verifyObject

from cupola.content.container import Container
from cupola.content.item import Item
from cupola.interfaces import IContainer


class TestContainer:
    def make_one(self):
        return Container("Box")

    def test_provides_IContainer(self):
        assert verifyObject(IContainer, self.make_one())

    def test_setitem_sets_parent_and_name(self):
        folder, child = self.make_one(), Item()
        folder["a"] = child
        assert (child.__parent__, child.__name__) == (folder, "a")

    def test_len_keys_values_in_order(self):
        folder = self.make_one()
        for name in "cab":
            folder[name] = Item(name.upper())
        assert len(folder) == 3
        assert list(folder.keys()) == ["c", "a", "b"]
        assert [o.title for o in folder.values()] == ["C", "A", "B"]

    def test_empty_container_is_truthy(self):
        assert bool(self.make_one())

    def test_duplicate_name_is_refused(self):
        folder = self.make_one()
        folder["a"] = Item()
        with pytest.raises(KeyError):
            folder["a"] = Item()

    def test_insert_at_index(self):
        folder = self.make_one()
        folder.add("a", Item())
        folder.add("b", Item())
        folder.add("c", Item(), index=1)
        assert list(folder.keys()) == ["a", "c", "b"]

    def test_remove_updates_everything(self):
        folder = self.make_one()
        child = folder.add("a", Item())
        folder.add("b", Item())
        del folder["a"]
        assert "a" not in folder and len(folder) == 1
        assert list(folder.keys()) == ["b"] and child.__parent__ is None

    def test_slice_and_position(self):
        folder = self.make_one()
        for i in range(10):
            folder.add(f"n{i}", Item(str(i)))
        assert [o.title for o in folder.slice(3, 6)] == ["3", "4", "5"]
        assert folder.position("n7") == 7

    def test_rename_child_keeps_position(self):
        folder = self.make_one()
        for n in "abc":
            folder.add(n, Item())
        folder.rename_child("b", "z")
        assert list(folder.keys()) == ["a", "z", "c"] and folder["z"].__name__ == "z"

    def test_move_child(self):
        folder = self.make_one()
        for n in "abc":
            folder.add(n, Item())
        folder.move_child("c", 0)
        assert list(folder.keys()) == ["c", "a", "b"]

    def test_stored_and_reloaded(self):
        import transaction
        from ZODB import DB
        db = DB(None)
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        with tm:
            folder = conn.root()["f"] = self.make_one()
            for i in range(50):
                folder.add(f"n{i:02d}", Item(str(i)))
        conn.close()
        conn2 = db.open()
        folder2 = conn2.root()["f"]
        assert len(folder2) == 50 and folder2.slice(48, 50)[1].title == "49"
        conn2.close()
        db.close()


def test_count_inside_loads_containers_only():
    import transaction
    from ZODB import DB
    from cupola.content.container import count_inside
    db = DB(None)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    with tm:
        top = conn.root()["top"] = Container()
        inner = Container()
        top.add("inner", inner)
        for i in range(5):
            top.add(f"a{i}", Item(str(i)))
            inner.add(f"b{i}", Item(str(i)))
    conn.close()
    conn2 = db.open()
    conn2.cacheMinimize()  # the pool's connection: every object a ghost
    top = conn2.root()["top"]
    assert count_inside(top) == 11
    assert all(top[f"a{i}"]._p_status == "ghost" for i in range(5))
    conn2.close()
    db.close()
