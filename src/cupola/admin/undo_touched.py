"""What one transaction touched, for people: content and accounts by name
and field, everything else counted by kind (catalog, folder order...)."""

import io
import pickle
from collections import Counter

from ZODB.POSException import POSKeyError
from ZODB.utils import get_pickle_metadata

from cupola.admin.forms import url_of
from cupola.admin.undo_checks import records
from cupola.content.notes import field_titles, path_of
from cupola.interfaces import IItem


INTERNAL = (  # (module prefix, what people call them)
    ("cupola.catalog", "catalog"), ("zope.index", "catalog"),
    ("cupola.content.trash", "recycle bin"), ("cupola.content.revisions", "revisions"),
    ("cupola.content.order", "folder order"), ("cupola.customlayer", "custom templates"),
    ("BTrees.Length", "counters"),
    ("BTrees.", "catalog and folder indexes"),
    ("persistent.", "lists and mappings (workflow history and the like)"),
)


def _category(module):
    for prefix, label in INTERNAL:
        if module.startswith(prefix):
            return label
    return "other records"


def _class(module, name):
    from ZODB.broken import find_global
    try:
        return find_global(module, name)
    except (ImportError, AttributeError):
        return None


class _Reader(pickle.Unpickler):
    """Reads a record's state without loading what it refers to."""

    def persistent_load(self, ref):
        return ("ref", repr(ref))


def _state(data):
    """The attribute dict of a record, references as placeholders (or {})."""
    try:
        reader = _Reader(io.BytesIO(data))
        reader.load()  # the class
        state = reader.load()
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            TypeError, ValueError):  # an old or foreign record: no field details
        return {}
    if isinstance(state, tuple) and state and isinstance(state[0], dict):
        state = state[0]
    return state if isinstance(state, dict) else {}


PRIVATE_WORDS = {"_trash": "recycle bin", "_revisions": "revisions",
                 "_local_roles": "sharing", "_block_local_roles": "sharing"}


def changed_fields(obj, old, new):
    """Titles of the fields whose stored values differ, in plain words."""
    names = [k for k in sorted(set(old) | set(new))
             if not k.startswith("_p_") and old.get(k) != new.get(k)]
    words = []
    if "__parent__" in names and new.get("__parent__") is None:
        words.append("taken out of its folder")
    if "__name__" in names:
        words.append("name")
    if "workflow_state" in names:
        words.append(f"state ({old.get('workflow_state')} → {new.get('workflow_state')})")
    rest = [n for n in names if not n.startswith("_") and n not in (
        "workflow_state", "workflow_history", "modified")]
    words.extend(field_titles(obj, rest))
    words.extend(PRIVATE_WORDS[n] for n in names if n in PRIVATE_WORDS)
    if not words and "modified" in names:
        words.append("modification date")
    if not words and names:
        words.append("internal data")
    return words


def touched(conn, db, tid, request, blocked=()):
    """What transaction *tid* wrote: content and accounts by name, the
    rest counted by kind; *blocked* oids are marked as changed later."""
    storage = db.storage
    found, complete = records(storage, tid)
    objects, internal, stuck = [], Counter(), 0
    blocked = set(blocked)
    for oid, data in found:
        module, name = get_pickle_metadata(data) if data else ("", "")
        cls = _class(module, name) if data else None
        try:
            before = storage.loadBefore(oid, tid)
        except POSKeyError:
            before = None
        how = "Created" if before is None else "Changed"
        if cls is not None and IItem.implementedBy(cls):
            objects.append(_content_row(conn, oid, how, before, data, request))
        elif module in ("cupola.security.users", "cupola.security.tokens"):
            objects.append(_account_row(conn, oid, how, name))
        else:
            internal[_category(module)] += 1
            stuck += oid in blocked
            continue
        objects[-1]["blocked"] = oid in blocked
    return {"objects": objects, "total": len(found), "complete": complete,
            "internal": sum(internal.values()), "internal_blocked": stuck,
            "internal_kinds": [f"{n} {label}" for label, n in internal.most_common()]}


def _content_row(conn, oid, how, before, data, request):
    obj = conn.get(oid)
    try:
        title = obj.title or obj.__name__ or ""
    except POSKeyError:
        return {"how": how, "type": "Object", "title": "", "path": None, "url": None,
                "fields": [], "note": "It no longer exists (its creation was undone)."}
    path = path_of(obj)
    info = request.registry.types.get(getattr(obj, "type_name", None))
    fields = []
    if before is not None:
        fields = changed_fields(obj, _state(before[0]), _state(data))
    note = "" if path is not None else (
        f"No longer in the site (it was called “{obj.__name__}”).")
    return {"how": how, "type": info.title if info else obj.type_name,
            "title": title, "path": path, "fields": fields, "note": note,
            "url": url_of(request, obj) if path is not None else None}


def _account_row(conn, oid, how, name):
    obj = conn.get(oid)
    try:
        label = {"User": "User account", "Group": "Group",
                 "ApiToken": "API token"}.get(name, name)
        title = getattr(obj, "login", None) or getattr(obj, "id", None) or \
            getattr(obj, "title", "")
    except POSKeyError:
        label, title = name, ""
    return {"how": how, "type": label, "title": title, "path": None, "url": None,
            "fields": [], "note": ""}
