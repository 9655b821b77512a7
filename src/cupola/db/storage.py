"""Opening a ZODB database from a URI (zodburi).

``file://var/Data.fs`` (relative paths are taken from the working
directory), ``memory://``, ``zeo://``, and any scheme an installed package
registers with zodburi (RelStorage adds ``postgres://``).
"""

import os
from urllib.parse import urlsplit, urlunsplit

import zodburi
from ZODB import DB

from cupola.exceptions import ConfigurationError

DEFAULT_URI = "file://var/Data.fs"


def normalize_uri(uri, base=None):
    """Absolute ``file://`` paths; a blob folder beside Data.fs by default."""
    uri = uri or DEFAULT_URI
    parts = urlsplit(uri)
    if parts.scheme != "file":
        return uri
    path = parts.netloc + parts.path  # file://var/Data.fs -> 'var' + '/Data.fs'
    path = os.path.abspath(os.path.join(base or os.getcwd(), path))
    query = parts.query
    if "blobstorage_dir" not in query:
        blobs = os.path.join(os.path.dirname(path), "blobstorage")
        query = "&".join(q for q in (query, f"blobstorage_dir={blobs}") if q)
    return urlunsplit(("file", "", path, query, ""))


def open_db(uri=None, base=None, **db_kw):
    """Open and return a ``ZODB.DB`` for *uri*."""
    uri = normalize_uri(uri, base)
    if uri.startswith("file://"):
        path = urlsplit(uri).path
        os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        storage_factory, dbkw = zodburi.resolve_uri(uri)
    except KeyError as e:
        raise ConfigurationError(
            f"no storage for {uri!r}: is the package for this scheme "
            f"installed? ({e})") from e
    dbkw.update(db_kw)
    storage = storage_factory()
    if uri.startswith("memory://"):
        storage = _with_blobs(storage)
    try:
        return DB(storage, **dbkw)
    except Exception:
        storage.close()
        raise


def _with_blobs(storage):
    """Give an in-memory storage a temporary blob folder (tests use files)."""
    import atexit
    import shutil
    import tempfile
    from ZODB.blob import BlobStorage
    from ZODB.interfaces import IBlobStorage
    if IBlobStorage.providedBy(storage):
        return storage
    folder = tempfile.mkdtemp(prefix="cupola-blobs-")
    atexit.register(shutil.rmtree, folder, True)
    return BlobStorage(folder, storage)
