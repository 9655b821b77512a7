"""Which records conflict when two transactions add into one folder.

    .venv/bin/python bench/folder_conflicts.py              # as built
    .venv/bin/python bench/folder_conflicts.py --no-order-resolution

A full site (every add-on the default configuration includes, the catalog
too) is bootstrapped on a FileStorage in a temporary directory, with a
folder of ``--existing`` Documents.  Then ``--rounds`` times: two
connections, each with its own transaction manager, add a Document each
to that folder through ``cupola.content.operations.create`` (all the
subscribers run: catalog queue, workflow, revisions, owner role), and
commit one after the other, so the second always commits against a
record the first has just changed.

For the second commit every store of a record changed since its
transaction began is tried through ZODB's conflict resolution first, so
that each record that would conflict is counted, not just the first one
ZODB stops at; the commit then fails as ZODB would make it fail.  Prints
how many second commits conflicted and, per class, how many records were
resolved and how many were not.  ``--no-order-resolution`` takes the
folder order's ``_p_resolveConflict`` away, to show the figure before it.
No timing: this counts conflicts.
"""

import argparse
import collections
import sys
import tempfile
from pathlib import Path

import transaction
from ZODB.POSException import ConflictError
from ZODB.utils import get_pickle_metadata, z64


def site_on_file(path):
    from cupola.db.bootstrap import bootstrap
    from cupola.db.storage import open_db
    from cupola.wsgi import configure
    uri = f"file://{path}"
    config = configure({"zodb_uri": uri})
    db = open_db(uri)
    bootstrap(db, admin_password="bench-secret-pw", echo=None,
              registry=config.registry)
    return config.registry, db


class Writer:
    """A connection whose stores are checked record by record."""

    def __init__(self, db, stats, labels=None):
        self.db, self.stats, self.labels = db, stats, labels or {}
        self.tm = transaction.TransactionManager()
        self.conn = db.open(transaction_manager=self.tm)
        self.tm.begin()
        self.error = None
        adapter = self.conn._storage
        store = adapter.store

        def checked_store(oid, serial, data, version, txn):
            if serial != z64 and not self._resolves(oid, serial, data):
                return                  # not stored: the commit will fail
            return store(oid, serial, data, version, txn)
        adapter.store = checked_store
        commit = self.conn.commit

        def commit_then_fail(txn):
            commit(txn)
            if self.error is not None:
                raise self.error
        self.conn.commit = commit_then_fail

    def _resolves(self, oid, serial, data):
        base = self.db.storage
        _, current = base.load(oid)
        if current == serial:
            return True
        name = ".".join(get_pickle_metadata(data))
        if oid in self.labels:
            name = f"{name} ({self.labels[oid]})"
        try:
            base.tryToResolveConflict(oid, current, serial, data)
        except ConflictError as e:
            self.stats[name]["conflicted"] += 1
            self.error = self.error or e
            return False
        self.stats[name]["resolved"] += 1
        return True

    def close(self):
        self.tm.abort()
        # the pool hands this connection (and its storage adapter) out again
        del self.conn._storage.store, self.conn.commit
        self.conn.close()


def add_document(registry, writer, path, title):
    from cupola.content.operations import create
    from cupola.registry import pop_registry, push_registry
    push_registry(registry)
    try:
        folder = writer.conn.root()["cupola.site"][path]
        create(registry, folder, "Document", {"title": title},
               creator="admin")
    finally:
        pop_registry()


def commit(registry, writer):
    from cupola.registry import pop_registry, push_registry
    push_registry(registry)
    try:
        writer.tm.commit()
    finally:
        pop_registry()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--existing", type=int, default=100,
                        help="Documents in the folder before the rounds")
    parser.add_argument("--no-order-resolution", action="store_true")
    args = parser.parse_args(argv)
    if args.no_order_resolution:
        from cupola.content.ordernodes import OrderInner, OrderLeaf
        del OrderLeaf._p_resolveConflict, OrderInner._p_resolveConflict

    stats = collections.defaultdict(collections.Counter)
    with tempfile.TemporaryDirectory() as tmp:
        registry, db = site_on_file(Path(tmp) / "Data.fs")
        setup = Writer(db, stats)
        from cupola.content.operations import create
        from cupola.registry import pop_registry, push_registry
        push_registry(registry)
        folder = create(registry, setup.conn.root()["cupola.site"], "Folder",
                        {"title": "Bench"}, name="bench", creator="admin")
        for i in range(args.existing):
            create(registry, folder, "Document", {"title": f"seed {i}"},
                   creator="admin")
        setup.tm.commit()
        pop_registry()
        labels = {folder._p_oid: "the folder",
                  folder._items._p_oid: "the folder's _items",
                  folder._count._p_oid: "the folder's Length",
                  folder._order._leaf_of._p_oid: "the order's _leaf_of"}
        setup.close()

        failed = 0
        for i in range(args.rounds):
            one, two = Writer(db, stats, labels), Writer(db, stats, labels)
            add_document(registry, one, "bench", f"one {i}")
            add_document(registry, two, "bench", f"two {i}")
            commit(registry, one)
            try:
                commit(registry, two)
            except ConflictError:
                failed += 1
            one.close()
            two.close()
        check = Writer(db, stats)
        bench = check.conn.root()["cupola.site"]["bench"]
        bench._order.check()
        stored = len(bench)
        check.close()
        db.close()

    print(f"{args.rounds} rounds of two concurrent adds into one folder of "
          f"{args.existing} Documents"
          + (" (order resolution off)" if args.no_order_resolution else ""))
    print(f"second commit conflicted: {failed} of {args.rounds}; "
          f"the folder holds {stored}")
    print(f"{'class (of records changed on both sides)':64} "
          f"{'resolved':>9} {'conflicted':>11}")
    for name, counts in sorted(stats.items()):
        print(f"{name:64} {counts['resolved']:9} {counts['conflicted']:11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
