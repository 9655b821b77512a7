"""The persistent catalog of a site: docids, indexes and metadata.

Stored state::

    catalog._docids   # LLBTree {64-bit hash of path: docid}; paths are
                      #   site-relative ("/a/b"), checked against _paths
    catalog._clashes  # OIBTree {path: docid} for a path whose hash another
                      #   path has already (practically never)
    catalog._paths    # PathIndex: {docid: path}, subtrees and children
    catalog._indexes  # PersistentMapping {name: Field-, Date-, Keyword- or TextIndex}
    catalog._meta     # IOBTree {docid: tuple of column values}
    catalog.columns   # tuple of column names, the order of each _meta tuple
    catalog._next_docid  # the first docid no process has reserved yet

Docids are ints in [1, 2**31). A process reserves them ``DOCID_BLOCK`` at
a time (``cupola.catalog.blocks``) and hands them out in order, so that
postings and bitmaps stay dense, and two processes adding documents at
once touch different index buckets and write the catalog object itself
only once per block.

Which indexes and columns exist comes from the registry (core and add-ons,
``config.add_catalog_index``); ``sync(registry)`` brings a stored catalog
in line with it. Objects are indexed from event subscribers through the
per-transaction queue in ``cupola.catalog.queue``; ``search`` is in
``cupola.catalog.query``.
"""

import hashlib
import logging
from contextlib import contextmanager

from BTrees.IOBTree import IOBTree
from BTrees.LLBTree import LLBTree
from BTrees.OIBTree import OIBTree
from persistent import Persistent
from persistent.mapping import PersistentMapping

from cupola.catalog import blocks
from cupola.catalog.indexes import DateIndex, FieldIndex, KeywordIndex, PathIndex
from cupola.catalog.textindex import FORMAT as TEXT_FORMAT
from cupola.catalog.textindex import TextIndex
from cupola.content.container import subtree as walk  # noqa: F401 (re-exported)
from cupola.interfaces import IContainer, ISite

log = logging.getLogger("cupola.catalog")
DOCID_BLOCK = 1024  # docids a process reserves at once
_batches = {}  # {id(catalog): {index name: [(docid, value)]}} while batching


class Catalog(Persistent):
    """Indexes over a site's content; see the module docstring."""

    __parent__ = None
    __name__ = "catalog"
    language = None
    stemming = False
    _clashes = None  # catalogs of earlier versions: _docids by path, until sync

    def __init__(self, language=None, stemming=False):
        self.language, self.stemming = language, stemming
        self._docids = LLBTree()
        self._clashes = OIBTree()
        self._paths = PathIndex()
        self._indexes = PersistentMapping()
        self._kinds = PersistentMapping()   # {index name: kind}
        self._meta = IOBTree()
        self.columns = ()
        self._next_docid = 1

    # -- structure --

    def __len__(self):
        return len(self._paths)

    def index(self, name):
        return self._indexes[name]

    def has_index(self, name):
        return name in self._indexes

    def sync(self, registry):
        """Create missing indexes, drop unknown ones, reshape metadata.

        Returns the index names that need the content (re)indexed.
        """
        wanted = registry.catalog_indexes
        stale = []
        if self._clashes is None:
            self._hash_paths()
        for name in list(self._indexes):
            if (name not in wanted or self._kinds.get(name) != wanted[name].kind
                    or not self._current(name)):
                del self._indexes[name]
                self._kinds.pop(name, None)
        for name, definition in wanted.items():
            if name not in self._indexes:
                self._indexes[name] = self._make_index(definition.kind)
                self._kinds[name] = definition.kind
                stale.append(name)
        columns = tuple(registry.catalog_columns)
        if columns != self.columns:
            self.columns = columns
            stale.append("_meta")
        return stale

    def _current(self, name):
        """False for an index as earlier versions made it (a text index
        with zope.index's Okapi index inside or postings of an earlier
        format, a field index with day bitmaps): sync replaces it, and it
        is reindexed."""
        index = self._indexes[name]
        if self._kinds.get(name) != "text":
            return getattr(index, "is_current", lambda: True)()
        return (isinstance(index, TextIndex) and not hasattr(index, "_index")
                and index._format == TEXT_FORMAT)

    def _make_index(self, kind):
        if kind == "field":
            return FieldIndex()
        if kind == "date":
            return DateIndex()
        if kind == "keyword":
            return KeywordIndex()
        return TextIndex(self.language, self.stemming)

    def set_language(self, language, stemming):
        """Use *language* (and stemming) for text; returns True when the text
        indexes were rebuilt empty and need a reindex."""
        if (language, stemming) == (self.language, self.stemming):
            return False
        self.language, self.stemming = language, stemming
        for name, kind in self._kinds.items():
            if kind == "text":
                self._indexes[name] = TextIndex(language, stemming)
        return True

    # -- indexing --

    def _hash_paths(self):
        """Key docids by a hash of their path (earlier versions: the path)."""
        by_path, self._docids, self._clashes = self._docids, LLBTree(), OIBTree()
        for path, docid in by_path.items():
            self._set_docid(path, docid)

    def docid_for(self, path):
        """The docid of the object at site-relative *path*, or None."""
        if self._clashes is None:
            return self._docids.get(path)
        if self._clashes:
            docid = self._clashes.get(path)
            if docid is not None:
                return docid
        docid = self._docids.get(path_key(path))
        if docid is not None and self._paths.value_of(docid) == path:
            return docid
        return None

    def paths(self):
        """The site-relative paths of every cataloged object."""
        index = self._paths
        return [index.value_of(docid) for docid in index.docids()]

    def _set_docid(self, path, docid):
        key = path_key(path)
        other = self._docids.get(key)
        if other is not None and other != docid and self._paths.value_of(other) not in (
                None, path):
            self._clashes[path] = docid
        else:
            self._docids[key] = docid

    def _forget_docid(self, path, docid):
        if self._clashes is None:
            if self._docids.get(path) == docid:
                del self._docids[path]
        elif self._clashes and self._clashes.get(path) == docid:
            del self._clashes[path]
        else:
            key = path_key(path)
            if self._docids.get(key) == docid:
                del self._docids[key]

    def subtree(self, path, depth=None):
        """A new BitMap of the docids at *path* and below (``depth`` as in
        ``PathIndex.apply``)."""
        return self._paths.apply(path, depth, self.docid_for(path))

    def path_for(self, docid):
        return self._paths.value_of(docid)

    def index_object(self, registry, obj, path, names=None):
        """(Re)index *obj* at *path*; *names* limits which indexes (metadata
        is always refreshed). Returns the docid."""
        docid = self.docid_for(path)
        if docid is None:
            docid = self._new_docid()
            self._paths.index_doc(docid, path)
            self._set_docid(path, docid)
            names = None
        definitions = registry.catalog_indexes
        batch = _batches.get(id(self))
        for name, index in self._indexes.items():
            if names is not None and name not in names:
                continue
            definition = definitions.get(name)
            if definition is None:
                continue
            value = definition.getter(obj, registry)
            if batch is not None and isinstance(index, _BATCHED):
                batch.setdefault(name, []).append((docid, value))
            else:
                index.index_doc(docid, value)
        columns = registry.catalog_columns
        self._meta[docid] = tuple(columns[c].getter(obj, registry)
                                  if c in columns else None for c in self.columns)
        return docid

    def _new_docid(self):
        """A docid for a new document (see ``cupola.catalog.blocks``)."""
        return blocks.take(self, "_next_docid", DOCID_BLOCK,
                           lambda docid: self._paths.value_of(docid) is not None)

    @contextmanager
    def batching(self):
        """Index the objects of the block at its end, all at once: the text
        index writes one segment for them, a field or keyword index
        changes each value's bitmap once. (Path, docids and metadata are
        written as each object is indexed.)"""
        key = id(self)
        if key in _batches:  # nested: the outer block indexes
            yield
            return
        batch = _batches[key] = {}
        try:
            yield
            while batch:
                name, pairs = batch.popitem()
                self._indexes[name].index_docs(pairs)
        finally:
            del _batches[key]

    def unindex_docid(self, docid):
        path = self._paths.value_of(docid)
        batch = _batches.get(id(self))
        for name, index in self._indexes.items():
            if batch is not None and isinstance(index, _BATCHED):
                batch.setdefault(name, []).append((docid, None))
            else:
                index.unindex_doc(docid)
        self._paths.unindex_doc(docid)
        self._meta.pop(docid, None)
        if path is not None:
            self._forget_docid(path, docid)

    def unindex_path(self, path, subtree=True):
        """Forget the object at *path* (and, by default, everything below)."""
        if subtree:
            docids = list(self.subtree(path))
        else:
            docid = self.docid_for(path)
            docids = [] if docid is None else [docid]
        with self.batching():  # the text index: one segment for them all
            for docid in docids:
                self.unindex_docid(docid)
        return len(docids)

    def search(self, request=None, **query):
        """Search; see ``cupola.catalog.query.search`` for the arguments."""
        from cupola.catalog.query import search
        from cupola.catalog.queue import flush_pending
        flush_pending(self)
        return search(self, request, **query)

    def record(self, docid):
        """The metadata tuple of *docid* (None when not cataloged)."""
        return self._meta.get(docid)

    def last_boundary(self, now):
        """The latest moment at or before *now* (epoch seconds) when some
        document entered or left its publication window; 0 if none. Pages
        whose content depends on the windows change when it changes."""
        latest = 0
        for name in ("effective", "expires"):
            index = self._indexes.get(name)
            if index is not None and len(index):
                try:
                    latest = max(latest, index._fwd.maxKey(now))
                except ValueError:  # every boundary is in the future
                    pass
        return latest

    # -- whole-site operations --

    def clear(self):
        for index in self._indexes.values():
            index.clear()
        self._paths.clear()
        self._docids, self._clashes = LLBTree(), OIBTree()
        self._meta.clear()

    def site(self):
        return self.__parent__

    def resolve(self, path):
        """The object stored at site-relative *path*, or None."""
        node = self.__parent__
        if path == "/":
            return node
        for name in path.split("/")[1:]:
            if node is None or not IContainer.providedBy(node):
                return None
            node = node.get(name)
        return node


_BATCHED = (TextIndex, FieldIndex, KeywordIndex)  # indexes with index_docs(pairs)


def path_key(path):
    """A stable signed 64-bit hash of *path* (the key of ``_docids``)."""
    digest = hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "little", signed=True)


def path_of(obj):
    """(site, site-relative path) of *obj*, or (None, None) when *obj* is not
    inside a site (removed, or not yet added)."""
    names = []
    node = obj
    while node is not None and not ISite.providedBy(node):
        parent = node.__parent__
        name = node.__name__
        if parent is None or name is None or parent.get(name) is not node:
            return None, None
        names.append(name)
        node = parent
    if node is None:
        return None, None
    return node, "/" + "/".join(reversed(names)) if names else "/"


def find_catalog(obj):
    """The catalog of the site *obj* is in, or None."""
    node = obj
    while node is not None and not ISite.providedBy(node):
        node = node.__parent__
    return getattr(node, "catalog", None) if node is not None else None
