"""Conflict retry replays the whole request; unknown commit outcomes never do."""

import pytest
from ZODB.POSException import ConflictError

from conftest import build_app, csrf_from


def make(view, method="POST", **settings):
    from cupola.interfaces import ISite

    def include(config):
        config.add_view(view, "probe", context=ISite, permission="cupola.View",
                        request_method=method, csrf=False)
    from webtest import TestApp
    return TestApp(build_app(include, **settings))


class TestConflictRetry:
    def test_request_is_replayed_with_the_same_body(self):
        seen = []

        def probe(context, request):
            seen.append(request.form.get("value"))
            if len(seen) < 3:
                raise ConflictError("simulated")
            context.settings["value"] = request.form["value"]
            return "stored"

        app = make(probe)
        assert app.post("/@@probe", {"value": "42"}).text == "stored"
        assert seen == ["42", "42", "42"]

    def test_gives_up_with_503_after_the_retries(self):
        calls = []

        def probe(context, request):
            calls.append(1)
            raise ConflictError("always")

        response = make(probe, retries="3").post("/@@probe", {"v": "1"}, status=503)
        assert len(calls) == 4
        assert response.headers["Retry-After"] == "1"

    def test_real_write_conflict_between_two_connections_is_retried(self):
        """Another connection commits the same object mid-request: replayed."""
        import transaction
        attempts = []

        def probe(context, request):
            attempts.append(1)
            context.settings["n"] = context.settings.get("n", 0) + 1
            if len(attempts) == 1:
                tm = transaction.TransactionManager()
                other = request.conn.db().open(transaction_manager=tm)
                with tm:
                    site = other.root()["cupola.site"]
                    site.settings["n"] = site.settings.get("n", 0) + 1
                other.close()
            return "ok"

        app = make(probe)
        app.post("/@@probe", {"x": "1"})
        assert len(attempts) == 2
        tm = transaction.TransactionManager()
        conn = app.app.db.open(transaction_manager=tm)
        assert conn.root()["cupola.site"].settings["n"] == 2  # no lost write
        conn.close()


class Failing:
    """A data manager that raises *error* from its *phase* (a two-phase
    commit method) on the requests whose number is in *on* (all: None),
    as a storage does when its server goes away at that moment."""

    def __init__(self, phase, error, calls, on=None):
        self.phase, self.error, self.calls, self.on = phase, error, calls, on

    def _step(self, name):
        if name == self.phase and (self.on is None or len(self.calls) in self.on):
            raise self.error

    def abort(self, txn): pass
    def tpc_begin(self, txn): self._step("tpc_begin")
    def commit(self, txn): self._step("commit")
    def tpc_vote(self, txn): self._step("tpc_vote")
    def tpc_abort(self, txn): pass
    def tpc_finish(self, txn): self._step("tpc_finish")
    def sortKey(self): return "~failing"


def failing_probe(calls, *args, **kw):
    """A view that changes the site and joins a Failing data manager."""
    def probe(context, request):
        calls.append(1)
        context.settings["x"] = len(calls)
        request.conn.transaction_manager.get().join(Failing(*args, calls, **kw))
        return "ok"
    return probe


class TestUnknownOutcome:
    def test_storage_error_in_the_second_phase_is_503_and_not_replayed(self):
        from ZODB.POSException import StorageError
        calls = []
        probe = failing_probe(calls, "tpc_finish", StorageError("connection lost"))
        response = make(probe).post("/@@probe", {"a": "b"}, status=503)
        assert len(calls) == 1
        assert "may or may not have been applied" in response

    def test_a_zeo_connection_lost_before_the_second_phase_is_replayed(self, monkeypatch):
        import cupola.publisher
        from ZEO.Exceptions import ClientDisconnected
        monkeypatch.setattr(cupola.publisher, "RECONNECT_WAIT", 0)
        calls = []
        lost = ClientDisconnected("tpc_vote", "on a disconnected transaction")
        probe = failing_probe(calls, "tpc_vote", lost, on={1})
        assert make(probe).post("/@@probe", {"a": "b"}, status=200).text == "ok"
        assert len(calls) == 2

    def test_a_zeo_connection_lost_in_the_second_phase_is_not_replayed(self):
        from ZEO.Exceptions import ClientDisconnected
        calls = []
        lost = ClientDisconnected("tpc_finish", "on a disconnected transaction")
        response = make(failing_probe(calls, "tpc_finish", lost)).post(
            "/@@probe", {"a": "b"}, status=503)
        assert len(calls) == 1 and "may or may not have been applied" in response

    def test_a_database_gone_for_good_before_the_vote_is_503_nothing_saved(
            self, monkeypatch):
        import cupola.publisher
        from ZODB.POSException import StorageError
        monkeypatch.setattr(cupola.publisher, "RECONNECT_WAIT", 0)
        calls = []
        probe = failing_probe(calls, "tpc_begin", StorageError("server unreachable"))
        response = make(probe, retries="2").post("/@@probe", {"a": "b"}, status=503)
        assert len(calls) == 3 and "Please try again" in response
