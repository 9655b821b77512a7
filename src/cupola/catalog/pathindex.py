"""Where documents are: a subtree, the children of a folder, one object.

Paths are site-relative strings: ``/`` is the site, ``/a/b`` below it.
Stored state::

    _subtree   # OOBTree {path: docid | Bits}: the documents below path
    _children  # OOBTree {parent path: Bits}: its direct children
    _rev       # IOBTree {docid: path}

A subtree query is one bitmap and the object's own docid, which the
caller knows (``Catalog.docid_for``): a document is never a key of
``_subtree`` of its own, so that adding one rewrites only its ancestors'
entries. Children ``depth`` levels down are the union of the children
bitmaps of the containers above that depth. (Indexes of format 2 also
kept each path's own docid in ``_subtree``; they answer the same.)
"""

from BTrees.IOBTree import IOBTree
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyroaring import BitMap

from cupola.catalog.bits import Bits, add, bitmap_of, remove, union

FORMAT = 3  # 2: _subtree also held each path's own docid


class PathIndex(Persistent):
    """Docids by path: subtrees with a depth; see the module docstring."""

    def __init__(self):
        self.clear()

    def clear(self):
        self._subtree = OOBTree()
        self._children = OOBTree()
        self._rev = IOBTree()
        self._count = Length()
        self._format = FORMAT

    def __len__(self):
        return self._count()

    def index_doc(self, docid, path):
        old = self._rev.get(docid)
        if old == path:
            return
        if old is not None:
            self.unindex_doc(docid)
        for ancestor in ancestors(path)[:-1]:
            add(self._subtree, ancestor, docid)
        if path != "/":
            parent = parent_path(path)
            children = self._children.get(parent)
            if children is None:
                children = self._children[parent] = Bits()
            children.add(docid)
        self._rev[docid] = path
        self._count.change(1)

    def unindex_doc(self, docid):
        path = self._rev.get(docid)
        if path is None:
            return
        for ancestor in ancestors(path):  # its own: only in format 2
            remove(self._subtree, ancestor, docid)
        if path != "/":
            parent = parent_path(path)
            children = self._children.get(parent)
            if children is not None:
                children.discard(docid)
                if not children:
                    del self._children[parent]
                    if isinstance(children, Bits):
                        children.retire()
        del self._rev[docid]
        self._count.change(-1)

    def value_of(self, docid, default=None):
        return self._rev.get(docid, default)

    def docids(self):
        return self._rev.keys()

    def apply(self, path, depth=None, itself=None):
        """A new BitMap of the docids at *path* and below it, down *depth*
        levels (None: all; 0: the object itself; 1: its children, without
        itself). *itself*: the docid of *path* (None: not cataloged)."""
        if depth is None or depth < 0:
            found = bitmap_of(self._subtree.get(path)).copy()
            if itself is not None:
                found.add(itself)
            return found
        if depth == 0:
            if itself is not None:
                return BitMap((itself,))
            return self._itself(path) if self._format < FORMAT else BitMap()
        if depth == 1:
            return bitmap_of(self._children.get(path)).copy()
        prefix = "" if path == "/" else path
        deepest = _level(path) + depth - 1  # the lowest parent to include
        parents = [path] + [p for p in self._children.keys(
            prefix + "/", prefix + "0", excludemax=True)
        if p != path and _level(p) <= deepest]
        return union([self._children.get(p) for p in parents])

    def _itself(self, path):
        """The docid of *path* in an index of format 2 (own entries)."""
        below = bitmap_of(self._subtree.get(path))
        if path == "/":  # the root is no one's child: all but its subtrees
            return below - union([self._subtree.get(self._rev[d])
                                  for d in bitmap_of(self._children.get("/"))])
        # the one child of path's parent that is at or below path
        return below & bitmap_of(self._children.get(parent_path(path))) \
            if below else BitMap()


def _level(path):
    return 0 if path == "/" else path.count("/")


def ancestors(path):
    """'/a/b' -> ['/', '/a', '/a/b']."""
    if path == "/":
        return ["/"]
    parts = path.split("/")[1:]
    return ["/"] + ["/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def parent_path(path):
    head = path.rsplit("/", 1)[0]
    return head or "/"
