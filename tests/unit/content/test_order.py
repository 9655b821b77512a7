"""Tests for cupola.content.order: the counted B+tree of child names."""

import random

import pytest
import transaction
from ZODB import DB

from cupola.content.order import Order
from cupola.content.ordernodes import OrderInner, OrderLeaf

LEAF = OrderLeaf.MAX
SIZES = [5, LEAF + 1, 3 * LEAF, 12_000]     # one leaf up to three levels


def make_names(count, prefix="n"):
    return [f"{prefix}{i:06d}" for i in range(count)]


def leaves(order):
    node = order._root
    while isinstance(node, OrderInner):
        node = node.children[0]
    while node is not None:
        yield node
        node = node.next


def depth(order):
    node, levels = order._root, 0
    while isinstance(node, OrderInner):
        node, levels = node.children[0], levels + 1
    return levels


@pytest.fixture
def small_nodes(monkeypatch):
    """Tiny nodes, so that a few hundred names make a deep tree."""
    monkeypatch.setattr(OrderLeaf, "MAX", 8)
    monkeypatch.setattr(OrderLeaf, "MIN", 3)
    monkeypatch.setattr(OrderInner, "MAX", 8)
    monkeypatch.setattr(OrderInner, "MIN", 3)


class TestOrder:

    def make_one(self, names=()):
        order = Order()
        for name in names:
            order.append(name)
        return order

    # -- empty --

    def test_empty(self):
        order = self.make_one()
        assert len(order) == 0
        assert list(order) == []
        assert order.slice(0, 10) == []
        assert "a" not in order
        assert repr(order) == "<Order of 0 names>"
        with pytest.raises(IndexError):
            order[0]
        with pytest.raises(KeyError):
            order.index("a")
        order.check()

    # -- append / insert --

    @pytest.mark.parametrize("size", SIZES)
    def test_append(self, size):
        names = make_names(size)
        order = self.make_one(names)
        assert len(order) == size
        assert list(order) == names
        order.check()

    def test_append_present_raises(self):
        order = self.make_one(["a", "b"])
        with pytest.raises(ValueError, match="'a'"):
            order.append("a")
        assert list(order) == ["a", "b"]

    def test_append_fills_leaves(self):
        order = self.make_one(make_names(10 * LEAF + 3))
        sizes = [leaf.size() for leaf in leaves(order)]
        assert sizes == [LEAF] * 10 + [3]

    @pytest.mark.parametrize("index", [0, 1, 2, 3, 4, 99, -1, -2, -4, -99])
    def test_insert_like_list(self, index):
        order = self.make_one(["a", "b", "c", "d"])
        expected = ["a", "b", "c", "d"]
        order.insert(index, "x")
        expected.insert(index, "x")
        assert list(order) == expected

    @pytest.mark.parametrize("size", SIZES)
    def test_insert_everywhere(self, size):
        names = make_names(size)
        order = self.make_one(names)
        rng = random.Random(size)
        for i in range(200):
            index = rng.randint(-size - 10, size + 10)
            order.insert(index, f"x{i}")
            names.insert(index, f"x{i}")
        assert list(order) == names
        order.check()

    def test_insert_at_front_repeatedly(self):
        order = self.make_one()
        for name in make_names(5 * LEAF):
            order.insert(0, name)
        assert list(order) == make_names(5 * LEAF)[::-1]
        order.check()

    def test_insert_present_raises(self):
        order = self.make_one(["a", "b"])
        with pytest.raises(ValueError):
            order.insert(0, "b")
        assert list(order) == ["a", "b"]

    def test_insert_wrong_types(self):
        order = self.make_one(["a"])
        for name in (1, None, b"b"):
            with pytest.raises(TypeError):
                order.insert(0, name)
        with pytest.raises(TypeError):
            order.insert("0", "b")
        assert list(order) == ["a"]
        order.check()

    # -- remove --

    @pytest.mark.parametrize("size", SIZES)
    def test_remove(self, size):
        names = make_names(size)
        order = self.make_one(names)
        rng = random.Random(size)
        for name in rng.sample(names, size // 2):
            order.remove(name)
            names.remove(name)
        assert list(order) == names
        order.check()

    def test_remove_all_shrinks_to_a_leaf(self):
        names = make_names(70 * LEAF)
        order = self.make_one(names)
        assert depth(order) == 2
        random.Random(1).shuffle(names)
        for i, name in enumerate(names):
            order.remove(name)
            if i % 250 == 0:
                order.check()
        assert len(order) == 0
        assert list(order) == []
        assert isinstance(order._root, OrderLeaf)
        assert len(order._leaf_of) == 0
        order.check()

    def test_remove_absent_raises(self):
        order = self.make_one(["a"])
        with pytest.raises(KeyError):
            order.remove("b")
        with pytest.raises(KeyError):
            order.remove(1)
        assert list(order) == ["a"]

    # -- reading --

    def test_contains(self):
        order = self.make_one(["a", "b"])
        assert "a" in order
        assert "c" not in order
        assert 1 not in order
        assert None not in order

    @pytest.mark.parametrize("size", SIZES)
    def test_index(self, size):
        names = make_names(size)
        order = self.make_one(names)
        assert [order.index(name) for name in names] == list(range(size))

    def test_index_absent_raises(self):
        order = self.make_one(["a"])
        with pytest.raises(KeyError):
            order.index("b")
        with pytest.raises(KeyError):
            order.index(3)

    @pytest.mark.parametrize("size", SIZES)
    def test_getitem(self, size):
        names = make_names(size)
        order = self.make_one(names)
        for i in list(range(-size, size, max(1, size // 97))) + [size - 1]:
            assert order[i] == names[i]
        for i in (size, size + 5, -size - 1):
            with pytest.raises(IndexError):
                order[i]

    def test_getitem_slices(self):
        names = make_names(400)
        order = self.make_one(names)
        assert order[10:20] == names[10:20]
        assert order[-5:] == names[-5:]
        assert order[::37] == names[::37]
        with pytest.raises(TypeError):
            order["a"]

    @pytest.mark.parametrize("size", SIZES)
    def test_slice(self, size):
        names = make_names(size)
        order = self.make_one(names)
        points = sorted({0, 1, 50, size // 2, size - 50, size - 1, size,
                         size + 10, -1, -50, -size, -size - 10})
        for start in points:
            for stop in points + [None]:
                assert order.slice(start, stop) == names[start:stop]
        assert order.slice(None, None) == names
        assert order.slice(size // 3) == names[size // 3:]

    def test_iteration_via_next_links(self):
        names = make_names(1000)
        order = self.make_one(names)
        assert list(order) == names
        assert sum(leaf.size() for leaf in leaves(order)) == 1000

    @pytest.mark.parametrize("size", SIZES)
    def test_keys_from(self, size):
        names = make_names(size)
        order = self.make_one(names)
        for i in (0, 1, size // 2, size - 2, size - 1):
            assert list(order.keys_from(names[i])) == names[i + 1:]

    def test_keys_from_is_lazy_and_checks_eagerly(self):
        order = self.make_one(make_names(300))
        cursor = order.keys_from("n000010")
        assert iter(cursor) is cursor
        assert next(cursor) == "n000011"
        with pytest.raises(KeyError):
            order.keys_from("zzz")

    def test_keys_from_batches(self):
        names = make_names(1000)
        order = self.make_one(names)
        batches, cursor = [], None
        while True:
            it = iter(order) if cursor is None else order.keys_from(cursor)
            batch = [name for _, name in zip(range(64), it)]
            if not batch:
                break
            batches.extend(batch)
            cursor = batch[-1]
        assert batches == names

    # -- move --

    @pytest.mark.parametrize("target, expected", [
        (0, ["c", "a", "b", "d", "e"]),
        (1, ["a", "c", "b", "d", "e"]),
        (2, ["a", "b", "c", "d", "e"]),
        (3, ["a", "b", "d", "c", "e"]),
        (4, ["a", "b", "d", "e", "c"]),
        (99, ["a", "b", "d", "e", "c"]),
        (-1, ["c", "a", "b", "d", "e"]),
    ])
    def test_move(self, target, expected):
        order = self.make_one(["a", "b", "c", "d", "e"])
        order.move("c", target)
        assert list(order) == expected
        assert order.index("c") == max(0, min(target, 4))

    @pytest.mark.parametrize("size", SIZES)
    def test_move_across_leaves(self, size):
        names = make_names(size)
        order = self.make_one(names)
        rng = random.Random(size)
        for _ in range(300):
            name = rng.choice(names)
            target = rng.randrange(size)
            order.move(name, target)
            names.remove(name)
            names.insert(target, name)
            assert order.index(name) == target
        assert list(order) == names
        order.check()

    def test_move_absent_raises(self):
        order = self.make_one(["a"])
        with pytest.raises(KeyError):
            order.move("b", 0)

    def test_move_by(self):
        order = self.make_one(["a", "b", "c", "d"])
        assert order.move_by("b", 1) == 2
        assert list(order) == ["a", "c", "b", "d"]
        assert order.move_by("b", -1) == 1
        assert list(order) == ["a", "b", "c", "d"]
        assert order.move_by("a", -1) == 0
        assert order.move_by("d", 1) == 3
        assert order.move_by("a", 99) == 3
        assert list(order) == ["b", "c", "d", "a"]
        assert order.move_by("a", -99) == 0
        assert order.move_by("c", 0) == 2
        assert list(order) == ["a", "b", "c", "d"]
        with pytest.raises(KeyError):
            order.move_by("x", 1)

    # -- rename --

    @pytest.mark.parametrize("size", SIZES)
    def test_rename(self, size):
        names = make_names(size)
        order = self.make_one(names)
        for i in (0, size // 2, size - 1):
            order.rename(names[i], f"renamed{i}")
            names[i] = f"renamed{i}"
        assert list(order) == names
        assert order.index(names[size // 2]) == size // 2
        order.check()

    def test_rename_errors(self):
        order = self.make_one(["a", "b"])
        with pytest.raises(KeyError):
            order.rename("x", "y")
        with pytest.raises(ValueError):
            order.rename("a", "b")
        with pytest.raises(TypeError):
            order.rename("a", 2)
        order.rename("a", "a")
        assert list(order) == ["a", "b"]
        order.check()

    def test_rename_frees_the_old_name(self):
        order = self.make_one(["a", "b"])
        order.rename("a", "c")
        assert "a" not in order
        order.append("a")
        assert list(order) == ["c", "b", "a"]

    # -- set_order / from_names --

    @pytest.mark.parametrize("size", SIZES)
    def test_set_order(self, size):
        names = make_names(size)
        order = self.make_one(names)
        random.Random(size).shuffle(names)
        order.set_order(names)
        assert list(order) == names
        assert order.index(names[-1]) == size - 1
        order.check()

    def test_set_order_unchanged_keeps_the_tree(self):
        names = make_names(300)
        order = self.make_one(names)
        root = order._root
        order.set_order(iter(names))
        assert order._root is root

    @pytest.mark.parametrize("names, message", [
        (["a", "b"], "missing: 'c'"),
        (["a", "b", "c", "x"], "extra: 'x'"),
        (["a", "b", "x"], "missing: 'c'; extra: 'x'"),
        (["a", "b", "c", "c"], "duplicate: 'c'"),
        (["a", "b", "b"], "missing: 'c'; duplicate: 'b'"),
        ([], "missing: 'a', 'b', 'c'"),
    ])
    def test_set_order_not_a_permutation(self, names, message):
        order = self.make_one(["a", "b", "c"])
        with pytest.raises(ValueError) as info:
            order.set_order(names)
        assert message in str(info.value)
        assert list(order) == ["a", "b", "c"]

    def test_set_order_error_is_short(self):
        order = self.make_one(make_names(1000))
        with pytest.raises(ValueError, match="and 990 more"):
            order.set_order([])

    @pytest.mark.parametrize("size", [0, 1, LEAF, LEAF + 1, 64 * LEAF,
                                      64 * LEAF + 1, 20_000])
    def test_from_names(self, size):
        names = make_names(size)
        order = Order.from_names(iter(names))
        assert list(order) == names
        assert len(order) == size
        if size:
            assert order.index(names[-1]) == size - 1
            assert order[size // 2] == names[size // 2]
        order.check()
        order.append("z")
        order.insert(0, "y")
        assert list(order) == ["y"] + names + ["z"]
        order.check()

    def test_from_names_errors(self):
        with pytest.raises(ValueError, match="duplicate names: 'a'"):
            Order.from_names(["a", "b", "a"])
        with pytest.raises(TypeError):
            Order.from_names(["a", 1])

    # -- check --

    @pytest.mark.parametrize("breakage, message", [
        (lambda o: o._root.counts.__setitem__(0, 5), "counted 5"),
        (lambda o: setattr(o._root.children[1], "parent", None),
         "wrong parent link"),
        (lambda o: setattr(o._root.children[0].children[0], "next", None),
         "wrong next link"),
        (lambda o: o._leaf_of.__setitem__("n000000",
                                          o._root.children[1].children[0]),
         "'n000000' not mapped to its leaf"),
        (lambda o: o._leaf_of.__setitem__("stray", o._root), "stray"),
        (lambda o: o._root.children[0].children[0].names.append("n000001"),
         "'n000001' appears twice"),
        (lambda o: o._root.children[0].children[1].names.clear(),
         "empty leaf"),
        (lambda o: o._root.children[0].counts.pop(), "counts"),
    ])
    def test_check_reports_breakage(self, breakage, message):
        order = self.make_one(make_names(70 * LEAF))
        assert depth(order) == 2
        order.check()
        breakage(order)
        with pytest.raises(AssertionError, match="broken Order") as info:
            order.check()
        assert message in str(info.value)

    def test_check_reports_uneven_depth(self):
        order = self.make_one(make_names(70 * LEAF))
        stray = OrderLeaf(["extra"], order._root)
        order._root.children.append(stray)
        order._root.counts.append(1)
        with pytest.raises(AssertionError, match="leaves at depths"):
            order.check()

    # -- randomized model --

    def run_model(self, seed, steps, start=0):
        """Random operations on an Order and a list; they must agree.

        Phases of 1000 steps alternately grow and shrink the order, so
        that nodes split, merge and borrow.
        """
        rng = random.Random(seed)
        model = make_names(start, "s")
        order = Order.from_names(model)
        counter = 0

        def fresh():
            nonlocal counter
            counter += 1
            return f"k{counter}"

        for step in range(steps):
            grow = (step // 1000) % 2 == 0
            op = rng.random()
            if op < (0.3 if grow else 0.05) or len(model) < 2:
                name = fresh()
                order.append(name)
                model.append(name)
            elif op < (0.6 if grow else 0.1):
                name, index = fresh(), rng.randint(-len(model) - 3,
                                                   len(model) + 3)
                order.insert(index, name)
                model.insert(index, name)
            elif op < 0.7:
                name = rng.choice(model)
                order.remove(name)
                model.remove(name)
            elif op < 0.82:
                name = rng.choice(model)
                index = rng.randint(-2, len(model) + 2)
                order.move(name, index)
                model.remove(name)
                model.insert(max(0, min(index, len(model))), name)
            elif op < 0.9:
                name, delta = rng.choice(model), rng.randint(-40, 40)
                new = max(0, min(model.index(name) + delta, len(model) - 1))
                assert order.move_by(name, delta) == new
                model.remove(name)
                model.insert(new, name)
            elif op < 0.99:
                old, new = rng.choice(model), fresh()
                order.rename(old, new)
                model[model.index(old)] = new
            else:
                rng.shuffle(model)
                order.set_order(model)

            assert len(order) == len(model)
            assert list(order) == model, f"seed {seed}, step {step}"
            i = rng.randrange(len(model))
            assert order[i] == model[i]
            assert order.index(model[i]) == i
            assert order.slice(i, i + 20) == model[i:i + 20]
            if step % 100 == 0:
                order.check()
        order.check()
        return order

    @pytest.mark.parametrize("seed, start", [(1, 0), (2, 0), (3, 1500),
                                             (4, 1500)])
    def test_model(self, seed, start):
        self.run_model(seed, 5000, start)

    def test_model_large_start(self):
        order = self.run_model(5, 600, start=20_000)
        assert depth(order) == 2

    @pytest.mark.parametrize("seed", [7, 8, 9])
    def test_model_small_nodes(self, seed, small_nodes):
        order = self.run_model(seed, 5000)
        assert depth(order) >= 3

    @pytest.mark.parametrize("pattern", ["random", "front", "back",
                                         "middle", "interleave"])
    @pytest.mark.parametrize("nodes", ["small", "real"])
    def test_shrink(self, pattern, nodes, request):
        if nodes == "small":
            request.getfixturevalue("small_nodes")
        count = 3000 if nodes == "small" else 10_000
        names = make_names(count)
        order = Order.from_names(names)
        assert depth(order) >= 2
        doomed = list(names)
        if pattern == "random":
            random.Random(count).shuffle(doomed)
        elif pattern == "back":
            doomed.reverse()
        elif pattern == "middle":
            doomed.sort(key=lambda name: abs(int(name[1:]) - count // 2))
        elif pattern == "interleave":
            doomed = doomed[::2] + doomed[1::2]
        remaining = set(names)
        for i, name in enumerate(doomed):
            order.remove(name)
            remaining.discard(name)
            if i % 97 == 0:
                order.check()
                assert list(order) == [n for n in names if n in remaining]
        assert len(order) == 0
        assert isinstance(order._root, OrderLeaf)
        order.check()

    # -- persistence --

    def test_persistence(self):
        db = DB(None)
        try:
            names = make_names(3000)
            tm1 = transaction.TransactionManager()
            conn1 = db.open(tm1)
            conn1.root()["order"] = order = self.make_one(names)
            tm1.commit()

            tm2 = transaction.TransactionManager()
            conn2 = db.open(tm2)
            assert conn2 is not conn1
            stored = conn2.root()["order"]
            assert list(stored) == names
            stored.check()

            order.append("tail")
            order.insert(0, "head")
            order.remove("n001500")
            order.move("n000002", 2500)          # to another leaf
            order.move("n000100", 101)           # within its leaf
            order.rename("n002000", "renamed")
            for name in names[200:1200]:         # merges and borrows
                order.remove(name)
            for i in range(300):                 # splits in the middle
                order.insert(700, f"mid{i}")
            expected = list(order)
            tm1.commit()

            tm3 = transaction.TransactionManager()
            conn3 = db.open(tm3)
            assert conn3 not in (conn1, conn2)
            fresh = conn3.root()["order"]
            assert list(fresh) == expected
            assert fresh.index("renamed") == expected.index("renamed")
            fresh.check()

            tm2.begin()                          # sees the invalidations
            assert list(conn2.root()["order"]) == expected
            conn2.root()["order"].check()

            fresh.set_order(expected[::-1])
            tm3.commit()
            tm1.begin()
            assert list(conn1.root()["order"]) == expected[::-1]
            conn1.root()["order"].check()
        finally:
            db.close()

    @pytest.mark.parametrize("mutate", [
        lambda o: o.move("n000010", 3),            # within a leaf
        lambda o: o.move_by("n000010", 1),
        lambda o: o.move("n000010", 4000),         # across leaves
        lambda o: o.rename("n000010", "new"),
        lambda o: o.remove("n000010"),
        lambda o: o.remove("n005000"),
        lambda o: o.insert(5, "new"),
        lambda o: o.insert(4000, "new"),
        lambda o: o.append("new"),
    ])
    def test_in_place_changes_are_stored(self, mutate):
        db = DB(None)
        try:
            tm = transaction.TransactionManager()
            conn = db.open(tm)
            order = self.make_one(make_names(70 * LEAF))
            for name in ("n000020", "n004010", "n008900"):   # make room
                order.remove(name)
            assert depth(order) == 2
            conn.root()["order"] = order
            tm.commit()
            mutate(order)                        # no split, no merge
            expected = list(order)
            tm.commit()
            conn.cacheMinimize()                 # drop the live objects
            other = db.open(transaction.TransactionManager())
            for stored in (other.root()["order"], conn.root()["order"]):
                assert list(stored) == expected
                stored.check()
        finally:
            db.close()

    # -- scale --

    def test_scale(self):
        count = 200_000
        order = self.make_one(make_names(count))
        assert len(order) == count
        middle = count // 2
        assert order.slice(middle, middle + 50) == [
            f"n{i:06d}" for i in range(middle, middle + 50)]
        assert order.index(f"n{count - 1:06d}") == count - 1
        assert order[-1] == f"n{count - 1:06d}"
        assert depth(order) >= 2
        order.move(f"n{count - 1:06d}", 0)
        assert order[0] == f"n{count - 1:06d}"
        assert order.index("n000000") == 1
