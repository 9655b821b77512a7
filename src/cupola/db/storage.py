"""Opening a ZODB database from a URI (zodburi).

``file://var/Data.fs`` (relative paths are taken from the working
directory), ``memory://``, ``zeo://host:port`` (a ZEO server),
``postgresql://`` or ``postgres://`` (RelStorage on PostgreSQL), and any
scheme an installed package registers with zodburi.

Every storage gets blobs: FileStorage in ``blobstorage/`` beside Data.fs,
ZEO and RelStorage a local blob cache (``var/blobcache`` under *base*: the
.ini file's folder, else the working directory) unless the URI names a
``blob_dir``.
"""

import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import zodburi
from ZODB import DB

from cupola.exceptions import ConfigurationError

DEFAULT_URI = "file://var/Data.fs"
# a request waits this long for a lost ZEO server before it answers 503
ZEO_WAIT_TIMEOUT = "5"


class DatabaseLocked(ConfigurationError):
    """Another process has the FileStorage open."""


def normalize_uri(uri, base=None):
    """The URI with Cupola's defaults: absolute paths and a blob folder.

    ``postgresql://`` becomes RelStorage's ``postgres://``.
    """
    uri = uri or DEFAULT_URI
    base = base or os.getcwd()
    parts = urlsplit(uri)
    scheme = parts.scheme
    if scheme == "file":
        path = parts.netloc + parts.path  # file://var/Data.fs -> 'var' + '/Data.fs'
        path = os.path.abspath(os.path.join(base, path))
        blobs = os.path.join(os.path.dirname(path), "blobstorage")
        query = _with_defaults(parts.query, blobstorage_dir=blobs)
        return urlunsplit(("file", "", path, query, ""))
    if scheme in ("zeo", "postgres", "postgresql"):
        cache = os.path.join(base, "var", "blobcache")
        defaults = {"blob_dir": cache}
        if scheme == "zeo":
            defaults["wait_timeout"] = ZEO_WAIT_TIMEOUT
        query = dict(parse_qsl(parts.query))
        if "blob_dir" in query:
            query["blob_dir"] = os.path.abspath(os.path.join(base, query["blob_dir"]))
        query = _with_defaults(urlencode(query, safe="/:"), **defaults)
        scheme = "postgres" if scheme == "postgresql" else scheme
        return urlunsplit((scheme, parts.netloc, parts.path, query, ""))
    return uri


def _with_defaults(query, **defaults):
    present = {k for k, _ in parse_qsl(query)}
    extra = "&".join(f"{k}={v}" for k, v in defaults.items() if k not in present)
    return "&".join(q for q in (query, extra) if q)


def describe_uri(uri):
    """The URI without its password, for messages and logs."""
    parts = urlsplit(uri)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return uri


def open_storage(uri=None, base=None):
    """(storage, dbkw) for *uri*; clear errors for unknown schemes and locks."""
    uri = normalize_uri(uri, base)
    if uri.startswith("file://"):
        path = urlsplit(uri).path
        os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        storage_factory, dbkw = zodburi.resolve_uri(uri)
    except KeyError as e:
        raise ConfigurationError(
            f"no storage for {describe_uri(uri)!r}: is the package for this "
            f"scheme installed (cupola[zeo], cupola[relstorage])? ({e})") from e
    try:
        storage = storage_factory()
    except Exception as e:
        raise _open_error(uri, e) from e
    if uri.startswith("memory://"):
        storage = _with_blobs(storage)
    from cupola.db.freshness import attach
    return attach(storage), dbkw


def open_db(uri=None, base=None, check_blobs=None, **db_kw):
    """Open and return a ``ZODB.DB`` for *uri*.

    Raises ConfigurationError (DatabaseLocked, MissingBlobs, a server that
    cannot be reached) with a message naming the fix. *check_blobs*: ``full``
    or ``off`` (default: ``CUPOLA_CHECK_BLOBS``, else ``full``); see
    ``cupola.db.blobs``.
    """
    from cupola.addons.missing import class_factory
    from cupola.db.blobs import check_blob_files
    storage, dbkw = open_storage(uri, base)
    dbkw.setdefault("class_factory", class_factory)  # missing classes: placeholders
    dbkw.update(db_kw)
    try:
        check_blob_files(storage, check_blobs
                         or os.environ.get("CUPOLA_CHECK_BLOBS") or "full")
        return DB(storage, **dbkw)
    except Exception:
        storage.close()
        raise


def _open_error(uri, error):
    """A ConfigurationError naming what to do, for errors met while opening."""
    import zc.lockfile
    shown = describe_uri(uri)
    if isinstance(error, zc.lockfile.LockError):
        path = urlsplit(uri).path
        pid = _lock_holder(path + ".lock")
        who = f"process {pid}" if pid else "another process"
        return DatabaseLocked(
            f"The database {path} is in use by {who}. A FileStorage can be "
            "opened by one process only: stop the other process, or serve "
            "several processes from a ZEO server (cupola zeo) or RelStorage.")
    try:
        from ZEO.Exceptions import ClientDisconnected
    except ImportError:  # ZEO is optional
        ClientDisconnected = ()
    if isinstance(error, ClientDisconnected):
        return ConfigurationError(
            f"Cannot reach the ZEO server of {shown}: is it running "
            f"(cupola zeo) and is the address right? ({error})")
    if _is_db_api_error(error):
        return ConfigurationError(
            f"Cannot open the RelStorage database {shown}: "
            f"{str(error).strip()}")
    if isinstance(error, OSError):
        return ConfigurationError(f"Cannot open {shown}: {error}")
    return error


def _is_db_api_error(error):
    return any(c.__name__ in ("OperationalError", "DatabaseError", "InterfaceError")
               for c in type(error).__mro__)


def _lock_holder(lock_path):
    try:
        with open(lock_path) as f:
            return f.read().strip() or None
    except OSError:
        return None


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
