"""Docid sets of the catalog's indexes: pyroaring bitmaps, stored.

``Bits`` is a persistent set of docids around ``pyroaring.BitMap``s. A
small one (up to ``SPLIT`` docids) pickles as the bitmap's portable
serialization (a few bytes for a run of sequential docids, about 2 bytes
a docid otherwise), so an index keeps one small persistent object per
value shared by two or more documents, and an edit rewrites only the
bitmaps of the values it touched. A bigger one (a common value: a type,
a state, the Anonymous role, a section) is kept as a *frozen* base, a
``Frozen`` record written once, plus the docids added since and those of
the base removed since, in its own record; when those changes pass
``SPLIT`` docids they are folded into a new base. A document added
through the web thus rewrites a few KB of each common value's bitmap,
however big the site, not the whole bitmap (125 KB at a million
documents).

Two transactions that change one bitmap concurrently are merged
(``_p_resolveConflict``): each one's additions and removals are applied to
what the other committed (on the changes, when both share a base; a
concurrent refold of the base is a ``ConflictError``). A bitmap that its
entry gave up (shrunk back to an int, or emptied and deleted) is
*retired*: its state becomes empty bytes, and a concurrent change to it
is a ``ConflictError`` (the other transaction is replayed and sees the new
entry) rather than a merge into an object nothing points at any more.

A forward entry of an index is either a plain int (the one document with
that value, pickled inline in the BTree bucket) or a ``Bits`` of two or
more; ``add``/``remove``/``bitmap_of`` keep that shape. They also read
(and update) the ``IFTreeSet`` entries of a catalog made before bitmaps,
until ``cupola reindex`` rebuilds it.
"""

from persistent import Persistent
from pyroaring import BitMap
from ZODB.POSException import ConflictError

EMPTY = BitMap()
RETIRED = b""  # the state of a Bits its entry gave up
FORMAT = 2  # indexes' stored shape: 1 IF tree sets (before bitmaps); 2 Bits
SPLIT = 2048  # docids a Bits keeps whole; also the changes kept beside a base


class Frozen(Persistent):
    """The base of a big ``Bits``: a bitmap written once, never changed
    (a new base is a new ``Frozen``), so a copy in memory stays true."""

    def __init__(self, bits):
        self.bits = bits

    def __getstate__(self):
        self.bits.run_optimize()
        return self.bits.serialize()

    def __setstate__(self, state):
        self.bits = BitMap.deserialize(state)


class Bits(Persistent):
    """A persistent set of docids (ints in [0, 2**32)); see the module
    docstring. ``bits`` is the whole set as a BitMap (not to be changed)."""

    retired = False  # see retire()
    _base = None     # Frozen, for a big set; None: _added holds every docid
    _base_len = _base_max = None  # of the base, kept here: an add above it
                                  # need not load the base

    def __init__(self, docids=()):
        self._added, self._removed = BitMap(docids), BitMap()
        if len(self._added) > SPLIT:
            self._fold()

    # {docids} = (_base.bits - _removed) | _added, where _added holds no docid
    # of the base and _removed only docids of it
    @property
    def bits(self):
        if self._base is None:
            return self._added
        try:
            return self._v_bits
        except AttributeError:
            self._v_bits = (self._base.bits - self._removed) | self._added
            return self._v_bits

    def __getstate__(self):
        if self.retired:
            return RETIRED
        self._added.run_optimize()  # runs of sequential docids: a few bytes
        if self._base is None:
            return self._added.serialize()
        self._removed.run_optimize()
        return (self._base, self._added.serialize(), self._removed.serialize(),
                self._base_size(), self._base_top())

    def __setstate__(self, state):
        self._removed = BitMap()
        if state == RETIRED:
            self._added, self.retired = BitMap(), True
        elif isinstance(state, bytes):
            self._added = BitMap.deserialize(state)
        else:  # 3 items: written before the base's length and maximum
            self._base, added, removed, *summary = state
            self._added = BitMap.deserialize(added)
            self._removed = BitMap.deserialize(removed)
            if summary:
                self._base_len, self._base_max = summary

    def _base_size(self):
        if self._base_len is None:
            self._base_len = len(self._base.bits)
        return self._base_len

    def _base_top(self):
        if self._base_max is None:
            self._base_max = self._base.bits.max() if self._base_size() else -1
        return self._base_max

    def retire(self):
        """Its entry no longer points here: see the module docstring."""
        self._base, self._added, self._removed = None, BitMap(), BitMap()
        self._base_len = self._base_max = None
        self.__dict__.pop("_v_bits", None)
        self.retired = True
        self._p_changed = True

    def add(self, docid):
        base = self._base
        if base is None:
            self._added.add(docid)
        else:
            removed = self._removed
            if docid > self._base_top():  # a new document: the base unread
                self._added.add(docid)
            elif removed and docid in removed:
                removed.discard(docid)
            elif docid not in base.bits:
                self._added.add(docid)
            self._cached("add", docid)
        self._changed()

    def discard(self, docid):
        base = self._base
        if base is None:
            self._added.discard(docid)
        else:
            if docid in self._added:
                self._added.discard(docid)
            elif docid in base.bits:
                self._removed.add(docid)
            self._cached("discard", docid)
        self._changed()

    def update(self, docids):
        base, docids = self._base, as_bitmap(docids)
        if base is None:
            self._added.update(docids)
        else:
            if docids and docids.min() > self._base_top():
                self._added.update(docids)
            else:
                self._removed.difference_update(docids)
                self._added.update(docids - base.bits)
            self._cached("update", docids)
        self._changed()

    def difference_update(self, docids):
        base, docids = self._base, as_bitmap(docids)
        if base is None:
            self._added.difference_update(docids)
        else:
            self._added.difference_update(docids)
            self._removed.update(docids & base.bits)
            self._cached("difference_update", docids)
        self._changed()

    def _cached(self, method, argument):
        """Apply a change to the whole set in memory, when it was made."""
        whole = self.__dict__.get("_v_bits")
        if whole is not None:
            getattr(whole, method)(argument)

    def _changed(self):
        self._p_changed = True
        changes = len(self._added) + len(self._removed)
        if changes > SPLIT and (self._base is None or changes > self._base_size() >> 4):
            self._fold()

    def _fold(self):
        """A new base of every docid; no changes beside it."""
        whole = BitMap(self.bits)
        self._base = Frozen(whole)
        self._base_len, self._base_max = len(whole), whole.max() if whole else -1
        self._added, self._removed = BitMap(), BitMap()
        self.__dict__.pop("_v_bits", None)
        self._p_changed = True

    def __contains__(self, docid):
        if self._base is None or docid in self._added or docid > self._base_top():
            return docid in self._added
        return docid in self._base.bits and docid not in self._removed

    def __iter__(self):
        return iter(self.bits)

    def __len__(self):
        if self._base is None:
            return len(self._added)
        return self._base_size() - len(self._removed) + len(self._added)

    def __bool__(self):
        return len(self) > 0

    def minKey(self):
        return self.bits.min()

    def _p_resolveConflict(self, old, committed, new):
        if RETIRED in (old, committed, new):
            raise ConflictError("a catalog bitmap was given up meanwhile")
        kinds = {isinstance(state, bytes) for state in (old, committed, new)}
        if kinds == {True}:
            return _merge(old, committed, new)
        if kinds != {False} or not old[0] == committed[0] == new[0]:
            raise ConflictError("a catalog bitmap got a new base meanwhile")
        return (committed[0], _merge(old[1], committed[1], new[1]),
                _merge(old[2], committed[2], new[2]), *committed[3:])

    def __repr__(self):
        return f"<Bits of {len(self)}>"


def _merge(old, committed, new):
    """The serialized bitmap of *committed* with *new*'s changes to *old*."""
    old, committed, new = (BitMap.deserialize(s) for s in (old, committed, new))
    return ((committed | (new - old)) - (old - new)).serialize()


def is_current(index):
    """False for a field, keyword or path index stored before the bitmaps:
    it still answers (slowly) but wants a rebuild (``clear()``, reindex)."""
    return getattr(index, "_format", 1) >= FORMAT


def add(fwd, key, docid):
    """Put *docid* in the forward entry of *key* (an int, then Bits)."""
    found = fwd.get(key)
    if found is None:
        fwd[key] = docid
    elif isinstance(found, int):
        if found != docid:
            fwd[key] = Bits((found, docid))
    else:
        found.add(docid)


def add_many(fwd, key, docids):
    """Put *docids* (a list of docids not in it yet) in the entry of *key*."""
    if len(docids) == 1:
        return add(fwd, key, docids[0])
    found = fwd.get(key)
    if found is None:
        fwd[key] = Bits(docids)
    elif isinstance(found, int):
        fwd[key] = Bits([found, *docids])
    else:
        found.update(docids)


def remove(fwd, key, docid):
    """Take *docid* out of the entry of *key*; one left becomes an int."""
    found = fwd.get(key)
    if found is None:
        return
    if isinstance(found, int):
        if found == docid:
            del fwd[key]
        return
    if docid in found:
        found.discard(docid)
    if len(found) == 1:
        fwd[key] = found.minKey()
        _retire(found)
    elif not found:
        del fwd[key]
        _retire(found)


def _retire(found):
    if isinstance(found, Bits):
        found.retire()


def bitmap_of(found):
    """The docids of a forward entry (int, Bits or None) as a BitMap that
    the caller must not change (copy it first)."""
    if found is None:
        return EMPTY
    if isinstance(found, int):
        return BitMap((found,))
    if isinstance(found, Bits):
        return found.bits
    return BitMap(found)  # a tree set of a catalog from before the bitmaps


def union(entries):
    """A new BitMap of every docid in *entries* (ints, Bits, BitMaps)."""
    singles, maps = [], []
    for found in entries:
        if isinstance(found, int):
            singles.append(found)
        elif isinstance(found, Bits):
            maps.append(found.bits)
        elif isinstance(found, BitMap):
            maps.append(found)
        elif found is not None:  # a tree set from before the bitmaps
            maps.append(BitMap(found))
    result = BitMap.union(*maps) if maps else BitMap()
    if singles:
        result.update(singles)
    return result


def as_bitmap(docids):
    """*docids* (any iterable of ints, a BitMap, Bits) as a BitMap."""
    if isinstance(docids, BitMap):
        return docids
    if isinstance(docids, Bits):
        return docids.bits
    return BitMap(docids)


def count_in(found, docids):
    """How many of the BitMap *docids* a forward entry holds."""
    if found is None:
        return 0
    if isinstance(found, int):
        return int(found in docids)
    return docids.intersection_cardinality(bitmap_of(found))
