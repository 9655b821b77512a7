"""What two app processes on one shared database must do, for any engine.

A test module subclasses ``ScaleOutContract`` and provides a ``backend``
fixture with ``uri(client)``, ``down()``, ``up()``, ``open_db()`` and
``folder`` (see test_zeo.py and test_relstorage.py).
"""

import os
import threading

import pytest

from scaleout import App, title_of, wait_for

WRITERS_PER_APP = 3
WRITES_PER_WRITER = 10


def stored_titles(db, folder="news", prefix=""):
    """{title: count} of the documents in /folder whose title starts with *prefix*."""
    import transaction
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        tm.begin()
        counts = {}
        for child in conn.root()["cupola.site"][folder].values():
            title = getattr(child, "title", "")
            if title.startswith(prefix):
                counts[title] = counts.get(title, 0) + 1
        return counts
    finally:
        tm.abort()
        conn.close()


class ScaleOutContract:

    @pytest.fixture
    def apps(self, backend):
        first = App(backend.uri(0), backend.folder, "app-0")
        second = None
        try:
            second = App(backend.uri(1), backend.folder, "app-1")
            yield first.sign_in(), second.sign_in()
        finally:
            for app in (first, second):
                if app is not None:
                    app.stop()

    def test_edits_on_one_app_are_seen_at_once_on_the_other(self, apps):
        """Each read follows the other process's acknowledged write with no
        pause and no retry, including pages the reader had cached."""
        first, second = apps
        for i in range(4):
            writer, reader = (first, second) if i % 2 == 0 else (second, first)
            assert writer.add_document("/news", f"Round {i}", name=f"round-{i}") == 303
            status, _, body = reader.get(f"/news/round-{i}")
            assert (status, title_of(body)) == (200, f"Round {i}"), i
            assert reader.get(f"/news/round-{i}")[0] == 200  # now in its response cache
            assert reader.edit(f"/news/round-{i}", f"Round {i}, edited") == 303
            status, _, body = writer.get(f"/news/round-{i}")
            assert (status, title_of(body)) == (200, f"Round {i}, edited"), i

    def test_a_page_cached_by_both_apps_changes_at_once_when_one_edits_it(self, apps):
        """Both processes hold the anonymous page in their response caches;
        an edit through either one is what the other serves next."""
        first, second = apps
        assert first.add_document("/news", "Cached", name="cached") == 303
        for i in range(4):
            for app in apps:
                for _ in range(2):  # rendered, then answered from the cache
                    status, _, body = app.get("/news/cached")
                    assert status == 200
            editor, other = (first, second) if i % 2 == 0 else (second, first)
            assert editor.edit("/news/cached", f"Cached {i}") == 303
            status, _, body = other.get("/news/cached")
            assert (status, title_of(body)) == (200, f"Cached {i}"), i

    def test_concurrent_writers_on_both_apps_lose_no_acknowledged_write(self, apps, backend):
        """Writers on both processes add to one folder at once: conflicts are
        replayed; what was acknowledged is stored, exactly once; nothing 500s."""
        acked, refused, failed = [], [], []
        lock = threading.Lock()

        def writer(app, who):
            for n in range(WRITES_PER_WRITER):
                title = f"concurrent {who} {n}"
                status = app.add_document("/news", title)
                with lock:
                    (acked if status == 303 else refused if status == 503
                     else failed).append((title, status))

        threads = [threading.Thread(target=writer, args=(app, f"{a}-{w}"))
                   for a, app in enumerate(apps) for w in range(WRITERS_PER_APP)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads)
        assert failed == []
        total = 2 * WRITERS_PER_APP * WRITES_PER_WRITER
        assert len(acked) + len(refused) == total
        assert len(acked) >= total // 2, refused  # retries resolve most conflicts
        db = backend.open_db()
        try:
            stored = stored_titles(db, prefix="concurrent ")
        finally:
            db.close()
        assert sorted(stored) == sorted(t for t, _ in acked)  # refused ones were aborted
        assert set(stored.values()) == {1}

    def test_a_blob_uploaded_on_one_app_downloads_on_the_other(self, apps):
        first, second = apps
        data = os.urandom(300_000)
        assert first.add_file("/news", "upload.bin", data) == 303
        status, headers, body = second.get("/news/upload.bin/@@download")
        assert status == 200
        assert body == data
        data2 = os.urandom(70_000)
        assert second.add_file("/news", "back.bin", data2) == 303
        assert first.get("/news/back.bin/@@download")[2] == data2

    def test_a_database_restart_answers_503_then_recovers_without_restarting_apps(
            self, apps, backend):
        first, second = apps
        assert first.add_document("/news", "Before", name="before") == 303
        backend.down()
        try:
            for app in apps:
                # a read may still be answered from the process's caches (ZEO's
                # client cache); what it must never do is fail with a 500
                status, _, body = app.get("/news/before/@@edit", signed_in=True)
                assert status in (200, 503), (status, body[:300])
                assert b"Traceback" not in body
                status, _, body = app.post_form("/news/++add++Document", {
                    "_action": "publish", "title": "While down"})
                assert status == 503, (status, body[:300])
                assert b"Traceback" not in body
        finally:
            backend.up()
        for app in apps:
            # @@health is what a load balancer asks before it sends traffic back
            wait_for(lambda: app.get("/@@health")[0] == 200, 60, 0.2,
                     f"{app.name} to reconnect")
            assert app.get("/news/before/@@edit", signed_in=True)[0] == 200
        assert second.add_document("/news", "After", name="after") == 303
        status, _, body = first.get("/news/after")
        assert (status, title_of(body)) == (200, "After")
        assert first.proc.poll() is None and second.proc.poll() is None
        db = backend.open_db()
        try:
            assert "While down" not in stored_titles(db)
        finally:
            db.close()
