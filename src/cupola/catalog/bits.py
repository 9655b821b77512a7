"""Docid sets of the catalog's indexes: pyroaring bitmaps, stored.

``Bits`` is a persistent wrapper around one ``pyroaring.BitMap``: its
pickled state is the bitmap's portable serialization (a few bytes for a
run of sequential docids, at most about 8 KB per 65,536 docids), so an
index keeps one small persistent object per value shared by two or more
documents, and an edit rewrites only the bitmaps of the values it touched.
Two transactions that change one bitmap concurrently are merged
(``_p_resolveConflict``): each one's additions and removals are applied to
what the other committed. A bitmap that its entry gave up (shrunk back to
an int, or emptied and deleted) is *retired*: its state becomes empty
bytes, and a concurrent change to it is a ``ConflictError`` (the other
transaction is replayed and sees the new entry) rather than a merge into
an object nothing points at any more.

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


class Bits(Persistent):
    """A persistent set of docids (ints in [0, 2**32))."""

    retired = False  # see retire()

    def __init__(self, docids=()):
        self.bits = BitMap(docids)

    def __getstate__(self):
        if self.retired:
            return RETIRED
        self.bits.run_optimize()  # runs of sequential docids: a few bytes
        return self.bits.serialize()

    def __setstate__(self, state):
        if state == RETIRED:
            self.bits, self.retired = BitMap(), True
        else:
            self.bits = BitMap.deserialize(state)

    def retire(self):
        """Its entry no longer points here: see the module docstring."""
        self.bits, self.retired = BitMap(), True
        self._p_changed = True

    def add(self, docid):
        self.bits.add(docid)
        self._p_changed = True

    def discard(self, docid):
        self.bits.discard(docid)
        self._p_changed = True

    def update(self, docids):
        self.bits.update(docids)
        self._p_changed = True

    def difference_update(self, docids):
        self.bits.difference_update(docids)
        self._p_changed = True

    def __contains__(self, docid):
        return docid in self.bits

    def __iter__(self):
        return iter(self.bits)

    def __len__(self):
        return len(self.bits)

    def __bool__(self):
        return bool(self.bits)

    def minKey(self):
        return self.bits.min()

    def _p_resolveConflict(self, old, committed, new):
        if RETIRED in (old, committed, new):
            raise ConflictError("a catalog bitmap was given up meanwhile")
        old, committed, new = (BitMap.deserialize(s) for s in (old, committed, new))
        return ((committed | (new - old)) - (old - new)).serialize()

    def __repr__(self):
        return f"<Bits of {len(self.bits)}>"


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
