"""Adding a checked export (see ``reader``) to a folder of a site.

Every object is made by ``cupola.content.operations.create``, so the
lifecycle events fire: the catalog indexes the new content, the
transaction notes say what was added, add-ons' subscribers run. Then what
``create`` cannot set is put back as it was exported: the workflow state
and history, local roles and their blocking, the revisions, the creation
and modification dates; add-ons' transfer handlers put back their data kept
outside the schema (``extras``). Everything happens in the caller's transaction:
on any error the caller aborts and nothing is left half-imported.
"""

from contextlib import ExitStack

from BTrees.IOBTree import IOBTree
from persistent.list import PersistentList
from ZODB.blob import Blob
from zope.interface import alsoProvides

from cupola.content.operations import (FieldErrors, check_allowed, check_name,
                                       create, delete, edit)
from cupola.content.revisions import FileVersion, Revision
from cupola.content.trash import find_site, path_in_site
from cupola.exceptions import InvalidName, NotAllowedHere
from cupola.interfaces import ISite, IWorkflowAware
from cupola.security.localroles import (local_roles, set_block_inheritance,
                                        set_local_roles)
from cupola.transfer.errors import TransferError
from cupola.transfer.extras import apply_extras, check_extras_active
from cupola.transfer.uuids import plan_uuids, remap_references
from cupola.transfer.values import FileRef

SAVEPOINT_EVERY = 500  # objects; keeps the memory of a big import bounded
CHUNK = 1 << 16


def load_export(registry, target, export, name=None, replace=False,
                actor=None, progress=None):
    """Add the checked *export* into the container *target*.

    The export's root goes in as *name* (default: its own name). An export
    of a whole site puts the site's content into *target* (and, when
    *target* is a site root, the site's fields and local roles on it).
    A name already in *target* raises TransferError unless *replace*, which
    moves the existing item to the recycle bin first. Returns the top
    objects added. Fires the events of ``operations.create``.
    """
    root = export.root
    whole_site = ISite.implementedBy(registry.types[root.type_name].factory)
    if whole_site and name:
        raise TransferError("an export of a whole site has no single name to "
                            "change; leave out the new name")
    tops = [(node, node.name) for node in root.children] if whole_site \
        else [(root, name or root.name)]
    _check_place(registry, target, tops, replace)
    _check_addons(registry, target, root, tops, whole_site)
    for _, top_name in tops:
        if top_name in target:
            delete(target[top_name], actor)
    site = find_site(target)
    uuids = plan_uuids(site, [n.uuid for top, _ in tops for n in top.walk()]) \
        if site is not None else {}
    added, done = [], 0
    total = export.count - (1 if whole_site else 0)
    pairs = []  # [(object, Node)] for the dates, set once all is added
    if whole_site and ISite.providedBy(target):
        _apply_to_site(registry, target, root)
        pairs.append((target, root))
    for top, top_name in tops:
        stack = [(target, top, top_name)]
        while stack:
            parent, node, node_name = stack.pop()
            obj = _add(registry, parent, node, node_name, uuids)
            pairs.append((obj, node))
            if parent is target:
                added.append(obj)
            stack.extend((obj, child, child.name)
                         for child in reversed(node.children))
            done += 1
            if progress is not None:
                progress(done, total)
            if done % SAVEPOINT_EVERY == 0:
                _savepoint(target)
    for obj, node in pairs:
        if node.created is not None:
            obj.created = node.created
        if node.modified is not None:
            obj.modified = node.modified
    return added


def _check_place(registry, target, tops, replace):
    """Raise TransferError, before anything is written, when a top object
    cannot go into *target*."""
    where = path_in_site(target)
    for node, top_name in tops:
        try:
            check_allowed(registry, target, node.type_name)
        except NotAllowedHere as e:
            raise TransferError(f"cannot go into {where}: {e}", node.folder) from None
        if top_name in target:
            if not replace:
                raise TransferError(
                    f"{where.rstrip('/')}/{top_name} already exists: import "
                    "under another name, or replace it (the existing item "
                    "goes to the recycle bin)")
            continue
        try:
            check_name(target, top_name)
        except InvalidName as e:
            raise TransferError(f"the name {top_name!r} cannot be used: {e}") from None


def _check_addons(registry, target, root, tops, whole_site):
    """TransferError, before anything is written, when the export holds data
    of an add-on that is not active in the target's site."""
    site = find_site(target)
    if site is None:
        return
    from cupola.addons.sites import site_state
    nodes = [n for top, _ in tops for n in top.walk()]
    if whole_site and ISite.providedBy(target):
        nodes.insert(0, root)
    check_extras_active(registry, nodes, site_state(registry, site).active)


def _add(registry, parent, node, name, uuids):
    with ExitStack() as files:  # closed once create has read them
        data = {key: _upload(value, files) if isinstance(value, FileRef) else value
                for key, value in node.data.items()}
        data = remap_references(registry.types[node.type_name].schema, data, uuids)
        try:
            obj = create(registry, parent, node.type_name, data, name=name,
                         creator=node.creator)
        except (FieldErrors, InvalidName, NotAllowedHere, ValueError) as e:
            raise TransferError(f"cannot be added: {e}", node.folder) from None
    _apply_metadata(obj, node)
    if node.uuid:
        obj.uuid = uuids.get(node.uuid, node.uuid)
    apply_extras(registry, obj, node)
    return obj


def _upload(ref, files):
    return (files.enter_context(open(ref.path, "rb")), ref.filename,
            ref.content_type or None)


def _apply_to_site(registry, site, node):
    data = {k: v for k, v in node.data.items() if not isinstance(v, FileRef)}
    try:
        edit(registry, site, data, comment="Imported")
    except FieldErrors as e:
        raise TransferError(f"cannot be applied to the site: {e}", node.folder) from None
    _apply_metadata(site, node, revisions=False)
    apply_extras(registry, site, node)


def _apply_metadata(obj, node, revisions=True):
    if node.state is not None:
        obj.workflow_state = node.state
        obj.workflow_history = PersistentList(dict(e) for e in node.history)
        if not IWorkflowAware.providedBy(obj):
            alsoProvides(obj, IWorkflowAware)
    for principal in set(local_roles(obj)) - set(node.local_roles):
        set_local_roles(obj, principal, ())  # given on creation, not exported
    for principal, roles in node.local_roles.items():
        set_local_roles(obj, principal, roles)
    set_block_inheritance(obj, node.block)
    if revisions and node.revisions:
        obj._revisions = _revision_tree(obj, node)


def _revision_tree(obj, node):
    """The exported revisions, files shared with the object where they were."""
    blobs = {}  # {file path: Blob}
    current = node.data.get("file")
    if isinstance(current, FileRef) and getattr(obj, "blob", None) is not None:
        blobs[current.path] = obj.blob
    tree = IOBTree()
    for raw in node.revisions:
        values = raw["values"]
        ordered = {f: values[f] for f in raw["fields"] if f in values}
        ordered.update((k, v) for k, v in values.items() if k not in ordered)
        ordered = {k: _file_version(v, blobs) if isinstance(v, FileRef) else v
                   for k, v in ordered.items()}
        revision = Revision(raw["number"], raw["action"], ordered or None,
                            raw["actor"], raw["comment"], raw["time"])
        if raw["reverted_to"] is not None:
            revision.reverted_to = raw["reverted_to"]
        tree[raw["number"]] = revision
    return tree


def _file_version(ref, blobs):
    blob = blobs.get(ref.path)
    if blob is None:
        blob = blobs[ref.path] = Blob()
        with open(ref.path, "rb") as src, blob.open("w") as out:
            while chunk := src.read(CHUNK):
                out.write(chunk)
    return FileVersion(blob, ref.filename, ref.content_type, ref.size,
                       ref.width, ref.height)


def _savepoint(obj):
    jar = getattr(obj, "_p_jar", None)
    if jar is not None:
        jar.transaction_manager.savepoint(optimistic=True)
