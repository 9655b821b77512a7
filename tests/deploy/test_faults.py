"""Faults, each caused for real: kill -9, a ZEO connection cut during a
commit, a full disk, blob files gone, a Data.fs opened twice."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scaleout import App, ZeoServer, clean_env, free_port, wait_for
from scaleout_contract import stored_titles

pytestmark = pytest.mark.slow
CUPOLA = str(Path(sys.executable).parent / "cupola")


def run_cupola(*args, cwd, timeout=120, env=None):
    return subprocess.run([CUPOLA, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=clean_env(env))


def open_file_db(path):
    from cupola.db.storage import open_db
    return open_db(f"file://{path}")


def titles_in(path, prefix):
    db = open_file_db(path)
    try:
        return stored_titles(db, prefix=prefix)
    finally:
        db.close()


# -- kill -9 ------------------------------------------------------------------------

def test_kill_9_during_writes_loses_no_acknowledged_write(tmp_path):
    data_fs = tmp_path / "Data.fs"
    app = App(f"file://{data_fs}", tmp_path)
    acked, attempted = [], []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(w):
        n = 0
        while not stop.is_set():
            title = f"kill {w} {n}"
            n += 1
            with lock:
                attempted.append(title)
            try:
                status = app.add_document("/news", title, timeout=30)
            except OSError:  # the process is gone
                return
            if status == 303:
                with lock:
                    acked.append(title)

    try:
        app.sign_in()
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        wait_for(lambda: len(acked) >= 40, 120, 0.01, "40 acknowledged writes")
        app.kill9()  # in the middle of the stream: four writers are in flight
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        stop.set()
        app.stop()
    check = run_cupola("check", "--zodb-uri", f"file://{data_fs}", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No problems found." in check.stdout
    stored = titles_in(data_fs, "kill ")
    assert set(acked) <= set(stored)  # every acknowledged write survived
    assert set(stored) <= set(attempted) and set(stored.values()) == {1}
    again = App(f"file://{data_fs}", tmp_path, "app-again")  # and it serves again
    try:
        assert again.get("/news")[0] == 200
    finally:
        again.stop()


# -- a ZEO connection cut during a commit -------------------------------------------------

class CommitCutter:
    """A TCP proxy between an app and its ZEO server. When armed, it lets the
    app's next ``tpc_finish`` reach the server, drops the server's answer and
    cuts the connection: the commit happened, the app cannot know it."""

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.armed = threading.Event()
        self.cuts = 0
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
            self.sockets += [client, upstream]
            cut = threading.Event()
            threading.Thread(target=self._to_server, args=(client, upstream, cut),
                             daemon=True).start()
            threading.Thread(target=self._to_client, args=(upstream, client, cut),
                             daemon=True).start()

    def _to_server(self, client, upstream, cut):
        tail = b""
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                seen = tail + data
                tail = data[-16:]
                if self.armed.is_set() and b"tpc_finish" in seen:
                    cut.set()  # before forwarding: the answer must not get through
                    upstream.sendall(data)
                    time.sleep(0.5)  # the server commits and answers into the void
                    self.armed.clear()
                    self.cuts += 1
                    break
                upstream.sendall(data)
        except OSError:
            pass
        for s in (client, upstream):
            _close(s)

    def _to_client(self, upstream, client, cut):
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                if not cut.is_set():
                    client.sendall(data)
        except OSError:
            pass
        for s in (client, upstream):
            _close(s)

    def close(self):
        _close(self.listener)
        for s in self.sockets:
            _close(s)


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def test_a_zeo_disconnect_during_commit_is_never_replayed(tmp_path):
    server = ZeoServer(tmp_path)
    cutter = CommitCutter(server.port)
    app = None
    try:
        app = App(f"zeo://127.0.0.1:{cutter.port}?blob_dir={tmp_path}/cache&wait_timeout=5",
                  tmp_path).sign_in()
        titles = [f"cut {n}" for n in range(10)]
        for title in titles[:4]:
            assert app.add_document("/news", title) == 303
        cutter.armed.set()
        status, _, body = app.post_form("/news/++add++Document",
                                        {"_action": "publish", "title": titles[4]})
        assert cutter.cuts == 1
        assert status == 503
        assert b"may or may not have been applied" in body
        wait_for(lambda: app.get("/news/@@contents", signed_in=True)[0] == 200, 60, 0.2,
                 "the app to reconnect")
        for title in titles[5:]:
            assert app.add_document("/news", title) == 303
        from cupola.db.storage import open_db
        db = open_db(server.uri("test-process"))
        try:
            stored = stored_titles(db, prefix="cut ")
        finally:
            db.close()
        # the cut commit did happen on the server, and was not applied again
        assert stored == {title: 1 for title in titles}
        assert "commit outcome unknown" in app.output()
    finally:
        if app is not None:
            app.stop()
        cutter.close()
        server.stop()


# -- a full disk ------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs of our own: filling it fills nothing else."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs",
                           str(mount_point)], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    yield mount_point
    for _ in range(20):
        if subprocess.run(["umount", str(mount_point)], capture_output=True,
                          timeout=30).returncode == 0:
            return
        time.sleep(0.5)
    subprocess.run(["umount", "-l", str(mount_point)], timeout=30)


def fill(folder):
    path = folder / "filler"
    with open(path, "wb") as f:
        try:
            while True:
                f.write(b"\0" * (1 << 16))
                f.flush()
        except OSError:
            pass
    return path


def test_a_full_disk_aborts_cleanly_and_writes_resume_without_a_restart(small_disk, tmp_path):
    data_fs = small_disk / "Data.fs"
    app = App(f"file://{data_fs}", tmp_path)
    try:
        app.sign_in()
        assert app.add_document("/news", "disk before", name="before") == 303
        filler = fill(small_disk)
        for attempt in range(3):
            status, _, body = app.post_form("/news/++add++Document", {
                "_action": "publish", "title": f"disk full {attempt}", "text": "x" * 5000})
            assert status == 503, (status, body[:300])
            assert b"run out of disk space" in body and b"Traceback" not in body
        assert app.add_file("/news", "full.bin", os.urandom(200_000)) == 503
        assert app.get("/news/before")[0] == 200  # reading goes on
        filler.unlink()
        assert app.add_document("/news", "disk after", name="after") == 303
        assert app.add_file("/news", "after.bin", b"resumed" * 1000) == 303
        assert app.get("/news/after.bin/@@download")[2] == b"resumed" * 1000
        assert app.proc.poll() is None  # the same process all along
    finally:
        app.stop()
    check = run_cupola("check", "--zodb-uri", f"file://{data_fs}", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert sorted(titles_in(data_fs, "disk ")) == ["disk after", "disk before"]


# -- blobs missing, a Data.fs opened twice ---------------------------------------------------

def test_a_database_missing_its_blob_files_refuses_to_start(tmp_path):
    data_fs = tmp_path / "Data.fs"
    app = App(f"file://{data_fs}", tmp_path)
    try:
        assert app.sign_in().add_file("/news", "report.bin", b"important" * 100) == 303
    finally:
        app.stop()
    shutil.rmtree(tmp_path / "blobstorage")  # restored Data.fs without its blobs
    port = free_port()
    done = run_cupola("serve", "--zodb-uri", f"file://{data_fs}", "--port", str(port),
                      cwd=tmp_path)
    assert done.returncode == 1
    assert "references 1 of its 1 blob files that are missing from the blob folder" \
        in done.stderr
    assert "Restore the blob folder" in done.stderr and "Traceback" not in done.stderr
    zeo = run_cupola("zeo", "--address", f"127.0.0.1:{port}", "--zodb-uri",
                     f"file://{data_fs}", cwd=tmp_path)
    assert zeo.returncode == 1 and "blob files that are missing" in zeo.stderr
    check = run_cupola("check", "--zodb-uri", f"file://{data_fs}", cwd=tmp_path)
    assert check.returncode == 1 and "blob file is missing" in check.stdout


def test_a_second_process_on_the_same_data_fs_gets_a_clear_lock_error(tmp_path):
    data_fs = tmp_path / "Data.fs"
    app = App(f"file://{data_fs}", tmp_path)
    try:
        done = run_cupola("serve", "--zodb-uri", f"file://{data_fs}", "--port",
                          str(free_port()), cwd=tmp_path)
        assert done.returncode == 1
        assert f"The database {data_fs} is in use by process {app.pid}" in done.stderr
        assert "ZEO" in done.stderr and "Traceback" not in done.stderr
        assert app.get("/")[0] == 200  # the first process is unharmed
    finally:
        app.stop()


def test_a_full_disk_under_the_zeo_server_aborts_cleanly_and_recovers(small_disk, tmp_path):
    server = ZeoServer(small_disk)
    app = None
    try:
        app = App(server.uri("app").replace(f"{small_disk}/cache-app", f"{tmp_path}/cache"),
                  tmp_path).sign_in()
        assert app.add_document("/news", "zeo disk before") == 303
        filler = fill(small_disk)
        status, _, body = app.post_form("/news/++add++Document", {
            "_action": "publish", "title": "zeo disk full", "text": "x" * 5000})
        assert status == 503, (status, body[:300])
        assert b"run out of disk space" in body and b"Traceback" not in body
        filler.unlink()
        assert app.add_document("/news", "zeo disk after") == 303
        assert app.proc.poll() is None and server.proc.poll() is None
        from cupola.db.storage import open_db
        db = open_db(server.uri("test-process").replace(
            f"{small_disk}/cache-test-process", f"{tmp_path}/cache-test"))
        try:
            assert sorted(stored_titles(db, prefix="zeo disk")) == [
                "zeo disk after", "zeo disk before"]
        finally:
            db.close()
    finally:
        if app is not None:
            app.stop()
        server.stop()
