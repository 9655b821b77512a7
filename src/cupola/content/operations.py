"""The one place content is added, renamed, moved, copied and deleted.

The admin UI, the JSON API and the command line all call these functions;
lifecycle events fire from here (through the container methods).
"""

import copy as _copy
import re
import unicodedata

from zope.schema import Bytes, getFieldsInOrder
from zope.schema.interfaces import ValidationError

from cupola.content.events import (ObjectCopied, ObjectModified, ObjectMoved,
                                   ObjectWillBeMoved, notify)
from cupola.content.revisions import FileVersion, field_value
from cupola.exceptions import InvalidName, NotAllowedHere
from cupola.interfaces import IContainer

MAX_NAME = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SLUG_DROP = re.compile(r"[^\w\s-]", re.UNICODE)
_SLUG_SPACE = re.compile(r"[\s_-]+")
RESERVED = frozenset({"view", "index_html"})


def check_name(container, name):
    """Raise InvalidName unless *name* may be used for a new child."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidName("A name is required.")
    if name != name.strip():
        raise InvalidName("A name cannot start or end with spaces.")
    if len(name) > MAX_NAME:
        raise InvalidName(f"A name has at most {MAX_NAME} characters.")
    if _CONTROL.search(name):
        raise InvalidName("A name cannot contain control characters.")
    if "/" in name or "\\" in name:
        raise InvalidName("A name cannot contain slashes.")
    if name.startswith(("_", ".")):
        raise InvalidName("A name cannot start with '_' or '.'.")
    if name.startswith("@@") or "++" in name or name.startswith("@"):
        raise InvalidName("A name cannot start with '@' or contain '++'.")
    if name in RESERVED:
        raise InvalidName(f"{name!r} is reserved.")
    if name in container:
        raise InvalidName(f"There is already an item called {name!r} here.")


def slugify(text):
    """A readable, URL-safe name from a title: 'Über uns!' -> 'uber-uns'."""
    text = unicodedata.normalize("NFKD", text or "")
    text = text.encode("ascii", "ignore").decode("ascii")
    text = _SLUG_DROP.sub("", text).strip().lower()
    text = _SLUG_SPACE.sub("-", text).strip("-")
    return text[:80].rstrip("-") or "item"


def choose_name(container, title, name=None):
    """*name* if given (validated), else a free name made from *title*."""
    if name:
        check_name(container, name)
        return name
    base = slugify(title)
    if base in RESERVED or base.startswith(("_", ".")):
        base = f"{base}-1"
    candidate, n = base, 1
    while candidate in container:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def check_allowed(registry, container, type_name):
    info = registry.types.get(getattr(container, "type_name", None))
    child = registry.types.get(type_name)
    if child is None:
        raise NotAllowedHere(f"Unknown content type {type_name!r}.")
    if not IContainer.providedBy(container) or (info and not info.allows(type_name)):
        raise NotAllowedHere(f"A {child.title} cannot be added here.")
    return child


def validate_fields(schema, data, partial=False):
    """Check *data* against *schema*; return ({field: value}, {field: error})."""
    values, errors = {}, {}
    for name, field in getFieldsInOrder(schema):
        if name not in data:
            if not partial and field.required:
                errors[name] = "This field is required."
            continue
        value = data[name]
        if value in (None, "", b"") and field.required:
            errors[name] = "This field is required."
            continue
        if value in (None, "") and not field.required:
            values[name] = field.default if field.default is not None else value
            continue
        if isinstance(field, Bytes) and isinstance(value, tuple):
            # an upload: (bytes or a readable file, file name, content type)
            if len(value) == 3 and (isinstance(value[0], (bytes, bytearray))
                                    or hasattr(value[0], "read")):
                values[name] = value
            else:
                errors[name] = "This is not a file."
            continue
        if isinstance(value, FileVersion):  # a file kept by a revision (revert)
            values[name] = value
            continue
        try:
            field.bind(None).validate(value)
        except ValidationError as e:
            errors[name] = e.doc() or "This value is not valid."
            continue
        values[name] = value
    return values, errors


def create(registry, container, type_name, data, name=None, creator=None):
    """Make, validate and add a *type_name* object; return it.

    Raises InvalidName, NotAllowedHere, or FieldErrors with per-field errors;
    nothing is stored when it raises.
    """
    info = check_allowed(registry, container, type_name)
    values, errors = validate_fields(info.schema, data)
    if errors:
        raise FieldErrors(errors)
    name = choose_name(container, values.get("title", ""), name)
    obj = info.factory()
    _apply(obj, values)
    obj.creator = creator
    container.add(name, obj)
    return obj


def edit(registry, obj, data, actor=None, comment=""):
    """Change fields of *obj* from *data*; return the names that changed.

    Fires ObjectModified with the old values, *actor* (a login) and
    *comment*, which the revision of this change keeps.
    """
    info = registry.types[obj.type_name]
    values, errors = validate_fields(info.schema, data, partial=True)
    if errors:
        raise FieldErrors(errors)
    changed = [k for k, v in values.items() if _current(obj, k) != v]
    if changed:
        old = {k: field_value(obj, k) for k in changed}
        _apply(obj, {k: values[k] for k in changed})
        obj.touch()
        notify(ObjectModified(obj, changed, old=old, actor=actor,
                              comment=comment))
    return changed


def _current(obj, field):
    if field == "file":
        return None  # new bytes are always a change
    return getattr(obj, field, None)


def _apply(obj, values):
    for key, value in values.items():
        if key == "file" and isinstance(value, FileVersion):
            value.apply_to(obj)  # shares the kept blob: no bytes copied
        elif key == "file":
            data, filename, ctype = (value if isinstance(value, tuple)
                                     else (value, "", None))
            obj.set_data(data, filename, ctype)
        else:
            setattr(obj, key, value)


class FieldErrors(ValueError):
    """Validation failed; ``errors`` maps field names to messages."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def rename(obj, new_name):
    """Give *obj* a new name in the same container."""
    parent, old = obj.__parent__, obj.__name__
    if new_name == old:
        return obj
    check_name(parent, new_name)
    notify(ObjectWillBeMoved(obj, parent, old, parent, new_name))
    parent.rename_child(old, new_name)
    notify(ObjectMoved(obj, parent, old, parent, new_name))
    return obj


def move(registry, obj, target, new_name=None):
    """Move *obj* into the container *target*."""
    parent, old = obj.__parent__, obj.__name__
    if _is_inside(target, obj):
        raise NotAllowedHere("A folder cannot be moved into itself.")
    check_allowed(registry, target, obj.type_name)
    new_name = new_name or old
    if target is parent and new_name == old:
        return obj
    check_name(target, new_name)
    notify(ObjectWillBeMoved(obj, parent, old, target, new_name))
    parent.remove(old, send_events=False)
    target.add(new_name, obj, send_events=False)
    notify(ObjectMoved(obj, parent, old, target, new_name))
    return obj


def copy(registry, obj, target, new_name=None):
    """Copy *obj* (and everything inside it) into *target*; return the copy."""
    check_allowed(registry, target, obj.type_name)
    if _is_inside(target, obj):
        raise NotAllowedHere("A folder cannot be copied into itself.")
    new_name = choose_name(target, obj.__name__) if new_name is None else new_name
    if new_name != obj.__name__ or new_name in target:
        check_name(target, new_name)
    clone = _clone(obj)
    target.add(new_name, clone)
    notify(ObjectCopied(clone, obj))
    return clone


def delete(obj, actor=None):
    """Move *obj* (and its subtree) from its container to the site's
    recycle bin (see cupola.content.trash); return it."""
    from cupola.content.trash import trash
    return trash(obj, actor)


def _is_inside(target, obj):
    node = target
    while node is not None:
        if node is obj:
            return True
        node = node.__parent__
    return False


def _clone(obj):
    """Deep copy of a persistent subtree, blobs copied too, detached."""
    memo = {id(obj.__parent__): None}  # never copy upwards
    for node in _walk(obj):
        history = getattr(node, "_revisions", None)
        if history is not None:
            memo[id(history)] = None  # a copy starts its own history
        blob = getattr(node, "blob", None)
        if blob is not None:
            memo[id(blob)] = _copy_blob(blob)
    return _copy.deepcopy(obj, memo)


def _walk(obj):
    yield obj
    if IContainer.providedBy(obj):
        for child in obj.values():
            yield from _walk(child)


def _copy_blob(blob):
    from ZODB.blob import Blob
    new = Blob()
    with blob.open("r") as src, new.open("w") as dst:
        while chunk := src.read(1 << 16):
            dst.write(chunk)
    return new
