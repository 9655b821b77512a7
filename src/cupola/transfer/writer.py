"""Writing a subtree as JSON plus files: one folder per object.

::

    DEST/_export.json              format, version, source path, object count
    DEST/<name>/_object.json       type, fields, dates, creator, workflow
                                   state and history, local roles, order
    DEST/<name>/_revisions.json    the revisions, oldest first (if any)
    DEST/<name>/_file.png          a file field's bytes (and _file-r3.png
                                   for a revision's older bytes)
    DEST/<name>/_extra/<h>.json    add-ons' data outside the schema (extras)
    DEST/<name>/<child>/...        each child, the same way

Content names never start with ``_`` or ``.``, so these never clash with a
child. JSON is indented with sorted keys, so exports of the same content
are byte for byte the same and a version control diff shows only what
changed. The manifest is written last: its presence marks a whole export.
"""

import hashlib
import json
import os
import re
from pathlib import Path

from ZODB.POSException import POSKeyError
from zope.schema import getFieldsInOrder

from cupola.content.container import count_inside
from cupola.content.notes import path_of
from cupola.content.revisions import FileVersion, field_value, revisions
from cupola.interfaces import IContainer
from cupola.security.localroles import blocks_inheritance, local_roles
from cupola.transfer.errors import TransferError
from cupola.transfer.extras import write_extras
from cupola.transfer.values import encode, encode_plain

FORMAT, VERSION = "cupola-export", 1
MANIFEST = "_export.json"
OBJECT = "_object.json"
REVISIONS = "_revisions.json"
SITE_DIR = "site"  # the folder of an exported site root (it has no name)
CHUNK = 1 << 16
_EXTENSION = re.compile(r"^\.[a-z0-9]{1,10}$")


def dump_json(path, data):
    """Write *data* as stable, readable JSON (sorted keys, UTF-8, newline)."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def export_tree(registry, obj, dest, progress=None):
    """Write *obj* and everything inside it into the folder *dest*.

    *dest* must be missing or empty. *progress(done, total)* is called per
    object. Returns the number of objects written. Raises TransferError
    naming the object when one cannot be exported (a type that is not
    registered, a value JSON cannot hold).
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise TransferError("is not an empty folder; choose a new one", dest)
    total = count_inside(obj) + 1 if IContainer.providedBy(obj) else 1
    dest.mkdir(parents=True, exist_ok=True)
    root_dir = obj.__name__ if obj.__parent__ is not None else SITE_DIR
    done, stack = 0, [(obj, dest / root_dir)]
    while stack:
        node, folder = stack.pop()
        try:
            folder.mkdir()
        except FileExistsError:
            raise TransferError(
                "two names differ only in upper and lower case, which this "
                "file system cannot keep apart; export to a case-sensitive "
                "file system", _where(node)) from None
        try:
            write_object(registry, node, folder)
            children = list(node.items()) if IContainer.providedBy(node) else []
        except POSKeyError as e:
            raise TransferError(f"the database lacks a record here ({e}); "
                                "run cupola check", _where(node)) from None
        done += 1
        if progress is not None:
            progress(done, total)
        stack.extend(reversed([(child, folder / name) for name, child in children]))
    dump_json(dest / MANIFEST, {
        "format": FORMAT, "version": VERSION, "root": root_dir,
        "type": obj.type_name, "source_path": _where(obj), "objects": done})
    return done


def write_object(registry, obj, folder):
    """Write ``_object.json``, ``_revisions.json`` and files of *obj*."""
    info = registry.types.get(obj.type_name)
    if info is None:
        raise TransferError(
            f"its type {obj.type_name!r} is not registered in this site "
            "(is the add-on that provides it active?)", _where(obj))
    fields = dict(getFieldsInOrder(info.schema))
    files = _Files(folder, obj)
    try:
        data = {
            "type": obj.type_name,
            "fields": {name: encode(field, field_value(obj, name),
                                    files.store(name))
                       for name, field in fields.items()},
            "created": encode_plain(getattr(obj, "created", None)),
            "modified": encode_plain(getattr(obj, "modified", None)),
            "creator": obj.creator,
            "uuid": getattr(obj, "uuid", None),
            "local_roles": {p: list(r) for p, r in sorted(local_roles(obj).items())},
            "block_local_roles": blocks_inheritance(obj),
        }
        state = getattr(obj, "workflow_state", None)
        if state is not None:
            data["workflow"] = {
                "state": state,
                "history": [encode_plain(dict(entry)) for entry in
                            getattr(obj, "workflow_history", None) or ()]}
        if IContainer.providedBy(obj):
            data["order"] = list(obj.keys())
        history = [_revision(r, fields, files) for r in revisions(obj)]
    except TypeError as e:
        raise TransferError(f"{e}", _where(obj)) from None
    dump_json(folder / OBJECT, data)
    if history:
        dump_json(folder / REVISIONS, {"revisions": history})
    write_extras(registry, obj, folder, _where(obj))


def _revision(revision, fields, files):
    data = {"number": revision.number, "action": revision.action,
            "actor": revision.actor, "time": encode_plain(revision.time),
            "comment": revision.comment, "fields": list(revision.fields),
            "values": {name: encode(fields.get(name), value,
                                    files.store(name, revision.number))
                       for name, value in revision.values.items()}}
    if revision.reverted_to is not None:
        data["reverted_to"] = revision.reverted_to
    return data


class _Files:
    """Writes the files of one object, each blob once."""

    def __init__(self, folder, obj):
        self.folder, self.obj = folder, obj
        self.written = {}  # {blob key: the dict naming its file}

    def store(self, field, revision=None):
        def store_file(value):
            return self._store(field, revision, value)
        return store_file

    def _store(self, field, revision, value):
        if isinstance(value, FileVersion):
            key = _blob_key(value.blob)
            found = self.written.get(key)
            if found is None:
                name = _file_name(field, revision, value.filename)
                size, digest = self._copy_blob(value.blob, name)
                found = self.written[key] = {"path": name, "size": size,
                                             "sha256": digest}
            ref = dict(found, filename=value.filename,
                       content_type=value.content_type)
            if value.width is not None:
                ref.update(width=value.width, height=value.height)
            return ref
        name = _file_name(field, revision, ".bin")
        data = bytes(value)
        (self.folder / name).write_bytes(data)
        return {"path": name, "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest()}

    def _copy_blob(self, blob, name):
        from ZODB.interfaces import BlobError
        from ZODB.POSException import POSKeyError
        digest, size = hashlib.sha256(), 0
        try:
            with blob.open("r") as src, open(self.folder / name, "wb") as out:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
        except (BlobError, POSKeyError, OSError) as e:
            raise TransferError(f"its file cannot be read: {e}",
                                _where(self.obj)) from None
        return size, digest.hexdigest()


def _blob_key(blob):
    oid = getattr(blob, "_p_oid", None)
    return oid if oid is not None else id(blob)


def _file_name(field, revision, filename):
    ext = os.path.splitext(filename or "")[1].lower()
    ext = ext if _EXTENSION.match(ext) else ".bin"
    suffix = f"-r{revision}" if revision is not None else ""
    return f"_{field}{suffix}{ext}"


def _where(obj):
    return path_of(obj) or repr(obj)
