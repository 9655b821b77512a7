"""The catalog's filter indexes: field, date and keyword (path: ``pathindex``).

Field and keyword indexes keep, per value, either one docid (a plain int,
pickled inline in the BTree bucket) or a ``Bits`` (a persistent roaring
bitmap, see ``cupola.catalog.bits``) once a second document shares the
value. A date index (epoch seconds, ints) also keeps a bitmap per UTC day
(``GRANULE``) and per block of 32 days, so that a range is a union of a
few dozen block and day bitmaps plus the two edge days, and a sort walks
blocks and days instead of values; its values are 64-bit BTree keys,
twice as many to a bucket as in an OOBTree.

Every index answers ``apply(query) -> pyroaring.BitMap`` (a new bitmap,
the caller's to change), ``index_doc(docid, value)``, ``unindex_doc(docid)``
and ``value_of(docid)``. Docids are ints in [0, 2**31). The text index is
in ``cupola.catalog.textindex``.
"""

import heapq
from operator import itemgetter

import math

from BTrees.IOBTree import IOBTree
from BTrees.Length import Length
from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyroaring import BitMap

from cupola.catalog.bits import (FORMAT, Bits, add_many, as_bitmap, bitmap_of,
                                 count_in, remove, union)
from cupola.catalog.legacytext import TextIndex  # noqa: F401 (old pickles name it here)
from cupola.catalog.pathindex import PathIndex, ancestors, parent_path  # noqa: F401

__all__ = ["FieldIndex", "DateIndex", "KeywordIndex", "PathIndex", "TextIndex", "Bits",
           "ancestors", "parent_path", "GRANULE"]

_MISSING = object()
GRANULE = 86400  # the coarse step of numeric values: a UTC day of seconds
BLOCK = 32  # days per block, the coarser step
LOOKUP_SORT = 64  # results up to this size are sorted by looking values up


def granule(value):
    """The coarse bucket of a numeric *value*; None for other values."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value // GRANULE)
    return None


class FieldIndex(Persistent):
    """One orderable value per document: equality, ranges, sorting."""

    _coarse = _blocks = None  # the day bitmaps of a DateIndex

    def __init__(self):
        self.clear()

    def clear(self):
        self._fwd = OOBTree()     # {value: docid | Bits}
        self._rev = IOBTree()     # {docid: value}
        self._count = Length()
        self._format = FORMAT

    def is_current(self):
        """False for a field index that earlier versions gave day bitmaps
        (every numeric one): it wants a rebuild."""
        return self._coarse is None

    def __len__(self):
        return self._count()

    def index_doc(self, docid, value):
        self.index_docs([(docid, value)])

    def index_docs(self, pairs):
        """Index each (docid, value) of *pairs* (None unindexes; the last
        pair of a docid wins), each value's entries changed once."""
        rev, added, new = self._rev, {}, 0
        for docid, value in dict(pairs).items():
            value = self._stored(value)
            if value is None:
                self.unindex_doc(docid)
                continue
            old = rev.get(docid, _MISSING)
            if old is not _MISSING:
                if old == value:
                    continue
                self._forget(docid, old)
            else:
                new += 1
            rev[docid] = value
            found = added.get(value)
            if found is None:
                added[value] = [docid]
            else:
                found.append(docid)
        if added:
            self._add_entries(added)
        if new:
            self._count.change(new)

    def _stored(self, value):
        return value

    def _add_entries(self, added):
        """Add {value: [docids]} to the forward entries (and day bitmaps)."""
        fwd, steps = self._fwd, {}
        for value, docids in added.items():
            add_many(fwd, value, docids)
            step = granule(value) if self._coarse is not None else None
            if step is not None:
                steps.setdefault(step, []).extend(docids)
        blocks = {}
        for step, docids in steps.items():
            add_many(self._coarse, step, docids)
            if self._blocks is not None:
                blocks.setdefault(step // BLOCK, []).extend(docids)
        for block, docids in blocks.items():
            add_many(self._blocks, block, docids)

    def _forget(self, docid, old):
        remove(self._fwd, old, docid)
        step = granule(old)
        if step is not None and self._coarse is not None:
            remove(self._coarse, step, docid)
            if self._blocks is not None:
                remove(self._blocks, step // BLOCK, docid)

    def unindex_doc(self, docid):
        old = self._rev.get(docid, _MISSING)
        if old is _MISSING:
            return
        del self._rev[docid]
        self._forget(docid, old)
        self._count.change(-1)

    def value_of(self, docid, default=None):
        return self._rev.get(docid, default)

    def values(self):
        return self._fwd.keys()

    def docids(self):
        return self._rev.keys()

    def entry(self, value):
        """The forward entry of *value*: None, a docid or Bits (read only)."""
        return self._fwd.get(value)

    def apply(self, query):
        """*query*: a value, a list of values (any of), or (min, max) range;
        None at either end of a range leaves it open. Raises TypeError for
        a value that cannot be compared with the index's values."""
        if isinstance(query, tuple):
            return self.range(*query)
        if isinstance(query, (list, set, frozenset)):
            fwd = self._fwd
            return union([fwd.get(v) for v in query])
        return bitmap_of(self._fwd.get(query)).copy()

    def range(self, low, high):
        """Docids whose value is in [low, high] (None: open)."""
        fwd, coarse = self._fwd, self._coarse
        first, last = granule(low), granule(high)
        numeric = (low is not None or high is not None) and coarse and \
            (low is None or first is not None) and (high is None or last is not None)
        if not numeric or (low is not None and high is not None and first >= last):
            if low is not None and high is not None and low > high:
                return BitMap()
            if coarse and low is None and high is None:
                return union((self._blocks or coarse).values())
            return union(fwd.values(low, high))
        parts = self._days(None if low is None else first + 1,
                           None if high is None else last - 1)
        if low is not None:   # the first day, from low on
            parts.append(self._part_of_day(first, low, None))
        if high is not None:  # the last day, up to high
            parts.append(self._part_of_day(last, None, high))
        return union(parts)

    def _part_of_day(self, day, low, high):
        """Docids of *day* with a value from *low* (None: the day's start)
        to *high* (None: its end), both included: the values walked, or,
        when that is the larger part of the day, the day's bitmap less
        the values walked on the other side."""
        fwd, start, end = self._fwd, day * GRANULE, (day + 1) * GRANULE
        if low is not None and low - start < GRANULE // 2:
            outside = fwd.values(start, low, excludemax=True)
            return bitmap_of(self._coarse.get(day)) - union(outside)
        if high is not None and end - high < GRANULE // 2:
            outside = fwd.values(high, end, excludemin=True, excludemax=True)
            return bitmap_of(self._coarse.get(day)) - union(outside)
        return union(fwd.values(start if low is None else low,
                                end if high is None else high,
                                excludemax=high is None))

    def _days(self, first, last):
        """Entries covering the whole days *first* to *last* (None: open):
        the blocks inside, and the days at their ends."""
        coarse, blocks = self._coarse, self._blocks
        if first is not None and last is not None and first > last:
            return []
        start = None if first is None else -(-first // BLOCK)  # whole blocks
        end = None if last is None else (last + 1) // BLOCK - 1
        if not blocks or (start is not None and end is not None and start > end):
            return list(coarse.values(first, last))
        parts = list(blocks.values(start, end))
        if first is not None and first < start * BLOCK:
            parts.extend(coarse.values(first, start * BLOCK - 1))
        if last is not None and (end + 1) * BLOCK <= last:
            parts.extend(coarse.values((end + 1) * BLOCK, last))
        return parts

    def count(self, value, docids):
        """How many of *docids* have *value*."""
        return count_in(self._fwd.get(value), as_bitmap(docids))

    def sort(self, docids, reverse=False, limit=None):
        """*docids* in the order of their values (ties by docid); those
        without a value last. Only the first *limit* are put in order."""
        docids = as_bitmap(docids)
        n = len(docids)
        if n == 0:
            return []
        want = n if limit is None else min(limit, n)
        if n <= LOOKUP_SORT:
            return self._sort_by_lookup(docids, reverse, want)
        if self._coarse:
            return self._sort_by_days(docids, reverse, want)
        if self._count() * want < n * n:
            return self._sort_by_walk(docids, reverse, want)
        return self._sort_by_lookup(docids, reverse, want)

    def _sort_by_lookup(self, docids, reverse, want, missing=True):
        get = self._rev.get
        pairs = [(get(d, _MISSING), d) for d in docids]
        have = [p for p in pairs if p[0] is not _MISSING]
        if want < len(have):
            pick = heapq.nlargest if reverse else heapq.nsmallest
            have = pick(want, have, key=itemgetter(0))
        else:
            have.sort(key=itemgetter(0), reverse=reverse)
        ordered = [d for _, d in have]
        if missing and len(ordered) < want:
            ordered += [d for v, d in pairs if v is _MISSING][:want - len(ordered)]
        return ordered

    def _sort_by_days(self, docids, reverse, want):
        """Walk the blocks, then the days of the block that fills the page,
        from the first (or last) while they hold fewer than *want* of
        *docids*; sort what they hold, then walk the values of the day that
        fills the page."""
        full, got, days = [], 0, self._coarse.items()
        if self._blocks:
            days = ()  # unless a block fills the page: then its days
            blocks = self._blocks.items()
            for block, found in (reversed(blocks) if reverse else blocks):
                n = count_in(found, docids)
                if not n:
                    continue
                if got + n >= want:
                    days = self._coarse.items(block * BLOCK, (block + 1) * BLOCK - 1)
                    break
                full.append(found)
                got += n
        for step, found in (reversed(days) if reverse else days):
            n = count_in(found, docids)
            if not n:
                continue
            if got + n >= want:
                head = self._sort_by_lookup(docids & union(full), reverse, got,
                                            missing=False) if full else []
                values = self._fwd.values(step * GRANULE, (step + 1) * GRANULE,
                                          excludemax=True)
                return head + _walk(values, docids, reverse, want - got)
            full.append(found)
            got += n
        have = docids & union(full)  # every day walked: all that have a value
        ordered = self._sort_by_lookup(have, reverse, got, missing=False)
        return ordered + list(docids - have)[:want - len(ordered)]

    def _sort_by_walk(self, docids, reverse, want):
        """Walk the values in order until they hold *want* of *docids*."""
        out = _walk(self._fwd.values(), docids, reverse, want)
        if len(out) < want:
            out.extend(list(docids - BitMap(out))[:want - len(out)])
        return out


class DateIndex(FieldIndex):
    """A FieldIndex of epoch seconds (ints; floats are cut to seconds),
    with day and block bitmaps; see the module docstring."""

    def clear(self):
        self._fwd = LOBTree()     # {seconds: docid | Bits}
        self._rev = IOBTree()     # {docid: seconds}
        self._coarse = IOBTree()  # {seconds // GRANULE: docid | Bits}
        self._blocks = IOBTree()  # {seconds // GRANULE // BLOCK: docid | Bits}
        self._count = Length()
        self._format = FORMAT

    def is_current(self):
        return True

    def _stored(self, value):
        if value is not None and not isinstance(value, int):
            value = math.floor(_seconds(value))
        return value

    def apply(self, query):
        if isinstance(query, tuple):
            return self.range(*query)
        if isinstance(query, (list, set, frozenset)):
            return union([self._fwd.get(int(v)) for v in map(_seconds, query)
                          if v == int(v)])
        value = _seconds(query)
        return bitmap_of(self._fwd.get(int(value)) if value == int(value) else None).copy()

    def range(self, low, high):
        """Docids whose value is in [low, high] (None: open); *low* and
        *high* may be floats."""
        low = None if low is None else math.ceil(_seconds(low))
        high = None if high is None else math.floor(_seconds(high))
        return super().range(low, high)


def _seconds(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"a date index holds seconds, not {value!r}")
    return value


def _walk(entries, docids, reverse, want):
    """The first *want* docids of *docids* in forward *entries* (a BTree
    values sequence), walked backwards if *reverse*; ties in docid order."""
    out = []
    for found in (reversed(entries) if reverse else entries):
        if isinstance(found, int):
            if found in docids:
                out.append(found)
        else:
            out.extend(docids & bitmap_of(found))
        if len(out) >= want:
            return out[:want]
    return out


class KeywordIndex(Persistent):
    """Several values per document (tags, allowed roles): any-of, all-of."""

    def __init__(self):
        self.clear()

    def clear(self):
        self._fwd = OOBTree()   # {keyword: docid | Bits}
        self._rev = IOBTree()   # {docid: tuple of keywords}
        self._count = Length()
        self._format = FORMAT

    def __len__(self):
        return self._count()

    def index_doc(self, docid, values):
        self.index_docs([(docid, values)])

    def index_docs(self, pairs):
        """Index each (docid, keywords) of *pairs* (none unindexes; the
        last pair of a docid wins), each keyword's entry changed once."""
        rev, fwd, added, new = self._rev, self._fwd, {}, 0
        for docid, values in dict(pairs).items():
            words = tuple(sorted(set(values or ())))
            if not words:
                self.unindex_doc(docid)
                continue
            old = rev.get(docid)
            if old == words:
                continue
            if old is None:
                new += 1
                fresh = words
            else:
                for word in set(old).difference(words):
                    remove(fwd, word, docid)
                fresh = set(words).difference(old)
            for word in fresh:
                found = added.get(word)
                if found is None:
                    added[word] = [docid]
                else:
                    found.append(docid)
            rev[docid] = words
        for word, docids in added.items():
            add_many(fwd, word, docids)
        if new:
            self._count.change(new)

    def unindex_doc(self, docid):
        old = self._rev.get(docid)
        if old is None:
            return
        for word in old:
            remove(self._fwd, word, docid)
        del self._rev[docid]
        self._count.change(-1)

    def value_of(self, docid, default=()):
        return self._rev.get(docid, default)

    def values(self):
        return self._fwd.keys()

    def docids(self):
        return self._rev.keys()

    def entry(self, value):
        """The forward entry of *value*: None, a docid or Bits (read only)."""
        return self._fwd.get(value)

    def apply(self, query, operator="or"):
        """Documents with any (or, with operator 'and', all) of *query*."""
        words = [query] if isinstance(query, str) else list(query)
        fwd = self._fwd
        if operator == "and":
            if not words:
                return BitMap()
            result = bitmap_of(fwd.get(words[0])).copy()
            for word in words[1:]:
                if not result:
                    break
                result &= bitmap_of(fwd.get(word))
            return result
        return union([fwd.get(w) for w in words])

    def count(self, value, docids):
        """How many of *docids* have *value* among their keywords."""
        return count_in(self._fwd.get(value), as_bitmap(docids))
