"""Transaction notes: what each transaction did, in plain words.

Subscribers to the lifecycle events write one line per change into the
current transaction's description, which the undo log (``@@undo``) shows::

    Added Page “Minutes” in /news
    Changed Title, Body text of /news/minutes
    Deleted Page “Demo” from /bench
    Renamed /a/x to y
    Moved /a/x to /b
    Copied /a/x to /b/x
    Published /news/minutes
    Restored Page “Demo” from the recycle bin to /bench/demo

Lines are merged per object (two edits of one page make one "Changed" line;
a copy replaces the "Added" line of its clone; an object added in this
transaction is not also "Changed"), repeated lines are dropped, and the
whole stays under ``MAX_LENGTH`` characters ("… and 120 more changes").
Text that other code adds with ``txn.note()`` is kept; ours follows it.
"""

import re

import transaction

MAX_LENGTH = 2000
PAST = {  # transition name -> what was done; {p} is the object's path
    "publish": "Published {p}",
    "submit": "Submitted {p} for review",
    "reject": "Sent {p} back",
    "retract": "Retracted {p}",
}
_KEY = object()  # txn.data key of the Notes of a transaction
_PARENTHESIS = re.compile(r"\s*\([^)]*\)$")  # "Body text (HTML)" -> "Body text"


class Notes:
    """The lines of one transaction, in the order of the changes.

    Stored state (in ``txn.data``, never persistent)::

        shown    # {key: [text] or [path, [field titles]]}, within the cap
        beyond   # set of keys past the cap: counted, not written
        written  # the block last written at the end of the description
    """

    def __init__(self):
        self.shown, self.beyond = {}, set()
        self.size = 0
        self.written = ""
        self.added = set()  # id() of objects added in this transaction

    def put(self, key, text):
        """Add (or replace, in place) the line *key*."""
        if key in self.shown:
            self.shown[key] = [text]
        elif key not in self.beyond:
            self._new(key, [text], len(text))

    def changed(self, key, path, fields):
        """Merge *fields* into the "Changed … of *path*" line *key*."""
        line = self.shown.get(key)
        if line is not None:
            line[1].extend(f for f in fields if f not in line[1])
        elif key not in self.beyond:
            self._new(key, [path, list(fields)], len(path) + 30)

    def _new(self, key, line, size):
        if self.size + size + 1 > MAX_LENGTH - 40:
            self.beyond.add(key)
        else:
            self.shown[key] = line
            self.size += size + 1

    def render(self):
        seen, out = set(), []
        for line in self.shown.values():
            text = line[0] if len(line) == 1 else _changed_text(*line)
            if text not in seen:
                seen.add(text)
                out.append(text)
        if self.beyond:
            n = len(self.beyond)
            out.append(f"… and {n} more change{'s' if n != 1 else ''}")
        block = "\n".join(out)
        return block if len(block) <= MAX_LENGTH else block[:MAX_LENGTH - 1] + "…"

    def forget_written(self):
        """Someone noted after our block: keep it as it is, start afresh."""
        self.shown, self.beyond, self.size, self.written = {}, set(), 0, ""


def _changed_text(path, fields):
    if not fields:
        return f"Changed {path}"
    return f"Changed {', '.join(fields)} of {path}"


def transaction_of(obj):
    """The transaction *obj* (or its nearest stored parent) is changed in."""
    node = obj
    while node is not None:
        jar = getattr(node, "_p_jar", None)
        if jar is not None:
            return jar.transaction_manager.get()
        node = getattr(node, "__parent__", None)
    return transaction.get()


def _notes(obj):
    txn = transaction_of(obj)
    try:
        return txn, txn.data(_KEY)
    except KeyError:
        notes = Notes()
        txn.set_data(_KEY, notes)
        return txn, notes


def _write(txn, notes):
    """Put the notes at the end of the description, replacing our last block."""
    current = txn.description or ""
    if notes.written and current.endswith(notes.written):
        head = current[:len(current) - len(notes.written)]
    else:
        head = current
    block = notes.render()
    head = head.rstrip("\n")
    txn.description = f"{head}\n{block}" if head and block else head or block
    notes.written = block


def _change(obj, apply):
    """Run *apply(notes)* for the transaction of *obj* and write the result."""
    txn, notes = _notes(obj)
    if notes.written and not (txn.description or "").endswith(notes.written):
        notes.forget_written()
    apply(notes)
    _write(txn, notes)


# -- words -------------------------------------------------------------------

def path_of(obj):
    """Site path of *obj* ("/news/x", "/" for the site), or None if detached."""
    from cupola.interfaces import ISite
    names, node = [], obj
    while node is not None and not ISite.providedBy(node):
        parent = getattr(node, "__parent__", None)
        if parent is None or node.__name__ is None:
            return None
        names.append(node.__name__)
        node = parent
    if node is None:
        return None
    return "/" + "/".join(reversed(names))


def _where(obj):
    """The object as a reader finds it: its path, "the site", or its title."""
    path = path_of(obj)
    if path == "/":
        return "the site"
    if path is None:
        return f"“{getattr(obj, 'title', '') or obj.__name__}”"
    return path


def _type_title(obj):
    from cupola.registry import query_current_registry
    registry = query_current_registry()
    name = getattr(obj, "type_name", "Item")
    info = registry.types.get(name) if registry is not None else None
    return info.title if info is not None else name


def field_titles(obj, names):
    """The titles people know the fields *names* of *obj* by ("Body text")."""
    from cupola.registry import query_current_registry
    registry = query_current_registry()
    info = registry.types.get(obj.type_name) if registry is not None else None
    schema = info.schema if info is not None else None
    titles = []
    for name in names:
        field = schema.get(name) if schema is not None else None
        title = getattr(field, "title", None)
        if title:
            title = _PARENTHESIS.sub("", str(title))
        else:
            title = name.replace("_", " ").strip().capitalize()
        if title not in titles:
            titles.append(title)
    return titles


def _named(obj):
    """Page “Minutes”."""
    title = getattr(obj, "title", "") or obj.__name__ or ""
    return f"{_type_title(obj)} “{title}”"


def _place(parent):
    return path_of(parent) or _where(parent)


# -- subscribers --------------------------------------------------------------

def object_added(obj, event):
    def apply(notes):
        notes.added.add(id(obj))
        notes.put(("added", id(obj)), f"Added {_named(obj)} in {_place(event.parent)}")
    _change(event.parent, apply)


def object_modified(obj, event):
    def apply(notes):
        if id(obj) not in notes.added:
            notes.changed(("changed", id(obj)), _where(obj),
                          field_titles(obj, getattr(event, "fields", ()) or ()))
    _change(obj, apply)


def object_removed(obj, event):
    from cupola.interfaces import IContainer

    def apply(notes):
        text = f"Deleted {_named(obj)} from {_place(event.parent)}"
        count = len(obj) if IContainer.providedBy(obj) else 0
        if count:
            text += f" (with the {count} item{'s' if count != 1 else ''} in it)"
        notes.put(("removed", id(obj), event.name), text)
    _change(event.parent, apply)


def object_moved(obj, event):
    old_parent, new_parent = event.old_parent, event.new_parent
    if old_parent is None or new_parent is None:
        return  # an add or a remove: those events say it
    old = _join(_place(old_parent), event.old_name)
    if old_parent is new_parent:
        text = f"Renamed {old} to {event.new_name}"
    else:
        text = f"Moved {old} to {_place(new_parent)}"
        if event.new_name != event.old_name:
            text += f" as {event.new_name}"

    def apply(notes):
        notes.put(("moved", id(obj), event.old_name, event.new_name), text)
    _change(new_parent, apply)


def object_copied(obj, event):
    original = event.original
    source = path_of(original) or _where(original)

    def apply(notes):
        notes.put(("added", id(obj)), f"Copied {source} to {_where(obj)}")
    _change(obj, apply)


def object_transitioned(obj, event):
    where = _where(obj)
    name = getattr(event.transition, "name", "")
    text = PAST.get(name)
    if text is None:
        title = getattr(event.transition, "title", name)
        text = (f"{title} on {{p}} ({getattr(event.from_state, 'title', '?')} → "
                f"{getattr(event.to_state, 'title', '?')})")
    text = text.format(p=where)

    def apply(notes):
        notes.put(("transition", id(obj), name, len(notes.shown)), text)
    _change(obj, apply)


def object_restored(obj, event):
    """Back from the recycle bin: says so instead of "Added"."""
    def apply(notes):
        notes.put(("added", id(obj)),
                  f"Restored {_named(obj)} from the recycle bin to {_where(obj)}")
    _change(event.parent, apply)


def object_purged(obj, event):
    def apply(notes):
        notes.put(("purged", id(obj)),
                  f"Deleted {_named(obj)} from the recycle bin for good")
    _change(obj, apply)


def _join(parent, name):
    return f"{'' if parent == '/' else parent}/{name}"


def includeme(config):
    from cupola.interfaces import (IItem, IObjectAdded, IObjectCopied,
                                   IObjectModified, IObjectMoved,
                                   IObjectRemoved, IObjectTransitioned)
    config.add_subscriber(object_added, IItem, IObjectAdded)
    config.add_subscriber(object_modified, IItem, IObjectModified)
    config.add_subscriber(object_removed, IItem, IObjectRemoved)
    config.add_subscriber(object_moved, IItem, IObjectMoved)
    config.add_subscriber(object_copied, IItem, IObjectCopied)
    config.add_subscriber(object_transitioned, IItem, IObjectTransitioned)
    from cupola import interfaces
    restored = getattr(interfaces, "IObjectRestored", None)  # the recycle bin's
    purged = getattr(interfaces, "IObjectPurged", None)
    if restored is not None and purged is not None:
        config.add_subscriber(object_restored, IItem, restored)
        config.add_subscriber(object_purged, IItem, purged)
