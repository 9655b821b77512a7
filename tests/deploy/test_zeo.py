"""Several app processes on one ZEO server started by ``cupola zeo``.

The contract (scaleout_contract.py): edits seen at once across processes,
concurrent writers with no lost write, blobs across processes, a server
restart answered with 503 and recovered from without restarting the apps.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from scaleout import App, ZeoServer, free_port, wait_for
from scaleout_contract import ScaleOutContract

pytestmark = pytest.mark.slow


class ZeoBackend:
    def __init__(self, folder):
        self.folder = folder
        self.server = ZeoServer(folder)

    def uri(self, client):
        return self.server.uri(client)

    def down(self):
        self.server.stop()

    def up(self):
        self.server = self.server.restarted()

    def open_db(self):
        from cupola.db.storage import open_db
        return open_db(self.server.uri("test-process"))

    def close(self):
        self.server.stop()


@pytest.fixture
def backend(tmp_path):
    backend = ZeoBackend(tmp_path)
    yield backend
    backend.close()


class TestZeo(ScaleOutContract):
    pass


def test_cupola_zeo_prints_where_it_listens(backend, tmp_path):
    assert (f"ZEO server for {tmp_path}/Data.fs listening on 127.0.0.1:"
            f"{backend.server.port}") in backend.server.output()


def test_cupola_zeo_stops_cleanly_on_sigterm(backend, tmp_path):
    backend.server.stop()
    assert backend.server.proc.returncode == 0
    assert (tmp_path / "Data.fs.index").exists()  # the next start need not scan


def test_cupola_zeo_refuses_a_data_fs_in_use(backend, tmp_path):
    second = subprocess.run(
        [str(Path(sys.executable).parent / "cupola"), "zeo", "--address",
         f"127.0.0.1:{free_port()}", "--zodb-uri", f"file://{tmp_path}/Data.fs"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert second.returncode == 1
    assert f"is in use by process {backend.server.pid}" in second.stderr
    assert "Traceback" not in second.stderr


def test_the_documented_runzeo_configuration_serves_cupola(tmp_path):
    """docs/deploy.md's zeo.conf for those who run ZEO's own runzeo."""
    port = free_port()
    conf = tmp_path / "zeo.conf"
    conf.write_text(f"<zeo>\n  address 127.0.0.1:{port}\n</zeo>\n"
                    f"<filestorage>\n  path {tmp_path / 'Data.fs'}\n"
                    f"  blob-dir {tmp_path / 'blobs'}\n</filestorage>\n")
    runzeo = Path(sys.executable).with_name("runzeo")
    server = subprocess.Popen([str(runzeo), "-C", str(conf)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    app = None
    try:
        app = App(f"zeo://127.0.0.1:{port}?blob_dir={tmp_path}/cache", tmp_path)
        assert app.sign_in().add_document("/news", "Through runzeo", name="r") == 303
        wait_for(lambda: app.get("/news/r")[0] == 200, 10, what="the page")
    finally:
        if app is not None:
            app.stop()
        server.terminate()
        server.wait(timeout=20)


def test_cupola_check_runs_beside_the_apps_on_zeo(backend, tmp_path):
    app = App(backend.uri("app"), tmp_path)
    try:
        assert app.sign_in().add_file("/news", "kept.bin", b"kept" * 500) == 303
        done = subprocess.run(
            [str(Path(sys.executable).parent / "cupola"), "check", "--zodb-uri",
             backend.uri("check")], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    finally:
        app.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No problems found." in done.stdout
    assert "1 blob files found" in done.stdout
