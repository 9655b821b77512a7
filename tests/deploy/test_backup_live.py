"""Backups and packs next to real server processes: `cupola serve` holding
a FileStorage, and a ZEO server (runzeo) serving one."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import transaction

from cupola.cli import main
from transfer_content import make_sample

pytestmark = pytest.mark.slow
START_TIMEOUT = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(proc, port, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"exited with {proc.returncode}: {Path(log).read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listened on {port}: {Path(log).read_text()}")


def start(args, cwd, port):
    log = Path(cwd) / f"process-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUPOLA_")}
    env["CUPOLA_ADMIN_PASSWORD"] = "pw-for-tests"
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    wait_for_port(proc, port, log)
    return proc


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def with_site(uri, change):
    from cupola.db.bootstrap import get_site
    from cupola.db.storage import open_db
    from cupola.registry import pop_registry, push_registry
    from cupola.wsgi import configure
    registry = configure({}).registry
    push_registry(registry)
    db = open_db(uri)
    conn = db.open()
    try:
        result = change(registry, get_site(conn))
        transaction.commit()
        return result
    finally:
        transaction.abort()
        conn.close()
        db.close()
        pop_registry()


def script(name):
    return str(Path(sys.executable).with_name(name))


@pytest.fixture
def serving(tmp_path, monkeypatch):
    """A site with sample content, served by `cupola serve`."""
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    uri = f"file://{tmp_path}/live/Data.fs"
    assert main(["init", "--zodb-uri", uri]) == 0
    with_site(uri, make_sample)
    port = free_port()
    proc = start([script("cupola"), "serve", "--port", str(port), "--zodb-uri", uri],
                 tmp_path, port)
    yield uri, proc, port
    stop(proc)


def test_backup_and_restore_while_the_site_is_served(serving, tmp_path, capsys):
    uri, proc, port = serving
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", uri, str(backups)]) == 0
    assert "full backup" in capsys.readouterr().out
    restored = f"file://{tmp_path}/restored/Data.fs"
    assert main(["restore", "--zodb-uri", restored, str(backups)]) == 0
    assert main(["export", "--zodb-uri", uri, "/sub", str(tmp_path / "live-export")]) == 0
    assert main(["export", "--zodb-uri", restored, "/sub", str(tmp_path / "restored-export")]) == 0
    live = {p.relative_to(tmp_path / "live-export"): p.read_bytes()
            for p in (tmp_path / "live-export").rglob("*") if p.is_file()}
    copy = {p.relative_to(tmp_path / "restored-export"): p.read_bytes()
            for p in (tmp_path / "restored-export").rglob("*") if p.is_file()}
    assert live == copy and len(live) > 10
    assert proc.poll() is None  # the server never noticed


def test_pack_of_a_served_file_storage_names_the_server(serving, capsys):
    uri, proc, port = serving
    assert main(["pack", "--zodb-uri", uri]) == 1
    err = capsys.readouterr().err
    assert f"in use by process {proc.pid}" in err and "Traceback" not in err


@pytest.fixture
def zeo(tmp_path):
    port = free_port()
    conf = tmp_path / "zeo.conf"
    conf.write_text(f"<zeo>\n  address 127.0.0.1:{port}\n</zeo>\n"
                    f"<filestorage>\n  path {tmp_path / 'server' / 'Data.fs'}\n"
                    f"  blob-dir {tmp_path / 'server' / 'blobstorage'}\n</filestorage>\n")
    (tmp_path / "server").mkdir()
    proc = start([script("runzeo"), "-C", str(conf)], tmp_path, port)
    yield (f"zeo://127.0.0.1:{port}?blob_dir={tmp_path / 'client-blobs'}",
           tmp_path / "server" / "Data.fs")
    stop(proc)


def test_pack_through_a_zeo_server_and_back_up_its_file(zeo, tmp_path, monkeypatch, capsys):
    uri, data_fs = zeo
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    assert main(["init", "--zodb-uri", uri]) == 0
    with_site(uri, make_sample)
    for n in range(15):
        with_site(uri, lambda registry, site, n=n: setattr(
            site["sub"]["minutes"], "description", f"take {n} " * 200))
    before = data_fs.stat().st_size
    capsys.readouterr()
    assert main(["pack", "--zodb-uri", uri]) == 0
    out = capsys.readouterr().out
    assert "Packing through the ZEO server" in out
    found = re.search(r"([\d.]+) kB -> ([\d.]+) kB", out)
    assert found and float(found.group(2)) < float(found.group(1)), out
    assert data_fs.stat().st_size < before
    assert with_site(uri, lambda registry, site: site["sub"]["minutes"].description) \
        == "take 14 " * 200

    assert main(["backup", "--zodb-uri", uri, str(tmp_path / "b")]) == 2
    assert "back up the FileStorage it serves" in capsys.readouterr().err
    assert main(["backup", "--zodb-uri", f"file://{data_fs}", str(tmp_path / "b")]) == 0
    assert main(["restore", "--zodb-uri", f"file://{tmp_path}/r/Data.fs",
                 str(tmp_path / "b")]) == 0
    assert with_site(f"file://{tmp_path}/r/Data.fs",
                     lambda registry, site: site["sub"]["report"].open().read()) \
        == bytes(range(256)) * 300


def test_export_and_import_through_a_zeo_server(zeo, tmp_path, monkeypatch, capsys):
    uri, data_fs = zeo
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    assert main(["init", "--zodb-uri", uri]) == 0
    with_site(uri, make_sample)
    assert main(["export", "--zodb-uri", uri, "/sub", str(tmp_path / "out")]) == 0
    assert main(["import", "--zodb-uri", uri, str(tmp_path / "out"), "--into", "/news"]) == 0
    assert main(["export", "--zodb-uri", uri, "/sub/inner", str(tmp_path / "inner.zexp")]) == 0
    assert main(["import", "--zodb-uri", uri, str(tmp_path / "inner.zexp"), "--into", "/about"]) == 0
    capsys.readouterr()

    def read(registry, site):
        with site["news"]["sub"]["report"].open() as f:
            data = f.read()
        found = {b.path for b in site.catalog.search(None, unrestricted=True, text="deep")}
        return data, found
    data, found = with_site(uri.replace("client-blobs", "other-client-blobs"), read)
    assert data == bytes(range(256)) * 300
    assert found == {"/sub/inner/deep", "/news/sub/inner/deep", "/about/inner/deep"}


@pytest.fixture(scope="module")
def postgres():
    from scaleout import Postgres, find_pg_bin
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (make deploy-deps installs it)")
    cluster = Postgres(bin_dir)
    yield cluster
    cluster.destroy()


def test_relstorage_pack_and_the_pg_dump_advice_that_works(postgres, tmp_path, monkeypatch,
                                                           capsys):
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    base = postgres.create_database()
    uri = f"{base}?blob_dir={tmp_path}/cache&shared_blob_dir=false"
    assert main(["init", "--zodb-uri", uri]) == 0
    with_site(uri, make_sample)
    for n in range(5):
        with_site(uri, lambda registry, site, n=n: setattr(
            site["sub"]["minutes"], "description", f"take {n}"))
    capsys.readouterr()
    assert main(["pack", "--zodb-uri", uri]) == 0
    assert "Packing through the database" in capsys.readouterr().out
    assert with_site(uri, lambda r, site: site["sub"]["minutes"].description) == "take 4"

    assert main(["backup", "--zodb-uri", uri, str(tmp_path / "b")]) == 2
    advice = capsys.readouterr().err
    commands = dict(re.findall(r"^  (back up|restore):  (.*)$", advice, re.M))
    dump, restore = commands["back up"].split(), commands["restore"].split()
    assert dump[0] == "pg_dump" and restore[0] == "pg_restore"
    copy = postgres.create_database()
    target = copy.rsplit("/", 1)[1]
    run = lambda argv: subprocess.run([str(postgres.bin / argv[0])] + argv[1:], cwd=tmp_path,
                                      capture_output=True, text=True, timeout=120)
    done = run(dump)
    assert done.returncode == 0, done.stderr
    done = run([a.replace(f"--dbname={base.rsplit('/', 1)[1]}", f"--dbname={target}")
                for a in restore])
    assert done.returncode == 0, done.stderr
    copy_uri = f"{copy}?blob_dir={tmp_path}/cache2&shared_blob_dir=false"
    assert with_site(copy_uri, lambda r, site: site["sub"]["report"].open().read()) \
        == bytes(range(256)) * 300
