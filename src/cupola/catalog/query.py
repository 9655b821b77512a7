"""Searching the catalog: one call, lazy sized results, facets.

``search(catalog, request, **query)`` intersects the index answers
(pyroaring bitmaps, combined in C), always keeps only what the request's
user may view (and, unless the user may see inactive content, what is
inside its publication window), and returns a ``Results``: sized by its
bitmap, sliceable, sorted on demand only as far as the slice asked for,
whose items are ``Brain`` records built from metadata without loading
objects.
"""

import time
from datetime import datetime, timezone

from cupola.catalog.bits import as_bitmap
from cupola.catalog.facets import DATE_BUCKETS, DAY, date_facet, value_facet  # noqa: F401
from cupola.catalog.security import request_tokens, visible

SORTABLE = {"title": "sortable_title", "modified": "modified", "created": "created",
            "effective": "effective", "expires": "expires", "type": "type_name",
            "state": "state", "creator": "creator"}
ALIASES = {"type": "type_name"}
DATE_INDEXES = ("created", "modified", "effective", "expires")
NOT_CRITERIA = ("text", "allowed", "allowed_inactive")


class Range(tuple):
    """A range criterion for a field index: ``search(price=Range(10, 20))``.

    Both ends are included; None leaves an end open. (A plain tuple or list
    on a field index means "any of these values"; on a date index a
    ``(start, end)`` pair is already a range.)
    """

    def __new__(cls, low=None, high=None):
        return super().__new__(cls, (low, high))


class QueryError(ValueError):
    """A query names an unknown index or gives a value it cannot use."""


def search(catalog, request=None, *, unrestricted=False, path=None, depth=None,
           text=None, sort_on=None, reverse=False, batch_start=0,
           batch_size=None, now=None, **criteria):
    """Documents matching every criterion, visible to *request*'s user.

    *criteria*: any index by name (``type``, ``state``, ``subject``,
    ``creator``, add-on indexes): a value, a list (any of) or, for date
    indexes, a ``(start, end)`` pair of datetimes or None. *text*: a search
    string. Raises QueryError for unknown indexes or unusable values, and
    zope.index's ParseError for a malformed text query.
    """
    now = int(now if now is not None else time.time())
    text = text.strip() if text and text.strip() else None
    sets = []
    if path is not None:
        sets.append(catalog.subtree(_norm_path(path), depth))
    if text is not None:
        sets.append(as_bitmap(catalog.index("text").docids(text)))
    for name, value in criteria.items():
        if value is None:
            continue
        name = ALIASES.get(name, name)
        if not catalog.has_index(name) or name in NOT_CRITERIA:
            raise QueryError(f"The catalog has no index {name!r} to search.")
        sets.append(_apply(catalog.index(name), name, value))
    if not sets:
        sets.append(catalog.subtree("/"))
    result = _intersect(sets)
    if not unrestricted:
        result = visible(catalog, result, request_tokens(request), now, request)
    if sort_on is None and text is not None:
        sort_on = "relevance"
    results = Results(catalog, result, sort_on, reverse, now, text)
    if batch_size is not None:
        results.prepare(batch_start + batch_size)
    return results


def _norm_path(path):
    return "/" + path.strip("/")


def _apply(index, name, value):
    if name in DATE_INDEXES and isinstance(value, tuple):
        if len(value) != 2:
            raise QueryError(f"{name}: a date range is a (start, end) pair.")
        low, high = (_seconds(v) for v in value)
        return index.apply((low, high))
    if isinstance(value, Range):
        if not hasattr(index, "range"):
            raise QueryError(f"{name}: ranges work on field and date indexes only.")
        try:
            return index.range(*value)
        except TypeError:
            raise QueryError(f"{name}: cannot search for {value!r}.") from None
    try:
        if isinstance(value, (list, tuple, set, frozenset)):
            return index.apply(list(value))
        return index.apply(value)
    except TypeError:
        raise QueryError(f"{name}: cannot search for {value!r}.") from None


def _seconds(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(value.timestamp())
    raise QueryError(f"not a date: {value!r}")


def _intersect(sets):
    """The intersection of *sets* (new BitMaps, changed here), smallest first."""
    sets = sorted(sets, key=len)
    result = sets[0]
    for other in sets[1:]:
        if not result:
            break
        result &= other
    return result


class Results:
    """A lazy, sized, sorted sequence of Brains over a BitMap of docids."""

    def __init__(self, catalog, docids, sort_on=None, reverse=False, now=None,
                 text=None):
        self.catalog, self.docids = catalog, as_bitmap(docids)
        self.sort_on, self.reverse, self.text = sort_on, reverse, text
        self.now = int(now if now is not None else time.time())
        self.scores = {}   # {docid: relevance} of the ranked ones
        self._order, self._complete = [], False

    def __len__(self):
        return len(self.docids)

    def __bool__(self):
        return bool(self.docids)

    def prepare(self, limit):
        """Sort at least the first *limit* results."""
        n = len(self.docids)
        if self._complete or len(self._order) >= min(limit, n):
            return
        self._order = self._sorted(limit if limit < n else None)
        self._complete = len(self._order) >= n

    def _sorted(self, limit):
        docids = self.docids
        if self.sort_on == "relevance" and self.text is None:
            self.sort_on = None  # nothing to rank by: keep the catalog's order
        if self.sort_on == "relevance":
            return self._ranked(limit)
        if self.sort_on in (None, "", "docid"):
            if self.reverse:
                tail = docids if limit is None else docids[-limit:]
                return list(tail)[::-1]
            return list(docids if limit is None else docids[:limit])
        name = SORTABLE.get(self.sort_on, self.sort_on)
        if not self.catalog.has_index(name) or self.catalog._kinds.get(name) not in ("field", "date"):
            raise QueryError(f"Cannot sort on {self.sort_on!r}.")
        return self.catalog.index(name).sort(docids, reverse=self.reverse, limit=limit)

    def _ranked(self, limit):
        index = self.catalog.index("text")
        _, ranked = index.rank(self.text, candidates=self.docids,
                               limit=None if self.reverse else limit)
        self.scores.update(ranked)
        order = [d for d, _ in ranked]
        if self.reverse:  # the least relevant first
            order.reverse()
            order = order if limit is None else order[:limit]
        return order

    def __getitem__(self, key):
        if isinstance(key, slice):
            wanted = range(*key.indices(len(self)))
            if wanted:
                self.prepare(max(wanted[0], wanted[-1]) + 1)
            return [self._brain(self._order[i]) for i in wanted]
        n = len(self)
        if key < 0:
            key += n
        if not 0 <= key < n:
            raise IndexError(key)
        self.prepare(key + 1)
        return self._brain(self._order[key])

    def __iter__(self):
        self.prepare(len(self))
        for docid in self._order:
            yield self._brain(docid)

    def _brain(self, docid):
        return Brain(self.catalog, docid, self.scores.get(docid))

    def batch(self, start, size):
        return self[start:start + size]

    def narrowed(self, **criteria):
        """A new Results of these documents that also match *criteria*
        (as ``search`` takes them), with the same text, order and moment;
        the security filter is not applied again."""
        docids = self.docids.copy()
        for name, value in criteria.items():
            if value is None:
                continue
            name = ALIASES.get(name, name)
            if not self.catalog.has_index(name) or name in NOT_CRITERIA:
                raise QueryError(f"The catalog has no index {name!r} to search.")
            docids &= _apply(self.catalog.index(name), name, value)
        return Results(self.catalog, docids, self.sort_on, self.reverse, self.now,
                       self.text)

    def facets(self, *names, limit=20):
        """{facet: [(value, count)]} over the whole result, most first.

        Facets are index names (``type``, ``state``, ``subject``, ...) or
        a date index name, counted in the buckets of DATE_BUCKETS.
        """
        out = {}
        for facet in names or ("type", "state", "subject", "modified"):
            name = ALIASES.get(facet, facet)
            if not self.catalog.has_index(name) or name in NOT_CRITERIA:
                raise QueryError(f"The catalog has no index {name!r} to count.")
            index = self.catalog.index(name)
            if name in DATE_INDEXES:
                out[facet] = date_facet(index, self.docids, self.now)
            else:
                out[facet] = value_facet(index, self.docids, limit)
        return out


class Brain:
    """One search result: metadata columns as attributes, no object loaded."""

    __slots__ = ("_catalog", "docid", "score", "_record")

    def __init__(self, catalog, docid, score=None):
        self._catalog, self.docid, self.score = catalog, docid, score
        self._record = catalog.record(docid)

    @property
    def path(self):
        return self._catalog.path_for(self.docid)

    @property
    def __name__(self):
        return self.path.rsplit("/", 1)[-1]

    @property
    def url_path(self):
        """The path quoted for a URL ("/a/b%20c"), as resource_path does."""
        from cupola.traversal import quote_name
        return "/" + "/".join(quote_name(n) for n in self.path.split("/")[1:])

    def __getattr__(self, name):
        columns = self._catalog.columns
        if name in columns:
            record = self._record
            return record[columns.index(name)] if record is not None else None
        raise AttributeError(name)

    def getObject(self):
        """The cataloged object (loaded now), or None if it is gone."""
        path = self.path
        return None if path is None else self._catalog.resolve(path)

    def __repr__(self):
        return f"<Brain {self.path!r}>"

