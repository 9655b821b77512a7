"""The start-time check that every blob the database references is on disk.

A Data.fs restored without its blob folder, or a ``blobstorage_dir`` that
points at the wrong folder, would otherwise serve pages whose files fail
one by one. Where the blob folder is the only copy of the blobs (FileStorage,
RelStorage with ``shared_blob_dir=true``), ``open_db`` walks the current
record of every object (a FileStorage's by their headers only, in file
order), and for each blob asks the storage for its file; any missing one
stops the start with ``MissingBlobs``. See docs/operations.md for what it
costs on a big database; ``CUPOLA_CHECK_BLOBS=off`` skips it.

ZEO clients and RelStorage with blobs in the database keep only a cache,
so they are not walked: ``cupola zeo`` checks the FileStorage it serves.
"""

from ZODB.POSException import POSKeyError
from ZODB.utils import get_pickle_metadata, oid_repr, tid_repr

from cupola.exceptions import ConfigurationError

BLOB_CLASS = ("ZODB.blob", "Blob")
MODES = ("full", "off")


class MissingBlobs(ConfigurationError):
    """The database references blob files its blob folder lacks."""

    def __init__(self, missing, total, folder, name):
        self.missing, self.total = missing, total
        oid, tid = missing[0]
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        super().__init__(
            f"The database {name} references {len(missing)} of its {total} "
            f"blob files that are missing from the blob folder {folder}: "
            f"the first is object {oid_repr(oid)} at transaction "
            f"{tid_repr(tid)}{more}. Refusing to start rather than serve "
            "broken files. Restore the blob folder that belongs to this "
            "database (or point blobstorage_dir / blob_dir at it); "
            "`cupola check` lists every missing blob. To start anyway, set "
            "CUPOLA_CHECK_BLOBS=off.")


def blob_folder(storage):
    """The folder holding the only copy of *storage*'s blobs, or None."""
    helper = getattr(storage, "blobhelper", None)  # RelStorage
    if helper is not None:
        if getattr(helper, "shared_blob_dir", False):
            return getattr(helper, "blob_dir", None)
        return None
    from ZODB.blob import BlobStorage
    if isinstance(storage, BlobStorage):  # FileStorage wrapped by zodburi
        return storage.fshelper.base_dir
    if type(storage).__module__.startswith("ZODB.FileStorage"):
        return getattr(storage, "blob_dir", None) or None
    return None


def iter_records(storage):
    """(oid, tid, pickle) of the current record of every object.

    (oid, None, None) for an object whose creation was undone.
    """
    index = getattr(storage, "_index", None)
    if index is not None:  # FileStorage: a record that fails cannot end the walk
        for oid in index.keys():
            try:
                data, tid = storage.load(oid)
            except POSKeyError:
                yield oid, None, None
                continue
            yield oid, tid, data
        return
    if not hasattr(storage, "record_iternext"):
        return
    cursor = None
    while True:
        try:
            oid, tid, data, cursor = storage.record_iternext(cursor)
        except (ValueError, KeyError, IndexError):  # an empty storage
            return
        yield oid, tid, data
        if cursor is None:
            return


def is_blob(data):
    try:
        return get_pickle_metadata(data) == BLOB_CLASS
    except Exception:  # an unreadable record is `cupola check`'s business
        return False


def iter_blob_records(storage):
    """(oid, tid) of the current record of every blob; None between records
    that are not blobs (for progress). A FileStorage's records are read by
    their header and first bytes only, in file order."""
    fs = _file_storage(storage)
    if fs is None:
        for oid, tid, data in iter_records(storage):
            yield (oid, tid) if data is not None and is_blob(data) else None
        return
    from BTrees.QQBTree import QQBTree
    from ZODB.utils import p64, u64
    by_position = QQBTree()  # {file position: oid}: one pass, in file order
    for oid, pos in fs._index.items():
        by_position[pos] = u64(oid)
    with open(fs._file_name, "rb") as f:
        for pos, oid in by_position.items():
            oid = p64(oid)
            header = fs._read_data_header(pos, oid, _file=f)
            if header.plen:
                prefix = f.read(min(header.plen, 64))
            else:  # a back pointer (undo, copy): load it the long way
                try:
                    prefix = storage.load(oid)[0]
                except POSKeyError:  # its creation was undone
                    yield None
                    continue
            yield (oid, header.tid) if is_blob(prefix) else None


def _file_storage(storage):
    """The FileStorage under *storage* (zodburi wraps it in a BlobStorage), or None."""
    from ZODB.blob import BlobStorage
    from ZODB.FileStorage import FileStorage
    if isinstance(storage, BlobStorage):
        storage = storage._BlobStorage__storage  # the wrapped storage
    return storage if isinstance(storage, FileStorage) else None


def find_missing_blobs(storage, progress=None):
    """([(oid, tid)] of blobs whose file is missing, number of blobs)."""
    missing, total, seen = [], 0, 0
    count = len(storage) if progress else 0
    for record in iter_blob_records(storage):
        seen += 1
        if progress and seen % 1000 == 0:
            progress(seen, count)
        if record is None:
            continue
        total += 1
        try:
            storage.loadBlob(*record)
        except POSKeyError:
            missing.append(record)
    if progress:
        progress(seen, max(seen, count))
    return missing, total


def check_blob_files(storage, mode="full"):
    """Raise MissingBlobs when *storage*'s blob folder lacks a blob file."""
    if mode not in MODES:
        raise ConfigurationError(
            f"CUPOLA_CHECK_BLOBS must be one of {', '.join(MODES)}, not {mode!r}")
    folder = blob_folder(storage)
    if mode == "off" or folder is None:
        return
    missing, total = find_missing_blobs(storage)
    if missing:
        raise MissingBlobs(missing, total, folder, storage.getName())
