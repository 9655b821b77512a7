"""zeo:// URIs open a real ZEO server; two apps on it see each other's edits."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def zeo_server(tmp_path):
    port = free_port()
    conf = tmp_path / "zeo.conf"
    conf.write_text(f"<zeo>\n  address 127.0.0.1:{port}\n</zeo>\n"
                    f"<filestorage>\n  path {tmp_path / 'Data.fs'}\n"
                    f"  blob-dir {tmp_path / 'blobs'}\n</filestorage>\n")
    runzeo = Path(sys.executable).with_name("runzeo")
    proc = subprocess.Popen([str(runzeo), "-C", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("runzeo did not start")
    yield f"zeo://127.0.0.1:{port}?blob_dir={tmp_path / 'client-blobs'}&shared_blob_dir=false"
    proc.terminate()
    proc.wait(timeout=10)


def test_two_apps_on_one_zeo_server_see_each_others_edits(zeo_server, tmp_path):
    from webtest import TestApp
    from conftest import Site, build_app, publish
    from cupola.content.document import Document
    first = build_app(zodb_uri=zeo_server)
    second = build_app(zodb_uri=zeo_server.replace("client-blobs", "client-blobs-2"))
    try:
        with Site(first) as site:
            publish(site.add("shared", Document("Written by the first app")))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            page = TestApp(second).get("/shared", expect_errors=True)
            if page.status_int == 200:
                break
            time.sleep(0.1)
        assert "Written by the first app" in page
    finally:
        first.db.close()
        second.db.close()
