"""The compact BM25 text index and its posting lists."""

import random
from array import array

import pytest
import transaction
from pyroaring import BitMap
from ZODB import DB
from zope.index.text.parsetree import ParseError

from cupola.catalog import postings as plist
from cupola.catalog.text import Analyzer, make_lexicon
from cupola.catalog.textindex import TextIndex


def make_one(language=None, stemming=False, docs=()):
    index = TextIndex(language, stemming)
    for docid, text in docs:
        index.index_doc(docid, text)
    return index


FOXES = [(1, "The quick brown fox"), (2, "A lazy brown dog, a lazy day"),
         (3, "<p>Foxes <b>and</b> hounds</p>")]


class TestAnalyzer:
    @pytest.mark.parametrize("language, stemming", [
        (None, False), ("en", False), ("en", True), ("fr", True), ("de", True)])
    @pytest.mark.parametrize("text", [
        "<p>The Über runner</p> running dogs", "l'homme qu’il dell'arte",
        "東京都に行く", "Caf&eacute; H<sub>2</sub>O don't", "Häuser und Straßen",
        "<script>x()</script>visible &amp; shown"])
    def test_keys_are_those_of_the_lexicon_pipeline(self, language, stemming, text):
        lexicon = make_lexicon(language, stemming)
        expected = [lexicon.get_word(w) for w in lexicon.sourceToWordIds(text)]
        assert Analyzer(language, stemming).keys(text) == expected

    def test_parse_terms_keeps_globs_and_drops_stop_words(self):
        assert Analyzer("en", True).parse_terms("The Runnin*") == ["runnin*"]


class TestPostings:
    def test_encode_decode_round_trip_in_every_width(self):
        for gap in (1, 300, 70_000):
            docids = array("I", range(5, 5 + gap * 40, gap))
            tfs = array("B", [i % 7 + 1 for i in range(40)])
            assert plist.decode(plist.encode(docids, tfs)) == (docids, tfs)

    def test_a_rare_word_is_bytes_in_the_bucket(self):
        postings = plist.update(None, [1, 5, 9], [1, 2, 1])
        assert isinstance(postings, bytes) and plist.count(postings) == 3

    def test_appends_freeze_full_chunks(self):
        postings, n = None, 3 * plist.CHUNK + 40
        for start in range(0, n, 100):
            docids = list(range(start, min(n, start + 100)))
            postings = plist.update(postings, docids, [2] * len(docids))
        chain, tail = postings
        assert [c[1] for c in chain.chunks] == [plist.CHUNK] * 3
        docids, tfs = plist.read(postings)
        assert list(docids) == list(range(n))
        assert plist.count(postings) == n and set(tfs) == {2}

    def test_changes_inside_a_frozen_chunk(self):
        evens = list(range(0, 2 * plist.CHUNK, 2))
        postings = plist.update(None, evens, [1] * len(evens))
        postings = plist.update(postings, [3, 4, 2 * plist.CHUNK + 1], [9, 0, 1])
        docids, tfs = plist.read(postings)
        assert 3 in docids and 4 not in docids
        assert tfs[list(docids).index(3)] == 9
        assert plist.count(postings) == plist.CHUNK + 1

    def test_appending_to_a_tail_leaves_the_chain_unread(self):
        class Untouchable:
            @property
            def chunks(self):
                raise AssertionError("the chain was read")
        chain = Untouchable()
        postings = plist.update((chain, plist.tail_bytes(array("I", [5]), array("B", [1]))),
                                [9, 12], [2, 1])
        assert postings[0] is chain
        assert plist.tail_arrays(postings[1]) == (array("I", [5, 9, 12]), array("B", [1, 2, 1]))

    @pytest.mark.parametrize("docids", [[5], [5, 9, 70_000], [100, 200, 65_635], [0, 65_535]])
    def test_tail_round_trip_narrow_and_wide(self, docids):
        tfs = array("B", [3] * len(docids))
        tail = plist.tail_bytes(array("I", docids), tfs)
        assert tail[0] == (1 if docids[-1] - docids[0] < 65536 else 0)
        assert plist.tail_arrays(tail) == (array("I", docids), tfs)

    def test_appends_that_outgrow_a_narrow_tail_widen_it(self):
        postings = plist.update(None, [10, 20], [1, 1])
        postings = plist.update(postings, [70_000], [2])
        assert postings[0] == 0 and list(plist.read(postings)[0]) == [10, 20, 70_000]

    def test_removing_everything_leaves_nothing(self):
        postings = plist.update(None, [1, 2], [1, 1])
        assert plist.update(postings, [1, 2], [0, 0]) is None


class TestUpdateAll:
    """postings.update_all: every word of a merge at once, as update()."""

    @pytest.mark.parametrize("seed", range(6))
    def test_the_same_as_update_word_by_word(self, seed):
        import random
        import numpy as np
        rng = random.Random(seed)
        one, many = {}, {}
        for round_ in range(6):
            changes = {}  # {wid: {docid: tf}}
            for wid in rng.sample(range(1, 60), 40):
                start = rng.choice([round_ * 3000, rng.randrange(0, 20_000), 100_000 * round_])
                span = rng.choice([50, 5000, 90_000])
                docids = sorted(rng.sample(range(start, start + span),
                                           min(span, rng.choice([1, 3, 40, 700]))))
                changes[wid] = {d: rng.choice([0, 1, 2, 255]) if rng.random() < 0.1
                                else rng.randint(1, 9) for d in docids}
            for wid, found in sorted(changes.items()):
                docids = sorted(found)
                updated = plist.update(one.get(wid), docids, [found[d] for d in docids])
                if updated is None:
                    one.pop(wid, None)
                else:
                    one[wid] = updated
            triples = sorted((w, d, t) for w, f in changes.items() for d, t in f.items())
            plist.update_all(many, *(np.array(col, dtype=dtype) for col, dtype in zip(
                zip(*triples), (np.uint32, np.uint32, np.uint8))))
            assert sorted(one) == sorted(many)
            for wid in one:
                assert [list(a) for a in plist.read(one[wid])] == [
                    list(a) for a in plist.read(many[wid])], wid

    def test_nothing_to_do(self):
        import numpy as np
        store = {}
        plist.update_all(store, np.zeros(0, np.uint32), np.zeros(0, np.uint32),
                         np.zeros(0, np.uint8))
        assert store == {}


class TestQueries:
    def test_a_word_finds_its_documents(self):
        assert make_one(docs=FOXES).docids("brown") == BitMap([1, 2])

    def test_and_or_not(self):
        index = make_one(docs=FOXES)
        assert index.docids("brown AND fox") == BitMap([1])
        assert index.docids("fox OR hounds") == BitMap([1, 3])
        assert index.docids("brown NOT lazy") == BitMap([1])
        assert index.docids("brown -fox") == BitMap([2])
        assert index.docids("(quick OR lazy) AND brown") == BitMap([1, 2])

    def test_phrase_needs_the_words_in_order(self):
        index = make_one(docs=FOXES + [(4, "day lazy")])
        assert index.docids('"lazy day"') == BitMap([2])
        assert index.docids('"brown fox"') == BitMap([1])
        assert index.docids('"fox brown"') == BitMap()

    def test_glob(self):
        assert make_one(docs=FOXES).docids("fox*") == BitMap([1, 3])

    def test_markup_is_not_text(self):
        assert make_one(docs=FOXES).docids("b") == BitMap()

    def test_unknown_word_finds_nothing(self):
        assert make_one(docs=FOXES).rank("zebra") == (0, [])

    @pytest.mark.parametrize("query", ["brown AND", "", "   ", "NOT", "-fox"])
    def test_malformed_query_raises_parse_error(self, query):
        with pytest.raises(ParseError):
            make_one(docs=FOXES).docids(query)

    def test_stop_words_and_stems(self):
        index = make_one("en", True, [
            (1, "<p>Cooking pasta at home.</p>"),
            (2, "<h1>Running</h1><p>Runners run; running is fun.</p>"),
            (3, "<p>A walk in the park, then a short run.</p>")])
        assert [d for d, _ in index.rank("running")[1]] == [2, 3]
        assert index.docids('"short runs"') == BitMap([3])
        assert index.docids("pas*") == BitMap([1])

    def test_cjk_query_is_a_phrase_of_bigrams(self):
        index = make_one(docs=[(1, "東京都庁"), (2, "京都の寺"), (3, "東京と京都")])
        assert index.docids("東京都") == BitMap([1])


class TestRanking:
    def test_more_occurrences_and_shorter_documents_rank_higher(self):
        index = make_one(docs=FOXES + [(4, "lazy"), (5, "lazy " + "filler " * 50)])
        total, ranked = index.rank("lazy")
        assert total == 3 and [d for d, _ in ranked] == [4, 2, 5]
        assert all(score > 0 for _, score in ranked)

    def test_candidates_and_limit(self):
        index = make_one(docs=[(d, "common " * (d % 5 + 1)) for d in range(1, 101)])
        total, ranked = index.rank("common", candidates=BitMap(range(1, 51)), limit=3)
        assert total == 50 and len(ranked) == 3
        assert all(d <= 50 for d, _ in ranked)
        full = index.rank("common", candidates=BitMap(range(1, 51)))[1]
        assert ranked == full[:3]

    def test_ties_are_in_docid_order(self):
        index = make_one(docs=[(d, "same words") for d in (7, 3, 5)])
        assert [d for d, _ in index.rank("same")[1]] == [3, 5, 7]

    def test_apply_gives_scores_by_docid(self):
        scores = make_one(docs=FOXES).apply("brown")
        assert sorted(scores) == [1, 2] and scores[1] > 0


class TestWriting:
    def test_term_frequency_is_capped_at_255(self):
        index = make_one(docs=[(1, "word " * 1000 + "other")])
        index.merge()
        docids, tfs = plist.read(index._postings[index._wids["word"]])
        assert (list(docids), list(tfs)) == ([1], [255])
        assert index._lengths[1] == 1001

    def test_reindex_replaces_the_words(self):
        index = make_one(docs=FOXES)
        index.index_doc(1, "slow green turtle")
        assert (index.docids("quick"), index.docids("turtle")) == (BitMap(), BitMap([1]))
        assert len(index) == 3

    def test_unindex_forgets_the_document(self):
        index = make_one(docs=FOXES)
        index.unindex_doc(2)
        assert index.docids("lazy") == BitMap() and len(index) == 2
        assert (index.value_of(2), index.value_of(1)) == (False, True)

    def test_empty_text_and_only_stop_words_unindex(self):
        index = make_one("en", docs=FOXES)
        index.index_doc(1, "")
        index.index_doc(2, "the and of")
        assert index.docids() == BitMap([3]) and len(index) == 1

    def test_a_batch_keeps_the_last_text_of_a_document(self):
        index = make_one()
        index.index_docs([(1, "first words"), (2, "other"), (1, "second words")])
        assert index.docids("first") == BitMap() and index.docids("second") == BitMap([1])

    def test_average_length_follows_edits(self):
        index = make_one(docs=[(1, "a b c d"), (2, "e f")])
        index.index_doc(1, "a")
        index.unindex_doc(2)
        assert (index._total(), len(index)) == (1, 1)

    def test_random_edits_agree_with_a_brute_force_search(self):
        rng = random.Random(7)
        vocabulary = [f"w{i}" for i in range(120)]
        index, truth = make_one(), {}
        for _ in range(300):
            batch = []
            for _ in range(rng.randint(1, 8)):
                docid = rng.randrange(1, 1500)
                if rng.random() < 0.15:
                    batch.append((docid, None))
                    truth.pop(docid, None)
                else:
                    words = rng.choices(vocabulary, k=rng.randint(1, 40))
                    batch.append((docid, " ".join(words)))
                    truth[docid] = words
            index.index_docs(batch)
        for word in vocabulary[:40]:
            expected = BitMap(d for d, words in truth.items() if word in words)
            assert index.docids(word) == expected, word
            total, ranked = index.rank(word)
            assert total == len(expected) == len(ranked)
        assert len(index) == len(truth)
        assert index._total() == sum(len(w) for w in truth.values())

    def test_stored_in_zodb_and_read_back(self):
        db = DB(None)
        try:
            writer = db.open(transaction.TransactionManager())
            writer.root()["index"] = index = make_one("en", True)
            index.index_docs([(d, f"running number{d % 7} dogs") for d in range(1, 1500)])
            writer.transaction_manager.commit()
            reader = db.open(transaction.TransactionManager())
            copy = reader.root()["index"]
            assert copy.docids("run AND number3") == index.docids("run AND number3")
            assert len(copy.docids("dog")) == 1499
            reader.transaction_manager.abort()
        finally:
            db.close()

    def test_a_query_kept_for_a_transaction_sees_the_next_one(self):
        db = DB(None)
        try:
            writer = db.open(transaction.TransactionManager())
            writer.root()["index"] = make_one(docs=[(1, "harbour bridge")])
            writer.transaction_manager.commit()
            reader = db.open(transaction.TransactionManager())
            index = reader.root()["index"]
            assert index.docids("harbour") == BitMap([1])
            assert index.rank("harbour")[0] == 1  # the same, kept
            writer.root()["index"].index_doc(2, "harbour master")
            writer.transaction_manager.commit()
            reader.transaction_manager.abort()  # the reader's next transaction
            assert index.docids("harbour") == BitMap([1, 2])
            index.index_doc(3, "harbour wall")  # its own change, same transaction
            assert index.rank("harbour")[0] == 3
            reader.transaction_manager.abort()
        finally:
            db.close()

    def test_docids_gives_a_bitmap_the_caller_may_change(self):
        db = DB(None)
        try:
            conn = db.open(transaction.TransactionManager())
            conn.root()["index"] = index = make_one(docs=FOXES)
            conn.transaction_manager.commit()
            index.docids("brown").clear()
            assert index.docids("brown") == BitMap([1, 2])
            conn.transaction_manager.abort()
        finally:
            db.close()
