"""The catalog's index types: field, keyword, path, and full text (BM25).

Field and keyword indexes keep, per value, either one docid (a plain int,
pickled inline in the BTree bucket) or an ``IFTreeSet`` once a second
document shares the value: a site of 100,000 documents with distinct
modification times then stores no persistent object per document. Each
index answers ``apply(query)`` with an IF set (or, for text, an IF bucket
of scores), ``index_doc``/``unindex_doc``, and ``value_of(docid)``.
"""

from BTrees.IFBTree import IFTreeSet, difference, intersection, multiunion
from BTrees.IOBTree import IOBTree
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from zope.index.text.okapiindex import OkapiIndex
from zope.index.text.textindex import TextIndex as _ZopeTextIndex

_MISSING = object()


def _add(fwd, key, docid):
    found = fwd.get(key)
    if found is None:
        fwd[key] = docid
    elif isinstance(found, int):
        if found != docid:
            fwd[key] = IFTreeSet((found, docid))
    else:
        found.insert(docid)


def _remove(fwd, key, docid):
    found = fwd.get(key)
    if found is None:
        return
    if isinstance(found, int):
        if found == docid:
            del fwd[key]
        return
    if docid in found:
        found.remove(docid)
    if len(found) == 1:
        fwd[key] = found.minKey()
    elif not found:
        del fwd[key]


def _count(found, docids):
    """How many of *docids* a forward entry (int, tree set or None) holds."""
    if found is None:
        return 0
    if isinstance(found, int):
        return int(found in docids)
    return len(intersection(found, docids))


def as_set(found):
    """An IF set of what a forward entry holds (an int or a tree set)."""
    if found is None:
        return IFTreeSet()
    if isinstance(found, int):
        return IFTreeSet((found,))
    return found


class FieldIndex(Persistent):
    """One orderable value per document: equality, ranges, sorting."""

    def __init__(self):
        self.clear()

    def clear(self):
        self._fwd = OOBTree()   # {value: docid | IFTreeSet}
        self._rev = IOBTree()   # {docid: value}
        self._count = Length()

    def __len__(self):
        return self._count()

    def index_doc(self, docid, value):
        if value is None:
            return self.unindex_doc(docid)
        old = self._rev.get(docid, _MISSING)
        if old is not _MISSING:
            if old == value:
                return
            _remove(self._fwd, old, docid)
        else:
            self._count.change(1)
        _add(self._fwd, value, docid)
        self._rev[docid] = value

    def unindex_doc(self, docid):
        old = self._rev.get(docid, _MISSING)
        if old is _MISSING:
            return
        del self._rev[docid]
        _remove(self._fwd, old, docid)
        self._count.change(-1)

    def value_of(self, docid, default=None):
        return self._rev.get(docid, default)

    def values(self):
        return self._fwd.keys()

    def docids(self):
        return self._rev.keys()

    def apply(self, query):
        """*query*: a value, a list of values (any of), or (min, max) range;
        None at either end of a range leaves it open."""
        if isinstance(query, tuple):
            low, high = query
            return multiunion(list(self._fwd.values(low, high)))
        if isinstance(query, (list, set, frozenset)):
            return multiunion([self._fwd[v] for v in query if v in self._fwd])
        return as_set(self._fwd.get(query))

    def count(self, value, docids):
        """How many of *docids* have *value*."""
        return _count(self._fwd.get(value), docids)

    def sort(self, docids, reverse=False, limit=None):
        """*docids* (an IF set) in the order of their values; missing last."""
        n = len(docids)
        if n == 0:
            return []
        # Walking the whole index pays off when the result is a good part
        # of it; otherwise sort the result by looking each value up.
        if n * 8 < len(self._rev) or n < 200:
            rev = self._rev
            have = [d for d in docids if d in rev]
            have.sort(key=rev.__getitem__, reverse=reverse)
            missing = list(difference(docids, IFTreeSet(have))) if len(have) < n else []
            ordered = have + missing
            return ordered if limit is None else ordered[:limit]
        out = []
        want = limit if limit is not None else n
        entries = self._fwd.items()
        if reverse:
            entries = reversed(list(self._fwd.keys()))
            entries = ((k, self._fwd[k]) for k in entries)
        for _, found in entries:
            if isinstance(found, int):
                if found in docids:
                    out.append(found)
            else:
                out.extend(intersection(found, docids))
            if len(out) >= want:
                break
        if len(out) < want:
            seen = IFTreeSet(out)
            out.extend(d for d in docids if d not in seen)
        return out[:want]


class KeywordIndex(Persistent):
    """Several values per document (tags, allowed roles): any-of, all-of."""

    def __init__(self):
        self.clear()

    def clear(self):
        self._fwd = OOBTree()   # {keyword: docid | IFTreeSet}
        self._rev = IOBTree()   # {docid: tuple of keywords}
        self._count = Length()

    def __len__(self):
        return self._count()

    def index_doc(self, docid, values):
        new = tuple(sorted(set(values or ())))
        if not new:
            return self.unindex_doc(docid)
        old = self._rev.get(docid)
        if old == new:
            return
        old_set = set(old or ())
        for word in old_set.difference(new):
            _remove(self._fwd, word, docid)
        for word in set(new).difference(old_set):
            _add(self._fwd, word, docid)
        if old is None:
            self._count.change(1)
        self._rev[docid] = new

    def unindex_doc(self, docid):
        old = self._rev.get(docid)
        if old is None:
            return
        for word in old:
            _remove(self._fwd, word, docid)
        del self._rev[docid]
        self._count.change(-1)

    def value_of(self, docid, default=()):
        return self._rev.get(docid, default)

    def values(self):
        return self._fwd.keys()

    def docids(self):
        return self._rev.keys()

    def apply(self, query, operator="or"):
        """Documents with any (or, with operator 'and', all) of *query*."""
        words = [query] if isinstance(query, str) else list(query)
        if operator == "and":
            result = None
            for word in words:
                found = as_set(self._fwd.get(word))
                result = found if result is None else intersection(result, found)
            return result if result is not None else IFTreeSet()
        return multiunion([self._fwd[w] for w in words if w in self._fwd])

    def count(self, value, docids):
        """How many of *docids* have *value* among their keywords."""
        return _count(self._fwd.get(value), docids)


class PathIndex(Persistent):
    """Where documents are: a subtree, the children of a folder, one object.

    Paths are site-relative strings: ``/`` is the site, ``/a/b`` below it.
    """

    def __init__(self):
        self.clear()

    def clear(self):
        self._subtree = OOBTree()   # {path: docid | IFTreeSet at or below it}
        self._children = OOBTree()  # {parent path: IFTreeSet of children}
        self._rev = IOBTree()       # {docid: path}
        self._count = Length()

    def __len__(self):
        return self._count()

    def index_doc(self, docid, path):
        old = self._rev.get(docid)
        if old == path:
            return
        if old is not None:
            self.unindex_doc(docid)
        for ancestor in ancestors(path):
            _add(self._subtree, ancestor, docid)
        if path != "/":
            parent = parent_path(path)
            children = self._children.get(parent)
            if children is None:
                children = self._children[parent] = IFTreeSet()
            children.insert(docid)
        self._rev[docid] = path
        self._count.change(1)

    def unindex_doc(self, docid):
        path = self._rev.get(docid)
        if path is None:
            return
        for ancestor in ancestors(path):
            _remove(self._subtree, ancestor, docid)
        if path != "/":
            parent = parent_path(path)
            children = self._children.get(parent)
            if children is not None:
                if docid in children:
                    children.remove(docid)
                if not children:
                    del self._children[parent]
        del self._rev[docid]
        self._count.change(-1)

    def value_of(self, docid, default=None):
        return self._rev.get(docid, default)

    def docids(self):
        return self._rev.keys()

    def apply(self, path, depth=None):
        """Docids at *path* and below it, down *depth* levels (None: all;
        0: the object itself; 1: its children, without itself)."""
        if depth is None or depth < 0:
            return as_set(self._subtree.get(path))
        if depth == 0:
            found = self._subtree.get(path)
            if found is None:
                return IFTreeSet()
            mine = [d for d in as_set(found) if self._rev.get(d) == path]
            return IFTreeSet(mine)
        level, sets = [path], []
        for _ in range(depth):
            below = []
            for parent in level:
                children = self._children.get(parent)
                if children is not None:
                    sets.append(children)
                    if depth > 1:
                        below.extend(self._rev[d] for d in children
                                     if self._children.has_key(self._rev[d]))
            level = below
            if not level:
                break
        return multiunion(sets)


class TextIndex(Persistent):
    """Full text with Okapi BM25 ranking over a Cupola lexicon."""

    def __init__(self, language=None, stemming=False):
        from cupola.catalog.text import make_lexicon
        self.language, self.stemming = language, stemming
        lexicon = make_lexicon(language, stemming)
        self._index = _ZopeTextIndex(lexicon=lexicon, index=OkapiIndex(lexicon))
        self._docs = IOBTree()   # {docid: 1}: whether a docid has text
        self._count = Length()

    def clear(self):
        self._index.clear()
        self._docs.clear()
        self._count.set(0)

    def __len__(self):
        return self._count()

    def index_doc(self, docid, text):
        if not text:
            return self.unindex_doc(docid)
        self._index.index_doc(docid, text)
        if docid not in self._docs:
            self._docs[docid] = 1
            self._count.change(1)

    def unindex_doc(self, docid):
        if docid in self._docs:
            self._index.unindex_doc(docid)
            del self._docs[docid]
            self._count.change(-1)

    def value_of(self, docid, default=None):
        return bool(docid in self._docs)

    def docids(self):
        return self._docs.keys()

    @property
    def lexicon(self):
        return self._index.lexicon

    def apply(self, query):
        """{docid: score} of the documents matching *query* (a search
        string with AND, OR, NOT, "phrases" and globs*); raises
        zope.index.text.parsetree.ParseError on a malformed query."""
        return self._index.apply(query)


def ancestors(path):
    """'/a/b' -> ['/', '/a', '/a/b']."""
    if path == "/":
        return ["/"]
    parts = path.split("/")[1:]
    return ["/"] + ["/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def parent_path(path):
    head = path.rsplit("/", 1)[0]
    return head or "/"
