"""Restoring a backup made by ``cupola.db.backups`` (and listing backups).

Nothing is put in place until everything checked out: Data.fs is recovered
by repozo (with its checksums verified) and the blobs are copied (each
checked against its manifest) into temporary names beside the target,
every blob the recovered database references must be present, and only
then are both renamed into place.
"""

import hashlib
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from cupola.db.backups import (BLOBS, CHUNK, STAMP, BackupError, _manifests,
                               watch_file)



class RestoreResult:
    def __init__(self, data_fs, data_bytes, blob_files, last_transaction, chain):
        self.data_fs, self.data_bytes = data_fs, data_bytes
        self.blob_files, self.last_transaction = blob_files, last_transaction
        self.chain = chain  # the repozo files used, oldest first


def parse_date(text):
    """A repozo stamp (UTC) from ISO 8601 or repozo's own form; BackupError."""
    text = (text or "").strip()
    forms = [STAMP, "%Y-%m-%d-%H-%M", "%Y-%m-%d-%H", "%Y-%m-%d"]
    for form in forms:
        try:
            return datetime.strptime(text, form).strftime(STAMP)
        except ValueError:
            pass
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BackupError(
            f"{text!r} is not a date: give UTC time as 2026-11-28T18:40:00Z, "
            "2026-11-28 18:40 or 2026-11-28-18-40-00.") from None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime(STAMP)


def _options(folder, date=None, output=None):
    from ZODB.scripts import repozo
    argv = ["-R", "-r", str(folder), "-w"]
    if date:
        argv += ["-D", date]
    if output:
        argv += ["-o", str(output)]
    return repozo.parseargs(argv)


def restore(folder, data_fs, blob_dir, date=None, progress=None):
    """Recover *data_fs* and *blob_dir* from the backup *folder* as of
    *date* (a stamp from ``parse_date``; default: the latest backup).

    Refuses (BackupError) when *data_fs* exists or *blob_dir* is not empty,
    when *folder* holds no backup (before *date*), or when a file is
    missing or damaged. *progress(label)* returns a ``progress(done,
    total)`` callable. Returns a RestoreResult.
    """
    from ZODB.scripts import repozo
    folder, data_fs = Path(folder), Path(data_fs)
    blob_dir = Path(blob_dir) if blob_dir else None
    _check_target(data_fs, blob_dir)
    chain = _chain(folder, date)
    data_fs.parent.mkdir(parents=True, exist_ok=True)
    part = data_fs.with_name(f".{data_fs.name}.restoring")
    part_blobs = data_fs.with_name(f".{data_fs.name}.blobs.restoring")
    _remove(part, part_blobs)
    try:
        options = _options(folder, date, part)
        with watch_file(str(part) + ".part", _chain_size(folder, chain),
                    progress and progress("Restoring Data.fs")):
            try:
                repozo.do_recover(options)
            except (repozo.RepozoError, OSError, KeyError, ValueError) as e:
                raise BackupError(f"The backup in {folder} is broken: {e}") from e
        last = _last_transaction(part)
        count = _restore_blobs(folder, part_blobs, part,
                               progress and progress("Restoring blobs"))
        _check_blobs(part, part_blobs)
        if blob_dir is not None:
            if blob_dir.exists():
                blob_dir.rmdir()  # empty: checked above
            blob_dir.parent.mkdir(parents=True, exist_ok=True)
            os.rename(part_blobs, blob_dir)
        index = Path(str(part) + ".index")
        if index.exists():
            os.replace(index, str(data_fs) + ".index")
        os.replace(part, data_fs)
        return RestoreResult(data_fs, data_fs.stat().st_size, count, last,
                             [Path(c).name for c in chain])
    finally:
        _remove(part, part_blobs, Path(str(part) + ".part"),
                Path(str(part) + ".index"))


def _check_target(data_fs, blob_dir):
    if data_fs.exists():
        raise BackupError(
            f"{data_fs} exists. Restore into a new place (--zodb-uri "
            "file:///new/Data.fs), or move the old database away first.")
    if blob_dir is not None and blob_dir.exists() and any(blob_dir.iterdir()):
        raise BackupError(f"The blob folder {blob_dir} is not empty; move it "
                          "away first.")


def _chain(folder, date):
    """The repozo files to recover from, oldest first; BackupError if none."""
    from ZODB.scripts import repozo
    if not folder.is_dir():
        raise BackupError(f"There is no backup folder {folder}.")
    chain = repozo.find_files(_options(folder, date))
    if not chain:
        when = f" from before {date}" if date else ""
        raise BackupError(f"{folder} holds no backup{when} (no .fs or .fsz "
                          "file made by cupola backup).")
    return chain


def _chain_size(folder, chain):
    """Bytes Data.fs will have: the end position of the chain's last file
    in the .dat file of its full backup."""
    dat = Path(os.path.splitext(chain[0])[0] + ".dat")
    names = {Path(c).name for c in chain}
    end = 0
    try:
        for line in dat.read_text().splitlines():
            parts = line.split()
            if len(parts) == 4 and Path(parts[0]).name in names:
                end = max(end, int(parts[2]))
    except (OSError, ValueError):
        pass
    return end or sum(Path(c).stat().st_size for c in chain)


def _last_transaction(path):
    """The id of the last transaction of the FileStorage *path* (and a check
    that it opens)."""
    from ZODB.FileStorage import FileStorage
    try:
        storage = FileStorage(str(path), read_only=True)
    except Exception as e:
        raise BackupError(f"The recovered Data.fs does not open: {e}") from e
    try:
        return storage.lastTransaction()
    finally:
        storage.close()


def _restore_blobs(folder, target, data_fs, progress):
    """Copy the blob files that the records of the recovered *data_fs*
    reference, each checked against its manifest; return how many."""
    from ZODB.blob import FilesystemHelper
    from ZODB.utils import oid_repr, tid_repr
    files = {}
    for manifest in _manifests(folder):
        files.update(manifest["files"])
    needed = _needed_blobs(data_fs)
    source = folder / BLOBS
    wanted, missing = [], []
    if needed:
        helper = FilesystemHelper(str(source))  # the layout of the backup
        for oid, tid in sorted(needed):
            rel = Path(helper.getBlobFilename(oid, tid)).relative_to(source).as_posix()
            if rel in files:
                wanted.append((rel, files[rel]))
            else:
                missing.append((oid, tid))
    if missing:
        oid, tid = missing[0]
        raise BackupError(
            f"The backup lacks {len(missing)} of the {len(needed)} blob files "
            f"the restored database needs (the first: object {oid_repr(oid)} "
            f"at transaction {tid_repr(tid)}); nothing was restored. Was the "
            "blob folder backed up with it?")
    target.mkdir(mode=0o700)
    if (source / ".layout").is_file():
        shutil.copyfile(source / ".layout", target / ".layout")
    for done, (rel, meta) in enumerate(wanted, 1):
        src, dst = source / rel, target / rel
        if not src.is_file():
            raise BackupError(f"The backup lacks the blob file {src}; the "
                              "backup is broken.")
        dst.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with open(src, "rb") as f, open(dst, "wb") as out:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        if size != meta.get("size") or digest.hexdigest() != meta.get("sha256"):
            raise BackupError(f"The blob file {src} is damaged (its size or "
                              "checksum differs from the manifest).")
        if progress:
            progress(done, len(wanted))
    return len(wanted)


def _needed_blobs(data_fs):
    """{(oid, tid)} of every blob record in the FileStorage *data_fs*."""
    from ZODB.FileStorage import FileIterator

    from cupola.db.blobs import is_blob
    needed = set()
    try:
        iterator = FileIterator(str(data_fs))
        try:
            for txn in iterator:
                for record in txn:
                    if record.data and is_blob(record.data):
                        needed.add((record.oid, record.tid))
        finally:
            iterator.close()
    except Exception as e:  # any failure to read it means a damaged file
        raise BackupError(f"The recovered Data.fs cannot be read: {e}") from e
    return needed


def _check_blobs(data_fs, blob_dir):
    """BackupError unless every blob the database references is present."""
    from ZODB.FileStorage import FileStorage
    from ZODB.utils import oid_repr

    from cupola.db.blobs import find_missing_blobs
    storage = FileStorage(str(data_fs), read_only=True, blob_dir=str(blob_dir))
    try:
        missing, total = find_missing_blobs(storage)
    finally:
        storage.close()
    if missing:
        raise BackupError(
            f"The backup lacks {len(missing)} of the {total} blob files the "
            f"restored database needs (the first: object {oid_repr(missing[0][0])}); "
            "nothing was restored. Was the blob folder backed up with it?")


def _remove(*paths):
    for path in paths:
        path = Path(path)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()


def list_backups(folder):
    """[(stamp, kind, bytes, blob files added)] of the backups in *folder*."""
    from ZODB.scripts import repozo
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(f"There is no backup folder {folder}.")
    blobs = {m["stamp"]: len(m["files"]) for m in _manifests(folder)
             if isinstance(m.get("stamp"), str)}
    rows = []
    for name in sorted(filter(repozo.is_data_file, os.listdir(folder))):
        stamp, ext = name.split(".", 1)
        kind = "full" if ext in ("fs", "fsz") else "incremental"
        rows.append((stamp, kind, (folder / name).stat().st_size, blobs.get(stamp, 0)))
    return rows


def verify(folder, progress=None):
    """Check the newest backup chain of *folder* (repozo's sizes and
    checksums) and every blob file of its manifests (size and SHA-256).
    Returns (repozo files, blob files) checked; raises BackupError."""
    from ZODB.scripts import repozo
    folder = Path(folder)
    chain = _chain(folder, None)
    options = repozo.parseargs(["-V", "-r", str(folder)])
    try:
        repozo.do_verify(options)
    except (repozo.RepozoError, OSError, ValueError) as e:
        raise BackupError(f"The backup in {folder} is broken: {e}") from e
    files = {}
    for manifest in _manifests(folder):
        files.update(manifest["files"])
    report = progress and progress("Checking blobs")
    for done, (rel, meta) in enumerate(sorted(files.items()), 1):
        path = folder / BLOBS / rel
        digest, size = hashlib.sha256(), 0
        try:
            with open(path, "rb") as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
        except OSError:
            raise BackupError(f"The backup lacks the blob file {path}.") from None
        if size != meta.get("size") or digest.hexdigest() != meta.get("sha256"):
            raise BackupError(f"The blob file {path} is damaged (its size or "
                              "checksum differs from the manifest).")
        if report:
            report(done, len(files))
    return len(chain), sum(1 for rel in files if rel.endswith(".blob"))
