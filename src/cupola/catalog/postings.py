"""Posting lists of the full-text index: (docid, term frequency) pairs of
one word, sorted by docid, compact.

A word's postings are the value of its entry in the index's
``{wid: postings}`` IOBTree: ``tail`` bytes alone while the word has
fewer than CHUNK documents, else a tuple ``(chain, tail)``:

    chain   # Chain: .chunks, a tuple of (last docid, count, Chunk): full,
            #   frozen, in docid order; a persistent object of its own, so
            #   that appending to the tail does not pickle the chunk list
    tail    # bytes: the newest postings (< CHUNK of them), b"" or
            #   b"\x01" base(uint32) n offsets from base (uint16) n tfs (uint8)
            #   when the docids span less than 65,536, else
            #   b"\x00" n docids (uint32) n tfs (uint8)

Appending docids above the last one (new documents) rewrites only the
tail, by joining bytes; a tail that reaches CHUNK postings is frozen into
a ``Chunk``, a persistent object holding its postings delta-encoded (in
the narrowest array type that holds the gaps) and zlib-compressed,
written once. Words with few documents thus cost a few bytes in a shared
BTree bucket, and frequent words a chain of compressed chunks.
"""

import zlib
from array import array
from bisect import bisect_left
from itertools import accumulate, repeat
from operator import add, sub

from persistent import Persistent

CHUNK = 1024  # postings per frozen chunk (earlier indexes: 256; both read)


def encode(docids, tfs):
    """Bytes of sorted *docids* (array 'I') and their *tfs* (array 'B')."""
    if not docids:
        return b""
    gaps = array("I", docids[:1])
    gaps.extend(map(sub, docids[1:], docids[:-1]))
    widest = max(gaps[1:]) if len(gaps) > 1 else 0
    code = "B" if widest < 256 else "H" if widest < 65536 else "I"
    if code != "I":
        first = gaps[0]
        gaps = array(code, gaps[1:])
        return code.encode() + first.to_bytes(4, "little") + gaps.tobytes() + tfs.tobytes()
    return b"I" + gaps.tobytes() + tfs.tobytes()


def decode(data):
    """(array 'I' of docids, array 'B' of tfs) of ``encode``'s bytes."""
    docids, tfs = array("I"), array("B")
    if not data:
        return docids, tfs
    code = chr(data[0])
    if code == "I":
        n = (len(data) - 1) // 5
        docids.frombytes(data[1:1 + 4 * n])
        tfs.frombytes(data[1 + 4 * n:])
        return array("I", accumulate(docids)), tfs
    size = array(code).itemsize
    n = (len(data) - 5) // (size + 1) + 1
    gaps = array(code)
    gaps.frombytes(data[5:5 + size * (n - 1)])
    tfs.frombytes(data[5 + size * (n - 1):])
    first = int.from_bytes(data[1:5], "little")
    return array("I", accumulate(gaps, initial=first)), tfs


class Chunk(Persistent):
    """CHUNK-or-so postings of one word, compressed; rewritten only when a
    document inside its range is reindexed or removed."""

    def __init__(self, docids, tfs):
        self.data = zlib.compress(encode(docids, tfs))

    def __getstate__(self):
        return self.data

    def __setstate__(self, state):
        self.data = state

    def postings(self):
        return decode(zlib.decompress(self.data))

    def replace(self, docids, tfs):
        self.data = zlib.compress(encode(docids, tfs))


class Chain(Persistent):
    """The frozen chunks of one word: rewritten when one is added."""

    def __init__(self, chunks=()):
        self.chunks = chunks


def _parts(postings):
    """(chunks, tail) of a BTree value."""
    if isinstance(postings, bytes):
        return (), postings
    if postings is None:
        return (), b""
    return postings[0].chunks, postings[1]


def _value(postings, chunks, tail):
    """The BTree value for *chunks* and *tail*, reusing *postings*'s Chain."""
    if not chunks:
        return tail or None
    chain = postings[0] if isinstance(postings, tuple) else Chain()
    if chain.chunks is not chunks:
        chain.chunks = chunks
    return chain, tail


def tail_bytes(docids, tfs):
    """The tail bytes of *docids* (array 'I', sorted) and *tfs*."""
    if not docids:
        return b""
    base = docids[0]
    if docids[-1] - base < 65536:
        offsets = array("H", map(sub, docids, repeat(base, len(docids))))
        return b"\x01" + base.to_bytes(4, "little") + offsets.tobytes() + tfs.tobytes()
    return b"\x00" + docids.tobytes() + tfs.tobytes()


def tail_len(tail):
    if not tail:
        return 0
    return (len(tail) - 5) // 3 if tail[0] else (len(tail) - 1) // 5


def tail_arrays(tail):
    docids, tfs = array("I"), array("B")
    n = tail_len(tail)
    if not n:
        return docids, tfs
    if tail[0]:
        offsets = array("H")
        offsets.frombytes(tail[5:5 + 2 * n])
        base = int.from_bytes(tail[1:5], "little")
        docids = array("I", map(add, offsets, repeat(base, n)))
        tfs.frombytes(tail[5 + 2 * n:])
    else:
        docids.frombytes(tail[1:1 + 4 * n])
        tfs.frombytes(tail[1 + 4 * n:])
    return docids, tfs


def _appended(tail, n, new_docids, new_tfs):
    """*tail* of *n* postings with new ones above its last: joined bytes,
    or None when they do not fit its format (the caller re-encodes)."""
    if not n:
        return tail_bytes(array("I", new_docids), array("B", new_tfs))
    if tail[0]:
        base = int.from_bytes(tail[1:5], "little")
        if new_docids[-1] - base >= 65536:
            return None
        offsets = array("H", [d - base for d in new_docids]).tobytes()
        cut = 5 + 2 * n
    else:
        offsets = array("I", new_docids).tobytes()
        cut = 1 + 4 * n
    return tail[:cut] + offsets + tail[cut:] + bytes(new_tfs)


def _tail_last(tail, n):
    if tail[0]:
        return (int.from_bytes(tail[1:5], "little")
                + int.from_bytes(tail[3 + 2 * n:5 + 2 * n], "little"))
    return int.from_bytes(tail[4 * n - 3:4 * n + 1], "little")


def count(postings):
    """How many documents *postings* hold."""
    chunks, tail = _parts(postings)
    return sum(c[1] for c in chunks) + tail_len(tail)


def read(postings):
    """(docids, tfs) arrays of all of *postings*, in docid order."""
    chunks, tail = _parts(postings)
    if not chunks:
        return tail_arrays(tail)
    docids, tfs = array("I"), array("B")
    for _, _, chunk in chunks:
        d, t = chunk.postings()
        docids.extend(d)
        tfs.extend(t)
    d, t = tail_arrays(tail)
    docids.extend(d)
    tfs.extend(t)
    return docids, tfs


def _ends(postings):
    """(chain or None, tail, postings in the tail, last docid or -1)."""
    chain, tail = postings if isinstance(postings, tuple) else (None, postings or b"")
    n = tail_len(tail)
    if n:
        return chain, tail, n, _tail_last(tail, n)
    return chain, tail, n, chain.chunks[-1][0] if chain is not None else -1


def update(postings, new_docids, new_tfs):
    """*postings* (None for a new word) with changes applied: lists of
    docids in increasing order and their term frequencies (1-255), 0
    removing the docid. Returns the new postings, or None when no
    document is left."""
    chain, tail, n, last = _ends(postings)
    if new_docids[0] > last and 0 not in new_tfs and n + len(new_docids) < CHUNK:
        # the usual case, new documents: join bytes, decode nothing, and
        # leave the Chain alone (not even loaded: a site has thousands)
        joined = _appended(tail, n, new_docids, new_tfs)
        if joined is not None:
            return joined if chain is None else (chain, joined)
    chunks = chain.chunks if chain is not None else ()
    docids, tfs = tail_arrays(tail)
    if new_docids[0] > last and 0 not in new_tfs:
        docids.fromlist(new_docids)
        tfs.fromlist(new_tfs)
    else:
        changes = list(zip(new_docids, new_tfs))
        chunks, changes = _update_chunks(chunks, changes)
        if changes:
            docids, tfs = _merge(docids, tfs, changes)
    if len(docids) >= CHUNK:
        chunks = list(chunks)
        while len(docids) >= CHUNK:
            chunks.append((docids[CHUNK - 1], CHUNK,
                           Chunk(docids[:CHUNK], tfs[:CHUNK])))
            docids, tfs = docids[CHUNK:], tfs[CHUNK:]
        chunks = tuple(chunks)
    return _value(postings, chunks, tail_bytes(docids, tfs) if docids else b"")


def _update_chunks(chunks, changes):
    """Apply the changes that fall in frozen chunks; return the new chunks
    and the changes left for the tail."""
    if not chunks or changes[0][0] > chunks[-1][0]:
        return chunks, changes
    lasts = [c[0] for c in chunks]
    by_chunk, rest = {}, []
    for change in changes:
        i = bisect_left(lasts, change[0])
        if i < len(chunks):
            by_chunk.setdefault(i, []).append(change)
        else:
            rest.append(change)
    out = list(chunks)
    for i, mine in by_chunk.items():
        chunk = chunks[i][2]
        docids, tfs = _merge(*chunk.postings(), mine)
        if docids:
            chunk.replace(docids, tfs)
            out[i] = (docids[-1], len(docids), chunk)
        else:
            out[i] = None
    return tuple(c for c in out if c is not None), rest


def _merge(docids, tfs, changes):
    """Sorted arrays with *changes* ((docid, tf), tf 0 removes) applied;
    *docids* and *tfs* (fresh arrays) may be changed in place."""
    if len(changes) * 16 < len(docids):
        for docid, tf in changes:
            i = bisect_left(docids, docid)
            if i < len(docids) and docids[i] == docid:
                if tf:
                    tfs[i] = min(tf, 255)
                else:
                    del docids[i], tfs[i]
            elif tf:
                docids.insert(i, docid)
                tfs.insert(i, min(tf, 255))
        return docids, tfs
    pairs = dict(zip(docids, tfs))
    for docid, tf in changes:
        if tf:
            pairs[docid] = min(tf, 255)
        else:
            pairs.pop(docid, None)
    ordered = sorted(pairs)
    return array("I", ordered), array("B", map(pairs.__getitem__, ordered))


def update_all(store, wids, docids, tfs):
    """``update`` the entries of *store* ({wid: postings}) of every word in
    numpy arrays sorted by (wid, docid). The usual case, postings after a
    word's last ones that fit its tail, is joined from byte slices of
    whole-array conversions; the rest goes through ``update``."""
    import numpy as np  # on first use, as in cupola.catalog.segments
    if not len(wids):
        return
    bounds = np.concatenate(([0], np.flatnonzero(wids[1:] != wids[:-1]) + 1, [len(wids)]))
    heads, ends = bounds[:-1], bounds[1:]
    words, firsts = wids[heads].tolist(), docids[heads].tolist()
    lasts = docids[ends - 1].tolist()
    removing = (np.add.reduceat((tfs == 0).astype(np.int64), heads) > 0).tolist()
    bounds = bounds.tolist()
    plans, bases = [], [0] * len(words)
    for i, wid in enumerate(words):
        plan = _plan(store.get(wid), firsts[i], lasts[i], bounds[i + 1] - bounds[i],
                     removing[i])
        if plan is not None and plan[4] is not None:
            bases[i] = plan[4]
        plans.append(plan)
    offsets = (docids.astype(np.int64) - np.repeat(np.array(bases, dtype=np.int64),
                                                   ends - heads)).astype("<u2").tobytes()
    wide, counts = docids.astype("<u4").tobytes(), tfs.astype(np.uint8).tobytes()
    for i, wid in enumerate(words):
        a, b, plan = bounds[i], bounds[i + 1], plans[i]
        if plan is None:
            updated = update(store.get(wid), docids[a:b].tolist(), tfs[a:b].tolist())
        else:
            postings, chain, tail, n, base = plan
            added = offsets[2 * a:2 * b] if base is not None else wide[4 * a:4 * b]
            if not n:
                head = b"\x01" + base.to_bytes(4, "little") if base is not None else b"\x00"
                joined = head + added + counts[a:b]
            else:
                cut = 5 + 2 * n if tail[0] else 1 + 4 * n
                joined = tail[:cut] + added + tail[cut:] + counts[a:b]
            updated = joined if chain is None else (chain, joined)
        if updated is not None:
            store[wid] = updated
        elif wid in store:
            del store[wid]


def _plan(postings, first, last, count, removing):
    """(postings, chain, tail, n, base) when a word's new postings
    (docids *first* to *last*) can be joined to its tail, else None; base
    is the tail's (or the new tail's) uint16 offset base, None for a tail
    of uint32 docids."""
    chain, tail, n, end = _ends(postings)
    if removing or first <= end or n + count >= CHUNK:
        return None
    if not n:
        return postings, chain, tail, 0, first if last - first < 65536 else None
    if not tail[0]:
        return postings, chain, tail, n, None
    base = int.from_bytes(tail[1:5], "little")
    if last - base >= 65536:
        return None
    return postings, chain, tail, n, base
