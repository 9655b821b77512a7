"""The newest committed transaction, asked of the database server itself.

``DB.lastTransaction()`` is what this process last heard of. With one
process that is the truth; with several it can lag: a ZEO client hears of
other processes' commits asynchronously, and RelStorage only learns of
them when one of this process's connections polls. The publisher keys its
response cache and ETags on this id and reads through a connection polled
after it, so each request asks the server first: a process then never
serves what another process's acknowledged commit has changed.

When the server cannot be asked, the publisher falls back to what the
process knows, so that what its caches can answer (and ``@@health``) still
works while the server is away.

The cost is one round trip per request: a ZEO ``ping`` (the server sends
every invalidation before it answers), or one small query on PostgreSQL
(on a connection kept per thread). ``open_storage`` attaches the function
as ``storage.cupola_last_tid``; storages of one process need none.
"""

import threading

from ZODB.utils import p64


class ZEOLastTransaction:
    """A ZEO client's last transaction after a round trip to the server."""

    def __init__(self, storage):
        self.storage = storage

    def __call__(self):
        storage = self.storage
        ping = getattr(storage, "ping", None)  # set once connected
        if ping is None or not storage.is_connected():  # fail now, not after wait_timeout
            from ZEO.Exceptions import ClientDisconnected
            raise ClientDisconnected("not connected to the ZEO server")
        ping()  # answered after every invalidation sent before it
        return self.storage.lastTransaction()


class RelStorageLastTransaction:
    """The newest tid in the RelStorage database, on a connection per thread."""

    def __init__(self, storage):
        self.adapter = storage._adapter
        self.local = threading.local()

    def __call__(self):
        local = self.local
        pair = getattr(local, "pair", None)
        if pair is None:
            pair = local.pair = self.adapter.connmanager.open_for_load()
        conn, cursor = pair
        try:
            tid = self.adapter.txncontrol.get_tid(cursor)
            conn.rollback()  # end the snapshot: the next call sees new commits
        except Exception:
            local.pair = None
            self.adapter.connmanager.close(conn, cursor)
            raise
        return p64(tid)


def attach(storage):
    """Give *storage* a ``cupola_last_tid`` when several processes share it."""
    if hasattr(storage, "_adapter") and hasattr(storage, "blobhelper"):
        storage.cupola_last_tid = RelStorageLastTransaction(storage)
    elif type(storage).__module__.startswith("ZEO."):
        storage.cupola_last_tid = ZEOLastTransaction(storage)
    return storage
