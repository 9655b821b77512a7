"""Word ids of the full-text index: from text to wids, and back to bytes.

``WordIds`` turns a text into the list of its words' ids in text order,
through a per-connection cache of raw word -> wid (0 for a stop word):
one split and one dictionary lookup per word once the vocabulary is
known. A word first met in a transaction gets its wid from the index's
lexicon (``TextIndex._wids``), a new word a new wid; the cache keeps
such words only if that transaction commits: an abort, a failed commit
or the rollback of a savepoint taken before they were learnt takes them
out again, so that the cache never holds a wid the lexicon lost.

``encode_words``/``decode_words`` store a document's wids (for phrases,
reindexing and unindexing).
"""

import zlib
from array import array

from cupola.catalog import blocks
from cupola.catalog.text import WORDS, _split
from cupola.db.listeners import TransactionListener

CACHE_SIZE = 500_000  # raw words whose wid a connection keeps in memory
WID_BLOCK = 64  # word ids a process reserves at once (cupola.catalog.blocks)


class WordIds:
    """Text -> wids for one TextIndex in one connection (see the module
    docstring); kept as the index's ``_v_`` attribute."""

    def __init__(self, index):
        self.index = index
        self.known = {}    # {raw word: wid, 0 for a stop word}
        self.pending = None  # _Learnt: the words of the current transaction

    def __call__(self, text, txn=None):
        """The wids of *text* (plain or HTML) in order, stop words left out."""
        raw = _split(text, WORDS)
        try:
            wids = list(map(self.known.__getitem__, raw))
        except KeyError:
            self._learn(raw, txn)
            wids = list(map(self.known.__getitem__, raw))
        return list(filter(None, wids))

    def _learn(self, raw, txn):
        """Put the words of *raw* that are not known yet in `known`."""
        known = self.known
        words = set(raw).difference(known)
        if len(known) + len(words) > CACHE_SIZE:
            if self.pending is not None:
                self.pending.words.clear()
            known.clear()
            words = set(raw)
        pending = self.pending
        if txn is not None and (pending is None or pending.txn is not txn):
            pending = self.pending = _Learnt(self, txn)
            txn.join(pending)
        index = self.index
        key_of, lexicon = index.analyzer.key, index._wids
        for word in sorted(words):
            key = key_of(word)
            if not key:
                known[word] = 0  # a stop word, whatever happens to txn
                continue
            wid = lexicon.get(key)
            if wid is None:
                wid = lexicon[key] = blocks.take(index, "_next_wid", WID_BLOCK)
            known[word] = wid
            if txn is not None:
                pending.words.append(word)

    def _forget(self, words):
        for word in words:
            self.known.pop(word, None)


class _Learnt(TransactionListener):
    """The words a WordIds learnt in one transaction, joined to it: it
    stores nothing, but hears of the transaction's end and of savepoint
    rollbacks."""

    sort_key = "cupola-catalog-word-ids"

    def __init__(self, owner, txn):
        self.owner, self.txn, self.words = owner, txn, []

    def _done(self, committed):
        if not committed:
            self.owner._forget(self.words)
        if self.owner.pending is self:
            self.owner.pending = None

    def abort(self, txn):
        self._done(False)

    def tpc_abort(self, txn):
        self._done(False)

    def tpc_finish(self, txn):
        self._done(True)

    def savepoint(self):
        return _Rollback(self, len(self.words))


class _Rollback:
    def __init__(self, learnt, count):
        self.learnt, self.count = learnt, count

    def rollback(self):
        words = self.learnt.words
        self.learnt.owner._forget(words[self.count:])
        del words[self.count:]


def encode_words(wids):
    """Bytes of a document's word ids (a list of ints) in text order.

    Ids below 65536 as two byte planes: the low bytes as they are (ids in
    order of first use look random to zlib), the high bytes, mostly small
    (frequent words came first), compressed."""
    if max(wids) >= 65536:
        return b"I" + array("I", wids).tobytes()
    raw = array("H", wids).tobytes()
    return (b"P" + len(wids).to_bytes(4, "little") + raw[0::2]
            + zlib.compress(raw[1::2], 1))


def decode_words(data):
    """The array of word ids of ``encode_words``'s bytes."""
    if data[:1] == b"I":
        words = array("I")
        words.frombytes(data[1:])
        return words
    n = int.from_bytes(data[1:5], "little")
    raw = bytearray(2 * n)
    raw[0::2] = data[5:5 + n]
    raw[1::2] = zlib.decompress(data[5 + n:])
    words = array("H")
    words.frombytes(raw)
    return words
