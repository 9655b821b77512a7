"""Nodes of the counted B+tree behind ``cupola.content.order.Order``.

Leaves hold names and link to the next leaf; inner nodes hold children
and the number of names under each child.  Every node knows its parent.
``leaf_of`` is the Order's ``{name: leaf}`` mapping, kept up to date
whenever names move between leaves.  Nodes store plain lists, so lists
are either replaced or followed by ``_p_changed = True``.

Concurrent appends into one folder write the same last leaf (and the
counts of its ancestors).  ``_p_resolveConflict`` merges exactly that
case and nothing else: two transactions that only appended different
names at the end of the same leaf, without splitting it, or only changed
the counts of the same children of an inner node.  Every other
concurrent change to a node (a removal, a move, a rename, a split, a
merge of nodes) still raises ``ConflictError`` and is retried.
"""

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from ZODB.ConflictResolution import PersistentReference
from ZODB.POSException import ConflictError

LEAF_MAX = 128               # names per leaf
INNER_MAX = 64               # children per inner node


class OrderLeaf(Persistent):
    """Names in order, and the leaf that follows."""

    MAX = LEAF_MAX
    MIN = LEAF_MAX // 4      # below this a leaf borrows or merges

    def __init__(self, names=(), parent=None, next=None):
        self.names = list(names)
        self.parent = parent
        self.next = next

    def size(self):
        return len(self.names)

    total = size

    def _p_resolveConflict(self, old, committed, new):
        """Merge two transactions that each appended names to this leaf."""
        _same_apart_from("names", old, committed, new)
        kept = old["names"]
        theirs = _appended(kept, committed["names"])
        ours = _appended(kept, new["names"])
        if set(theirs) & set(ours):
            raise ConflictError("the same name was added twice")
        if len(kept) + len(theirs) + len(ours) > self.MAX:
            raise ConflictError("the merged leaf would be over-full")
        return dict(new, names=kept + theirs + ours)

    def absorb(self, right, leaf_of):
        """Take every name of the following leaf *right*."""
        self.names = self.names + right.names
        self.next = right.next
        for name in right.names:
            leaf_of[name] = self

    def share(self, right, leaf_of):
        """Even out the names of this leaf and the following one."""
        names, cut = self.names + right.names, len(self.names)
        half = len(names) // 2
        self.names, right.names = names[:half], names[half:]
        target = self if half > cut else right
        for name in names[min(cut, half):max(cut, half)]:
            leaf_of[name] = target


class OrderInner(Persistent):
    """Child nodes, and how many names lie under each of them."""

    MAX = INNER_MAX
    MIN = INNER_MAX // 4

    def __init__(self, children=(), counts=(), parent=None):
        self.children = list(children)
        self.counts = list(counts)
        self.parent = parent
        for child in self.children:
            child.parent = self

    def size(self):
        return len(self.children)

    def total(self):
        return sum(self.counts)

    def _p_resolveConflict(self, old, committed, new):
        """Merge two transactions that only changed the counts."""
        _same_apart_from("counts", old, committed, new)
        size = len(old["children"])
        if not len(old["counts"]) == len(committed["counts"]) \
                == len(new["counts"]) == size:
            raise ConflictError("the counts do not match the children")
        counts = [c + n - o for o, c, n in zip(old["counts"],
                                               committed["counts"],
                                               new["counts"])]
        if min(counts, default=1) < 1:
            raise ConflictError("a child would be left empty")
        return dict(new, counts=counts)

    def absorb(self, right, leaf_of):
        """Adopt every child of the following node *right*."""
        self.children = self.children + right.children
        self.counts = self.counts + right.counts
        for child in right.children:
            child.parent = self

    def share(self, right, leaf_of):
        """Even out the children of this node and the following one."""
        children = self.children + right.children
        counts = self.counts + right.counts
        cut, half = len(self.children), len(children) // 2
        self.children, right.children = children[:half], children[half:]
        self.counts, right.counts = counts[:half], counts[half:]
        target = self if half > cut else right
        for child in children[min(cut, half):max(cut, half)]:
            child.parent = target

    def split(self):
        """Move the second half of the children to a new node; return it."""
        cut = len(self.children) // 2
        right = OrderInner(self.children[cut:], self.counts[cut:])
        self.children, self.counts = self.children[:cut], self.counts[:cut]
        return right


def _same_apart_from(key, old, committed, new):
    """ConflictError unless the three states differ only in *key*."""
    if not old.keys() == committed.keys() == new.keys() or key not in old:
        raise ConflictError("the node's attributes changed")
    for name in old:
        if name != key and not (_same(old[name], committed[name])
                                and _same(old[name], new[name])):
            raise ConflictError(f"the node's {name} changed")


def _same(a, b):
    """Equal state values; references are equal when their oids are.

    ``PersistentReference.__eq__`` raises ValueError for references to
    different objects instead of returning False, so it is not used.
    """
    if isinstance(a, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(map(_same, a, b)))
    if isinstance(a, PersistentReference) \
            or isinstance(b, PersistentReference):
        return (isinstance(a, PersistentReference)
                and isinstance(b, PersistentReference)
                and not (a.weak or b.weak)
                and (a.oid, a.database_name) == (b.oid, b.database_name))
    return a is b or (type(a) is type(b) and a == b)


def _appended(before, after):
    """The names *after* adds at the end of *before* (else ConflictError)."""
    if after[:len(before)] != before:
        raise ConflictError("names were removed, moved or renamed")
    return after[len(before):]


def walk(leaf, offset):
    """Names from *offset* in *leaf* to the end, following next links."""
    while leaf is not None:
        yield from leaf.names[offset:]
        leaf, offset = leaf.next, 0


def build(names):
    """(root, {name: leaf}) holding *names*, every node filled evenly."""
    leaf_of = OOBTree()
    if not names:
        return OrderLeaf(), leaf_of
    level = [OrderLeaf(run) for run in _runs(names, OrderLeaf.MAX)]
    for leaf, following in zip(level, level[1:]):
        leaf.next = following
    for leaf in level:
        leaf_of.update(dict.fromkeys(leaf.names, leaf))
    while len(level) > 1:
        level = [OrderInner(run, [child.total() for child in run])
                 for run in _runs(level, OrderInner.MAX)]
    return level[0], leaf_of


def _runs(items, capacity):
    """Split *items* into as few near-equal runs as fit in *capacity*."""
    count = -(-len(items) // capacity)
    base, extra = divmod(len(items), count)
    start = 0
    for i in range(count):
        stop = start + base + (i < extra)
        yield items[start:stop]
        start = stop
