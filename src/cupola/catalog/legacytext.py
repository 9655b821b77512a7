"""The text index of catalogs made before ``cupola.catalog.textindex``.

Such catalogs pickled ``cupola.catalog.indexes.TextIndex`` (zope.index's
Okapi index inside); ``indexes`` imports this class under that name so
that they load, and the catalog's ``sync`` replaces it and reindexes.
"""

from BTrees.IOBTree import IOBTree
from BTrees.Length import Length
from persistent import Persistent
from zope.index.text.okapiindex import OkapiIndex
from zope.index.text.textindex import TextIndex as _ZopeTextIndex


class TextIndex(Persistent):
    """Full text on zope.index's Okapi index: what catalogs stored before
    ``cupola.catalog.textindex``. Kept so that such catalogs load; their
    ``sync`` replaces it with the new text index and reindexes."""

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
