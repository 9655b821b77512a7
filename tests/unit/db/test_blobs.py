"""The start-time check: a database whose blob files are missing refuses to open."""

import shutil

import pytest
import transaction
from ZODB.blob import Blob

from cupola.db.blobs import MissingBlobs, find_missing_blobs
from cupola.db.storage import open_db
from cupola.exceptions import ConfigurationError


def make_db(tmp_path, blobs=3):
    db = open_db("file://var/Data.fs", base=str(tmp_path))
    conn = db.open()
    root = conn.root()
    for i in range(blobs):
        blob = root[f"blob-{i}"] = Blob()
        with blob.open("w") as f:
            f.write(b"bytes %d" % i)
    root["plain"] = {"not": "a blob"}
    transaction.commit()
    conn.close()
    db.close()
    return tmp_path / "var" / "blobstorage"


def test_a_complete_database_opens(tmp_path):
    make_db(tmp_path)
    open_db("file://var/Data.fs", base=str(tmp_path)).close()


def test_an_empty_database_opens(tmp_path):
    open_db("file://var/Data.fs", base=str(tmp_path)).close()
    open_db("file://var/Data.fs", base=str(tmp_path)).close()


def test_missing_blob_folder_refuses_to_open_and_says_why(tmp_path):
    folder = make_db(tmp_path)
    shutil.rmtree(folder)
    with pytest.raises(MissingBlobs) as caught:
        open_db("file://var/Data.fs", base=str(tmp_path))
    message = str(caught.value)
    assert "references 3 of its 3 blob files that are missing" in message
    assert str(folder) in message
    assert "CUPOLA_CHECK_BLOBS=off" in message
    # the refused open released the lock: a later open is not "in use"
    with pytest.raises(MissingBlobs):
        open_db("file://var/Data.fs", base=str(tmp_path))


def test_one_missing_blob_file_is_found(tmp_path):
    folder = make_db(tmp_path)
    victim = sorted(folder.rglob("*.blob"))[1]
    victim.unlink()
    with pytest.raises(MissingBlobs, match="references 1 of its 3 blob files"):
        open_db("file://var/Data.fs", base=str(tmp_path))


def test_the_check_can_be_turned_off(tmp_path, monkeypatch):
    shutil.rmtree(make_db(tmp_path))
    monkeypatch.setenv("CUPOLA_CHECK_BLOBS", "off")
    open_db("file://var/Data.fs", base=str(tmp_path)).close()


def test_an_unknown_mode_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="CUPOLA_CHECK_BLOBS must be one of"):
        open_db("file://var/Data.fs", base=str(tmp_path), check_blobs="sometimes")


def test_find_missing_blobs_counts_and_reports_progress(tmp_path):
    make_db(tmp_path, blobs=2)
    db = open_db("file://var/Data.fs", base=str(tmp_path))
    seen = []
    try:
        missing, total = find_missing_blobs(db.storage, progress=lambda d, t: seen.append((d, t)))
    finally:
        db.close()
    assert (missing, total) == ([], 2)
    assert seen[-1][0] == seen[-1][1] == 3  # the root and two blobs
