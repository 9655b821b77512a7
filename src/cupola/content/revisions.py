"""Revisions: every change of a piece of content, kept as a small delta.

Stored on the object::

    obj._revisions   # IOBTree {number: Revision}; numbers 1, 2, 3... dense

Revision 1 holds the values of every field of the type's schema as the
object was created (or, for content older than its history, as it was
before the first recorded edit: action ``baseline``). Every later revision
holds only the fields that changed, with their new values; the value of a
field at revision *n* is the one set by the newest revision up to *n* that
changed it (``state_at``), and old values are read the same way, so
nothing is stored twice and a site with many edits grows by its deltas.

A Revision is a small persistent record (who, when, comment, which
fields); the values live in a record of their own, loaded only for a diff
or a revert. A file's bytes are never copied: its value is a FileVersion
referencing the Blob, and ``File.set_data`` writes new bytes into a new
Blob, so the one a revision keeps never changes.

Workflow transitions are not copied here: they stay in
``obj.workflow_history`` and the history view merges both.
"""

import copy

import transaction
from BTrees.IOBTree import IOBTree
from persistent import Persistent
from persistent.mapping import PersistentMapping
from zope.interface import implementer
from zope.schema import getFieldsInOrder

from cupola.content.item import now
from cupola.interfaces import IContainer, IRevision

CREATE, EDIT, REVERT, COPY = "create", "edit", "revert", "copy"
BASELINE, DELETE, RESTORE = "baseline", "delete", "restore"
FILE = "file"  # the field kept as a FileVersion (as cupola.content.operations does)


@implementer(IRevision)
class Revision(Persistent):
    """One change: who, when, why, and the new values of the fields it set."""

    reverted_to = None  # for action "revert": the revision brought back

    def __init__(self, number, action, values=None, actor=None, comment="",
                 time=None):
        self.number = number
        self.action = action
        self.fields = tuple(values or ())
        self.actor = actor
        self.comment = comment or ""
        self.time = time or now()
        # a record of its own: listing a history never loads the values
        self._values = PersistentMapping(values) if values else None

    @property
    def values(self):
        """{field: value after this change} of the fields it set."""
        return dict(self._values) if self._values is not None else {}

    def __repr__(self):
        return f"<Revision {self.number} {self.action} {self.fields}>"


class FileVersion:
    """A file's bytes (a shared, never rewritten Blob) and their description."""

    def __init__(self, blob, filename="", content_type="", size=0,
                 width=None, height=None):
        self.blob, self.filename = blob, filename
        self.content_type, self.size = content_type, size
        self.width, self.height = width, height

    @classmethod
    def of(cls, obj):
        return cls(getattr(obj, "blob", None), getattr(obj, "filename", ""),
                   getattr(obj, "content_type", ""), getattr(obj, "size", 0),
                   getattr(obj, "width", None), getattr(obj, "height", None))

    def apply_to(self, obj):
        """Make *obj* show this version again, sharing the blob (no copy)."""
        obj.blob, obj.filename = self.blob, self.filename
        obj.content_type, obj._size = self.content_type, self.size
        if self.width is not None:
            obj.width, obj.height = self.width, self.height
        obj.touch()

    def _key(self):
        return (id(self.blob), self.filename, self.content_type, self.size)

    def __eq__(self, other):
        return isinstance(other, FileVersion) and self.blob is other.blob \
            and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"<FileVersion {self.filename!r} {self.size} bytes>"


def field_value(obj, name):
    """The value of field *name* of *obj* as a revision keeps it."""
    if name == FILE:
        return FileVersion.of(obj)
    value = getattr(obj, name, None)
    if isinstance(value, (list, dict, set)):
        value = copy.copy(value)
    return value


def schema_fields(obj, registry=None):
    """Names of the fields of *obj*'s type, in order ([] when unknown)."""
    if registry is None:
        from cupola.registry import query_current_registry
        registry = query_current_registry()
    types = getattr(registry, "types", None) or {}
    info = types.get(getattr(obj, "type_name", None))
    return [name for name, _ in getFieldsInOrder(info.schema)] if info else []


# -- reading --------------------------------------------------------------

def _tree(obj):
    return getattr(obj, "_revisions", None)


def count(obj):
    """How many revisions *obj* has (numbers are 1..count)."""
    tree = _tree(obj)
    return tree.maxKey() if tree else 0


def revisions(obj):
    """Every Revision of *obj*, oldest first."""
    tree = _tree(obj)
    return list(tree.values()) if tree else []


def newest_first(obj, start=None):
    """Revisions of *obj* from number *start* (default: the newest) down."""
    tree = _tree(obj)
    if not tree:
        return
    number = tree.maxKey() if start is None else min(start, tree.maxKey())
    while number >= 1:
        found = tree.get(number)
        if found is not None:
            yield found
        number -= 1


def get_revision(obj, number):
    """Revision *number* of *obj*; KeyError when there is none."""
    tree = _tree(obj)
    if not tree or not isinstance(number, int) or number not in tree:
        raise KeyError(f"{obj!r} has no revision {number!r}")
    return tree[number]


def query_revision(obj, number, default=None):
    try:
        return get_revision(obj, number)
    except KeyError:
        return default


def state_at(obj, number):
    """{field: value} as of revision *number* (0: before anything, {}).

    Walks back from *number* and reads the values only of the revisions
    that set a field not yet known. Raises KeyError for an unknown number.
    """
    if number == 0:
        return {}
    get_revision(obj, number)
    state = {}
    for revision in newest_first(obj, number):
        wanted = [f for f in revision.fields if f not in state]
        if wanted:
            values = revision.values
            state.update((f, values[f]) for f in wanted)
    return state


def changed_between(obj, older, newer):
    """Names of the fields that differ between two revisions, in order."""
    before, after = state_at(obj, older), state_at(obj, newer)
    names = list(dict.fromkeys([*after, *before]))
    return [n for n in names if before.get(n) != after.get(n)]


# -- recording ------------------------------------------------------------

def record(obj, action, values=None, actor=None, comment="", time=None):
    """Add a revision to *obj* and return it."""
    tree = _tree(obj)
    if tree is None:
        tree = obj._revisions = IOBTree()
    number = (tree.maxKey() + 1) if tree else 1
    revision = tree[number] = Revision(number, action, values, actor, comment,
                                       time)
    if actor is None:
        actor_at_commit(revision, obj)
    return revision


def actor_at_commit(record, obj):
    """Give *record* (anything with an ``actor``) the transaction's user as
    it commits, when no actor was named (the publisher sets ``txn.user``
    to the signed-in login before committing)."""
    node = obj
    while node is not None and getattr(node, "_p_jar", None) is None:
        node = getattr(node, "__parent__", None)
    manager = node._p_jar.transaction_manager if node is not None \
        else transaction.manager
    txn = manager.get()
    try:
        waiting = txn.data(actor_at_commit)
    except KeyError:
        waiting = []
        txn.set_data(actor_at_commit, waiting)
        txn.addBeforeCommitHook(_fill_actors, (txn, waiting))
    waiting.append(record)


def _fill_actors(txn, waiting):
    user = (txn.user or "").split()  # "login", or "/path login" (setUser)
    login = user[-1] if user else None
    for record in waiting:
        if record.actor is None and login is not None:
            record.actor = login


def record_creation(obj, registry=None, actor=None, action=CREATE, comment="",
                    time=None):
    """Revision 1 of a new *obj*: every field of its schema as it is now."""
    fields = schema_fields(obj, registry)
    values = {name: field_value(obj, name) for name in fields}
    return record(obj, action, values, actor or getattr(obj, "creator", None),
                  comment, time)


def _baseline(obj, fields, old=None):
    """Revision 1 of content older than its history: what it was before."""
    old = old or {}
    values = {name: old[name] if name in old else field_value(obj, name)
              for name in fields}
    return record(obj, BASELINE, values, getattr(obj, "creator", None),
                  "As it was before its history was kept",
                  getattr(obj, "created", None))


def record_edit(obj, fields, old=None, actor=None, comment="", registry=None,
                action=EDIT):
    """A revision for a change of *fields* (new values read from *obj*).

    *old* ({field: value before}) gives content older than its history a
    baseline revision first, so that what it was stays known.
    """
    known = schema_fields(obj, registry)
    fields = [f for f in fields if f in known] if known else list(fields)
    if not fields:
        return None
    if not _tree(obj):
        _baseline(obj, known or fields, old)
    return record(obj, action, {f: field_value(obj, f) for f in fields},
                  actor, comment)


def record_event(obj, action, actor=None, comment=""):
    """A revision that changes no field (deleted, restored)."""
    if not _tree(obj):
        _baseline(obj, schema_fields(obj))
    return record(obj, action, None, actor, comment)


def revert(registry, obj, number, actor=None, comment=""):
    """Give *obj* the field values of revision *number* again.

    Goes through ``operations.edit``, so it is a new revision itself (action
    ``revert``, comment "Reverted to revision n"). Returns the names of the
    fields that changed ([] when *obj* already had those values). Raises
    KeyError for an unknown revision and FieldErrors when a value no longer
    validates.
    """
    from cupola.content.operations import edit
    state = state_at(obj, number)
    current = {name: field_value(obj, name) for name in state}
    data = {k: v for k, v in state.items() if current[k] != v}
    note = f"Reverted to revision {number}"
    if comment:
        note = f"{note}: {comment}"
    changed = edit(registry, obj, data, actor=actor, comment=note) if data else []
    if changed:
        latest = get_revision(obj, count(obj))
        latest.action, latest.reverted_to = REVERT, number
    return changed


# -- subscribers ----------------------------------------------------------

def _subtree(obj):
    stack = [obj]
    while stack:
        node = stack.pop()
        yield node
        if IContainer.providedBy(node):
            stack.extend(node.values())


def on_added(obj, event):
    """New content (and anything inside it) gets its revision 1."""
    for node in _subtree(obj):
        if not _tree(node):
            record_creation(node)


def on_modified(obj, event):
    record_edit(obj, getattr(event, "fields", ()), getattr(event, "old", None),
                getattr(event, "actor", None), getattr(event, "comment", ""))


def on_copied(obj, event):
    """A copy starts its own history: revision 1 says what it copies."""
    first = query_revision(obj, 1)
    if first is not None and count(obj) == 1:
        first.action = COPY
        first.comment = f"Copy of {_path(event.original)}"


def _path(obj):
    names = []
    while obj is not None and obj.__parent__ is not None:
        names.append(obj.__name__)
        obj = obj.__parent__
    return "/" + "/".join(reversed(names))


def includeme(config):
    from cupola.interfaces import (IItem, IObjectAdded, IObjectCopied,
                                   IObjectModified)
    config.add_subscriber(on_added, IItem, IObjectAdded)
    config.add_subscriber(on_modified, IItem, IObjectModified)
    config.add_subscriber(on_copied, IItem, IObjectCopied)
