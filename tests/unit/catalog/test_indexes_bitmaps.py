"""The bitmap paths of the indexes against brute force: date ranges through
day bitmaps, sorts that walk days or values, depth queries, facets of big
and small results."""

import random

import pytest
from pyroaring import BitMap

from cupola.catalog.facets import (DATE_BUCKETS, LOOKUP_COUNT, bucket_range,
                                   date_facet, value_facet)
from cupola.catalog.bits import bitmap_of, is_current, union
from cupola.catalog.indexes import (BLOCK, GRANULE, LOOKUP_SORT, DateIndex,
                                    FieldIndex, KeywordIndex, PathIndex, granule)

NOW = 1_700_000_000
N = 3000  # more than LOOKUP_SORT and LOOKUP_COUNT


def dated(seed=1, n=N, days=60):
    """{docid: epoch seconds} over *days* days before NOW (some docids
    without a value, some values shared), and its DateIndex."""
    rng = random.Random(seed)
    values = {}
    for docid in range(1, n + 1):
        if rng.random() < 0.1:
            continue
        if rng.random() < 0.2 and values:
            values[docid] = rng.choice(list(values.values())[-50:])
        else:
            values[docid] = NOW - rng.randrange(days * GRANULE)
    index = DateIndex()
    for docid, value in values.items():
        index.index_doc(docid, value)
    return values, index


def brute_sort(values, docids, reverse, limit):
    have = sorted((d for d in docids if d in values), key=values.__getitem__,
                  reverse=reverse)
    ordered = have + [d for d in docids if d not in values]
    return ordered[:limit]


class TestGranule:
    @pytest.mark.parametrize("value, expected", [
        (0, 0), (GRANULE - 1, 0), (GRANULE, 1), (-1, -1), (GRANULE * 2.5, 2),
        ("a", None), (None, None), (True, None)])
    def test_granule(self, value, expected):
        assert granule(value) == expected


class TestDateRanges:
    @pytest.mark.parametrize("days", [60, 400])
    def test_random_ranges_match_brute_force(self, days):
        values, index = dated(days=days)
        rng = random.Random(7)
        points = sorted(values.values())
        for _ in range(300):
            low, high = sorted(rng.choice(points) + rng.randrange(-3, 4) * rng.choice(
                (1, GRANULE)) for _ in range(2))
            low = None if rng.random() < 0.15 else low
            high = None if rng.random() < 0.15 else high
            expected = {d for d, v in values.items()
                        if (low is None or v >= low) and (high is None or v <= high)}
            assert set(index.apply((low, high))) == expected, (low, high)

    @pytest.mark.parametrize("shift", [0, -1, 1])
    def test_ranges_on_day_boundaries(self, shift):
        values, index = dated()
        day = granule(NOW) - 10
        low, high = day * GRANULE + shift, (day + 5) * GRANULE + shift
        expected = {d for d, v in values.items() if low <= v <= high}
        assert set(index.apply((low, high))) == expected

    def test_a_range_inside_one_day(self):
        index = DateIndex()
        for docid, value in ((1, 100), (2, 200), (3, 300), (4, GRANULE + 5)):
            index.index_doc(docid, value)
        assert list(index.apply((150, 300))) == [2, 3]

    def test_float_values_are_cut_to_seconds_and_bounds_round_inwards(self):
        index = DateIndex()
        for docid, value in ((1, 0.5), (2, GRANULE - 0.25), (3, GRANULE + 0.5)):
            index.index_doc(docid, value)
        assert list(index._fwd.keys()) == [0, GRANULE - 1, GRANULE]
        assert list(index.apply((0.75, GRANULE + 0.5))) == [2, 3]
        assert list(index.apply((None, GRANULE - 0.5))) == [1, 2]
        assert list(index.apply((0.25, 0.75))) == []

    def test_equality_and_any_of(self):
        index = DateIndex()
        for docid, value in ((1, 10), (2, 20), (3, 20)):
            index.index_doc(docid, value)
        assert (list(index.apply(20)), list(index.apply(20.0)), list(index.apply(20.5)),
                list(index.apply([10, 20]))) == ([2, 3], [2, 3], [], [1, 2, 3])

    def test_a_value_that_is_no_number_is_refused(self):
        with pytest.raises(TypeError):
            DateIndex().apply("yesterday")

    def test_a_plain_field_index_of_numbers_keeps_no_days(self):
        index = FieldIndex()
        for docid, value in ((1, 0.5), (2, GRANULE - 0.25), (3, GRANULE + 0.5)):
            index.index_doc(docid, value)
        assert index._coarse is None and index.is_current()
        assert list(index.apply((0.75, GRANULE + 0.5))) == [2, 3]
        assert list(index.apply((None, GRANULE - 0.5))) == [1]

    def test_an_inverted_range_is_empty(self):
        values, index = dated()
        assert not index.apply((NOW, NOW - 10 * GRANULE))

    def test_the_result_is_the_callers(self):
        _, index = dated()
        found = index.apply((None, None))
        found.clear()
        assert len(index.apply((None, None))) == len(index)

    def test_reindex_moves_the_day(self):
        index = DateIndex()
        index.index_doc(1, 10)
        index.index_doc(2, 20)
        index.index_doc(1, 5 * GRANULE)
        assert (list(index._coarse.keys()), list(index.apply((None, GRANULE)))) \
            == ([0, 5], [2])
        index.unindex_doc(2)
        assert list(index._coarse.keys()) == [5]

    def test_blocks_hold_their_days(self):
        _, index = dated(days=400)
        for block, found in index._blocks.items():
            days = index._coarse.values(block * BLOCK, (block + 1) * BLOCK - 1)
            assert set(bitmap_of(found)) == set(union(days))

    def test_days_and_blocks_follow_random_changes(self):
        rng = random.Random(14)
        index, values = DateIndex(), {}
        for _ in range(3000):
            docid = rng.randrange(1, 300)
            if rng.random() < 0.2:
                index.unindex_doc(docid)
                values.pop(docid, None)
            else:
                values[docid] = NOW - rng.randrange(200 * GRANULE)
                index.index_doc(docid, values[docid])
        days, blocks = {}, {}
        for docid, value in values.items():
            days.setdefault(granule(value), set()).add(docid)
            blocks.setdefault(granule(value) // BLOCK, set()).add(docid)
        assert {k: set(bitmap_of(v)) for k, v in index._coarse.items()} == days
        assert {k: set(bitmap_of(v)) for k, v in index._blocks.items()} == blocks

    def test_strings_keep_no_days(self):
        index = FieldIndex()
        index.index_doc(1, "b")
        index.index_doc(2, "a")
        assert not index._coarse and list(index.apply(("a", "a"))) == [2]


class TestSorts:
    @pytest.mark.parametrize("reverse", [False, True])
    @pytest.mark.parametrize("limit", [1, 20, 500, N - 5, None])
    def test_by_days(self, reverse, limit):
        values, index = dated(seed=3)
        docids = BitMap(range(1, N + 1))
        assert len(docids) > LOOKUP_SORT
        assert index.sort(docids, reverse=reverse, limit=limit) \
            == brute_sort(values, docids, reverse, limit)

    @pytest.mark.parametrize("reverse", [False, True])
    def test_by_days_of_a_sparse_result(self, reverse):
        values, index = dated(seed=4)
        docids = BitMap(random.Random(5).sample(range(1, N + 1), LOOKUP_SORT + 100))
        assert index.sort(docids, reverse=reverse, limit=30) \
            == brute_sort(values, docids, reverse, 30)

    @pytest.mark.parametrize("reverse", [False, True])
    @pytest.mark.parametrize("limit", [20, None])
    def test_by_walking_string_values(self, reverse, limit):
        rng = random.Random(6)
        values = {d: f"t{rng.randrange(800):04d}" for d in range(1, N + 1) if d % 9}
        index = FieldIndex()
        for docid, value in values.items():
            index.index_doc(docid, value)
        docids = BitMap(range(1, N + 1))
        assert index.sort(docids, reverse=reverse, limit=limit) \
            == brute_sort(values, docids, reverse, limit)

    @pytest.mark.parametrize("reverse", [False, True])
    @pytest.mark.parametrize("limit", [20, N // 2])
    def test_numbers_of_a_plain_field_index(self, reverse, limit):
        # e.g. sizes in bytes: no day bitmaps (they would not split them)
        rng = random.Random(13)
        values = {d: rng.randrange(5000) for d in range(1, N + 1) if d % 11}
        index = FieldIndex()
        for docid, value in values.items():
            index.index_doc(docid, value)
        docids = BitMap(range(1, N + 1))
        assert index._coarse is None
        assert index.sort(docids, reverse=reverse, limit=limit) \
            == brute_sort(values, docids, reverse, limit)

    def test_a_result_without_values_keeps_docid_order(self):
        _, index = dated()
        docids = BitMap(range(N + 1, N + LOOKUP_SORT + 50))
        assert index.sort(docids, reverse=True, limit=5) == list(docids)[:5]


class TestKeywordBitmaps:
    def test_any_and_all_match_brute_force(self):
        rng = random.Random(8)
        words = [f"w{i}" for i in range(30)]
        values = {d: rng.sample(words, rng.randrange(0, 5)) for d in range(1, 500)}
        index = KeywordIndex()
        for docid, value in values.items():
            index.index_doc(docid, value)
        for _ in range(50):
            query = rng.sample(words, rng.randrange(1, 4))
            any_of = {d for d, v in values.items() if set(v) & set(query)}
            all_of = {d for d, v in values.items() if set(query) <= set(v)}
            assert set(index.apply(query)) == any_of
            assert set(index.apply(query, operator="and")) == all_of

    def test_and_of_nothing(self):
        assert not KeywordIndex().apply([], operator="and")


class TestPathDepth:
    def tree(self):
        rng = random.Random(9)
        paths, folders = {}, ["/"]
        for docid in range(1, 400):
            parent = rng.choice(folders)
            path = ("" if parent == "/" else parent) + f"/n{docid}"
            paths[docid] = path
            if rng.random() < 0.3:
                folders.append(path)
        index = PathIndex()
        for docid, path in paths.items():
            index.index_doc(docid, path)
        return paths, folders, index

    @pytest.mark.parametrize("depth", [None, 0, 1, 2, 3, 10])
    def test_depth_matches_brute_force(self, depth):
        paths, folders, index = self.tree()
        for where in folders + ["/nothing-here"]:
            base = 0 if where == "/" else where.count("/")
            prefix = "" if where == "/" else where

            def inside(path):
                if path == where:
                    return depth is None or depth == 0
                if not path.startswith(prefix + "/"):
                    return False
                level = path.count("/") - base
                return depth is None or 1 <= level <= depth
            expected = {d for d, p in paths.items() if inside(p)}
            itself = next((d for d, p in paths.items() if p == where), None)
            assert set(index.apply(where, depth, itself)) == expected, (where, depth)

    def test_the_root_itself_when_indexed(self):
        index = PathIndex()
        for docid, path in ((1, "/"), (2, "/a"), (3, "/a/b")):
            index.index_doc(docid, path)
        assert list(index.apply("/", 0, 1)) == [1]
        assert list(index.apply("/", None, 1)) == [1, 2, 3]


class TestFacets:
    def index_of(self, values, kind):
        index = KeywordIndex() if kind == "keyword" else FieldIndex()
        for docid, value in values.items():
            index.index_doc(docid, value)
        return index

    @pytest.mark.parametrize("size", [LOOKUP_COUNT // 2, N])
    def test_value_facet_matches_brute_force(self, size):
        rng = random.Random(10)
        values = {d: rng.sample("abcdefgh", rng.randrange(0, 3)) for d in range(1, N + 1)}
        index = self.index_of(values, "keyword")
        docids = BitMap(rng.sample(range(1, N + 1), size))
        counts = {}
        for d in docids:
            for v in values[d]:
                counts[v] = counts.get(v, 0) + 1
        expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        assert value_facet(index, docids, 5) == expected

    @pytest.mark.parametrize("size", [LOOKUP_COUNT // 2, N])
    def test_date_facet_matches_brute_force(self, size):
        values, index = dated(seed=11, days=800)
        for docid in range(1, 40):   # some in the future
            index.index_doc(docid, NOW + docid * 3600)
            values[docid] = NOW + docid * 3600
        docids = BitMap(random.Random(12).sample(range(1, N + 1), size))
        expected = []
        for key, _, _, _ in DATE_BUCKETS:
            low, high = bucket_range(key, NOW)
            expected.append((key, sum(1 for d in docids if d in values and (
                low is None or values[d] >= low) and values[d] <= high)))
        assert date_facet(index, docids, NOW) == expected

    def test_bucket_range_of_an_unknown_key(self):
        assert bucket_range("decade", NOW) == (None, None)


class TestCatalogsFromBeforeTheBitmaps:
    """An index pickled before bitmaps: tree sets, no day bitmaps."""

    def old_index(self):
        from BTrees.IFBTree import IFTreeSet
        index = FieldIndex()
        for docid, value in ((1, 10), (2, 10), (3, GRANULE * 3)):
            index.index_doc(docid, value)
        index._fwd[10] = IFTreeSet((1, 2))
        return index

    def test_it_answers_ranges_and_sorts(self):
        index = self.old_index()
        assert list(index.apply((None, GRANULE))) == [1, 2]
        assert index.sort(BitMap([1, 2, 3]), reverse=True) == [3, 1, 2]

    @pytest.mark.parametrize("cls", [FieldIndex, KeywordIndex, PathIndex])
    def test_it_says_it_wants_a_rebuild_until_cleared(self, cls):
        index = cls()
        assert is_current(index)
        del index._format  # as stored before the attribute existed
        assert not is_current(index)
        index.clear()
        assert is_current(index)

    def test_it_takes_new_values(self):
        index = self.old_index()
        index.index_doc(4, 10)
        index.index_doc(1, GRANULE * 5)
        assert list(index.apply(10)) == [2, 4]
        assert list(index.apply((GRANULE, None))) == [1, 3]
