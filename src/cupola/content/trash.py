"""The recycle bin: deleted content waits here until restored or purged.

``operations.delete`` takes an object (and everything inside it) out of its
container, which fires ObjectWillBeRemoved and ObjectRemoved as before (the
catalog forgets the subtree), and keeps it in the site's bin::

    site._trash          # RecycleBin, made on the first delete
    bin._entries         # LOBTree {key: Deleted}; key: microseconds since
                         #   the epoch of the deletion, so newest = largest
    bin._count           # Length (no write conflicts between deletes)

A Deleted entry holds the object itself, detached (``__parent__`` None),
with its revisions, workflow state and local roles untouched, and what the
bin shows without loading it: title, type, where it was, who deleted it,
when, and how many objects it holds.

``restore`` puts it back where it was (under a free name if its own is
taken) or into a chosen container, firing ObjectAdded (the catalog
indexes the subtree again) and ObjectRestored. ``purge`` drops it for good
(ObjectPurged); ZODB frees its records and blobs at the next pack.
``purge_expired`` empties what is older than ``trash_days``.
"""

from datetime import datetime, timedelta, timezone

from BTrees.Length import Length
from BTrees.LOBTree import LOBTree
from persistent import Persistent
from zope.interface import implementer
from zope.interface.interfaces import ObjectEvent

from cupola.content import revisions
from cupola.content.container import count_inside
from cupola.content.events import notify
from cupola.content.item import now
from cupola.exceptions import CupolaError, NotAllowedHere
from cupola.interfaces import (IContainer, IObjectPurged, IObjectRestored,
                               IRecycleBin, ISite)

DEFAULT_DAYS = 30


class PlaceGone(CupolaError, LookupError):
    """The container a deleted object came from no longer exists."""


@implementer(IObjectRestored)
class ObjectRestored(ObjectEvent):
    def __init__(self, obj, parent, name):
        super().__init__(obj)
        self.parent, self.name = parent, name


@implementer(IObjectPurged)
class ObjectPurged(ObjectEvent):
    pass


class Deleted(Persistent):
    """One deleted object and what the bin shows of it."""

    def __init__(self, key, obj, parent_path, name, actor, when, count):
        self.key = key
        self.object = obj
        self.parent_path = parent_path  # "/" or "/a/b": where it was
        self.name = name
        self.title = getattr(obj, "title", "") or name
        self.type_name = getattr(obj, "type_name", "")
        self.state = getattr(obj, "workflow_state", None)
        self.actor = actor
        self.time = when
        self.count = count  # objects inside it, not counting itself

    @property
    def path(self):
        """Where it was, itself included: "/a/b/name"."""
        return f"{self.parent_path.rstrip('/')}/{self.name}"


@implementer(IRecycleBin)
class RecycleBin(Persistent):
    """Deleted objects of one site, by time of deletion."""

    def __init__(self):
        self._entries = LOBTree()  # {key: Deleted}
        self._count = Length()

    def __len__(self):
        return self._count()

    def __bool__(self):
        return True

    def __contains__(self, key):
        return key in self._entries

    def get(self, key, default=None):
        return self._entries.get(key, default) if isinstance(key, int) else default

    def __getitem__(self, key):
        return self._entries[key]

    def add(self, obj, parent_path, name, actor=None, when=None, count=0):
        """Keep *obj*; return its Deleted entry."""
        when = when or now()
        key = int(when.timestamp() * 1_000_000)
        while key in self._entries:
            key += 1
        entry = self._entries[key] = Deleted(key, obj, parent_path, name,
                                             actor, when, count)
        self._count.change(1)
        return entry

    def pop(self, key):
        """Take entry *key* out and return it; KeyError when there is none."""
        entry = self._entries.pop(key)
        self._count.change(-1)
        return entry

    def newest(self, start=0, size=None):
        """Entries, newest first, from position *start*, at most *size*."""
        found, entries = [], self._entries
        key = entries.maxKey() if entries else None
        position = 0
        while key is not None and (size is None or len(found) < size):
            if position >= start:
                found.append(entries[key])
            position += 1
            key = _key_before(entries, key)
        return found

    def older_than(self, moment):
        """Keys of the entries deleted before *moment*, oldest first."""
        limit = int(moment.timestamp() * 1_000_000)
        return list(self._entries.keys(max=limit, excludemax=True))


def _key_before(tree, key):
    try:
        return tree.maxKey(key - 1)
    except ValueError:
        return None


# -- finding --------------------------------------------------------------

def find_site(obj):
    """The site *obj* is in (walking up), or None."""
    node = obj
    while node is not None and not ISite.providedBy(node):
        node = node.__parent__
    return node


def query_bin(site, create=False):
    """The RecycleBin of *site*; None when it has none (unless *create*)."""
    found = getattr(site, "_trash", None)
    if found is None and create:
        found = site._trash = RecycleBin()
    return found


def path_in_site(obj):
    """"/a/b" of *obj* in its site ("/" for the site itself)."""
    names = []
    while obj is not None and obj.__parent__ is not None:
        names.append(obj.__name__)
        obj = obj.__parent__
    return "/" + "/".join(reversed(names))


def resolve_path(site, path):
    """The object at site-relative *path*, or None."""
    node = site
    for name in (path or "/").strip("/").split("/"):
        if not name:
            continue
        if not IContainer.providedBy(node):
            return None
        node = node.get(name)
        if node is None:
            return None
    return node


# -- deleting, restoring, purging -----------------------------------------

def trash(obj, actor=None, when=None):
    """Take *obj* out of its container into the site's bin; return *obj*.

    Fires ObjectWillBeRemoved and ObjectRemoved. Outside a site (no bin to
    keep it in) the object is only removed.
    """
    parent, name = obj.__parent__, obj.__name__
    if parent is None:
        raise NotAllowedHere("The site root cannot be deleted.")
    site = find_site(parent)
    where, inside = path_in_site(parent), count_inside(obj)
    parent.remove(name)
    if site is not None:
        revisions.record_event(obj, revisions.DELETE, actor)
        entry = query_bin(site, create=True).add(obj, where, name, actor, when,
                                                 inside)
        if actor is None:
            revisions.actor_at_commit(entry, site)
    return obj


def free_name(container, name):
    """*name*, or *name*-2, -3... the first one *container* does not hold."""
    candidate, n = name, 1
    while candidate in container:
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def restore(registry, site, key, target=None, actor=None):
    """Put entry *key* back and return the object.

    Into *target* (a container) when given, else where it was, under its
    name or a free one. Raises KeyError (no such entry), PlaceGone (its
    container is gone; pass a *target*) or NotAllowedHere (*target* does
    not take that type). Fires ObjectWillBeAdded, ObjectAdded (the catalog
    indexes the subtree) and ObjectRestored.
    """
    from cupola.content.operations import check_allowed
    bin_ = query_bin(site)
    entry = bin_.get(key) if bin_ is not None else None
    if entry is None:
        raise KeyError(f"The recycle bin holds no item {key!r}.")
    if target is None:
        target = resolve_path(site, entry.parent_path)
        if target is None or not IContainer.providedBy(target):
            raise PlaceGone(
                f"{entry.parent_path}, where “{entry.title}” was, no longer "
                "exists. Choose a folder to put it in.")
    obj = entry.object
    check_allowed(registry, target, entry.type_name)
    bin_.pop(key)
    name = free_name(target, entry.name)
    target.add(name, obj)
    revisions.record_event(obj, revisions.RESTORE, actor,
                           f"Restored from the recycle bin to {path_in_site(obj)}")
    notify(ObjectRestored(obj, target, name))
    return obj


def purge(site, key):
    """Delete entry *key* for good and return it; KeyError when unknown."""
    bin_ = query_bin(site)
    if bin_ is None:
        raise KeyError(f"The recycle bin holds no item {key!r}.")
    entry = bin_.pop(key)
    notify(ObjectPurged(entry.object))
    return entry


def empty(site):
    """Purge everything in the bin; return how many entries went."""
    bin_ = query_bin(site)
    if bin_ is None:
        return 0
    keys = list(bin_._entries.keys())
    for key in keys:
        purge(site, key)
    return len(keys)


def trash_days(site, registry=None):
    """Days an item stays in the bin: the site's setting ``trash_days``,
    else the application's, else 30. 0 or less: it stays until purged."""
    for source in (getattr(site, "settings", None),
                   getattr(registry, "settings", None)):
        value = source.get("trash_days") if source is not None else None
        if value not in (None, ""):
            try:
                return int(value)
            except (TypeError, ValueError):
                continue
    return DEFAULT_DAYS


def purge_expired(site, now=None, days=None, registry=None):
    """Purge what was deleted more than *days* (``trash_days``) ago.

    Returns how many entries went. Run it from ``cupola shell``::

        from cupola.content.trash import purge_expired
        purge_expired(site); transaction.commit()
    """
    bin_ = query_bin(site)
    if bin_ is None or not len(bin_):
        return 0
    if days is None:
        if registry is None:
            from cupola.registry import query_current_registry
            registry = query_current_registry()
        days = trash_days(site, registry)
    if days <= 0:
        return 0
    moment = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    keys = bin_.older_than(moment)
    for key in keys:
        purge(site, key)
    return len(keys)

