"""``cupola check``: the summary and the exit status."""

import transaction
from ZODB.blob import Blob

from cupola.cli import main
from cupola.db.storage import open_db


def make(tmp_path):
    db = open_db(f"file://{tmp_path}/Data.fs")
    conn = db.open()
    blob = conn.root()["blob"] = Blob()
    with blob.open("w") as f:
        f.write(b"bytes")
    transaction.commit()
    conn.close()
    db.close()


def test_a_healthy_database_exits_0(tmp_path, capsys):
    make(tmp_path)
    assert main(["check", "--zodb-uri", f"file://{tmp_path}/Data.fs"]) == 0
    out, err = capsys.readouterr()
    assert "1 blob files found" in out and "No problems found." in out
    assert "Checking objects: 2/2 (100%)" in err  # the progress line


def test_problems_exit_1_with_what_to_do(tmp_path, capsys):
    make(tmp_path)
    next((tmp_path / "blobstorage").rglob("*.blob")).unlink()
    assert main(["check", "--zodb-uri", f"file://{tmp_path}/Data.fs"]) == 1
    out, _ = capsys.readouterr()
    assert "1 problem(s) found:" in out
    assert "restore the blob folder that belongs to this database" in out


def test_no_database_exits_2_with_a_message(tmp_path, capsys):
    assert main(["check", "--zodb-uri", f"file://{tmp_path}/none/Data.fs"]) == 2
    _, err = capsys.readouterr()
    assert f"There is no database at {tmp_path}/none/Data.fs" in err
    assert "Traceback" not in err
