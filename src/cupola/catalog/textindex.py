"""The full-text index: a compact BM25 index of our own.

Stored state::

    index._wids      # OIBTree {word key: wid}: the lexicon
    index._postings  # IOBTree {wid: (chunks, tail)}: see cupola.catalog.postings
    index._segments  # LOBTree {random key: Segment}: the postings of recent
                     #   batches; with _superseded and _stale, see
                     #   cupola.catalog.segments
    index._docs      # IOBTree {docid: bytes}: the document's wids in text
                     #   order (for phrases, reindexing and unindexing)
    index._lengths   # IIBTree {docid: words}: for BM25's length norm
    index._count     # Length: documents;  index._total: Length: words

``index_docs`` indexes a batch: its postings go to a new segment, and
every few batches into the main postings, each word's once; ``docids(query)`` and ``rank(query, candidates, limit)`` answer
searches in the query language of zope.index's parser (words, AND, OR,
NOT, -word, "phrases", glob*). Phrases are checked against each
candidate's stored word sequence.
"""

import heapq
import math
from array import array
from bisect import bisect_left
from fnmatch import fnmatchcase

from BTrees.IIBTree import IIBTree
from BTrees.IOBTree import IOBTree
from BTrees.Length import Length
from BTrees.LOBTree import LOBTree
from BTrees.OIBTree import OIBTree
from persistent import Persistent
from pyroaring import BitMap
from zope.index.text.parsetree import ParseError
from zope.index.text.queryparser import QueryParser

from cupola.catalog import postings as plist
from cupola.catalog import segments as seg
from cupola.catalog.bits import Bits
from cupola.catalog.text import Analyzer
from cupola.catalog.wordids import WordIds, decode_words, encode_words  # noqa: F401

K1, B = 1.2, 0.75  # BM25
FORMAT = 2  # of the stored postings; 1: tails of uint32 docids without a header


class TextIndex(Persistent):
    """Full text with Okapi BM25 ranking; see the module docstring."""

    _format = 1  # indexes made before the attribute
    _segments = _superseded = _stale = None  # indexes made before segments
    _merges = 0  # main index merges: a merge conflicts with a racing edit

    def __init__(self, language=None, stemming=False):
        self.language, self.stemming = language, stemming
        Analyzer(language, stemming)  # raises ValueError now for a bad language
        self.clear()

    def clear(self):
        self._v_memo = None
        self._wids = OIBTree()
        self._postings = IOBTree()
        self._docs = IOBTree()
        self._lengths = IIBTree()
        self._count = Length()
        self._total = Length()
        self._next_wid = 1
        self._v_word_ids = WordIds(self)
        self._format = FORMAT
        self._make_segments()

    def _make_segments(self):
        self._segments = LOBTree()
        self._superseded = Bits()
        self._stale = IOBTree()

    def __len__(self):
        return self._count()

    @property
    def analyzer(self):
        try:
            return self._v_analyzer
        except AttributeError:
            self._v_analyzer = Analyzer(self.language, self.stemming)
            return self._v_analyzer

    # -- writing --

    def index_doc(self, docid, text):
        """Index *text* (plain or HTML) as document *docid*, replacing what
        it had; empty text (or only stop words) unindexes it."""
        self.index_docs([(docid, text)])

    def unindex_doc(self, docid):
        self.index_docs([(docid, None)])

    def index_docs(self, pairs):
        """Index each (docid, text) of *pairs*; None or "" unindexes."""
        batch = dict(pairs)
        if self._segments is None:
            self._make_segments()
        to_wids = self._word_ids()
        jar = self._p_jar
        txn = jar.transaction_manager.get() if jar is not None else None
        docs, lengths = self._docs, self._lengths
        touched, sizes, flat = [], [], array("I")  # the batch's documents, wids
        count = total = 0
        for docid, text in batch.items():
            wids = to_wids(text, txn) if text else ()
            old = docs.get(docid)
            if not wids:
                if old is not None:
                    self._supersede(docid, old)
                    del docs[docid]
                    count, total = count - 1, total - lengths.pop(docid, 0)
                    touched.append(docid)
                    sizes.append(0)
                continue
            record = encode_words(wids)
            if record == old:
                continue
            if old is not None:
                self._supersede(docid, old)
                total -= lengths.get(docid, 0)
            else:
                count += 1
            touched.append(docid)
            sizes.append(len(wids))
            flat.extend(wids)
            docs[docid] = record
            lengths[docid] = len(wids)
            total += len(wids)
        self._v_memo = None
        if touched:
            self._add_segment(seg.Segment.of_words(touched, sizes, flat))
        if count:
            self._count.change(count)
        if total:
            self._total.change(total)

    def _supersede(self, docid, old):
        """*docid* is about to be indexed anew: note what the main index
        holds for it (*old*, its words) the first time, else mark it dead
        in the segment that holds it."""
        if docid not in self._superseded:
            self._stale[docid] = old
            return
        for segment in self._segments.values():
            if docid in segment.docids and docid not in segment.dead:
                segment.dead.add(docid)
        if self._p_jar is not None:  # a merge meanwhile moves _stale: replay
            self._p_jar.readCurrent(self)

    def _add_segment(self, segment):
        segments = self._segments
        segments[seg.new_key(segments)] = segment
        self._superseded.update(segment.docids)
        if len(segments) > seg.MAX_SEGMENTS or len(self._superseded) >= seg.MERGE_DOCS:
            self._compact()

    def _compact(self):
        """Merge every segment into the main postings once they hold
        MERGE_DOCS documents, else combine the smaller ones into one."""
        segments = sorted(self._segments.items(), key=lambda kv: len(kv[1]))
        sizes = [len(s) for _, s in segments]
        if sum(sizes) >= seg.MERGE_DOCS:
            return self._merge()
        if len(segments) <= seg.MAX_SEGMENTS:
            return
        if 2 * sum(sizes) >= seg.MERGE_DOCS:  # big batches: merge, not combine
            return self._merge()
        if sizes[-1] > 4 * sum(sizes[:-1]):
            segments = segments[:-1]  # leave the big one as it is
        for key, _ in segments:
            del self._segments[key]
        self._segments[seg.new_key(self._segments)] = seg.combined(
            [s for _, s in segments])
        self._merges += 1  # an edit that marked a combined segment: replay

    def _merge(self):
        """Move every segment's postings into the main postings, take the
        superseded ones out, and drop the segments."""
        segments = list(self._segments.values())
        docs, removals = self._docs, []
        for docid, old in self._stale.items():  # words a document lost
            now = docs.get(docid)
            gone = set(decode_words(old)).difference(decode_words(now) if now else ())
            removals.extend((wid, docid) for wid in gone)
        plist.update_all(self._postings, *seg.flatten(segments, removals))
        merged = BitMap()
        for segment in segments:
            merged |= segment.docids
        for key in list(self._segments.keys()):
            del self._segments[key]
        for docid in list(self._stale.keys()):
            del self._stale[docid]
        self._superseded.difference_update(merged)
        self._merges += 1

    def merge(self):
        """Merge the segments into the main postings now (``cupola
        reindex`` does at its end; searches read both either way)."""
        if self._segments:
            self._merge()

    def _word_ids(self):
        """This connection's WordIds of the index (text -> wids)."""
        try:
            return self._v_word_ids
        except AttributeError:
            self._v_word_ids = WordIds(self)
            return self._v_word_ids

    # -- reading --

    def value_of(self, docid, default=None):
        """Whether *docid* has text in the index."""
        return docid in self._docs

    def docids(self, query=None):
        """A BitMap of the documents matching *query* (all indexed documents
        when None); raises ParseError for a malformed query."""
        if query is None:
            return BitMap(self._docs.keys())
        return BitMap(self._match(query)[1])

    def rank(self, query, candidates=None, limit=None):
        """(total, [(docid, score), ...] best first, at most *limit*) of the
        documents matching *query*, only among *candidates* (a BitMap)
        when given; ties in docid order. Raises ParseError."""
        tree, matches, cache = self._match(query)
        if candidates is not None:
            matches = matches & candidates
        scores = self._scores(tree, matches, cache)
        pairs = scores.items()
        key = _best_first
        if limit is None or limit >= len(scores):
            ranked = sorted(pairs, key=key)
        else:
            ranked = heapq.nsmallest(limit, pairs, key=key)
        return len(matches), [(d, -s) for d, s in ranked]

    def apply(self, query):
        """{docid: score} of every match of *query* (zope.index's shape)."""
        return dict(self.rank(query)[1])

    def _match(self, query):
        """(parse tree, BitMap of matches, {word: postings}) of *query*.
        Kept for the rest of the transaction (the catalog asks for the
        matches, then ranks the filtered ones), until the index changes."""
        jar = self._p_jar
        txn = jar.transaction_manager.get() if jar is not None else None
        memo = getattr(self, "_v_memo", None)
        if memo is not None and memo[0] is txn and memo[1] == query and txn is not None:
            return memo[2:]
        tree, cache = self._parse(query), {}
        found = tree, self._evaluate(tree, cache), cache
        self._v_memo = (txn, query, *found)
        return found

    def _parse(self, query):
        if not query or not query.strip():
            raise ParseError("The query is empty.")
        return QueryParser(self.analyzer_lexicon).parseQuery(query)

    @property
    def analyzer_lexicon(self):
        """What zope.index's QueryParser asks of a lexicon."""
        return _ParserLexicon(self.analyzer)

    def _postings_of(self, key, cache):
        """(docids, tfs) of the word *key* (empty when unknown)."""
        found = cache.get(key)
        if found is None:
            wid = self._wids.get(key)
            entry = self._postings.get(wid) if wid is not None else None
            found = plist.read(entry) if entry else (array("I"), array("B"))
            if wid is not None and self._segments:
                found = self._with_segments(wid, found, cache)
            cache[key] = found
        return found

    def _with_segments(self, wid, found, cache):
        """The main postings *found* of *wid*, less the superseded
        documents, with the current ones of the segments."""
        segments = cache.get(None)
        if segments is None:  # per query: [(segment, dead docids)]
            segments = cache[None] = [(s, s.dead.bits if s.dead else None)
                                      for s in self._segments.values()]
        pieces = [seg.without(*found, self._superseded.bits)]
        for segment, dead in segments:
            docids, tfs = segment.postings(wid)
            if docids:
                pieces.append(seg.without(docids, tfs, dead))
        return seg.combine(pieces)

    def _index_key(self, word):
        """The key a parsed query word is stored under ("" if none)."""
        keys = self.analyzer.keys(word)
        return keys[0] if len(keys) == 1 else ""

    def _glob_keys(self, pattern):
        prefix = pattern.split("*")[0].split("?")[0]
        if not prefix:
            return []
        candidates = self._wids.keys(prefix, prefix + "\U0010ffff")
        if pattern == prefix + "*":
            return list(candidates)
        return [k for k in candidates if fnmatchcase(k, pattern)]

    def _evaluate(self, node, cache):
        kind = node.nodeType()
        if kind == "ATOM":
            return BitMap(self._postings_of(self._index_key(node.getValue()), cache)[0])
        if kind == "GLOB":
            found = BitMap()
            for key in self._glob_keys(node.getValue()):
                found |= BitMap(self._postings_of(key, cache)[0])
            return found
        if kind == "PHRASE":
            return self._phrase(node.getValue(), cache)
        if kind == "AND":
            positive = [c for c in node.getValue() if c.nodeType() != "NOT"]
            negative = [c.getValue() for c in node.getValue() if c.nodeType() == "NOT"]
            sets = sorted((self._evaluate(c, cache) for c in positive), key=len)
            found = sets[0]
            for other in sets[1:]:
                found &= other
            for child in negative:
                if found:
                    found -= self._evaluate(child, cache)
            return found
        if kind == "OR":
            return BitMap.union(*(self._evaluate(c, cache) for c in node.getValue()))
        raise ParseError("NOT needs a word to subtract from.")

    def _phrase(self, words, cache):
        keys = [self._index_key(w) for w in words]
        keys = [k for k in keys if k]
        if not keys:
            return BitMap()
        sets = sorted((BitMap(self._postings_of(k, cache)[0]) for k in set(keys)), key=len)
        found = sets[0]
        for other in sets[1:]:
            found &= other
        if len(keys) == 1 or not found:
            return found
        wids = [self._wids[k] for k in keys]
        docs, out = self._docs, BitMap()
        for docid in found:
            if _contains(decode_words(docs[docid]), wids):
                out.add(docid)
        return out

    def _terms(self, node):
        """The index keys that score: every positive word of the query."""
        kind = node.nodeType()
        if kind == "ATOM":
            return [self._index_key(node.getValue())]
        if kind == "GLOB":
            return self._glob_keys(node.getValue())
        if kind == "PHRASE":
            return [self._index_key(w) for w in node.getValue()]
        if kind == "NOT":
            return []
        return [k for child in node.getValue() for k in self._terms(child)]

    def _scores(self, tree, matches, cache):
        """{docid: -score} of *matches*: BM25 summed over the query's words."""
        scores = {}
        if not matches:
            return scores
        n = max(self._count(), 1)
        avgdl = max(self._total(), 1) / n
        lengths = self._lengths
        norms = {}  # {docid: K of BM25}
        for key in set(filter(None, self._terms(tree))):
            docids, tfs = self._postings_of(key, cache)
            if not docids:
                continue
            df = len(docids)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for docid, tf in _matching(docids, tfs, matches):
                norm = norms.get(docid)
                if norm is None:
                    norm = norms[docid] = K1 * (1 - B + B * lengths.get(docid, 0) / avgdl)
                scores[docid] = scores.get(docid, 0.0) - idf * tf * (K1 + 1) / (tf + norm)
        for docid in matches:  # a match without a scoring word (rare): 0
            if docid not in scores:
                scores[docid] = 0.0
        return scores


def _matching(docids, tfs, matches):
    """The (docid, tf) of a word's postings whose docid is in *matches*."""
    if len(matches) * 8 < len(docids):  # few matches: look each one up
        out = []
        for docid in matches:
            i = bisect_left(docids, docid)
            if i < len(docids) and docids[i] == docid:
                out.append((docid, tfs[i]))
        return out
    return [(d, t) for d, t in zip(docids, tfs) if d in matches]


def _best_first(pair):
    return pair[1], pair[0]


def _contains(words, phrase):
    """Whether the array *words* holds the list *phrase* contiguously."""
    first, size = phrase[0], len(phrase)
    try:
        pos = words.index(first)
    except ValueError:
        return False
    end = len(words) - size
    while pos <= end:
        if words[pos:pos + size].tolist() == phrase:
            return True
        try:
            pos = words.index(first, pos + 1)
        except ValueError:
            return False
    return False


class _ParserLexicon:
    """parseTerms and isGlob for zope.index's QueryParser, from an Analyzer."""

    def __init__(self, analyzer):
        self.parseTerms = analyzer.parse_terms
        self.isGlob = analyzer.is_glob
