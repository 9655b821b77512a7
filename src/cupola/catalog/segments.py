"""The full-text index's recent postings: one segment per indexed batch.

Indexing a batch (one commit's documents) does not touch the postings of
each of its words in the main index (thousands of shared BTree buckets
for even one document); it writes one ``Segment``: the batch's postings
grouped by word, in one record, written once. A query reads a word's
postings from the main index and from each segment. Which copy of a
document is current::

    text._superseded   # Bits: docids whose postings in the main index
                       #   are out of date (a segment holds them anew)
    text._stale        # IOBTree {docid: encoded words}: what the main
                       #   index holds for a superseded document, so
                       #   that the merge can take those postings out
    segment.docids     # BitMap: the documents it holds (all of their
                       #   words; one without postings was unindexed)
    segment.dead       # Bits: those that a later segment holds anew

A document is current in at most one segment (it is marked dead in the
others when a later batch indexes it again), so the segments' order
does not matter, and two transactions adding documents each add a
segment under a random key without touching each other's records.

When there are more than ``MAX_SEGMENTS``, the small ones are combined
into one, or, once they hold ``MERGE_DOCS`` documents, all are merged
into the main index (``TextIndex._merge``): each word's postings are
then rewritten once for thousands of documents.
"""

import random
import zlib
from array import array
from bisect import bisect_left

from persistent import Persistent
from pyroaring import BitMap

from cupola.catalog.bits import Bits

MAX_SEGMENTS = 8
MERGE_DOCS = 10_000  # documents in segments that go to the main index at once
_EMPTY = (array("I"), array("B"))


class Segment(Persistent):
    """The postings of one batch of documents, by word; immutable but for
    ``dead``. Stored as flat arrays: the words in order, where each
    word's postings start, and all postings' docids and tfs in (word,
    docid) order."""

    def __init__(self, docids, groups):
        """*groups*: (wid, docids, tfs) in increasing wid order, the
        docids of each ascending, no tf 0."""
        wids, offsets = array("I"), array("I", [0])
        found, tfs = array("I"), array("B")
        for wid, docs, counts in groups:
            wids.append(wid)
            found.extend(docs)
            tfs.extend(counts)
            offsets.append(len(found))
        self.docids = BitMap(docids)
        self.wids, self.offsets, self.found, self.tfs = wids, offsets, found, tfs
        self.dead = Bits()

    @classmethod
    def of_words(cls, docids, lengths, wids):
        """The segment of a batch: *docids* (a list), how many words each
        of them has (*lengths*) and all their wids in that order (an array
        'I'); a word's tf is its count in a document, at most 255. Built
        with a few numpy passes (one sort) rather than per word."""
        np = _numpy()
        segment = cls(docids, ())
        if not wids:
            return segment
        owners = np.repeat(np.asarray(docids, dtype=np.uint64), lengths)
        keys = (np.frombuffer(wids, dtype=np.uint32).astype(np.uint64) << 32) | owners
        keys, counts = np.unique(keys, return_counts=True)  # by wid, then docid
        words = (keys >> 32).astype(np.uint32)
        starts = np.flatnonzero(words[1:] != words[:-1]) + 1
        segment.wids = _array("I", words[np.concatenate(([0], starts))])
        segment.offsets = _array("I", np.concatenate(([0], starts, [len(keys)])))
        segment.found = _array("I", keys & 0xFFFFFFFF)
        segment.tfs = _array("B", np.minimum(counts, 255))
        return segment

    def __getstate__(self):
        self.docids.run_optimize()
        return (self.docids.serialize(), self.wids.tobytes(), self.offsets.tobytes(),
                zlib.compress(self.found.tobytes() + self.tfs.tobytes(), 1), self.dead)

    def __setstate__(self, state):
        docids, wids, offsets, postings, self.dead = state
        self.docids = BitMap.deserialize(docids)
        self.wids, self.offsets = array("I"), array("I")
        self.wids.frombytes(wids)
        self.offsets.frombytes(offsets)
        postings = zlib.decompress(postings)
        n = self.offsets[-1]
        self.found, self.tfs = array("I"), array("B")
        self.found.frombytes(postings[:4 * n])
        self.tfs.frombytes(postings[4 * n:])

    def __len__(self):
        return len(self.docids)

    def live(self):
        """The documents this segment is current for."""
        return self.docids - self.dead.bits if self.dead else self.docids

    def postings(self, wid):
        """(docids, tfs) arrays of *wid* here (current or not); empty
        arrays when the word is not in the segment."""
        wids = self.wids
        i = bisect_left(wids, wid)
        if i == len(wids) or wids[i] != wid:
            return _EMPTY
        start, end = self.offsets[i], self.offsets[i + 1]
        return self.found[start:end], self.tfs[start:end]

    def items(self):
        """(wid, docids, tfs) of every word, the dead documents left out."""
        dead = self.dead.bits if self.dead else None
        found, tfs, offsets = self.found, self.tfs, self.offsets
        for i, wid in enumerate(self.wids):
            start, end = offsets[i], offsets[i + 1]
            docs, counts = found[start:end], tfs[start:end]
            if dead:
                docs, counts = without(docs, counts, dead)
                if not docs:
                    continue
            yield wid, docs, counts


def _numpy():
    import numpy  # on first use: only indexing needs it (60 ms to import)
    return numpy


def _array(code, values):
    """A stdlib array of numpy *values* (converted to its item type)."""
    out = array(code)
    out.frombytes(values.astype({"I": "uint32", "B": "uint8"}[code]).tobytes())
    return out


def new_key(segments):
    """A random key not yet in *segments* (an LOBTree)."""
    while True:
        key = random.getrandbits(62)
        if key not in segments:
            return key


def without(docids, tfs, drop):
    """(docids, tfs) arrays less the docids in the BitMap *drop*."""
    if not drop or not docids:
        return docids, tfs
    hit = drop & BitMap(docids)
    if not hit:
        return docids, tfs
    docids, tfs = array("I", docids), array("B", tfs)
    if len(hit) * 64 < len(docids):
        for docid in hit:
            i = bisect_left(docids, docid)
            del docids[i], tfs[i]
        return docids, tfs
    kept = [(d, t) for d, t in zip(docids, tfs) if d not in hit]
    return array("I", [d for d, _ in kept]), array("B", [t for _, t in kept])


def combine(pieces):
    """One (docids, tfs) pair, in docid order, of (docids, tfs) *pieces*
    whose docids are disjoint."""
    pieces = [p for p in pieces if p[0]]
    if not pieces:
        return _EMPTY
    if len(pieces) == 1:
        return pieces[0]
    pieces.sort(key=lambda p: p[0][0])
    if all(a[0][-1] < b[0][0] for a, b in zip(pieces, pieces[1:])):
        docids, tfs = array("I"), array("B")
        for d, t in pieces:
            docids.extend(d)
            tfs.extend(t)
        return docids, tfs
    pairs = sorted(pair for d, t in pieces for pair in zip(d, t))
    return array("I", [d for d, _ in pairs]), array("B", [t for _, t in pairs])


def flatten(segments, removals=()):
    """(wids, docids, tfs) numpy arrays of the current postings in
    *segments* and of *removals* ((wid, docid) pairs, tf 0), in (wid,
    docid) order."""
    np = _numpy()
    wids, docids, tfs = [], [], []
    for segment in segments:
        found = np.frombuffer(segment.found, dtype=np.uint32)
        if not len(found):
            continue
        offsets = np.frombuffer(segment.offsets, dtype=np.uint32)
        words = np.repeat(np.frombuffer(segment.wids, dtype=np.uint32), np.diff(offsets))
        counts = np.frombuffer(segment.tfs, dtype=np.uint8)
        if segment.dead:  # rare: an edit or unindex since it was written
            live = ~np.isin(found, np.frombuffer(segment.dead.bits.to_array(),
                                                 dtype=np.uint32))
            words, found, counts = words[live], found[live], counts[live]
        wids.append(words)
        docids.append(found)
        tfs.append(counts)
    if removals:
        pairs = np.array(removals, dtype=np.uint32).reshape(-1, 2)
        wids.append(pairs[:, 0])
        docids.append(pairs[:, 1])
        tfs.append(np.zeros(len(pairs), dtype=np.uint8))
    if not wids:
        return (np.zeros(0, dtype=np.uint32),) * 2 + (np.zeros(0, dtype=np.uint8),)
    wids, docids, tfs = np.concatenate(wids), np.concatenate(docids), np.concatenate(tfs)
    order = np.argsort((wids.astype(np.uint64) << 32) | docids, kind="stable")
    return wids[order], docids[order], tfs[order]


def word_starts(wids):
    """Where each word's run starts in the sorted numpy *wids*, and the end."""
    np = _numpy()
    if not len(wids):
        return np.zeros(1, dtype=np.int64)
    return np.concatenate(([0], np.flatnonzero(wids[1:] != wids[:-1]) + 1, [len(wids)]))


def combined(segments):
    """One segment of the current postings of *segments*."""
    docids = BitMap()
    for segment in segments:
        docids |= segment.live()
    wids, found, tfs = flatten(segments)
    starts = word_starts(wids)
    out = Segment(docids, ())
    if len(wids):
        out.wids = _array("I", wids[starts[:-1]])
        out.offsets = _array("I", starts)
        out.found, out.tfs = _array("I", found), _array("B", tfs)
    return out
