"""cupola backup and cupola restore: repozo plus blobs, full and
incremental, to a point in time, and clear refusals."""

import json
import os
import re

import pytest

from cupola.cli import main
from transfer_content import close, differences, make_sample, open_site, png


@pytest.fixture
def site_uri(tmp_path, monkeypatch):
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    uri = f"file://{tmp_path}/live/Data.fs"
    assert main(["init", "--zodb-uri", uri]) == 0
    registry, db, conn, site = open_site(uri)
    make_sample(registry, site)
    close(db, conn)
    return uri


def stamps(folder):
    return sorted(n.split(".")[0] for n in os.listdir(folder) if re.match(r"\d{4}-.*\.(delta)?fsz?$", n))


def test_full_backup_and_restore_keep_content_and_blobs(site_uri, tmp_path, capsys):
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    out = capsys.readouterr()
    assert re.search(r"full backup of .*Data.fs .* [1-9]\d* new blob files", out.out)
    assert "Backing up" in out.err  # the progress display
    restored = f"file://{tmp_path}/restored/Data.fs"
    assert main(["restore", "--zodb-uri", restored, str(backups)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert main(["check", "--zodb-uri", restored]) == 0
    assert "No problems found" in capsys.readouterr().out
    registry, db, conn, live = open_site(site_uri)
    _, db2, conn2, copy = open_site(restored)
    try:
        assert differences(registry, live["sub"], copy["sub"]) == []
        with copy["sub"]["report"].open() as f:
            assert f.read() == bytes(range(256)) * 300
    finally:
        close(db2, conn2, commit=False)
        close(db, conn, commit=False)


def test_incremental_backups_and_a_restore_to_a_point_in_time(site_uri, tmp_path, capsys):
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    first = stamps(backups)[0]
    registry, db, conn, site = open_site(site_uri)
    from cupola.content.operations import create, edit
    create(registry, site["sub"], "Image", {"title": "Later",
                                            "file": (png(5, 5), "later.png", "image/png")},
           name="later")
    edit(registry, site["sub"]["minutes"], {"title": "Changed later"})
    close(db, conn)
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    assert "incremental backup" in capsys.readouterr().out
    assert len(stamps(backups)) == 2
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    assert "had not changed" in capsys.readouterr().out

    then = f"file://{tmp_path}/then/Data.fs"
    assert main(["restore", "--zodb-uri", then, str(backups), "--date", first]) == 0
    now = f"file://{tmp_path}/now/Data.fs"
    assert main(["restore", "--zodb-uri", now, str(backups)]) == 0
    _, db1, conn1, old = open_site(then)
    _, db2, conn2, new = open_site(now)
    try:
        assert "later" not in old["sub"] and old["sub"]["minutes"].title == "Board minutes"
        assert new["sub"]["minutes"].title == "Changed later"
        with new["sub"]["later"].open() as f:
            assert f.read() == png(5, 5)
        # only the blobs the older state knows were restored with it
        count = lambda p: sum(len(files) for _, _, files in os.walk(p))
        assert count(tmp_path / "then" / "blobstorage") < count(tmp_path / "now" / "blobstorage")
    finally:
        close(db2, conn2, commit=False)
        close(db1, conn1, commit=False)


def test_restore_refuses_an_existing_target(site_uri, tmp_path, capsys):
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    capsys.readouterr()
    assert main(["restore", "--zodb-uri", site_uri, str(backups)]) == 1
    err = capsys.readouterr().err
    assert "Data.fs exists" in err and "Traceback" not in err


def test_restore_from_an_empty_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    target = f"file://{tmp_path}/restored/Data.fs"
    assert main(["restore", "--zodb-uri", target, str(tmp_path / "empty")]) == 1
    assert "holds no backup" in capsys.readouterr().err
    assert main(["restore", "--zodb-uri", target, str(tmp_path / "missing")]) == 1
    assert "no backup folder" in capsys.readouterr().err
    assert not (tmp_path / "restored" / "Data.fs").exists()


def test_a_damaged_backup_is_refused_and_nothing_is_left(site_uri, tmp_path, capsys):
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    full = backups / f"{stamps(backups)[0]}.fs"
    data = bytearray(full.read_bytes())
    data[len(data) // 2] ^= 0xFF
    full.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["restore", "--zodb-uri", f"file://{tmp_path}/r/Data.fs", str(backups)]) == 1
    assert "is broken" in capsys.readouterr().err
    assert os.listdir(tmp_path / "r") == []


def test_a_missing_blob_file_is_refused(site_uri, tmp_path, capsys):
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    manifest = next(backups.glob("*.blobs.json"))
    some_blob = next(f for f in json.loads(manifest.read_text())["files"] if f.endswith(".blob"))
    (backups / "blobs" / some_blob).unlink()
    capsys.readouterr()
    assert main(["restore", "--zodb-uri", f"file://{tmp_path}/r/Data.fs", str(backups)]) == 1
    assert "lacks the blob file" in capsys.readouterr().err
    assert os.listdir(tmp_path / "r") == []


def test_a_blob_manifest_that_misses_files_is_caught(site_uri, tmp_path, capsys):
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    manifest = next(backups.glob("*.blobs.json"))
    data = json.loads(manifest.read_text())
    dropped = next(f for f in data["files"] if f.endswith(".blob"))
    del data["files"][dropped]
    manifest.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["restore", "--zodb-uri", f"file://{tmp_path}/r/Data.fs", str(backups)]) == 1
    assert "blob files the restored database needs" in capsys.readouterr().err
    assert os.listdir(tmp_path / "r") == []


def test_backup_refuses_a_folder_with_other_files(site_uri, tmp_path, capsys):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "photo.jpg").write_bytes(b"x")
    assert main(["backup", "--zodb-uri", site_uri, str(tmp_path / "stuff")]) == 1
    assert "not a Cupola backup" in capsys.readouterr().err


def test_backup_of_a_missing_database(tmp_path, capsys):
    assert main(["backup", "--zodb-uri", f"file://{tmp_path}/none/Data.fs",
                 str(tmp_path / "b")]) == 1
    assert "There is no database" in capsys.readouterr().err


@pytest.mark.parametrize("uri,words", [
    ("zeo://127.0.0.1:9100", "back up the FileStorage it serves"),
    ("postgresql://cupola:secret@db.example.org:5433/cms", "pg_dump --host=db.example.org "
     "--port=5433 --username=cupola --format=custom --file=cupola.dump cms"),
    ("memory://", "keeps nothing on disk"),
])
def test_other_storages_get_advice_and_a_non_zero_exit(uri, words, tmp_path, capsys):
    assert main(["backup", "--zodb-uri", uri, str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert words in err and "secret" not in err
    assert main(["restore", "--zodb-uri", uri, str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert ("restore into a new FileStorage" in err if uri.startswith("zeo")
            else words in err)
    assert not (tmp_path / "b").exists()


def test_restore_list_and_bad_dates(site_uri, tmp_path, capsys):
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    capsys.readouterr()
    assert main(["restore", "--list", str(backups)]) == 0
    listing = capsys.readouterr().out
    assert stamps(backups)[0] in listing and "full" in listing
    target = f"file://{tmp_path}/r/Data.fs"
    assert main(["restore", "--zodb-uri", target, str(backups), "--date", "yesterday"]) == 1
    assert "is not a date" in capsys.readouterr().err
    assert main(["restore", "--zodb-uri", target, str(backups), "--date", "2001-01-01"]) == 1
    assert "no backup from before 2001-01-01-00-00-00" in capsys.readouterr().err


def test_verify_checks_the_backup_without_restoring(site_uri, tmp_path, capsys):
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    capsys.readouterr()
    assert main(["restore", "--verify", str(backups)]) == 0
    assert re.search(r"is sound: 1 Data.fs file and [1-9]\d* blob files checked",
                     capsys.readouterr().out)
    manifest = next(backups.glob("*.blobs.json"))
    some_blob = next(f for f in json.loads(manifest.read_text())["files"] if f.endswith(".blob"))
    (backups / "blobs" / some_blob).write_bytes(b"rotten")
    assert main(["restore", "--verify", str(backups)]) == 1
    assert "is damaged" in capsys.readouterr().err


def blob_count(folder):
    return sum(1 for _, _, files in os.walk(folder) for f in files if f.endswith(".blob"))


def test_restore_after_a_pack_brings_back_exactly_the_blobs_in_use(site_uri, tmp_path, capsys):
    from cupola.content.operations import create, delete
    from cupola.content.trash import purge, query_bin
    registry, db, conn, site = open_site(site_uri)
    create(registry, site, "File", {"title": "Gone", "file": (b"g" * 3000, "gone.bin", None)},
           name="gone")
    close(db, conn)
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    first = stamps(backups)[0]
    registry, db, conn, site = open_site(site_uri)
    delete(site["gone"])
    purge(site, query_bin(site).newest()[0].key)
    close(db, conn)
    assert main(["pack", "--zodb-uri", site_uri]) == 0
    assert main(["backup", "--zodb-uri", site_uri, str(backups)]) == 0
    assert "full backup" in capsys.readouterr().out  # the packed file shrank
    assert main(["restore", "--zodb-uri", f"file://{tmp_path}/now/Data.fs", str(backups)]) == 0
    assert main(["restore", "--zodb-uri", f"file://{tmp_path}/then/Data.fs", str(backups),
                 "--date", first]) == 0
    live = blob_count(tmp_path / "live" / "blobstorage")
    assert blob_count(tmp_path / "now" / "blobstorage") == live
    assert blob_count(tmp_path / "then" / "blobstorage") > live
    _, db, conn, then = open_site(f"file://{tmp_path}/then/Data.fs")
    try:
        with then["gone"].open() as f:
            assert f.read() == b"g" * 3000
    finally:
        close(db, conn, commit=False)


def test_gzipped_backups_restore_the_same(site_uri, tmp_path):
    backups = tmp_path / "backups"
    assert main(["backup", "--zodb-uri", site_uri, str(backups), "--gzip"]) == 0
    assert list(backups.glob("*.fsz"))
    restored = f"file://{tmp_path}/restored/Data.fs"
    assert main(["restore", "--zodb-uri", restored, str(backups)]) == 0
    registry, db, conn, live = open_site(site_uri)
    _, db2, conn2, copy = open_site(restored)
    try:
        assert differences(registry, live["sub"], copy["sub"]) == []
    finally:
        close(db2, conn2, commit=False)
        close(db, conn, commit=False)


@pytest.mark.parametrize("text,stamp", [
    ("2026-11-28T18:45:00Z", "2026-11-28-18-45-00"),
    ("2026-11-28T19:45:00+01:00", "2026-11-28-18-45-00"),
    ("2026-11-28 18:45", "2026-11-28-18-45-00"),
    ("2026-11-28", "2026-11-28-00-00-00"),
    ("2026-11-28-18-45-07", "2026-11-28-18-45-07"),
    ("2026-11-28-18", "2026-11-28-18-00-00"),
])
def test_dates_are_read_as_utc(text, stamp):
    from cupola.db.recovery import parse_date
    assert parse_date(text) == stamp
