"""cupola.db.check: structure, loads, references, BTrees and blobs, each damaged for real."""

import sys
import types

import pytest
import transaction
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from persistent.mapping import PersistentMapping
from ZODB.blob import Blob
from ZODB.Connection import TransactionMetaData
from ZODB.FileStorage import FileStorage
from ZODB.utils import z64

from cupola.db.check import check_database
from cupola.db.storage import open_db
from cupola.exceptions import ConfigurationError


def uri(tmp_path):
    return f"file://{tmp_path}/Data.fs"


def fill(tmp_path, build):
    """Open the database, let *build(root)* change it, commit, close."""
    db = open_db(uri(tmp_path))
    conn = db.open()
    build(conn.root())
    transaction.commit()
    conn.close()
    db.close()


def kinds(report):
    return sorted({p.kind for p in report.problems})


def tree_of(root, n=2000):
    tree = root["tree"] = OOBTree()
    for i in range(n):
        tree[f"k{i:05d}"] = i
    return tree


def test_a_healthy_database_passes_with_figures(tmp_path):
    def build(root):
        tree_of(root)
        blob = root["blob"] = Blob()
        with blob.open("w") as f:
            f.write(b"data")
    fill(tmp_path, build)
    report = check_database(uri(tmp_path))
    assert report.ok, report.summary()
    assert report.transactions == 2  # the root's creation, then ours
    assert report.btrees >= 1 and report.blobs == 1
    assert report.objects > 10  # the root, the blob, the tree and its buckets
    assert report.summary()[-1] == "No problems found."


def test_progress_reaches_the_total(tmp_path):
    fill(tmp_path, tree_of)
    calls = []
    report = check_database(uri(tmp_path), progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (report.objects, report.objects)
    assert len(calls) > 2


def test_an_inconsistent_btree_is_found(tmp_path):
    def build(root):
        bucket = tree_of(root)._firstbucket
        keys_values, *rest = bucket.__getstate__()
        swapped = list(keys_values)
        swapped[0], swapped[2] = swapped[2], swapped[0]  # two keys out of order
        bucket.__setstate__((tuple(swapped), *rest))
        bucket._p_changed = True
    fill(tmp_path, build)
    report = check_database(uri(tmp_path))
    assert kinds(report) == ["btree"]
    assert "k00001" in report.problems[0].detail
    assert any("cupola reindex" in line for line in report.summary())


def test_a_dangling_reference_is_found(tmp_path):
    """A root record that refers to an object the storage never received."""
    source = tmp_path / "source"
    source.mkdir()
    fill(source, lambda root: root.__setitem__("child", PersistentMapping()))
    db = open_db(uri(source))
    root_record, _ = db.storage.load(z64)
    db.close()
    storage = FileStorage(str(tmp_path / "Data.fs"), create=True)
    txn = TransactionMetaData()
    storage.tpc_begin(txn)
    storage.store(z64, z64, root_record, "", txn)
    storage.tpc_vote(txn)
    storage.tpc_finish(txn)
    storage.close()
    report = check_database(uri(tmp_path))
    assert kinds(report) == ["reference"]
    assert report.problems[0].detail == "refers to 0x01, which does not exist"


def test_a_class_that_no_longer_imports_is_found(tmp_path, monkeypatch):
    module = types.ModuleType("cupola_gone_addon")

    class Gadget(Persistent):
        pass

    Gadget.__module__ = module.__name__
    module.Gadget = Gadget
    monkeypatch.setitem(sys.modules, module.__name__, module)
    fill(tmp_path, lambda root: root.__setitem__("gadget", Gadget()))
    monkeypatch.delitem(sys.modules, module.__name__)
    report = check_database(uri(tmp_path))
    assert kinds(report) == ["class"]
    assert "cupola_gone_addon.Gadget cannot be imported" in report.problems[0].detail


def test_a_missing_blob_file_is_found(tmp_path):
    def build(root):
        for name in ("a", "b"):
            blob = root[name] = Blob()
            with blob.open("w") as f:
                f.write(name.encode())
    fill(tmp_path, build)
    next((tmp_path / "blobstorage").rglob("*.blob")).unlink()
    report = check_database(uri(tmp_path))
    assert kinds(report) == ["blob"]
    assert (report.blobs, len(report.problems)) == (1, 1)


def test_damaged_records_are_found_by_the_scrub(tmp_path):
    """Bytes overwritten inside pickles: the lengths still add up, loads fail."""
    fill(tmp_path, tree_of)
    path = tmp_path / "Data.fs"
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    report = check_database(uri(tmp_path))
    assert report.transactions == 2
    assert "load" in kinds(report) and "structure" not in kinds(report)


def test_damaged_structure_is_reported_without_opening_the_file(tmp_path):
    fill(tmp_path, tree_of)
    path = tmp_path / "Data.fs"
    data = bytearray(path.read_bytes())
    data[4 + 8:4 + 16] = b"\x00\x00\x00\x00\x7f\xff\xff\xff"  # the first transaction's length
    path.write_bytes(bytes(data))
    report = check_database(uri(tmp_path))
    assert kinds(report) == ["structure"]
    assert report.objects == 0  # the scrub did not run on a damaged file
    assert path.read_bytes() == bytes(data)  # and nothing was written to it
    assert any("fsrecover" in line for line in report.summary())


def test_a_truncated_last_transaction_is_reported(tmp_path):
    fill(tmp_path, tree_of)
    path = tmp_path / "Data.fs"
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size - 10)
    assert kinds(check_database(uri(tmp_path))) == ["structure"]


def test_no_database_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="There is no database at"):
        check_database(uri(tmp_path))


def test_many_problems_are_listed_up_to_the_limit(tmp_path):
    def build(root):
        for i in range(5):
            blob = root[f"b{i}"] = Blob()
            with blob.open("w") as f:
                f.write(b"x")
    fill(tmp_path, build)
    for path in (tmp_path / "blobstorage").rglob("*.blob"):
        path.unlink()
    lines = check_database(uri(tmp_path)).summary(limit=2)
    assert "5 problem(s) found:" in lines
    assert lines[-1] == "    ... and 3 more"
