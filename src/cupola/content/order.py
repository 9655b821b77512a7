"""The explicit order of a folder's child names.

``Order`` is a counted B+tree (an order-statistic tree) of persistent
nodes, defined in ``cupola.content.ordernodes``: leaves hold names and
link to the next leaf, inner nodes hold their children and the number of
names under each child, and every node knows its parent.  An ``OOBTree``
maps each name to its leaf, so the position of a name is found by
climbing from its leaf to the root.  Insert, move, remove, ``index()``
and positional access are O(log n); a slice of k names is O(log n + k).

Nodes keep plain lists: every change in place is followed by
``node._p_changed = True`` so that ZODB stores it.
"""

from bisect import bisect_left, bisect_right
from itertools import accumulate, islice
from operator import index as _as_int

from BTrees.OOBTree import OOBTree
from persistent import Persistent

from cupola.content.ordernodes import OrderInner, OrderLeaf, build, walk

_slice = slice               # Order.slice hides the builtin in class scope


class Order(Persistent):
    """Names in an explicit order, each present once."""

    def __init__(self):
        self._root = OrderLeaf()
        self._leaf_of = OOBTree()     # {name: OrderLeaf}

    @classmethod
    def from_names(cls, names):
        """A new Order holding *names* (no duplicates), bulk-loaded."""
        names = list(names)
        for name in names:
            _check_name(name)
        if len(set(names)) != len(names):
            raise ValueError(_describe("duplicate names", _duplicates(names)))
        order = cls()
        order._root, order._leaf_of = build(names)
        return order

    def __repr__(self):
        return f"<{type(self).__name__} of {len(self)} names>"

    # -- reading --

    def __len__(self):
        return self._root.total()

    def __contains__(self, name):
        return isinstance(name, str) and name in self._leaf_of

    def __iter__(self):
        node = self._root
        while isinstance(node, OrderInner):
            node = node.children[0]
        return walk(node, 0)

    def keys_from(self, name):
        """Names after *name*, in order (KeyError if *name* is absent)."""
        leaf = self._leaf(name)
        return walk(leaf, leaf.names.index(name) + 1)

    def index(self, name):
        """Position of *name* (KeyError if absent)."""
        leaf = self._leaf(name)
        position = leaf.names.index(name)
        node, parent = leaf, leaf.parent
        while parent is not None:
            position += sum(parent.counts[:parent.children.index(node)])
            node, parent = parent, parent.parent
        return position

    def __getitem__(self, i):
        if isinstance(i, _slice):
            if i.step in (None, 1):
                return self.slice(i.start, i.stop)
            return list(self)[i]
        size = len(self)
        i = _as_int(i)
        if i < 0:
            i += size
        if not 0 <= i < size:
            raise IndexError("Order index out of range")
        leaf, offset = self._find(i, bisect_right)
        return leaf.names[offset]

    def slice(self, start, stop=None):
        """Names from *start* to *stop*, like ``list[start:stop]``."""
        start, stop, _ = _slice(start, stop).indices(len(self))
        if start >= stop:
            return []
        leaf, offset = self._find(start, bisect_right)
        return list(islice(walk(leaf, offset), stop - start))

    # -- changing --

    def append(self, name):
        """Add *name* at the end (ValueError if present)."""
        self.insert(len(self), name)

    def insert(self, index, name):
        """Add *name* before position *index*, like ``list.insert``."""
        _check_name(name)
        if name in self:
            raise ValueError(f"{name!r} is already in the order")
        index = _clamp_insert(_as_int(index), len(self))
        self._insert_at(*self._find(index, bisect_left), name)

    def remove(self, name):
        """Take *name* out (KeyError if absent)."""
        leaf = self._leaf(name)
        del self._leaf_of[name]
        self._delete_at(leaf, leaf.names.index(name))

    def move(self, name, index):
        """Move *name* to position *index*, clamped to 0..len-1."""
        leaf = self._leaf(name)
        current = self.index(name)
        index = max(0, min(_as_int(index), len(self) - 1))
        if index == current:
            return
        names = leaf.names
        offset = names.index(name)
        first = current - offset             # position of names[0]
        if first <= index < first + len(names):   # stays in this leaf
            del names[offset]
            names.insert(index - first, name)
            leaf._p_changed = True
            return
        self._delete_at(leaf, offset)
        self._insert_at(*self._find(index, bisect_left), name)

    def move_by(self, name, delta):
        """Move *name* by *delta* places; return its new position."""
        index = max(0, min(self.index(name) + _as_int(delta), len(self) - 1))
        self.move(name, index)
        return index

    def rename(self, old, new):
        """Give *old* the name *new*, keeping its position."""
        leaf = self._leaf(old)
        _check_name(new)
        if new == old:
            return
        if new in self:
            raise ValueError(f"{new!r} is already in the order")
        self._leaf_of[new] = leaf
        del self._leaf_of[old]
        names = leaf.names
        names[names.index(old)] = new
        leaf._p_changed = True

    def set_order(self, names):
        """Order as *names*, which must be a permutation of the names."""
        names = list(names)
        wanted = set(names)
        if len(wanted) != len(names) or len(names) != len(self) \
                or not all(name in self for name in wanted):
            problems = [
                _describe("missing", [n for n in self if n not in wanted]),
                _describe("extra", [n for n in dict.fromkeys(names)
                                    if n not in self]),
                _describe("duplicate", _duplicates(names))]
            raise ValueError("not a permutation of the current names: "
                             + "; ".join(p for p in problems if p))
        if names != list(self):
            self._root, self._leaf_of = build(names)

    # -- checking --

    def check(self):
        """Raise AssertionError describing every broken invariant."""
        errors, leaves = [], []

        def visit(node, parent, path):
            if node.parent is not parent:
                errors.append(f"{path}: wrong parent link")
            if isinstance(node, OrderLeaf):
                leaves.append((path, node))
                if node.size() > node.MAX:
                    errors.append(f"{path}: {len(node.names)} names")
                if parent is not None and not node.names:
                    errors.append(f"{path}: empty leaf")
                return len(node.names), 0
            size = len(node.children)
            if len(node.counts) != size:
                errors.append(f"{path}: {size} children, "
                              f"{len(node.counts)} counts")
            if size > node.MAX or size < (2 if parent is None else node.MIN):
                errors.append(f"{path}: {size} children")
            total, depths = 0, set()
            for i, (child, count) in enumerate(zip(node.children,
                                                   node.counts)):
                real, depth = visit(child, node, f"{path}/{i}")
                if real != count:
                    errors.append(f"{path}/{i}: counted {count}, holds {real}")
                total += real
                depths.add(depth)
            if len(depths) > 1:
                errors.append(f"{path}: leaves at depths {sorted(depths)}")
            return total, max(depths, default=0) + 1

        total, _ = visit(self._root, None, "root")
        seen = set()
        for i, (path, leaf) in enumerate(leaves):
            following = leaves[i + 1][1] if i + 1 < len(leaves) else None
            if leaf.next is not following:
                errors.append(f"{path}: wrong next link")
            if following is not None and leaf.size() < leaf.MIN:
                errors.append(f"{path}: only {len(leaf.names)} names")
            for name in leaf.names:
                if name in seen:
                    errors.append(f"{path}: {name!r} appears twice")
                seen.add(name)
                if self._leaf_of.get(name) is not leaf:
                    errors.append(f"{path}: {name!r} not mapped to its leaf")
        if len(self._leaf_of) != len(seen):
            stray = [n for n in self._leaf_of.keys() if n not in seen]
            errors.append(_describe("mapped but not in the tree", stray)
                          or "mapping and tree differ in size")
        if total != len(seen):
            errors.append(f"tree counts {total} names, holds {len(seen)}")
        if errors:
            raise AssertionError("broken Order:\n  " + "\n  ".join(errors))

    # -- internals --

    def _leaf(self, name):
        if not isinstance(name, str):
            raise KeyError(name)
        return self._leaf_of[name]

    def _find(self, index, bisect):
        """(leaf, offset) of *index*; bisect_left picks a leaf's end."""
        node = self._root
        while isinstance(node, OrderInner):
            ends = list(accumulate(node.counts))
            i = bisect(ends, index)
            if i:
                index -= ends[i - 1]
            node = node.children[i]
        return node, index

    def _adjust(self, node, delta):
        parent = node.parent
        while parent is not None:
            parent.counts[parent.children.index(node)] += delta
            parent._p_changed = True
            node, parent = parent, parent.parent

    def _insert_at(self, leaf, offset, name):
        self._leaf_of[name] = leaf
        names = leaf.names
        names.insert(offset, name)
        leaf._p_changed = True
        self._adjust(leaf, 1)
        if len(names) > leaf.MAX:
            # Appending to the last leaf: keep it full, start a new one.
            at_end = leaf.next is None and offset == leaf.MAX
            cut = leaf.MAX if at_end else len(names) // 2
            right = OrderLeaf(names[cut:], None, leaf.next)
            leaf.names, leaf.next = names[:cut], right
            for moved in right.names:
                self._leaf_of[moved] = right
            self._add_sibling(leaf, right)

    def _add_sibling(self, node, new):
        """Put *new* right after *node* in the tree, splitting upwards."""
        parent = node.parent
        if parent is None:
            self._root = OrderInner([node, new], [node.total(), new.total()])
            return
        i = parent.children.index(node) + 1
        parent.children.insert(i, new)
        parent.counts[i - 1:i] = [node.total(), new.total()]
        parent._p_changed = True
        new.parent = parent
        if parent.size() > parent.MAX:
            self._add_sibling(parent, parent.split())

    def _delete_at(self, leaf, offset):
        del leaf.names[offset]
        leaf._p_changed = True
        self._adjust(leaf, -1)
        node = leaf
        while node.parent is not None and node.size() < node.MIN:
            parent = node.parent
            i = parent.children.index(node)
            i -= 1 if i else 0           # pair with the left sibling
            left, right = parent.children[i], parent.children[i + 1]
            if left.size() + right.size() > left.MAX:
                left.share(right, self._leaf_of)
                parent.counts[i:i + 2] = [left.total(), right.total()]
                parent._p_changed = True
                return
            left.absorb(right, self._leaf_of)
            parent.counts[i:i + 2] = [parent.counts[i] + parent.counts[i + 1]]
            del parent.children[i + 1]
            parent._p_changed = True
            node = parent
        root = self._root
        while isinstance(root, OrderInner) and root.size() == 1:
            root = root.children[0]
            root.parent = None
        if root is not self._root:
            self._root = root


def _check_name(name):
    if not isinstance(name, str):
        raise TypeError(f"names are strings, not {type(name).__name__}")


def _clamp_insert(index, size):
    if index < 0:
        index = max(0, index + size)
    return min(index, size)


def _duplicates(names):
    seen, twice = set(), {}
    for name in names:
        if name in seen:
            twice[name] = None
        seen.add(name)
    return list(twice)


def _describe(label, names, limit=10):
    """'label: a, b and N more', or '' when *names* is empty."""
    if not names:
        return ""
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{label}: {', '.join(map(repr, names[:limit]))}{more}"
