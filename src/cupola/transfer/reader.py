"""Reading and checking a JSON export before anything is written.

``read_export`` reads every ``_object.json`` and ``_revisions.json`` of an
export (see ``writer``), decodes the values through the target site's type
schemas, checks the files (present, size, SHA-256; images readable), the
types (registered, allowed inside their parent), the names, workflow
states, local roles and the order of children, and returns the tree of
``Node``s the loader adds. Any fault raises TransferError naming the file.
Files' bytes are not kept in memory: a Node names them (``FileRef``).
"""

import hashlib
import json
import re
from pathlib import Path

from zope.schema import getFieldsInOrder

from cupola.content.operations import check_name, validate_fields
from cupola.exceptions import InvalidName
from cupola.interfaces import IContainer, IImage
from cupola.security.roles import LOCAL_ROLES
from cupola.transfer.errors import TransferError
from cupola.transfer.extras import read_extras
from cupola.transfer.values import FileRef, decode, decode_time
from cupola.transfer.writer import FORMAT, MANIFEST, OBJECT, REVISIONS, VERSION

_UUID = re.compile(r"^[0-9a-f]{32}$")


class Node:
    """One object of an export, checked, ready to be added."""

    def __init__(self, folder, name, type_name):
        self.folder, self.name, self.type_name = folder, name, type_name
        self.data = {}          # {field: value}; files as FileRef
        self.created = self.modified = self.creator = None
        self.uuid = None        # as exported; the loader may give a new one
        self.state, self.history = None, None  # workflow
        self.local_roles, self.block = {}, False
        self.children = []      # [Node] in their order
        self.order = []         # names of the children, as the export says
        self.revisions = []     # [dict] as in _revisions.json, values decoded
        self.extras = {}        # {handler: (data, {file: Path})}, see extras

    def walk(self):
        """This node and every node inside it, parents first, in order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def __repr__(self):
        return f"<Node {self.type_name} {self.name!r}>"


class Export:
    """A checked export: its manifest and the root Node."""

    def __init__(self, folder, manifest, root, count):
        self.folder, self.manifest = folder, manifest
        self.root, self.count = root, count


def read_export(registry, folder, progress=None):
    """Read and check the export in *folder* against *registry*'s types.

    *progress(done, total)* is called per object. Returns an Export.
    Raises TransferError naming the first file at fault.
    """
    folder = Path(folder)
    manifest = _manifest(folder)
    total = manifest.get("objects") if isinstance(manifest.get("objects"), int) else 0
    root_folder = folder / manifest["root"]
    root = _read_node(registry, root_folder, manifest["root"], None)
    done, stack = 1, [root]
    if progress is not None:
        progress(done, total)
    while stack:
        node = stack.pop()
        for name in node.order:
            child = _read_node(registry, node.folder / name, name, node.type_name)
            node.children.append(child)
            done += 1
            if progress is not None:
                progress(done, total)
        stack.extend(reversed(node.children))
    return Export(folder, manifest, root, done)


def _manifest(folder):
    path = folder / MANIFEST
    if not folder.is_dir():
        raise TransferError("no such folder", folder)
    if not path.is_file():
        raise TransferError(
            f"is not a whole Cupola export: {MANIFEST} is missing (it is "
            "written last, so an interrupted export has none)", folder)
    data = load_json(path)
    if data.get("format") != FORMAT:
        raise TransferError(f"is not a Cupola export (format "
                            f"{data.get('format')!r})", path)
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise TransferError(f"has version {version!r}, this Cupola reads "
                            f"version {VERSION} and older", path)
    root = data.get("root")
    if not isinstance(root, str) or "/" in root or root.startswith((".", "_")) \
            or not (folder / root).is_dir():
        raise TransferError(f"names the root folder {root!r}, which is not "
                            "there", path)
    return data


def load_json(path):
    """The JSON object in *path*; TransferError naming the line when broken."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TransferError("is missing", path) from None
    except UnicodeDecodeError:
        raise TransferError("is not UTF-8 text", path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise TransferError(f"is not valid JSON: {e.msg} at line {e.lineno}, "
                            f"column {e.colno}", path) from None
    if not isinstance(data, dict):
        raise TransferError("must hold a JSON object", path)
    return data


def _read_node(registry, folder, name, parent_type):
    path = folder / OBJECT
    for part in (folder, path, folder / REVISIONS):
        if part.is_symlink():
            raise TransferError("is a symbolic link; an export holds plain "
                                "files and folders only", part)
    data = load_json(path)
    type_name = data.get("type")
    info = registry.types.get(type_name) if isinstance(type_name, str) else None
    if info is None:
        raise TransferError(f"has the type {type_name!r}, which this site does "
                            "not know (is the add-on that provides it active?)",
                            path)
    if parent_type is not None:
        try:
            check_name({}, name)
        except InvalidName as e:
            raise TransferError(f"the name {name!r} cannot be used: {e}",
                                folder) from None
        parent = registry.types[parent_type]
        if not parent.allows(type_name):
            raise TransferError(f"a {info.title} cannot be inside a "
                                f"{parent.title}", path)
    node = Node(folder, name, type_name)
    try:
        _read_fields(node, info, data.get("fields"))
        _read_metadata(registry, node, info, data)
    except ValueError as e:
        raise TransferError(str(e), path) from None
    if (folder / REVISIONS).exists():
        _read_revisions(node, info, load_json(folder / REVISIONS), folder / REVISIONS)
    node.order = _order(info, data.get("order"), folder, path)
    node.extras = read_extras(registry, folder, info, load_json)
    return node


def _read_fields(node, info, raw):
    if not isinstance(raw, dict):
        raise ValueError("'fields' must be an object")
    fields = dict(getFieldsInOrder(info.schema))
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ValueError(f"{', '.join(map(repr, unknown))} "
                         f"{'is not a field' if len(unknown) == 1 else 'are not fields'}"
                         f" of {info.title} in this site")
    files = _FileChecker(node.folder, IImage.implementedBy(info.factory))
    for name, value in raw.items():
        try:
            node.data[name] = decode(fields[name], value, files.resolve)
        except ValueError as e:
            raise ValueError(f"field {name!r}: {e}") from None
    probe = {k: (b"", v.filename, v.content_type) if isinstance(v, FileRef) else v
             for k, v in node.data.items()}
    _, errors = validate_fields(info.schema, probe)
    if errors:
        raise ValueError("; ".join(f"field {k!r}: {v}" for k, v in errors.items()))


def _read_metadata(registry, node, info, data):
    node.created = decode_time(data.get("created"))
    node.modified = decode_time(data.get("modified"))
    node.creator = _text_or_none(data.get("creator"), "'creator'")
    node.uuid = _text_or_none(data.get("uuid"), "'uuid'")
    if node.uuid is not None and not _UUID.match(node.uuid):
        raise ValueError(f"'uuid' must be 32 hex digits, not {node.uuid!r}")
    roles = data.get("local_roles", {})
    if not isinstance(roles, dict):
        raise ValueError("'local_roles' must be an object")
    for principal, given in roles.items():
        if not isinstance(given, list) or not all(isinstance(r, str) for r in given):
            raise ValueError(f"local roles of {principal!r} must be a list of names")
        unknown = sorted(set(given) - set(LOCAL_ROLES))
        if unknown:
            raise ValueError(f"{', '.join(unknown)} {'is not a local role' if len(unknown) == 1 else 'are not local roles'}"
                             f" (they are: {', '.join(LOCAL_ROLES)})")
        node.local_roles[principal] = tuple(given)
    block = data.get("block_local_roles", False)
    if not isinstance(block, bool):
        raise ValueError("'block_local_roles' must be true or false")
    node.block = block
    workflow = data.get("workflow")
    if workflow is not None:
        _read_workflow(registry, node, info, workflow)


def _read_workflow(registry, node, info, workflow):
    if not isinstance(workflow, dict) or not isinstance(workflow.get("state"), str):
        raise ValueError("'workflow' must be an object with a 'state'")
    name = getattr(registry, "workflow_by_type", {}).get(node.type_name)
    chain = getattr(registry, "workflows", {}).get(name)
    state = workflow["state"]
    if chain is None:
        raise ValueError(f"it is in the workflow state {state!r}, but a "
                         f"{info.title} has no workflow in this site")
    if state not in chain.states:
        raise ValueError(f"the workflow {chain.title!r} of this site has no "
                         f"state {state!r} (it has: {', '.join(chain.states)})")
    history = workflow.get("history", [])
    if not isinstance(history, list) or not all(isinstance(e, dict) for e in history):
        raise ValueError("the workflow 'history' must be a list of objects")
    entries = []
    for entry in history:
        entry = dict(entry)
        entry["time"] = decode_time(entry.get("time"))
        entries.append(entry)
    node.state, node.history = state, entries


def _read_revisions(node, info, data, path):
    found = data.get("revisions")
    if not isinstance(found, list):
        raise TransferError("'revisions' must be a list", path)
    fields = dict(getFieldsInOrder(info.schema))
    files = _FileChecker(node.folder, False)
    for number, raw in enumerate(found, 1):
        try:
            if not isinstance(raw, dict) or raw.get("number") != number:
                raise ValueError(f"revision {number} must come in position "
                                 f"{number}, numbered {number}")
            values = raw.get("values") or {}
            if not isinstance(values, dict) or not isinstance(raw.get("fields", []), list):
                raise ValueError("'fields' must be a list and 'values' an object")
            decoded = {}
            for name, value in values.items():
                field = fields.get(name)
                decoded[name] = value if field is None else \
                    decode(field, value, files.resolve)
            reverted = raw.get("reverted_to")
            if reverted is not None and not isinstance(reverted, int):
                raise ValueError("'reverted_to' must be a revision number")
            node.revisions.append({
                "number": number,
                "action": _text_or_none(raw.get("action"), "'action'") or "edit",
                "actor": _text_or_none(raw.get("actor"), "'actor'"),
                "time": decode_time(raw.get("time")),
                "comment": _text_or_none(raw.get("comment"), "'comment'") or "",
                "fields": tuple(raw.get("fields", [])), "values": decoded,
                "reverted_to": reverted})
        except ValueError as e:
            raise TransferError(f"revision {number}: {e}", path) from None


def _order(info, order, folder, path):
    children = sorted(p.name for p in folder.iterdir()
                      if p.is_dir() and not p.name.startswith(("_", ".")))
    if not IContainer.implementedBy(info.factory):
        if children or order:
            raise TransferError(f"a {info.title} holds no items, but its "
                                f"folder has {', '.join(children or order)}", path)
        return []
    order = [] if order is None else order
    if not isinstance(order, list) or not all(isinstance(n, str) for n in order) \
            or len(set(order)) != len(order):
        raise TransferError("'order' must be a list of distinct names", path)
    missing = [n for n in order if n not in children]
    if missing:
        raise TransferError(f"'order' names {', '.join(map(repr, missing))} "
                            "but there is no such folder", path)
    extra = sorted(set(children) - set(order))
    if extra:
        raise TransferError(f"the folder{'s' if len(extra) > 1 else ''} "
                            f"{', '.join(map(repr, extra))} "
                            f"{'are' if len(extra) > 1 else 'is'} not in 'order'", path)
    return order


def _text_or_none(value, what):
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{what} must be text")
    return value


class _FileChecker:
    """Resolves the file dicts of one object's folder, checking each file."""

    def __init__(self, folder, image):
        self.folder, self.image = folder, image
        self.checked = {}  # {name: sha256} of files already checked

    def resolve(self, raw):
        name = raw["path"]
        if "/" in name or "\\" in name or not name.startswith("_"):
            raise ValueError(f"the file {name!r} must be a '_' name in the "
                             "object's own folder")
        path = self.folder / name
        if path.is_symlink():
            raise ValueError(f"the file {name} is a symbolic link; an export "
                             "holds plain files only")
        if not path.is_file():
            raise ValueError(f"the file {name} is missing")
        size, digest = raw.get("size"), raw.get("sha256")
        if name not in self.checked:
            actual, length = _digest(path)
            if isinstance(size, int) and size != length:
                raise ValueError(f"the file {name} has {length} bytes, the "
                                 f"export says {size}")
            if digest and digest != actual:
                raise ValueError(f"the file {name} is damaged (its SHA-256 "
                                 "differs from the export's)")
            if self.image:
                _check_image(path)
            self.checked[name] = actual
        return FileRef(path, _str(raw.get("filename")), _str(raw.get("content_type")),
                       size if isinstance(size, int) else path.stat().st_size,
                       self.checked[name], raw.get("width"), raw.get("height"))


def _digest(path):
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 16):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _check_image(path):
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        raise ValueError(f"the file {path.name} is not an image Cupola can "
                         f"read ({e})") from None


def _str(value):
    return value if isinstance(value, str) else ""
