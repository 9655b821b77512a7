"""Backups of a FileStorage and its blobs, and restores to a point in time.

``Data.fs`` is backed up by ZODB's repozo (full, then incremental: only the
transactions appended since). repozo does not copy blobs, so ``backup``
copies each blob file not yet in the backup (blob files never change once
committed: a new version is a new file named by its transaction id) and
writes a manifest of what it added. A backup folder holds::

    2026-11-28-18-40-02.fs         repozo: a full backup (.fsz gzipped)
    2026-11-28-18-40-02.dat/.index repozo: checksums of the chain, the index
    2026-11-28-19-00-00.deltafs    repozo: an incremental backup
    2026-11-28-18-40-02.blobs.json the blob files that run added:
                                   {"files": {path: {"size", "sha256"}}}
    blobs/...                      those files, laid out as in blobstorage/

``cupola.db.recovery.restore`` recovers Data.fs as of a time with repozo
(checking every file against repozo's checksums), then exactly the blob
files its records reference, each checked against its manifest, before
moving both into place.
"""

import hashlib
import json
import os
import re
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from cupola.exceptions import CupolaError

BLOBS = "blobs"
MANIFEST_SUFFIX = ".blobs.json"
STAMP = "%Y-%m-%d-%H-%M-%S"
_STAMPED = re.compile(r"^(\d{4}(?:-\d\d){5})\.(fs|fsz|deltafs|deltafsz|dat|index|blobs\.json)$")
CHUNK = 1 << 16


class BackupError(CupolaError):
    """A backup or restore that cannot be done; the message says why."""


class SourceNotFileStorage(BackupError):
    """The database is not a FileStorage this process can read directly."""


def file_storage_paths(uri, restoring=False):
    """(Data.fs path, blob folder) of a ``file://`` URI.

    Raises SourceNotFileStorage with what to do instead for ``zeo://``
    (back up, or restore into, the server's own file), RelStorage
    (pg_dump, pg_restore) and ``memory://``.
    """
    from cupola.db.storage import normalize_uri
    uri = normalize_uri(uri)
    parts = urlsplit(uri)
    if parts.scheme == "file":
        blobs = dict(parse_qsl(parts.query)).get("blobstorage_dir")
        return Path(parts.path), Path(blobs) if blobs else None
    if parts.scheme == "zeo" and restoring:
        raise SourceNotFileStorage(
            f"{parts.netloc} is a ZEO server: restore into a new FileStorage "
            "on the server's machine, e.g. cupola restore BACKUP --zodb-uri "
            "file:///srv/cupola/var/restored/Data.fs, then stop the server, "
            "put the restored Data.fs and blobstorage in place of its own, "
            "and start it again.")
    if parts.scheme == "zeo":
        raise SourceNotFileStorage(
            f"{parts.netloc} is a ZEO server: back up the FileStorage it "
            "serves, on the machine where it runs, e.g. cupola backup "
            "--zodb-uri file:///srv/cupola/var/Data.fs BACKUP (with the "
            "server running: repozo reads committed transactions only).")
    if parts.scheme in ("postgres", "postgresql"):
        raise SourceNotFileStorage(postgres_advice(uri))
    raise SourceNotFileStorage(f"{parts.scheme}:// keeps nothing on disk to "
                               "back up (only file:// databases are).")


def postgres_advice(uri):
    """How to back up and restore a RelStorage database with PostgreSQL's tools."""
    parts = urlsplit(uri)
    query = dict(parse_qsl(parts.query))
    dsn = query.get("dsn", "")
    name = (parts.path or "").strip("/") or _dsn_value(dsn, "dbname") or "DBNAME"
    options = ""
    host = parts.hostname or _dsn_value(dsn, "host")
    if host:
        options += f" --host={host}"
    port = parts.port or _dsn_value(dsn, "port")
    if port:
        options += f" --port={port}"
    user = parts.username or _dsn_value(dsn, "user")
    if user:
        options += f" --username={user}"
    return (
        "This database is RelStorage on PostgreSQL: back it up with "
        "PostgreSQL's own tools, not with cupola backup.\n"
        f"  back up:  pg_dump{options} --format=custom --file=cupola.dump {name}\n"
        f"  restore:  pg_restore{options} --clean --if-exists --dbname={name} cupola.dump\n"
        "Blobs stored in the database (the default) are in the dump; with a "
        "shared blob folder (shared-blob-dir true), copy that folder as well. "
        "For restores to a point in time, use PostgreSQL's continuous "
        "archiving (pg_basebackup and WAL archiving).")


def _dsn_value(dsn, key):
    found = re.search(rf"\b{key}=(\S+)", dsn or "")
    return found.group(1) if found else None


# -- backing up ---------------------------------------------------------------

class BackupResult:
    def __init__(self, stamp, kind, data_file, data_bytes, blob_files, blob_bytes):
        self.stamp, self.kind, self.data_file = stamp, kind, data_file
        self.data_bytes, self.blob_files, self.blob_bytes = data_bytes, blob_files, blob_bytes


def backup(data_fs, blob_dir, folder, full=False, gzip=False, progress=None):
    """Back up *data_fs* and the blob files of *blob_dir* into *folder*.

    Incremental unless *full* (or nothing to add to). *progress(label)* is
    called with a label and returns a ``progress(done, total)`` callable.
    Returns a BackupResult (kind: "full", "incremental" or None when
    Data.fs had not changed). Raises BackupError.
    """
    from ZODB.scripts import repozo
    data_fs, folder = Path(data_fs), Path(folder)
    if not data_fs.is_file():
        raise BackupError(f"There is no database at {data_fs}.")
    folder.mkdir(parents=True, exist_ok=True)
    strangers = [p.name for p in folder.iterdir() if not _ours(p.name)]
    if strangers:
        raise BackupError(
            f"{folder} holds files that are not a Cupola backup "
            f"({', '.join(sorted(strangers)[:3])}); back up into an empty "
            "folder or one made by cupola backup.")
    stamp = _free_stamp(folder)
    before = set(os.listdir(folder))
    argv = ["-B", "-r", str(folder), "-f", str(data_fs)] + (["-F"] if full else []) \
        + (["-z"] if gzip else [])
    options = repozo.parseargs(argv)
    options.test_now = time.strptime(stamp, STAMP)[:6]  # the name repozo gives
    size = data_fs.stat().st_size
    expected = size if full else max(size - backed_up_size(folder), 0) or size
    with watch_file(folder / "tmp.tmp", expected,
                    progress and progress("Backing up Data.fs")):
        try:
            repozo.do_backup(options)
        except (repozo.RepozoError, OSError) as e:
            raise BackupError(f"repozo could not back up {data_fs}: {e}") from e
    made = [n for n in set(os.listdir(folder)) - before
            if repozo.is_data_file(n)]
    kind = data_file = None
    data_bytes = 0
    if made:
        data_file = made[0]
        kind = "full" if data_file.endswith((".fs", ".fsz")) else "incremental"
        data_bytes = (folder / data_file).stat().st_size
    files, size = _backup_blobs(blob_dir, folder, stamp,
                                progress and progress("Backing up blobs"))
    return BackupResult(stamp, kind, data_file, data_bytes, files, size)


def backed_up_size(folder):
    """Bytes of Data.fs the newest chain of *folder* holds (0: none)."""
    dats = sorted(n for n in os.listdir(folder) if n.endswith(".dat"))
    if not dats:
        return 0
    try:
        lines = (Path(folder) / dats[-1]).read_text().split("\n")
        return int([line for line in lines if line.strip()][-1].split()[2])
    except (OSError, IndexError, ValueError):
        return 0


def _ours(name):
    return bool(_STAMPED.match(name)) or name in (BLOBS, "tmp.tmp") \
        or name.startswith(".")


def _free_stamp(folder):
    """A UTC stamp (to the second, as repozo names files) not yet used and
    later than every backup in *folder*: waits for the next second if need be."""
    latest = max((m.group(1) for m in map(_STAMPED.match, os.listdir(folder)) if m),
                 default="")
    while True:
        stamp = time.strftime(STAMP, time.gmtime())
        if stamp > latest:
            return stamp
        time.sleep(0.2)


def _backup_blobs(blob_dir, folder, stamp, progress):
    """Copy blob files not in any manifest yet; write this run's manifest."""
    if blob_dir is None or not Path(blob_dir).is_dir():
        return 0, 0
    blob_dir, known = Path(blob_dir), set()
    for manifest in _manifests(folder):
        known.update(manifest["files"])
    todo = [rel for rel in _blob_files(blob_dir) if rel not in known]
    added, size = {}, 0
    for done, rel in enumerate(todo, 1):
        target = folder / BLOBS / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            length, digest = _copy(blob_dir / rel, target)
        except FileNotFoundError:
            continue  # removed meanwhile by a pack: no longer in use
        added[rel] = {"size": length, "sha256": digest}
        size += length
        if progress:
            progress(done, len(todo))
    if added:
        _write_json(folder / f"{stamp}{MANIFEST_SUFFIX}",
                    {"format": "cupola-blob-backup", "version": 1,
                     "stamp": stamp, "files": added})
    return sum(1 for rel in added if rel.endswith(".blob")), size


def _blob_files(blob_dir):
    """Paths (relative, with /) of the files of a blob folder, but not its
    temporary folder or lock."""
    found = []
    for root, dirs, files in os.walk(blob_dir):
        rel_root = Path(root).relative_to(blob_dir)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d != "tmp"]
        for name in files:
            if name.startswith(".") and name != ".layout":
                continue  # .lock, and .removed while a pack runs
            found.append((rel_root / name).as_posix())
    return sorted(found)


def _copy(src, dst):
    """Copy *src* to *dst* through a temporary file; (size, sha256)."""
    digest, size = hashlib.sha256(), 0
    part = dst.with_name(dst.name + ".part")
    with open(src, "rb") as f, open(part, "wb") as out:  # src first: it may be gone
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, dst)
    return size, digest.hexdigest()


def _manifests(folder, until=None):
    """The blob manifests of *folder*, oldest first, up to stamp *until*."""
    found = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(MANIFEST_SUFFIX):
            continue
        stamp = name[:-len(MANIFEST_SUFFIX)]
        if until is not None and stamp > until:
            continue
        try:
            data = json.loads((Path(folder) / name).read_text())
            if not isinstance(data.get("files"), dict):
                raise ValueError("no 'files'")
        except (ValueError, OSError) as e:
            raise BackupError(f"The blob manifest {Path(folder) / name} is "
                              f"damaged ({e}); the backup is broken.") from None
        found.append(data)
    return found


def _write_json(path, data):
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    os.replace(part, path)


class watch_file:
    """Report the growth of *path* towards *total* bytes from a thread."""

    def __init__(self, path, total, progress):
        self.path, self.total, self.progress = Path(path), total, progress
        self.stop = threading.Event()

    def __enter__(self):
        if self.progress:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()
        return self

    def _run(self):
        while not self.stop.wait(0.2):
            try:
                self.progress(min(self.path.stat().st_size, self.total), self.total)
            except OSError:
                pass

    def __exit__(self, *exc):
        if self.progress:
            self.stop.set()
            self.thread.join()
            if exc[0] is None:
                self.progress(self.total, self.total)
