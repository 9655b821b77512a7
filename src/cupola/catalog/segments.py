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
from itertools import accumulate, chain

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
    def of_batch(cls, docids, postings, ascending=True):
        """The segment of a batch's *postings*, {wid: [docid << 8 | tf,
        ...]} (each word's docids sorted unless they are *ascending*),
        built with a few C-level passes rather than one per word."""
        wids = sorted(postings)
        lists = list(map(postings.__getitem__, wids))
        if not ascending:
            for packed in lists:
                packed.sort()
        flat = list(chain.from_iterable(lists))
        segment = cls(docids, ())
        segment.wids = array("I", wids)
        segment.offsets = array("I", accumulate(map(len, lists), initial=0))
        segment.found = array("I", [p >> 8 for p in flat])
        segment.tfs = array("B", [p & 0xFF for p in flat])
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


def gather(segments):
    """{wid: [(docids, tfs), ...]} of the current postings in *segments*
    (for ``combine``)."""
    pieces = {}
    get = pieces.get
    for segment in segments:
        if segment.dead:  # rare: an edit or unindex since it was written
            words = segment.items()
        else:
            found, tfs, offsets = segment.found, segment.tfs, segment.offsets
            words = ((wid, found[start:end], tfs[start:end]) for wid, start, end
                     in zip(segment.wids, offsets, offsets[1:]))
        for wid, docids, counts in words:
            got = get(wid)
            if got is None:
                pieces[wid] = [(docids, counts)]
            else:
                got.append((docids, counts))
    return pieces
