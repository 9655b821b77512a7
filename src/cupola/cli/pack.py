"""Pack the database: drop the object records that were replaced more than
N days ago (the undo history goes with them) and the blob files only they
used. A FileStorage is packed directly (stop the site first, or serve it
through ZEO); zeo:// asks the ZEO server to pack its storage."""

import os
import time
from pathlib import Path

from cupola.cli.options import Progress, add_db_options, settings_from
from cupola.cli.sizes import size_text


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("--days", type=float, default=0, metavar="N",
                        help="keep what was replaced in the last N days, so "
                             "it can still be undone (default 0: keep only "
                             "the current state)")


def run(args):
    from urllib.parse import urlsplit

    from cupola.db.storage import normalize_uri
    from cupola.exceptions import CupolaError
    if args.days < 0:
        raise CupolaError("--days cannot be negative.")
    uri = normalize_uri(settings_from(args).get("zodb_uri"))
    scheme = urlsplit(uri).scheme
    if scheme == "memory":
        raise CupolaError("memory:// keeps nothing to pack.")
    started = time.monotonic()
    if scheme == "file":
        summary = _pack_file(uri, args.days)
    else:
        summary = _pack_through_server(uri, args.days)
    print(f"{summary} ({time.monotonic() - started:.1f} s).")


def _pack_file(uri, days):
    from cupola.db.backups import file_storage_paths, watch_file
    from cupola.db.storage import DatabaseLocked, open_db
    from cupola.exceptions import CupolaError
    data_fs, blob_dir = file_storage_paths(uri)
    if not data_fs.is_file():
        raise CupolaError(f"There is no database at {data_fs}.")
    size_before, blobs_before = data_fs.stat().st_size, _blob_usage(blob_dir)
    try:
        db = open_db(uri)  # takes the lock
    except DatabaseLocked as e:
        raise DatabaseLocked(
            f"{e} To pack a database while it is served, serve it from a "
            "ZEO server and pack through that: cupola pack --zodb-uri "
            "zeo://HOST:PORT.") from None
    try:
        with watch_file(str(data_fs) + ".pack", size_before, Progress("Packing")):
            _pack(db, days)
    finally:
        db.close()
    size_after, blobs_after = data_fs.stat().st_size, _blob_usage(blob_dir)
    kept = [p for p in (Path(str(data_fs) + ".old"),
                        Path(str(blob_dir) + ".old") if blob_dir else None)
            if p is not None and p.exists()]
    note = (f"; the state before the pack is kept in {' and '.join(map(str, kept))} "
            "until the next pack (delete when satisfied)") if kept else ""
    return (f"Packed {data_fs}, keeping {_days(days)}: Data.fs "
            f"{size_text(size_before)} -> {size_text(size_after)}; blobs "
            f"{blobs_before[0]} files ({size_text(blobs_before[1])}) -> "
            f"{blobs_after[0]} files ({size_text(blobs_after[1])}){note}")


def _pack_through_server(uri, days):
    from cupola.db.storage import describe_uri, open_db
    db = open_db(uri)
    try:
        storage = db.storage
        before = storage.getSize()
        label = "the ZEO server" if uri.startswith("zeo://") else "the database"
        print(f"Packing through {label} at {describe_uri(uri).split('?')[0]}...",
              flush=True)
        _pack(db, days)
        after = storage.getSize()
    finally:
        db.close()
    sizes = (f": {size_text(before)} -> {size_text(after)}"
             if isinstance(before, int) and isinstance(after, int) and before else "")
    return f"Packed {describe_uri(uri).split('?')[0]}, keeping {_days(days)}{sizes}"


def _pack(db, days):
    from ZODB.POSException import POSError

    from cupola.exceptions import CupolaError
    try:
        db.pack(days=days)
    except POSError as e:
        raise CupolaError(f"The pack failed, the database is unchanged: {e}") from e


def _blob_usage(blob_dir):
    """(number of blob files, bytes) in *blob_dir*."""
    count = size = 0
    if blob_dir is None or not Path(blob_dir).is_dir():
        return count, size
    for root, dirs, files in os.walk(blob_dir):
        dirs[:] = [d for d in dirs if d != "tmp"]
        for name in files:
            if name.endswith(".blob"):
                count += 1
                size += os.path.getsize(os.path.join(root, name))
    return count, size


def _days(days):
    if not days:
        return "only the current state"
    return f"what changed in the last {days:g} day{'s' if days != 1 else ''}"
