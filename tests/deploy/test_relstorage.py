"""Several app processes on RelStorage with a private PostgreSQL cluster.

One cluster per test session (per xdist worker): initdb into a temporary
folder, ``postgres`` on a free port, stopped and removed at the end; each
test gets a database of its own. ``postgresql://`` URIs open RelStorage with
blobs kept in the database and a blob cache per app process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaleout import Postgres, find_pg_bin
from scaleout_contract import ScaleOutContract

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def postgres():
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (make deploy-deps installs it)")
    cluster = Postgres(bin_dir)
    yield cluster
    cluster.destroy()


class RelStorageBackend:
    def __init__(self, cluster, folder):
        self.cluster, self.folder = cluster, folder
        self.base = cluster.create_database()

    def uri(self, client):
        return f"{self.base}?blob_dir={self.folder}/cache-{client}&shared_blob_dir=false"

    def down(self):
        self.cluster.stop()

    def up(self):
        if self.cluster.proc.poll() is not None:
            self.cluster.start()

    def open_db(self):
        from cupola.db.storage import open_db
        return open_db(self.uri("test-process"))


@pytest.fixture
def backend(postgres, tmp_path):
    backend = RelStorageBackend(postgres, tmp_path)
    yield backend
    backend.up()  # the next test needs the cluster running


class TestRelStorage(ScaleOutContract):
    pass


def test_an_unreachable_database_is_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUPOLA_")}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "cupola"), "init", "--zodb-uri",
         "postgresql://cupola:secret@127.0.0.1:1/nowhere"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "Cannot open the RelStorage database postgres://cupola:***@127.0.0.1:1/nowhere" \
        in done.stderr
    assert "secret" not in done.stderr and "Traceback" not in done.stderr


def test_cupola_check_runs_beside_the_apps_on_relstorage(backend, tmp_path):
    from scaleout import App
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
