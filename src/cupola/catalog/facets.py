"""Facet counts of a search result: per value, and per age bucket of a date.

A result is a pyroaring BitMap of docids. A value facet counts, for each
value of a field or keyword index, the result's docids in that value's
bitmap (one C call per value); a small result is counted by looking each
document's value up instead. A date facet counts the result in the ranges
of ``DATE_BUCKETS`` before *now*, each range the union of the date index's
day bitmaps and its two edge days.
"""

from cupola.catalog.bits import count_in

DAY = 86400
# (key, label, youngest age, oldest age) in seconds before now
DATE_BUCKETS = (("day", "Past day", 0, DAY), ("week", "Past week", DAY, 7 * DAY),
                ("month", "Past month", 7 * DAY, 31 * DAY),
                ("year", "Past year", 31 * DAY, 366 * DAY),
                ("older", "Older", 366 * DAY, None))
LOOKUP_COUNT = 64  # results up to this size are counted document by document


def bucket_range(key, now):
    """(low, high) epoch seconds of the date bucket *key*, both included;
    (None, None) for an unknown key."""
    for name, _, young, old in DATE_BUCKETS:
        if name == key:
            return (None if old is None else now - old + 1), now - young
    return None, None


def value_facet(index, docids, limit):
    """[(value, count)] of *docids* in a field or keyword *index*, most
    first (ties by value), at most *limit*."""
    counts = {}
    if len(docids) <= LOOKUP_COUNT:
        get = index._rev.get
        for docid in docids:
            value = get(docid)
            for v in (value if isinstance(value, tuple) else (value,)):
                if v is not None:
                    counts[v] = counts.get(v, 0) + 1
    else:
        for value, found in index._fwd.items():
            n = count_in(found, docids)
            if n:
                counts[value] = n
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return ranked[:limit]


def date_facet(index, docids, now):
    """[(bucket key, count)] of *docids* by the age of their value in the
    date *index* (epoch seconds) at *now*; future dates count nowhere."""
    if len(docids) <= LOOKUP_COUNT:
        get = index._rev.get
        ages = [now - v for v in map(get, docids) if v is not None]
        return [(key, sum(1 for a in ages if a >= young and (old is None or a < old)))
                for key, _, young, old in DATE_BUCKETS]
    return [(key, docids.intersection_cardinality(index.range(*bucket_range(key, now))))
            for key, _, _, _ in DATE_BUCKETS]
