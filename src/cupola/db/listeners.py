"""Data managers that store nothing but hear how a transaction goes.

A ``TransactionListener`` joined to a transaction (``txn.join(listener)``)
is called through the two-phase commit like a storage; every step does
nothing until a subclass overrides it. The publisher's vote marker and
the text index's learnt words are such listeners.
"""


class TransactionListener:
    """A data manager with nothing to store; override the steps to hear."""

    transaction_manager = None
    sort_key = "cupola-listener"  # where it votes among the data managers

    def abort(self, txn):
        pass

    def tpc_begin(self, txn):
        pass

    def commit(self, txn):
        pass

    def tpc_vote(self, txn):
        pass

    def tpc_finish(self, txn):
        pass

    def tpc_abort(self, txn):
        pass

    def sortKey(self):
        return self.sort_key
