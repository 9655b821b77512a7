"""cupola pack on a FileStorage: history and unreferenced blobs go, the
current state stays; a database in use is a clear error."""

import os
import re

import pytest

from cupola.cli import main
from transfer_content import close, make_sample, open_site


def blob_files(folder):
    return sum(1 for _, _, files in os.walk(folder) for f in files if f.endswith(".blob"))


@pytest.fixture
def site_uri(tmp_path, monkeypatch):
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    uri = f"file://{tmp_path}/Data.fs"
    assert main(["init", "--zodb-uri", uri]) == 0
    registry, db, conn, site = open_site(uri)
    make_sample(registry, site)
    close(db, conn)
    from cupola.content.operations import create, delete, edit
    from cupola.content.trash import purge, query_bin
    for n in range(20):  # history to drop
        registry, db, conn, site = open_site(uri)
        edit(registry, site["sub"]["minutes"], {"description": f"take {n}"})
        close(db, conn)
    registry, db, conn, site = open_site(uri)
    create(registry, site, "File", {"title": "Gone", "file": (b"x" * 5000, "gone.bin", None)},
           name="gone")
    close(db, conn)
    registry, db, conn, site = open_site(uri)
    delete(site["gone"])
    purge(site, query_bin(site).newest()[0].key)
    close(db, conn)
    return uri


def test_pack_shrinks_the_database_and_keeps_the_current_state(site_uri, tmp_path, capsys):
    registry, db, conn, site = open_site(site_uri)
    from cupola.transfer import export_tree
    export_tree(registry, site["sub"], tmp_path / "before")
    close(db, conn, commit=False)
    size, blobs = (tmp_path / "Data.fs").stat().st_size, blob_files(tmp_path / "blobstorage")
    assert main(["pack", "--zodb-uri", site_uri, "--days", "0"]) == 0
    out = capsys.readouterr()
    assert "Packing" in out.err
    found = re.search(r"Data.fs ([\d.]+ [kM]B) -> ([\d.]+ [kM]B); blobs (\d+) files .* -> (\d+) files",
                      out.out)
    assert found and found.group(1) != found.group(2)
    assert (int(found.group(3)), int(found.group(4))) == (blobs, blobs - 1)
    assert (tmp_path / "Data.fs").stat().st_size < size
    assert blob_files(tmp_path / "blobstorage") == blobs - 1
    assert "Data.fs.old" in out.out
    registry, db, conn, site = open_site(site_uri)
    try:
        export_tree(registry, site["sub"], tmp_path / "after")
        assert site["sub"]["minutes"].description == "take 19"
        with site["sub"]["report"].open() as f:
            assert f.read() == bytes(range(256)) * 300
    finally:
        close(db, conn, commit=False)
    before = {p.relative_to(tmp_path / "before"): p.read_bytes()
              for p in (tmp_path / "before").rglob("*") if p.is_file()}
    after = {p.relative_to(tmp_path / "after"): p.read_bytes()
             for p in (tmp_path / "after").rglob("*") if p.is_file()}
    assert before == after


def test_pack_keeping_recent_days_keeps_the_undo_history(site_uri, tmp_path, capsys):
    size = (tmp_path / "Data.fs").stat().st_size
    assert main(["pack", "--zodb-uri", site_uri, "--days", "1"]) == 0
    assert "keeping what changed in the last 1 day" in capsys.readouterr().out
    assert (tmp_path / "Data.fs").stat().st_size == size


def test_pack_of_a_database_in_use_is_a_clear_error(site_uri, capsys):
    from cupola.db.storage import open_db
    db = open_db(site_uri)
    try:
        assert main(["pack", "--zodb-uri", site_uri]) == 1
        err = capsys.readouterr().err
        assert "is in use by process" in err and "Traceback" not in err
        assert "pack through that: cupola pack --zodb-uri zeo://" in err
    finally:
        db.close()


def test_pack_refuses_bad_input(tmp_path, capsys):
    assert main(["pack", "--zodb-uri", f"file://{tmp_path}/none/Data.fs"]) == 1
    assert "There is no database" in capsys.readouterr().err
    assert main(["pack", "--zodb-uri", "memory://"]) == 1
    assert "nothing to pack" in capsys.readouterr().err
    assert main(["pack", "--zodb-uri", f"file://{tmp_path}/Data.fs", "--days", "-3"]) == 1
    assert "cannot be negative" in capsys.readouterr().err
