"""Searching the catalog: one call, lazy sized results, facets.

``search(catalog, request, **query)`` intersects the index answers, always
keeps only what the request's user may view (and, unless the user may see
inactive content, what is inside its publication window), and returns a
``Results``: sized, sliceable, sorted on demand, whose items are ``Brain``
records built from metadata without loading objects.
"""

import heapq
import time
from datetime import datetime, timezone
from operator import itemgetter

from BTrees.IFBTree import IFTreeSet, difference, intersection, multiunion

from cupola.catalog.security import request_tokens

SORTABLE = {"title": "sortable_title", "modified": "modified", "created": "created",
            "effective": "effective", "expires": "expires", "type": "type_name",
            "state": "state", "creator": "creator"}
ALIASES = {"type": "type_name"}
DATE_INDEXES = ("created", "modified", "effective", "expires")
DAY = 86400
DATE_BUCKETS = (("day", "Past day", 0, DAY), ("week", "Past week", DAY, 7 * DAY),
                ("month", "Past month", 7 * DAY, 31 * DAY),
                ("year", "Past year", 31 * DAY, 366 * DAY),
                ("older", "Older", 366 * DAY, None))


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
    sets, scores = [], None
    if path is not None:
        sets.append(catalog._paths.apply(_norm_path(path), depth))
    if text and text.strip():
        scores = catalog.index("text").apply(text)
        sets.append(IFTreeSet(scores.keys()))
    for name, value in criteria.items():
        if value is None:
            continue
        name = ALIASES.get(name, name)
        if not catalog.has_index(name) or name in ("text", "allowed", "allowed_inactive"):
            raise QueryError(f"The catalog has no index {name!r} to search.")
        sets.append(_apply(catalog.index(name), name, value))
    if not sets:
        sets.append(catalog._paths.apply("/"))
    result = _intersect(sets)
    if not unrestricted:
        result = _visible(catalog, result, request_tokens(request), now, request)
    if sort_on is None and scores is not None:
        sort_on = "relevance"
    results = Results(catalog, result, scores, sort_on, reverse, now)
    if batch_size is not None:
        results.prepare(batch_start + batch_size)
    return results


def _norm_path(path):
    path = "/" + path.strip("/")
    return path


def _apply(index, name, value):
    if name in DATE_INDEXES and isinstance(value, tuple):
        if len(value) != 2:
            raise QueryError(f"{name}: a date range is a (start, end) pair.")
        low, high = (_seconds(v) for v in value)
        return index.apply((low, high))
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
    sets = sorted(sets, key=len)
    result = sets[0]
    for other in sets[1:]:
        if not result:
            break
        result = intersection(result, other)
    return result if result is not None else IFTreeSet()


def _visible(catalog, result, tokens, now, request=None):
    if not result:
        return result
    result = intersection(result, catalog.index("allowed").apply(tokens))
    effective, expires = catalog.index("effective"), catalog.index("expires")
    inactive = multiunion([effective.apply((now + 1, None)),
                           expires.apply((None, now))])
    if request is not None:
        _note_boundary(request, effective, expires, now)
    if inactive:
        hidden = intersection(result, inactive)
        if hidden:
            hidden = difference(hidden, catalog.index("allowed_inactive").apply(tokens))
            if hidden:
                result = difference(result, hidden)
    return result


def _note_boundary(request, effective, expires, now):
    """Cached responses built from this search go stale at the next moment
    a document enters or leaves its publication window."""
    from cupola.responsecache import note_expiry
    for index in (effective, expires):
        upcoming = index._fwd.keys(now + 1)
        for first in upcoming:
            note_expiry(request.environ, first)
            break


class Results:
    """A lazy, sized, sorted sequence of Brains."""

    def __init__(self, catalog, docids, scores, sort_on, reverse, now):
        self.catalog, self.docids, self.scores = catalog, docids, scores
        self.sort_on, self.reverse, self.now = sort_on, reverse, now
        self._order, self._complete = [], False

    def __len__(self):
        return len(self.docids)

    def __bool__(self):
        return bool(self.docids)

    def prepare(self, limit):
        """Sort at least the first *limit* results."""
        if self._complete or len(self._order) >= min(limit, len(self.docids)):
            return
        self._order = self._sorted(limit if limit < len(self.docids) else None)
        self._complete = len(self._order) >= len(self.docids)

    def _sorted(self, limit):
        docids = self.docids
        if self.sort_on == "relevance" and self.scores is None:
            self.sort_on = None  # nothing to rank by: keep the catalog's order
        if self.sort_on == "relevance":
            scores = self.scores
            pairs = ((d, scores[d]) for d in docids)
            if limit is None:
                ranked = sorted(pairs, key=itemgetter(1), reverse=not self.reverse)
            elif self.reverse:
                ranked = heapq.nsmallest(limit, pairs, key=itemgetter(1))
            else:
                ranked = heapq.nlargest(limit, pairs, key=itemgetter(1))
            return [d for d, _ in ranked]
        if self.sort_on in (None, "", "docid"):
            ordered = list(docids)
            ordered = ordered[::-1] if self.reverse else ordered
            return ordered if limit is None else ordered[:limit]
        name = SORTABLE.get(self.sort_on, self.sort_on)
        if not self.catalog.has_index(name) or self.catalog._kinds.get(name) != "field":
            raise QueryError(f"Cannot sort on {self.sort_on!r}.")
        return self.catalog.index(name).sort(docids, reverse=self.reverse, limit=limit)

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
        score = self.scores.get(docid) if self.scores is not None else None
        return Brain(self.catalog, docid, score)

    def batch(self, start, size):
        return self[start:start + size]

    def facets(self, *names, limit=20):
        """{facet: [(value, count)]} over the whole result, most first.

        Facets are index names (``type``, ``state``, ``subject``, ...) or
        a date index name, counted in the buckets of DATE_BUCKETS.
        """
        out = {}
        for facet in names or ("type", "state", "subject", "modified"):
            name = ALIASES.get(facet, facet)
            if not self.catalog.has_index(name) or name in ("text", "allowed",
                                                            "allowed_inactive"):
                raise QueryError(f"The catalog has no index {name!r} to count.")
            index = self.catalog.index(name)
            if name in DATE_INDEXES:
                out[facet] = self._date_facet(index)
            else:
                out[facet] = self._value_facet(index, limit)
        return out

    def _value_facet(self, index, limit):
        docids = self.docids
        counts = {}
        if len(docids) < 2 * len(index._fwd):
            rev = index._rev
            for d in docids:
                value = rev.get(d)
                for v in (value if isinstance(value, tuple) else (value,)):
                    if v is not None:
                        counts[v] = counts.get(v, 0) + 1
        else:
            for value in index.values():
                n = index.count(value, docids)
                if n:
                    counts[value] = n
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        return ranked[:limit]

    def _date_facet(self, index):
        docids, now = self.docids, self.now
        out = []
        if len(docids) < 5000:
            rev = index._rev
            ages = [now - rev[d] for d in docids if d in rev]
            for key, label, young, old in DATE_BUCKETS:
                n = sum(1 for a in ages if a >= young and (old is None or a < old))
                out.append((key, n))
            return out
        for key, label, young, old in DATE_BUCKETS:
            low = None if old is None else now - old + 1
            found = index.apply((low, now - young))
            out.append((key, len(intersection(found, docids)) if found else 0))
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
