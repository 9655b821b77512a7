"""Text to word ids: the per-connection cache and the lexicon."""

import pytest
import transaction
from pyroaring import BitMap
from ZODB import DB

from cupola.catalog.textindex import TextIndex
from cupola.catalog.wordids import decode_words, encode_words


@pytest.fixture
def index():
    db = DB(None)
    conn = db.open(transaction.TransactionManager())
    conn.root()["index"] = index = TextIndex("en")
    conn.transaction_manager.commit()
    index.index_doc(1, "apple")  # reserves a block of wids
    conn.transaction_manager.commit()
    yield index
    conn.transaction_manager.abort()
    db.close()


def test_a_word_first_met_in_an_aborted_transaction_is_found_later(index):
    tm = index._p_jar.transaction_manager
    index.index_doc(2, "zebra")
    tm.abort()
    index.index_doc(3, "zebra banana")
    tm.commit()
    assert index.docids("zebra") == BitMap([3])
    assert index._wids["zebra"] == decode_words(index._docs[3])[0]


def test_a_word_of_a_failed_commit_is_found_later(index):
    tm = index._p_jar.transaction_manager
    index.index_doc(2, "quince")
    tm.get().doom()
    with pytest.raises(transaction.interfaces.DoomedTransaction):
        tm.commit()
    tm.abort()
    index.index_doc(3, "quince")
    tm.commit()
    assert index.docids("quince") == BitMap([3])


def test_words_learnt_after_a_rolled_back_savepoint_are_forgotten(index):
    tm = index._p_jar.transaction_manager
    index.index_doc(2, "plum")
    savepoint = tm.savepoint()
    index.index_doc(3, "walnut")
    savepoint.rollback()
    index.index_doc(4, "walnut plum")
    tm.commit()
    assert index.docids("walnut") == BitMap([4])
    assert index.docids("plum") == BitMap([2, 4])


def test_words_learnt_in_a_before_commit_hook_are_kept(index):
    tm = index._p_jar.transaction_manager
    tm.get().addBeforeCommitHook(index.index_doc, (2, "fig"))  # as the queue flushes
    tm.commit()
    assert index._word_ids().known["fig"] == index._wids["fig"]
    assert index.docids("fig") == BitMap([2])


def test_words_of_a_commit_are_kept(index):
    tm = index._p_jar.transaction_manager
    index.index_doc(2, "The Cherry")
    tm.commit()
    words = index._word_ids()
    assert words.known["Cherry"] == index._wids["cherry"]
    assert words.known["The"] == 0  # a stop word: no wid


def test_text_gives_wids_in_order_without_stop_words(index):
    wids = index._word_ids()("<p>The apple and the apple tree</p>")
    lexicon = index._wids
    assert wids == [lexicon["apple"], lexicon["apple"], lexicon["tree"]]


def test_cases_and_accents_share_a_wid(index):
    assert index._word_ids()("Über uber UBER") == [index._wids["uber"]] * 3


@pytest.mark.parametrize("wids", [[1, 2, 3, 300, 65535, 2], [1, 70_000, 5], [7]])
def test_word_records_round_trip(wids):
    assert list(decode_words(encode_words(wids))) == wids


def test_a_full_cache_is_emptied_and_filled_again(index, monkeypatch):
    from cupola.catalog import wordids
    monkeypatch.setattr(wordids, "CACHE_SIZE", 4)
    words = index._word_ids()
    first = words("red green blue")
    assert words("red green blue cyan magenta") == first + [
        index._wids["cyan"], index._wids["magenta"]]
    assert len(words.known) == 5
