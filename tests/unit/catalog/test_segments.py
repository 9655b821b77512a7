"""The text index's segments: recent batches written once, merged later."""

import random

import pytest
import transaction
from pyroaring import BitMap
from ZODB import DB
from ZODB.FileStorage import FileStorage
from ZODB.POSException import ConflictError

from cupola.catalog import segments as seg
from cupola.catalog.textindex import TextIndex


def ranked(index, word):
    total, pairs = index.rank(word)
    return total, [(d, round(s, 9)) for d, s in pairs]


class TestSegments:
    def test_a_batch_goes_to_one_segment_and_leaves_the_main_postings(self):
        index = TextIndex()
        index.index_docs([(1, "harbour bridge"), (2, "harbour wall")])
        assert len(index._segments) == 1 and not index._postings
        assert index.docids("harbour") == BitMap([1, 2])

    def test_more_than_max_segments_are_combined_into_one(self):
        index = TextIndex()
        for docid in range(1, seg.MAX_SEGMENTS + 2):
            index.index_doc(docid, f"harbour word{docid}")
        assert len(index._segments) == 1 and not index._postings
        assert index.docids("harbour") == BitMap(range(1, seg.MAX_SEGMENTS + 2))

    def test_a_big_segment_is_left_alone_when_small_ones_are_combined(self):
        index = TextIndex()
        index.index_docs([(d, "bulk words") for d in range(1, 201)])
        big = next(iter(index._segments.values()))
        for docid in range(300, 300 + seg.MAX_SEGMENTS):
            index.index_doc(docid, "one more")
        assert len(index._segments) == 2 and big in list(index._segments.values())

    def test_merge_docs_in_segments_go_to_the_main_postings(self, monkeypatch):
        monkeypatch.setattr(seg, "MERGE_DOCS", 5)
        index = TextIndex()
        for docid in range(1, 5):
            index.index_doc(docid, "harbour")
        assert len(index._segments) == 4 and not index._postings
        index.index_doc(5, "harbour")
        assert not index._segments and not index._superseded and not index._stale
        assert index.docids("harbour") == BitMap(range(1, 6))

    def test_many_big_segments_are_merged_rather_than_combined(self, monkeypatch):
        monkeypatch.setattr(seg, "MERGE_DOCS", 100)
        index = TextIndex()
        for batch in range(seg.MAX_SEGMENTS + 1):
            index.index_docs([(batch * 10 + i, "harbour") for i in range(1, 11)])
        assert not index._segments and len(index.docids("harbour")) == 90

    def test_an_edit_hides_the_main_postings_until_the_merge_drops_them(self):
        index = TextIndex()
        index.index_docs([(1, "old words here"), (2, "old too")])
        index.merge()
        index.index_doc(1, "new words")
        assert list(index._stale.keys()) == [1] and 1 in index._superseded
        assert (index.docids("old"), index.docids("words")) == (BitMap([2]), BitMap([1]))
        index.merge()
        assert (index.docids("old"), index.docids("here")) == (BitMap([2]), BitMap())
        assert not index._stale and not index._superseded

    def test_an_edit_marks_the_earlier_segment_dead(self):
        index = TextIndex()
        index.index_doc(1, "first version")
        first = next(iter(index._segments.values()))
        index.index_doc(1, "second version")
        assert 1 in first.dead and index.docids("first") == BitMap()
        assert ranked(index, "version")[0] == 1

    def test_unindexing_a_merged_document(self):
        index = TextIndex()
        index.index_docs([(1, "harbour"), (2, "harbour")])
        index.merge()
        index.unindex_doc(1)
        assert index.docids("harbour") == BitMap([2]) and len(index) == 1
        index.merge()
        assert index.docids("harbour") == BitMap([2]) and index._postings

    @pytest.mark.parametrize("merge_docs", [20, 400, 10_000])
    def test_random_edits_rank_as_the_merged_index_does(self, monkeypatch, merge_docs):
        monkeypatch.setattr(seg, "MERGE_DOCS", merge_docs)
        rng = random.Random(merge_docs)
        vocabulary = [f"w{i}" for i in range(60)]
        index, truth = TextIndex(), {}
        for step in range(250):
            batch = []
            for _ in range(rng.randint(1, 6)):
                docid = rng.randrange(1, 400)
                if rng.random() < 0.15:
                    batch.append((docid, None))
                    truth.pop(docid, None)
                else:
                    truth[docid] = rng.choices(vocabulary, k=rng.randint(1, 30))
                    batch.append((docid, " ".join(truth[docid])))
            index.index_docs(batch)
            if step % 50 == 49:
                for word in vocabulary[::7]:
                    expected = BitMap(d for d, w in truth.items() if word in w)
                    assert index.docids(word) == expected, (step, word)
        before = {w: ranked(index, w) for w in vocabulary[:30]}
        index.merge()
        assert not index._segments
        assert {w: ranked(index, w) for w in vocabulary[:30]} == before
        for word in vocabulary[:30]:
            assert before[word][0] == sum(1 for w in truth.values() if word in w)


@pytest.fixture
def db(tmp_path):  # FileStorage: MappingStorage resolves no conflicts
    db = DB(FileStorage(str(tmp_path / "Data.fs")))
    yield db
    db.close()


def opened(db):
    return db.open(transaction.TransactionManager())


class TestConcurrency:
    def setup_index(self, db, docs):
        conn = opened(db)
        conn.root()["text"] = index = TextIndex()
        index.index_docs(docs)
        conn.transaction_manager.commit()
        conn.close()

    def test_two_transactions_adding_documents_with_the_same_words_both_commit(self, db):
        # docids apart, as the catalog's docid blocks give two processes
        self.setup_index(db, [(1, "harbour bridge"), (1000, "harbour")])
        a, b = opened(db), opened(db)
        a.root()["text"].index_docs([(2, "harbour wall")])
        b.root()["text"].index_docs([(2000, "harbour bridge")])
        a.transaction_manager.commit()
        b.transaction_manager.commit()
        check = opened(db)
        assert check.root()["text"].docids("harbour") == BitMap([1, 2, 1000, 2000])
        assert len(check.root()["text"]) == 4

    def test_an_edit_racing_a_merge_is_replayed(self, db):
        self.setup_index(db, [(1, "harbour bridge"), (2, "old pier")])
        first = opened(db)
        first.root()["text"].index_doc(2, "new pier")  # 2 superseded
        first.transaction_manager.commit()
        merger, editor = opened(db), opened(db)
        editor.root()["text"].index_doc(2, "rebuilt pier")
        merger.root()["text"].merge()
        merger.transaction_manager.commit()
        with pytest.raises(ConflictError):
            editor.transaction_manager.commit()
        editor.transaction_manager.abort()
        editor.root()["text"].index_doc(2, "rebuilt pier")
        editor.transaction_manager.commit()
        text = opened(db).root()["text"]
        assert (text.docids("rebuilt"), text.docids("new"), text.docids("old")) \
            == (BitMap([2]), BitMap(), BitMap())


class TestBuilding:
    def test_of_words_counts_each_words_documents_and_tfs(self):
        from array import array
        segment = seg.Segment.of_words([7, 3], [4, 2], array("I", [5, 9, 5, 5, 9, 2]))
        assert list(segment.wids) == [2, 5, 9]
        assert [list(a) for a in segment.postings(5)] == [[7], [3]]
        assert [list(a) for a in segment.postings(9)] == [[3, 7], [1, 1]]
        assert [list(a) for a in segment.postings(2)] == [[3], [1]]

    def test_of_words_caps_tf_at_255(self):
        from array import array
        segment = seg.Segment.of_words([1], [300], array("I", [4] * 300))
        assert list(segment.postings(4)[1]) == [255]

    def test_of_words_of_unindexed_documents_only(self):
        from array import array
        segment = seg.Segment.of_words([1, 2], [0, 0], array("I"))
        assert len(segment) == 2 and segment.postings(1) == seg._EMPTY

    def test_combined_leaves_out_dead_documents(self):
        from array import array
        first = seg.Segment.of_words([1, 2], [2, 1], array("I", [5, 6, 5]))
        second = seg.Segment.of_words([3, 2], [1, 1], array("I", [6, 6]))
        first.dead.add(2)
        both = seg.combined([first, second])
        assert both.docids == BitMap([1, 2, 3])
        assert [list(a) for a in both.postings(5)] == [[1], [1]]
        assert [list(a) for a in both.postings(6)] == [[1, 2, 3], [1, 1, 1]]

    def test_flatten_puts_removals_in_word_and_docid_order(self):
        from array import array
        segment = seg.Segment.of_words([4, 9], [1, 1], array("I", [5, 5]))
        wids, docids, tfs = seg.flatten([segment], [(5, 6), (3, 1)])
        assert (wids.tolist(), docids.tolist(), tfs.tolist()) == (
            [3, 5, 5, 5], [1, 4, 6, 9], [0, 1, 0, 1])
