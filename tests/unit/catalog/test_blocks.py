"""Counters reserved a block at a time per process."""

import pytest
import transaction
from persistent import Persistent
from ZODB import DB
from ZODB.FileStorage import FileStorage

from cupola.catalog import blocks


class Counter(Persistent):
    next = 1


@pytest.fixture
def db(tmp_path):
    db = DB(FileStorage(str(tmp_path / "Data.fs")))
    conn = db.open(transaction.TransactionManager())
    conn.root()["c"] = Counter()
    conn.transaction_manager.commit()
    conn.close()
    yield db
    db.close()


def session(db):
    tm = transaction.TransactionManager()
    return tm, db.open(transaction_manager=tm).root()["c"]


def test_a_counter_outside_a_database_counts_one_by_one():
    counter = Counter()
    assert [blocks.take(counter, "next", 10) for _ in range(3)] == [1, 2, 3]
    assert counter.next == 4


def test_a_block_serves_later_transactions_of_the_connection(db):
    tm, c = session(db)
    assert blocks.take(c, "next", 10) == 1
    tm.commit()
    assert [blocks.take(c, "next", 10) for _ in range(2)] == [2, 3]
    assert not c._p_changed and c.next == 11


def test_another_connection_reserves_its_own_block(db):
    tm, c = session(db)
    blocks.take(c, "next", 10)
    tm.commit()
    other_tm, other = session(db)
    assert blocks.take(other, "next", 10) == 11 and other.next == 21


def test_an_aborted_reservation_is_forgotten(db):
    tm, c = session(db)
    blocks.take(c, "next", 10)
    tm.abort()
    assert blocks.take(c, "next", 10) == 1 and c.next == 11


def test_numbers_in_use_are_skipped(db):
    tm, c = session(db)
    assert blocks.take(c, "next", 10, in_use=lambda n: n in (1, 2)) == 3


def test_a_block_whose_reservation_was_taken_back_is_dropped(db):
    tm, c = session(db)
    blocks.take(c, "next", 10)
    tm.commit()
    c.next = 1  # what an undo of the reservation leaves
    tm.commit()
    assert blocks.take(c, "next", 10) == 1 and c.next == 11


def test_another_process_reserves_its_own_block(db):
    tm, c = session(db)
    blocks.take(c, "next", 10)
    tm.commit()
    blocks.forget(db)
    assert blocks.take(c, "next", 10) == 11
