"""Keeping the catalog current: event subscribers and a per-transaction queue.

Adds, edits, transitions and local-role changes queue the object (merged:
one reindex per object per transaction, of the union of what changed);
the queue is flushed just before the transaction commits, or before a
search in the same transaction. Removals and moves unindex the old
place's whole subtree at once (its path is only known then); a moved or
copied subtree is queued for indexing at its new place.
"""

import transaction

from cupola.catalog.catalog import find_catalog, path_of, walk
from cupola.catalog.definitions import SECURITY_INDEXES
from cupola.registry import query_current_registry

_ALL = None


class IndexQueue:
    """Objects waiting to be indexed in one transaction."""

    def __init__(self, catalog, registry):
        self.catalog, self.registry = catalog, registry
        self.pending = {}   # {id(obj): (obj, set of index names | None for all)}

    def add(self, obj, names=_ALL):
        key = id(obj)
        found = self.pending.get(key)
        if found is None:
            self.pending[key] = (obj, None if names is None else set(names))
        elif found[1] is not None:
            self.pending[key] = (obj, None if names is None else found[1] | set(names))

    def flush(self):
        catalog, registry = self.catalog, self.registry
        site = catalog.__parent__
        with catalog.batching():
            while self.pending:
                pending, self.pending = self.pending, {}
                for obj, names in pending.values():
                    where, path = path_of(obj)
                    if where is site and path != "/":
                        catalog.index_object(registry, obj, path, names)


def queue_for(catalog, registry=None, create=True):
    """The IndexQueue of the current transaction for *catalog*."""
    jar = catalog._p_jar
    manager = jar.transaction_manager if jar is not None else transaction.manager
    txn = manager.get()
    try:
        return txn.data(catalog)
    except KeyError:
        if not create:
            return None
    registry = registry or query_current_registry()
    if registry is None:
        return None
    queue = IndexQueue(catalog, registry)
    txn.set_data(catalog, queue)
    txn.addBeforeCommitHook(queue.flush)
    return queue


def flush_pending(catalog):
    """Index what this transaction queued, now (before searching)."""
    queue = queue_for(catalog, create=False)
    if queue is not None:
        queue.flush()


def _queue_subtree(queue, obj, names=_ALL):
    for node in walk(obj):
        queue.add(node, names)


# -- subscribers ------------------------------------------------------------

def object_added(obj, event):
    catalog = find_catalog(event.parent)
    queue = catalog is not None and queue_for(catalog)
    if queue:
        _queue_subtree(queue, obj)


def object_modified(obj, event):
    catalog = find_catalog(obj)
    queue = catalog is not None and queue_for(catalog)
    if queue:
        queue.add(obj)


def object_removed(obj, event):
    catalog = find_catalog(event.parent)
    if catalog is not None:
        _, parent = path_of(event.parent)
        if parent is not None:
            catalog.unindex_path(_join(parent, event.name))


def object_moved(obj, event):
    if event.old_parent is not None:
        catalog = find_catalog(event.old_parent)
        _, parent = path_of(event.old_parent)
        if catalog is not None and parent is not None:
            catalog.unindex_path(_join(parent, event.old_name))
    if event.new_parent is not None:
        catalog = find_catalog(event.new_parent)
        queue = catalog is not None and queue_for(catalog)
        if queue:
            _queue_subtree(queue, obj)


def state_changed(obj, event):
    """A transition: who may see *obj* changed, and with it what below
    takes its permissions from *obj* (nodes without a state of their own)."""
    _requeue_security(obj, prune=_has_own_grants)


def local_roles_changed(obj, event):
    """Local roles changed on *obj*: everything below inherits them, except
    below a node that blocks inheritance."""
    _requeue_security(obj, prune=lambda registry, node: getattr(
        node, "_block_local_roles", False))


def _requeue_security(obj, prune):
    from cupola.interfaces import IContainer
    catalog = find_catalog(obj)
    queue = catalog is not None and queue_for(catalog)
    if not queue:
        return
    queue.add(obj, SECURITY_INDEXES)
    if not IContainer.providedBy(obj):
        return
    stack = list(obj.values())
    while stack:
        node = stack.pop()
        if prune(queue.registry, node):
            continue
        queue.add(node, SECURITY_INDEXES)
        if IContainer.providedBy(node):
            stack.extend(node.values())


def _has_own_grants(registry, node):
    from cupola.security.roles import ACCESS_INACTIVE, VIEW
    from cupola.workflow.engine import permission_roles
    return (permission_roles(registry, node, VIEW) is not None
            and permission_roles(registry, node, ACCESS_INACTIVE) is not None)


def _join(parent, name):
    return ("" if parent == "/" else parent) + "/" + name


def includeme(config):
    from cupola.interfaces import (IItem, ILocalRolesModified, IObjectAdded,
                                   IObjectModified, IObjectMoved,
                                   IObjectRemoved, IObjectTransitioned)
    config.add_subscriber(object_added, IItem, IObjectAdded)
    config.add_subscriber(object_modified, IItem, IObjectModified)
    config.add_subscriber(object_removed, IItem, IObjectRemoved)
    config.add_subscriber(object_moved, IItem, IObjectMoved)
    config.add_subscriber(state_changed, IItem, IObjectTransitioned)
    config.add_subscriber(local_roles_changed, IItem, ILocalRolesModified)

