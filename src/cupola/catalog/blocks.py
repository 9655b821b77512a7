"""Counters that concurrent transactions do not fight over.

The catalog numbers documents (docids) and the text index words (wids)
from counters stored in the catalog's objects. Moving such a counter on
for every new document would make any two transactions that add one
conflict on the counter's object. Instead a process reserves a block of
numbers at once for one of its database connections: the transaction
that needs the first one moves the counter on by the block's size; once
it commits, the rest of the block is that connection's to hand out, in
order, to its later transactions, which then write nothing shared. Two
connections (threads or processes) adding documents at once thus use
numbers far apart, and insert into different buckets of the indexes
keyed by them.

A block is only used while the counter's object, as the asking
transaction sees it, has passed its end: a block reserved by a
transaction that an undo took back is dropped.
"""

import threading
import weakref

_reserved = weakref.WeakKeyDictionary()  # {Connection: {(oid, attribute): [Block]}}
_lock = threading.Lock()


class Block:
    """Numbers [next, end) that one process may hand out."""

    __slots__ = ("next", "end", "serial")

    def __init__(self, start, end):
        self.next, self.end, self.serial = start, end, None

    def take(self, in_use):
        """The next number not *in_use*; None when the block is used up."""
        while self.next < self.end:
            number = self.next
            self.next += 1
            if in_use is None or not in_use(number):
                return number
        return None


def take(obj, attribute, size, in_use=None):
    """A new number from the counter *attribute* of the persistent *obj*
    (the first number nobody reserved), reserving *size* at a time per
    process. *in_use(number)*, when given, skips numbers still in use."""
    jar = obj._p_jar
    if jar is None or obj._p_oid is None:  # not stored: a plain counter
        number = getattr(obj, attribute)
        setattr(obj, attribute, number + 1)
        return number
    txn = jar.transaction_manager.get()
    mine = getattr(obj, "_v_blocks", None) or {}
    block = mine.get(attribute)
    if block is not None and block[0] is txn:  # reserved in this transaction
        number = block[1].take(in_use)
        if number is not None:
            return number
    counter = getattr(obj, attribute)
    with _lock:
        kept = _reserved.setdefault(jar, {}).setdefault((obj._p_oid, attribute), [])
        while kept:
            first = kept[0]
            if counter < first.end:
                if obj._p_serial >= first.serial:
                    kept.pop(0)  # the counter went back (an undo)
                    continue
                break  # an older view than the reservation's: reserve anew
            number = first.take(in_use)
            if number is not None:
                return number
            kept.pop(0)
    block = Block(counter, counter + size)
    setattr(obj, attribute, counter + size)
    mine[attribute] = (txn, block)
    obj._v_blocks = mine
    txn.addAfterCommitHook(_keep, (obj, kept, block))
    return block.take(in_use)


def _keep(committed, obj, kept, block):
    if committed:
        block.serial = obj._p_serial  # the reservation's transaction
        with _lock:
            kept.append(block)


def forget(db):
    """Drop what the connections of *db* reserved (what another process
    knows)."""
    with _lock:
        for conn in [c for c in _reserved.keys() if c.db() is db]:
            del _reserved[conn]
