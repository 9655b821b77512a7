"""Exact copies of a subtree in ZODB's export format (``.zexp``).

``export_zexp`` writes a subtree with ``Connection.exportFile``: every
persistent record it reaches, blobs included, byte for byte. Content
points up to its container through ``__parent__``, which would drag the
whole site along; so the subtree's top is detached for the export, in a
savepoint of a transaction that is then aborted, and the export refuses
content that still reaches the site by some other reference.

``import_zexp`` checks the whole file first (its structure, and that every
class it names can be loaded here), then ``Connection.importFile`` gives
the records new oids and the top is added to the target folder with the
usual events, so the catalog indexes the subtree.
"""

import importlib
import io
import os
import pickletools
from pathlib import Path

from ZODB.blob import Blob
from ZODB.ExportImport import blob_begin_marker, export_end_marker
from ZODB.serialize import referencesf
from ZODB.utils import get_pickle_metadata, u64
from zope.schema import getFieldsInOrder

from cupola.content.container import subtree
from cupola.content.operations import check_allowed, check_name, delete
from cupola.content.trash import find_site, path_in_site
from cupola.exceptions import InvalidName, NotAllowedHere
from cupola.interfaces import IItem, ISite
from cupola.transfer.errors import TransferError
from cupola.transfer.uuids import plan_uuids, remap_references

MAGIC = b"ZEXP"


def export_zexp(conn, obj, out, progress=None):
    """Write *obj* and everything inside it into the file *out*.

    Uses (and aborts) the transaction of *conn*: nothing is changed.
    Returns the number of records written. Raises TransferError for the
    site root, or for content that refers to objects outside the subtree.
    """
    if obj.__parent__ is None or ISite.providedBy(obj):
        raise TransferError("the whole site cannot be exported this way; "
                            "back up the database instead (cupola backup)")
    out = Path(out)
    where = path_in_site(obj)
    outside = _outside_oids(conn, obj)
    tm = conn.transaction_manager
    part = out.with_name(f".{out.name}.part")
    try:
        obj.__parent__ = None
        tm.savepoint(optimistic=True)  # the export reads the detached state
        total = _count_records(conn, obj._p_oid, outside, where)
        with open(part, "wb") as f:
            conn.exportFile(obj._p_oid, _CountingWriter(f, total, progress))
        os.replace(part, out)
        return total
    finally:
        tm.abort()
        if part.exists():
            part.unlink()


def _outside_oids(conn, obj):
    """The oids an export of *obj* must never reach: the database root,
    the site and the site's direct records (catalog, users, settings)."""
    node = obj
    while node.__parent__ is not None:
        node = node.__parent__
    oids = {conn.root()._p_oid, node._p_oid}
    for name in ("catalog", "users", "groups", "settings", "_items"):
        found = getattr(node, name, None)
        if getattr(found, "_p_oid", None) is not None:
            oids.add(found._p_oid)
    return oids


def _count_records(conn, oid, outside, where):
    storage, seen, todo = conn._storage, set(), [oid]
    while todo:
        oid = todo.pop()
        if oid in seen:
            continue
        if oid in outside:
            raise TransferError(
                "this content refers to objects outside itself (the site), "
                "which a ZODB export would copy too; use the JSON export",
                where)
        seen.add(oid)
        data, _ = storage.load(oid)
        todo.extend(referencesf(data))
    return len(seen)


class _CountingWriter:
    """A file that reports each record ``exportFile`` writes."""

    def __init__(self, f, total, progress):
        self.f, self.total, self.progress, self.done = f, total, progress, 0

    def write(self, data):
        return self.f.write(data)

    def writelines(self, lines):
        self.f.writelines(lines)
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def check_zexp(path, packages=()):
    """Read all of the export in *path*; return its number of records.

    Raises TransferError when it is not a ZODB export, is cut short, names
    a class this site cannot load, refers to anything but content classes
    (see ``_allowed``; *packages* adds add-ons' top-level packages), or
    when its top is no content.
    """
    path = Path(path)
    packages = frozenset(packages) | {"cupola"}
    size = path.stat().st_size
    count = 0
    with open(path, "rb") as f:
        if f.read(4) != MAGIC:
            raise TransferError("is not a ZODB export (.zexp) file", path)
        while True:
            header = f.read(16)
            if header == export_end_marker:
                break
            if len(header) != 16:
                raise TransferError("is cut short (no end marker)", path)
            length = u64(header[8:16])
            if f.tell() + length > size:
                raise TransferError("is cut short (a record is incomplete)", path)
            data = f.read(length)
            _check_globals(data, path, packages)
            cls = _class_of(data, path)
            if count == 0 and not IItem.implementedBy(cls):
                raise TransferError(f"holds a {cls.__name__}, not Cupola "
                                    "content", path)
            if issubclass(cls, Blob):
                if f.read(len(blob_begin_marker)) != blob_begin_marker:
                    raise TransferError("is damaged (a blob has no start "
                                        "marker)", path)
                blob_size = u64(f.read(8))
                if f.tell() + blob_size > size:
                    raise TransferError("is cut short (a file is incomplete)",
                                        path)
                f.seek(blob_size, os.SEEK_CUR)
            count += 1
    return count


def _check_globals(data, path, packages):
    """Refuse a record whose pickles name anything but content classes:
    unpickling an untrusted export could otherwise call any function."""
    buf = io.BytesIO(data)
    try:
        while buf.tell() < len(data):
            for op, arg, _ in pickletools.genops(buf):
                if op.name in ("GLOBAL", "INST"):
                    module, _, name = arg.partition(" ")
                    if not _allowed(module, name, packages, path):
                        raise TransferError(
                            f"refers to {module}.{name}, which an import does "
                            "not accept (only content classes are: an untrusted "
                            ".zexp could run code)", path)
                elif op.name == "STACK_GLOBAL":
                    raise TransferError("uses pickle features a ZODB export "
                                        "does not use; refusing it", path)
                if op.name == "STOP":
                    break
    except (ValueError, EOFError, IndexError) as e:  # bytes that are no pickle
        raise TransferError(f"is damaged ({e})", path) from None


_SAFE = {("datetime", n) for n in ("datetime", "date", "time", "timedelta", "timezone")} | {
    ("decimal", "Decimal"), ("builtins", "set"), ("builtins", "frozenset"),
    ("__builtin__", "set"), ("__builtin__", "frozenset"), ("builtins", "bytearray"),
    ("copyreg", "_reconstructor"), ("copy_reg", "_reconstructor"),
    ("zope.interface.declarations", "Provides")}


def _allowed(module, name, packages, path):
    """Persistent classes, interfaces, a few value types, and the plain
    classes of Cupola's and add-ons' packages; nothing that can be called
    to do harm (functions, most classes of other libraries)."""
    if (module, name) in _SAFE:
        return True
    top = module.split(".")[0]
    if top not in packages and not top.startswith("cupola_") and top not in _LIBRARIES:
        return False  # not even imported
    found = _resolve(module, name, path)
    from persistent import Persistent
    from zope.interface.interface import InterfaceClass
    if isinstance(found, InterfaceClass):
        return True
    if not isinstance(found, type):
        return False
    if issubclass(found, Persistent):
        return True
    # plain classes: content's own (FileVersion) and add-ons' packages
    return module.startswith("cupola.content.") or top.startswith("cupola_") \
        or (top in packages and top != "cupola")


_LIBRARIES = {"BTrees", "persistent", "ZODB", "zope"}  # their persistent classes


def _resolve(module, name, path):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        raise TransferError(f"holds objects of the class {module}.{name}, "
                            "which this site cannot load (is the add-on "
                            "that provides it installed?)", path) from None


def _class_of(data, path):
    module, name = get_pickle_metadata(data)
    cls = _resolve(module, name, path)
    if not isinstance(cls, type):
        raise TransferError(f"names {module}.{name}, which is not a class", path)
    return cls


def import_zexp(registry, conn, target, path, name=None, replace=False,
                progress=None):
    """Add the subtree exported in *path* to the container *target*.

    Checks the file first (``check_zexp``), then imports it in *conn*'s
    transaction and adds its top as *name* (default: its exported name);
    a name in use raises TransferError unless *replace* (the existing item
    goes to the recycle bin). Fires ObjectWillBeAdded and ObjectAdded: the
    catalog indexes the subtree. The caller commits or aborts.
    """
    path = Path(path)
    total = check_zexp(path, {info.factory.__module__.split(".")[0]
                              for info in registry.types.values()})
    with open(path, "rb") as f:
        obj = conn.importFile(_CountingReader(f, path.stat().st_size, progress))
    if obj is None or not IItem.providedBy(obj):
        raise TransferError("holds no Cupola content", path)
    name = name or obj.__name__
    where = path_in_site(target)
    try:
        check_allowed(registry, target, obj.type_name)
    except NotAllowedHere as e:
        raise TransferError(f"cannot go into {where}: {e}", path) from None
    if name in target:
        if not replace:
            raise TransferError(
                f"{where.rstrip('/')}/{name} already exists: import under "
                "another name, or replace it (the existing item goes to the "
                "recycle bin)")
        delete(target[name])
    try:
        check_name(target, name)
    except InvalidName as e:
        raise TransferError(f"the name {name!r} cannot be used: {e}") from None
    obj.__parent__ = None
    _renew_taken_uuids(registry, find_site(target), obj)
    target.add(name, obj)
    return obj, total


def _renew_taken_uuids(registry, site, obj):
    """New uuids for imported objects whose uuid the site already uses
    (an import beside the original), references inside updated to match."""
    if site is None:
        return
    nodes = list(subtree(obj))
    mapping = plan_uuids(site, [getattr(n, "uuid", None) for n in nodes])
    if all(old == new for old, new in mapping.items()):
        return
    for node in nodes:
        uid = getattr(node, "uuid", None)
        if uid in mapping:
            node.uuid = mapping[uid]
        info = registry.types.get(node.type_name)
        if info is None:
            continue
        names = [n for n, _ in getFieldsInOrder(info.schema)]
        values = {n: getattr(node, n, None) for n in names}
        for key, value in remap_references(info.schema, values, mapping).items():
            if value != values[key]:
                setattr(node, key, value)


class _CountingReader:
    """A file that reports how far ``importFile`` has read."""

    def __init__(self, f, size, progress):
        self.f, self.size, self.progress = f, size, progress

    def read(self, n=-1):
        data = self.f.read(n)
        if self.progress is not None:
            self.progress(self.f.tell(), self.size)
        return data
