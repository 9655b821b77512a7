"""Add-on data kept outside a type's schema, in a JSON export.

An add-on registers a transfer handler for the objects it keeps extra data
on (``config.add_transfer_handler``)::

    export(obj)                -> None (nothing to keep), a dict, or
                                  (dict, {file name: bytes or binary file})
    import_(obj, data, files)     puts *data* back on the new *obj*;
                                  *files* is {file name: Path}
    check(data, files)            optional: raises ValueError on bad data,
                                  so that the import refuses it before
                                  anything is written

The writer puts each handler's data beside the object's ``_object.json``::

    <object>/_extra/<handler>.json      {"handler", "addon", "data", "files"}
    <object>/_extra/<handler>/<file>    a file the handler gave, if any

The reader refuses an extra file whose handler this site lacks (naming the
add-on), or whose handler does not apply to the object's type; the loader
refuses, before writing anything, data of an add-on that is not active in
the target site, then calls ``import_`` right after the object is made, in
the import's one transaction.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from cupola.exceptions import ConfigurationError
from cupola.transfer.errors import TransferError

EXTRA = "_extra"
HANDLER_ERRORS = (ValueError, TypeError, KeyError, AttributeError)
CHUNK = 1 << 16
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class TransferHandler:
    """One add-on's way of keeping its extra data of some objects."""

    name: str
    context: object     # the interface of the objects it applies to
    export: object      # export(obj)
    import_: object     # import_(obj, data, files)
    check: object = None  # check(data, files), or None
    addon: str = None   # the add-on that registered it, None for the core
    origin: str = "?"


def add_transfer_handler(config, name, context, export, import_, check=None,
                         override=False, origin="?"):
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith(".json"):
        raise ConfigurationError(
            f"{name!r} cannot name a transfer handler: use lower-case "
            "letters, digits, '_', '.' and '-' (e.g. 'my_addon.notes')")
    if not hasattr(context, "providedBy"):
        raise ConfigurationError(f"transfer handler {name!r}: context must be "
                                 f"an interface, not {context!r}")
    for what, fn in (("export", export), ("import_", import_), ("check", check)):
        if not callable(fn) and not (what == "check" and fn is None):
            raise ConfigurationError(f"transfer handler {name!r}: {what} is "
                                     "not callable")
    config._claim(("transfer-handler", name), origin, override)
    addon = config.addon.name if config.addon is not None else None
    transfer_handlers(config.registry)[name] = TransferHandler(
        name, context, export, import_, check, addon, origin)


def transfer_handlers(registry):
    """{name: TransferHandler} of *registry*, in registration order."""
    return registry.__dict__.setdefault("transfer_handlers", {})


# -- export -------------------------------------------------------------------

def write_extras(registry, obj, folder, where):
    """Write the data of every handler that applies to *obj* into *folder*."""
    for handler in transfer_handlers(registry).values():
        if not handler.context.providedBy(obj):
            continue
        try:
            found = handler.export(obj)
        except HANDLER_ERRORS as e:
            raise TransferError(f"the transfer handler {handler.name!r} "
                                f"failed: {e}", where) from None
        if found is None:
            continue
        data, files = found if isinstance(found, tuple) else (found, {})
        if not isinstance(data, dict) or not isinstance(files, dict):
            raise TransferError(f"the transfer handler {handler.name!r} gave "
                                "no dict (or (dict, files) pair)", where)
        extra = folder / EXTRA
        extra.mkdir(exist_ok=True)
        listed = _write_files(handler, extra / handler.name, files, where) \
            if files else {}
        envelope = {"handler": handler.name, "addon": handler.addon,
                    "data": data, "files": listed}
        try:
            text = json.dumps(envelope, indent=2, sort_keys=True,
                              ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise TransferError(f"the transfer handler {handler.name!r} gave "
                                f"data JSON cannot hold: {e}", where) from None
        (extra / f"{handler.name}.json").write_text(text + "\n", encoding="utf-8")


def _write_files(handler, folder, files, where):
    folder.mkdir()
    listed = {}
    for name, content in sorted(files.items()):
        if not isinstance(name, str) or not _FILE.match(name):
            raise TransferError(f"the transfer handler {handler.name!r} gave "
                                f"the file name {name!r}; use letters, digits, "
                                "'_', '.' and '-'", where)
        digest, size = hashlib.sha256(), 0
        with open(folder / name, "wb") as out:
            if isinstance(content, (bytes, bytearray)):
                chunks = [bytes(content)]
            elif hasattr(content, "read"):
                chunks = iter(lambda: content.read(CHUNK), b"")
            else:
                raise TransferError(f"the transfer handler {handler.name!r} "
                                    f"gave {type(content).__name__} for the "
                                    f"file {name}; give bytes or a binary file",
                                    where)
            try:
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            finally:
                if hasattr(content, "close"):
                    content.close()
        listed[name] = {"size": size, "sha256": digest.hexdigest()}
    return listed


# -- import -------------------------------------------------------------------

def read_extras(registry, folder, type_info, load_json):
    """{handler name: (data, {file: Path})} of the object in *folder*,
    checked; TransferError naming the file at fault."""
    extra = folder / EXTRA
    if not extra.exists():
        return {}
    if extra.is_symlink() or not extra.is_dir():
        raise TransferError("must be a folder of the add-ons' data", extra)
    found = {}
    entries = sorted(extra.iterdir())
    for path in entries:
        if path.is_symlink():
            raise TransferError("is a symbolic link; an export holds plain "
                                "files and folders only", path)
        if path.is_dir():
            if not (extra / f"{path.name}.json").is_file():
                raise TransferError(f"has no {path.name}.json beside it", path)
            continue
        if path.suffix != ".json" or not _NAME.match(path.stem):
            raise TransferError("is not the data of a transfer handler "
                                "(<handler>.json)", path)
        found[path.stem] = _read_one(registry, path, type_info, load_json(path))
    return found


def _read_one(registry, path, type_info, envelope):
    name = path.stem
    handler = transfer_handlers(registry).get(name)
    if handler is None:
        addon = envelope.get("addon")
        who = f"the add-on {addon!r}" if isinstance(addon, str) else "an add-on"
        raise TransferError(
            f"holds data of {who} (transfer handler {name!r}), which this "
            "site does not have: install that add-on, or remove this file to "
            "import without its data", path)
    if not handler.context.implementedBy(type_info.factory):
        raise TransferError(f"the transfer handler {name!r} does not apply to "
                            f"a {type_info.title}", path)
    data, listed = envelope.get("data"), envelope.get("files", {})
    if envelope.get("handler") != name or not isinstance(data, dict) \
            or not isinstance(listed, dict):
        raise TransferError(f"must be an object with 'handler': {name!r}, "
                            "'data' (an object) and 'files'", path)
    files = _check_files(path.parent / name, listed, path)
    if handler.check is not None:
        try:
            handler.check(data, files)
        except HANDLER_ERRORS as e:
            raise TransferError(f"{e}", path) from None
    return data, files


def _check_files(folder, listed, path):
    present = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    extra = sorted(present - set(listed))
    if extra:
        raise TransferError(f"does not list {', '.join(extra)} of {folder.name}/", path)
    files = {}
    for name, info in sorted(listed.items()):
        file = folder / name
        if not _FILE.match(name) or not isinstance(info, dict):
            raise TransferError(f"lists the file {name!r} wrongly", path)
        if file.is_symlink() or not file.is_file():
            raise TransferError(f"lists the file {folder.name}/{name}, which "
                                "is missing", path)
        digest, size = hashlib.sha256(), 0
        with open(file, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        if size != info.get("size") or digest.hexdigest() != info.get("sha256"):
            raise TransferError(f"the file {folder.name}/{name} is damaged (its "
                                "size or SHA-256 differs from the listing)", path)
        files[name] = file
    return files


def check_extras_active(registry, nodes, active):
    """TransferError unless every handler of *nodes*' extra data belongs to
    the core or to an add-on in *active* (None: every add-on counts)."""
    if active is None:
        return
    handlers = transfer_handlers(registry)
    for node in nodes:
        for name in node.extras:
            addon = handlers[name].addon
            if addon is not None and addon not in active:
                raise TransferError(
                    f"holds data of the add-on {addon!r}, which is not active "
                    f"in this site: activate it first (cupola addons activate "
                    f"{addon}, or the Add-ons screen)",
                    node.folder / EXTRA / f"{name}.json")


def apply_extras(registry, obj, node):
    """Give the new *obj* the extra data of *node*, handler by handler."""
    handlers = transfer_handlers(registry)
    for name, (data, files) in node.extras.items():
        try:
            handlers[name].import_(obj, data, files)
        except HANDLER_ERRORS as e:
            raise TransferError(f"cannot be imported: {e}",
                                node.folder / EXTRA / f"{name}.json") from None
