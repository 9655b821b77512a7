"""The catalog's index types: field, keyword, path and text."""

import pytest
from pyroaring import BitMap

from cupola.catalog.bits import Bits
from cupola.catalog.indexes import (FieldIndex, KeywordIndex, PathIndex,
                                    TextIndex, ancestors, parent_path)


def field_index(values):
    """A FieldIndex of {docid: value}."""
    index = FieldIndex()
    for docid, value in values.items():
        index.index_doc(docid, value)
    return index


class TestFieldIndexStorage:
    def test_a_value_of_one_document_is_stored_as_an_int(self):
        index = field_index({1: "a"})
        assert index._fwd["a"] == 1 and isinstance(index._fwd["a"], int)

    def test_a_value_shared_by_two_documents_becomes_a_bitmap(self):
        index = field_index({1: "a", 2: "a"})
        assert isinstance(index._fwd["a"], Bits)
        assert list(index._fwd["a"]) == [1, 2]

    def test_the_bitmap_goes_back_to_an_int_at_one_document(self):
        index = field_index({1: "a", 2: "a"})
        index.unindex_doc(1)
        assert index._fwd["a"] == 2 and isinstance(index._fwd["a"], int)

    def test_the_value_goes_away_with_its_last_document(self):
        index = field_index({1: "a"})
        index.unindex_doc(1)
        assert "a" not in index._fwd and index.value_of(1) is None

    def test_reindexing_moves_the_document_to_its_new_value(self):
        index = field_index({1: "a", 2: "a"})
        index.index_doc(1, "b")
        assert (index._fwd["a"], index._fwd["b"]) == (2, 1)
        assert index.value_of(1) == "b"

    def test_reindexing_with_the_same_value_keeps_one_entry(self):
        index = field_index({1: "a"})
        index.index_doc(1, "a")
        assert index._fwd["a"] == 1 and len(index) == 1

    def test_none_unindexes(self):
        index = field_index({1: "a", 2: "b"})
        index.index_doc(1, None)
        assert index.value_of(1) is None and list(index.values()) == ["b"]

    def test_len_counts_documents_not_values(self):
        index = field_index({1: "a", 2: "a", 3: "b"})
        index.index_doc(3, "c")
        index.unindex_doc(2)
        index.unindex_doc(2)
        assert len(index) == 2

    def test_clear_forgets_everything(self):
        index = field_index({1: "a", 2: "a"})
        index.clear()
        assert (len(index), list(index.values()), list(index.docids())) == (0, [], [])


class TestBatches:
    """index_docs: a batch of (docid, value) pairs, as the catalog's
    flush and reindex hand them over."""

    def test_a_batch_stores_what_single_calls_store(self):
        pairs = [(1, "a"), (2, "b"), (3, "a"), (4, "a"), (5, "c")]
        one, batch = field_index(dict(pairs)), FieldIndex()
        batch.index_docs(pairs)
        assert {v: list(BitMap(batch.apply(v))) for v in "abc"} == {
            v: list(BitMap(one.apply(v))) for v in "abc"}
        assert batch._fwd["b"] == 2 and list(batch._fwd["a"]) == [1, 3, 4]
        assert len(batch) == 5

    def test_the_last_pair_of_a_docid_wins(self):
        index = field_index({1: "a", 2: "a"})
        index.index_docs([(1, "b"), (2, None), (1, "c"), (3, "a")])
        assert index.value_of(1) == "c" and index.value_of(2) is None
        assert index._fwd["a"] == 3 and "b" not in index._fwd
        assert len(index) == 2

    def test_moving_documents_between_shared_values(self):
        index = field_index({1: "a", 2: "a", 3: "a", 4: "b"})
        index.index_docs([(1, "b"), (2, "b"), (4, "a")])
        assert list(index._fwd["b"]) == [1, 2] and list(index.apply("a")) == [3, 4]

    def test_a_date_batch_fills_the_day_and_block_bitmaps(self):
        from cupola.catalog.indexes import GRANULE, DateIndex
        index = DateIndex()
        day = 20_000 * GRANULE
        index.index_docs([(1, day + 5), (2, day + 7.9), (3, day + GRANULE), (4, day + 5)])
        assert index.value_of(2) == day + 7
        assert list(bits_of(index._coarse[20_000])) == [1, 2, 4]
        assert index._coarse[20_001] == 3
        assert list(index.range(day, day + 6)) == [1, 4]
        assert list(index.range(day, day + 2 * GRANULE)) == [1, 2, 3, 4]

    def test_a_keyword_batch(self):
        index = KeywordIndex()
        index.index_doc(1, ["x", "y"])
        index.index_docs([(1, ["y", "z"]), (2, ["x", "z"]), (3, ()), (4, ["z"])])
        assert list(index.apply("x")) == [2] and list(index.apply("z")) == [1, 2, 4]
        assert index.value_of(1) == ("y", "z") and index.value_of(3) == ()
        assert len(index) == 3


def bits_of(found):
    return BitMap([found]) if isinstance(found, int) else found.bits


class TestFieldIndexQueries:
    def make_one(self):
        return field_index({1: 10, 2: 20, 3: 20, 4: 30, 5: 40})

    def test_equality(self):
        assert list(self.make_one().apply(20)) == [2, 3]

    def test_equality_with_one_document(self):
        assert list(self.make_one().apply(10)) == [1]

    def test_unknown_value_matches_nothing(self):
        assert list(self.make_one().apply(99)) == []

    def test_a_list_is_any_of(self):
        assert list(self.make_one().apply([10, 40, 99])) == [1, 5]

    def test_a_list_mixing_shared_and_single_values(self):
        assert list(self.make_one().apply([20, 30])) == [2, 3, 4]

    @pytest.mark.parametrize("query, docids", [
        ((20, 30), [2, 3, 4]),
        ((15, 25), [2, 3]),
        ((None, 20), [1, 2, 3]),
        ((30, None), [4, 5]),
        ((None, None), [1, 2, 3, 4, 5]),
        ((41, None), []),
        ((30, 20), []),
    ])
    def test_ranges_include_both_ends_and_none_leaves_one_open(self, query, docids):
        assert list(self.make_one().apply(query)) == docids

    def test_count_of_a_value_in_a_result(self):
        index = self.make_one()
        assert [index.count(v, BitMap([1, 2, 4])) for v in (10, 20, 30, 40, 99)] \
            == [1, 1, 1, 0, 0]


class TestFieldIndexSort:
    # Docids 1..9; 3 and 7 have no value; 2, 5 and 8 share one.
    VALUES = {1: "e", 2: "b", 4: "d", 5: "b", 6: "a", 8: "b", 9: "c"}

    def make_one(self):
        return field_index(self.VALUES)

    def test_sort_small_result_by_value_ties_by_docid_missing_last(self):
        docids = BitMap(range(1, 10))
        assert self.make_one().sort(docids) == [6, 2, 5, 8, 9, 4, 1, 3, 7]

    def test_sort_reverse_keeps_missing_last(self):
        docids = BitMap(range(1, 10))
        assert self.make_one().sort(docids, reverse=True) == [1, 4, 9, 2, 5, 8, 6, 3, 7]

    def test_sort_with_limit(self):
        docids = BitMap(range(1, 10))
        assert self.make_one().sort(docids, limit=3) == [6, 2, 5]

    def test_sort_with_a_limit_reaching_the_missing(self):
        docids = BitMap(range(1, 10))
        assert self.make_one().sort(docids, limit=8) == [6, 2, 5, 8, 9, 4, 1, 3]

    def test_sort_of_a_subset(self):
        assert self.make_one().sort(BitMap([1, 3, 6])) == [6, 1, 3]

    def test_sort_of_nothing(self):
        assert self.make_one().sort(BitMap()) == []


class TestFieldIndexSortLarge:
    """Results of 200 or more that are a good part of the index are sorted
    by walking the index's values instead of looking each one up."""

    N = 400

    def values(self):
        # every seventh docid has no value; values repeat (ties) and are
        # not in docid order
        return {d: (d * 37) % 50 for d in range(1, self.N + 1) if d % 7}

    def expected(self, docids, reverse=False, limit=None):
        values = self.values()
        have = sorted((d for d in docids if d in values), key=values.__getitem__,
                      reverse=reverse)
        ordered = have + [d for d in docids if d not in values]
        return ordered if limit is None else ordered[:limit]

    def test_the_whole_index(self):
        docids = BitMap(range(1, self.N + 1))
        assert field_index(self.values()).sort(docids) == self.expected(docids)

    def test_reverse(self):
        docids = BitMap(range(1, self.N + 1))
        assert field_index(self.values()).sort(docids, reverse=True) \
            == self.expected(docids, reverse=True)

    def test_limit(self):
        docids = BitMap(range(1, self.N + 1))
        assert field_index(self.values()).sort(docids, limit=25) \
            == self.expected(docids, limit=25)

    def test_reverse_with_limit(self):
        docids = BitMap(range(1, self.N + 1))
        assert field_index(self.values()).sort(docids, reverse=True, limit=25) \
            == self.expected(docids, reverse=True, limit=25)

    def test_limit_reaching_the_missing(self):
        docids = BitMap(range(1, self.N + 1))
        limit = self.N - 10
        assert field_index(self.values()).sort(docids, limit=limit) \
            == self.expected(docids, limit=limit)

    def test_a_part_of_the_index(self):
        docids = BitMap(range(101, 351))
        assert field_index(self.values()).sort(docids, reverse=True) \
            == self.expected(docids, reverse=True)


class TestKeywordIndex:
    def make_one(self):
        index = KeywordIndex()
        index.index_doc(1, ("red", "green"))
        index.index_doc(2, ("green", "blue"))
        index.index_doc(3, ("blue",))
        return index

    def test_or_is_any_of(self):
        assert list(self.make_one().apply(["red", "blue"])) == [1, 2, 3]

    def test_and_is_all_of(self):
        assert list(self.make_one().apply(["green", "blue"], operator="and")) == [2]

    def test_and_with_an_unknown_word_matches_nothing(self):
        assert list(self.make_one().apply(["green", "pink"], operator="and")) == []

    def test_a_string_is_one_word_not_letters(self):
        assert list(self.make_one().apply("red")) == [1]

    def test_unknown_word_matches_nothing(self):
        assert list(self.make_one().apply(["pink"])) == []

    def test_values_are_stored_sorted_without_duplicates(self):
        index = KeywordIndex()
        index.index_doc(1, ["b", "a", "b"])
        assert index.value_of(1) == ("a", "b")

    def test_reindex_drops_old_words_and_adds_new_ones(self):
        index = self.make_one()
        index.index_doc(1, ("green", "yellow"))
        assert list(index.apply("red")) == []
        assert list(index.apply("yellow")) == [1]
        assert list(index.apply("green")) == [1, 2]

    def test_reindex_shrinks_a_shared_word_back_to_an_int(self):
        index = self.make_one()
        index.index_doc(1, ("red",))
        assert index._fwd["green"] == 2 and isinstance(index._fwd["green"], int)

    def test_unindex_forgets_the_document(self):
        index = self.make_one()
        index.unindex_doc(2)
        assert list(index.apply(["green", "blue"])) == [1, 3]
        assert index.value_of(2) == () and len(index) == 2

    def test_no_words_unindexes(self):
        index = self.make_one()
        index.index_doc(3, ())
        assert list(index.apply("blue")) == [2] and len(index) == 2

    def test_len_counts_documents(self):
        index = self.make_one()
        index.index_doc(1, ("red",))
        assert len(index) == 3

    def test_count_of_a_word_in_a_result(self):
        index = self.make_one()
        assert [index.count(w, BitMap([1, 2])) for w in ("red", "green", "blue", "x")] \
            == [1, 2, 1, 0]


def subtree(index, path, depth=None):
    """PathIndex.apply with the docid of *path* as the catalog gives it."""
    itself = {p: d for d, p in index._rev.items()}.get(path)
    return index.apply(path, depth, itself)


class TestPathIndex:
    PATHS = {1: "/a", 2: "/a/b", 3: "/a/b/c", 4: "/a/b/c/d", 5: "/a/e", 6: "/f",
             7: "/ab"}

    def make_one(self):
        index = PathIndex()
        for docid, path in self.PATHS.items():
            index.index_doc(docid, path)
        return index

    def paths(self, docids):
        return sorted(self.PATHS[d] for d in docids)

    def test_subtree_includes_the_object(self):
        assert self.paths(subtree(self.make_one(), "/a")) \
            == ["/a", "/a/b", "/a/b/c", "/a/b/c/d", "/a/e"]

    def test_subtree_does_not_match_a_longer_name(self):
        assert "/ab" not in self.paths(subtree(self.make_one(), "/a"))

    def test_the_site_holds_everything(self):
        assert len(subtree(self.make_one(), "/")) == len(self.PATHS)

    @pytest.mark.parametrize("depth, paths", [
        (0, ["/a"]),
        (1, ["/a/b", "/a/e"]),
        (2, ["/a/b", "/a/b/c", "/a/e"]),
        (3, ["/a/b", "/a/b/c", "/a/b/c/d", "/a/e"]),
        (9, ["/a/b", "/a/b/c", "/a/b/c/d", "/a/e"]),
    ])
    def test_depth(self, depth, paths):
        assert self.paths(subtree(self.make_one(), "/a", depth)) == paths

    def test_children_of_the_site(self):
        assert self.paths(subtree(self.make_one(), "/", 1)) == ["/a", "/ab", "/f"]

    def test_unknown_path_matches_nothing(self):
        index = self.make_one()
        assert [list(subtree(index, "/x", d)) for d in (None, 0, 1, 2)] == [[]] * 4

    def test_unindex_removes_from_ancestors_and_parent(self):
        index = self.make_one()
        index.unindex_doc(3)
        assert self.paths(subtree(index, "/a")) == ["/a", "/a/b", "/a/b/c/d", "/a/e"]
        assert list(subtree(index, "/a/b", 1)) == []
        assert len(index) == len(self.PATHS) - 1

    def test_unindex_of_the_last_child_drops_the_parent_entry(self):
        index = self.make_one()
        index.unindex_doc(5)
        index.unindex_doc(2)
        assert "/a" not in index._children

    def test_reindex_at_a_new_path(self):
        index = self.make_one()
        index.index_doc(5, "/f/e")
        assert self.paths(subtree(index, "/a", 1)) == ["/a/b"]
        assert list(subtree(index, "/f", 1)) == [5] and index.value_of(5) == "/f/e"
        assert len(index) == len(self.PATHS)

    def test_a_shared_ancestor_entry_shrinks_back_to_an_int(self):
        index = self.make_one()
        index.index_doc(8, "/f/g")
        index.index_doc(9, "/f/h")
        index.unindex_doc(9)
        assert index._subtree["/f"] == 8

    def test_a_document_is_no_key_of_its_own(self):
        index = self.make_one()
        assert "/a/b/c/d" not in index._subtree and "/ab" not in index._subtree

    def test_an_index_of_format_2_answers_the_same(self):
        """Earlier indexes kept each path's own docid in _subtree."""
        from cupola.catalog.bits import add
        old = self.make_one()
        old._format = 2
        for docid, path in self.PATHS.items():
            add(old._subtree, path, docid)
        old.unindex_doc(7)
        assert self.paths(old.apply("/a")) == self.paths(subtree(self.make_one(), "/a"))
        assert self.paths(old.apply("/a/b", 0)) == ["/a/b"]
        assert "/ab" not in old._subtree

    @pytest.mark.parametrize("path, expected", [
        ("/", ["/"]),
        ("/a", ["/", "/a"]),
        ("/a/b/c", ["/", "/a", "/a/b", "/a/b/c"]),
    ])
    def test_ancestors(self, path, expected):
        assert ancestors(path) == expected

    @pytest.mark.parametrize("path, parent", [("/a", "/"), ("/a/b", "/a"), ("/a/b/c", "/a/b")])
    def test_parent_path(self, path, parent):
        assert parent_path(path) == parent


class TestTextIndex:
    def make_one(self):
        index = TextIndex()
        index.index_doc(1, "The quick brown fox")
        index.index_doc(2, "A lazy brown dog, a lazy day")
        index.index_doc(3, "<p>Foxes <b>and</b> hounds</p>")
        return index

    def test_a_word_finds_its_documents(self):
        assert sorted(self.make_one().apply("brown").keys()) == [1, 2]

    def test_more_occurrences_score_higher(self):
        index = self.make_one()
        index.index_doc(4, "lazy")
        scores = index.apply("lazy")
        assert scores[2] > 0 and scores[4] > 0 and len(scores) == 2

    def test_and_of_two_words(self):
        assert list(self.make_one().apply("brown AND fox").keys()) == [1]

    def test_phrase(self):
        assert list(self.make_one().apply('"lazy day"').keys()) == [2]

    def test_glob(self):
        assert sorted(self.make_one().apply("fox*").keys()) == [1, 3]

    def test_markup_is_not_text(self):
        assert list(self.make_one().apply("b").keys()) == []

    def test_reindex_replaces_the_words(self):
        index = self.make_one()
        index.index_doc(1, "slow green turtle")
        assert list(index.apply("quick").keys()) == []
        assert list(index.apply("turtle").keys()) == [1]

    def test_unindex_forgets_the_document(self):
        index = self.make_one()
        index.unindex_doc(2)
        assert list(index.apply("brown").keys()) == [1]
        assert (index.value_of(2), len(index)) == (False, 2)

    def test_empty_text_unindexes(self):
        index = self.make_one()
        index.index_doc(1, "")
        assert list(index.apply("quick").keys()) == [] and len(index) == 2

    def test_value_of_says_whether_a_document_has_text(self):
        index = self.make_one()
        assert (index.value_of(1), index.value_of(9)) == (True, False)

    def test_a_malformed_query_raises_parse_error(self):
        from zope.index.text.parsetree import ParseError
        with pytest.raises(ParseError):
            self.make_one().apply("brown AND")
