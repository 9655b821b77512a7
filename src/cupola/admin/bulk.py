"""What folder contents does to several items at once: delete, rename,
take a workflow transition, upload files.

Each function gets the ``ContentsView`` (``cupola.admin.contents``) and
answers with a page or a redirect carrying a status message; each checks
per item what the user may do and reports what it skipped and why.
"""

import os
import re

from cupola.admin.forms import doom
from cupola.catalog import find_catalog, path_of
from cupola.content import operations
from cupola.content.file import guess_type
from cupola.content.operations import FieldErrors, slugify
from cupola.exceptions import InvalidName, NotAllowedHere
from cupola.interfaces import IContainer
from cupola.security.policy import forget, has_permission
from cupola.security.roles import DELETE, MODIFY
from cupola.workflow.engine import allowed_transitions, do_transition, get_workflow
from cupola.workflow.model import WorkflowError

SHOWN = 50   # items named on a confirmation page before "and N more"
DONE = {"publish": "Published", "submit": "Submitted for review",
        "retract": "Retracted", "reject": "Sent back"}


def count(n, word="item"):
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def free_name(container, name):
    """*name* if *container* has no such child, else ``name-2`` (before the
    extension: ``report-2.pdf``), ``name-3``..."""
    if name not in container:
        return name
    stem, dot, ext = name.rpartition(".")
    if not (dot and stem and ext.isalnum() and len(ext) <= 8):
        stem, ext = name, ""
    n = 2
    while True:
        candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
        if candidate not in container:
            return candidate
        n += 1


def what_goes(items, inside):
    """'3 items and the 120 items inside them'."""
    text = count(items)
    if inside:
        text += f" and the {count(inside)} inside {'it' if items == 1 else 'them'}"
    return text


def quoted(titles, limit=3):
    """'“A”, “B” and 2 more'."""
    shown = ", ".join(f"“{t}”" for t in titles[:limit])
    more = len(titles) - limit
    return shown + (f" and {more} more" if more > 0 else "")


# -- delete ------------------------------------------------------------------

def inside_count(request, obj):
    """How many objects are inside *obj* (the catalog counts, unfiltered)."""
    if not IContainer.providedBy(obj):
        return 0
    catalog = find_catalog(obj)
    _, path = path_of(obj)
    if catalog is None or path is None:
        return 0
    return max(0, len(catalog.search(request, path=path, unrestricted=True)) - 1)


def confirm_delete(view, objects):
    """The page that names what goes and counts what is inside."""
    request = view.request
    allowed = [o for o in objects if has_permission(DELETE, o, request)]
    refused = [o.title or o.__name__ for o in objects if o not in allowed]
    if not allowed:
        return view.back(f"You may not delete {quoted(refused)}.", "error")
    entries = [{"name": o.__name__, "title": o.title or o.__name__,
                "type": view.type_title(o), "inside": inside_count(request, o)}
               for o in allowed]
    inside = sum(e["inside"] for e in entries)
    return view.render({
        "entries": entries[:SHOWN], "more": max(0, len(entries) - SHOWN),
        "names": [e["name"] for e in entries], "refused": refused,
        "summary": what_goes(len(entries), inside),
        "cancel_url": view.listing_url()}, template="contents_delete.pt")


def delete(view, objects):
    request = view.request
    login = getattr(view.user, "login", None)
    done, inside, refused = [], 0, []
    for obj in objects:
        if not has_permission(DELETE, obj, request):
            refused.append(obj.title or obj.__name__)
            continue
        inside += inside_count(request, obj)
        done.append(obj.title or obj.__name__)
        operations.delete(obj, actor=login)
    if done:
        view.message(f"Deleted {what_goes(len(done), inside)}.")
    if refused:
        view.message(f"Not deleted (you may not): {quoted(refused)}.", "error")
    return view.back()


# -- rename ------------------------------------------------------------------

def rename_form(view, objects, errors=None, values=None, status=200):
    """One row per item: new title, new name; errors next to each."""
    rows = []
    for i, obj in enumerate(objects):
        entered = (values or {}).get(i, {})
        rows.append({"i": i, "old": obj.__name__, "type": view.type_title(obj),
                     "title": entered.get("title", obj.title),
                     "name": entered.get("name", obj.__name__),
                     "errors": (errors or {}).get(i, {})})
    return view.render({"rows": rows, "cancel_url": view.listing_url(),
                        "has_errors": bool(errors)},
                       template="contents_rename.pt", status=status)


def rename_selection(view, objects):
    request = view.request
    refused = [o.title or o.__name__ for o in objects
               if not has_permission(MODIFY, o, request)]
    if refused:
        return view.back(f"You may not rename {quoted(refused)}.", "error")
    return rename_form(view, objects)


def rename(view):
    """Check every row, then rename and retitle all of them or none."""
    request, folder = view.request, view.context
    form = request.form
    try:
        n = min(int(form.get("count") or 0), view.max_items)
    except ValueError:
        n = 0
    objects, values, errors, new_names = [], {}, {}, {}
    for i in range(n):
        obj = folder.get(form.get(f"old-{i}") or "")
        if obj is None:
            continue
        row = len(objects)
        objects.append(obj)
        title = (form.get(f"title-{i}") or "").strip()
        name = (form.get(f"name-{i}") or "").strip()
        values[row] = {"title": title, "name": name}
        problems = {}
        if not has_permission(MODIFY, obj, request):
            problems["name"] = "You may not rename this item."
        info = request.registry.types.get(obj.type_name)
        if info is not None:
            _, bad = operations.validate_fields(info.schema, {"title": title},
                                                partial=True)
            if bad.get("title"):
                problems["title"] = bad["title"]
        if name != obj.__name__ and "name" not in problems:
            try:
                operations.check_name(folder, name)
            except InvalidName as e:
                problems["name"] = str(e)
        if name in new_names and "name" not in problems:
            problems["name"] = f"“{name}” is also the new name of another row."
        new_names.setdefault(name, row)
        if problems:
            errors[row] = problems
    if not objects:
        return view.back("The items to rename are gone.", "error")
    if errors:
        doom(request)
        return rename_form(view, objects, errors, values)
    renamed = 0
    for row, obj in enumerate(objects):
        title, name = values[row]["title"], values[row]["name"]
        changed = False
        if name != obj.__name__:
            operations.rename(obj, name)
            changed = True
        if title != obj.title:
            operations.edit(request.registry, obj, {"title": title},
                            actor=getattr(view.user, "login", None))
            changed = True
        renamed += changed
    if not renamed:
        return view.back("Nothing to save: no title or name was changed.", "info")
    return view.back(f"Renamed {count(renamed)}.")


# -- workflow ----------------------------------------------------------------

def transition(view, objects, name):
    """Take transition *name* on every item that allows it now."""
    request, registry = view.request, view.request.registry
    login = getattr(view.user, "login", None)
    done, skipped, title = [], [], name
    for obj in objects:
        workflow = get_workflow(registry, obj)
        found = workflow.transitions.get(name) if workflow is not None else None
        if found is not None:
            title = found.title
        if found is None or name not in {t.name for t in allowed_transitions(
                registry, obj, request)}:
            skipped.append(obj.title or obj.__name__)
            continue
        try:
            do_transition(registry, obj, request, name, actor=login)
        except WorkflowError:
            skipped.append(obj.title or obj.__name__)
            continue
        done.append(obj.title or obj.__name__)
    forget(request)
    verb = DONE.get(name, f"Done “{title}” for")
    if done:
        view.message(f"{verb} {count(len(done))}.")
    if skipped:
        view.message(f"Skipped {count(len(skipped))} where “{title}” is not "
                     f"possible now: {quoted(skipped)}.", "info" if done else "error")
    return view.back()


# -- upload ------------------------------------------------------------------

_EXT = re.compile(r"^[A-Za-z0-9]{1,8}$")


def upload_name(folder, filename):
    """A free, readable name from a file name: 'My Photo.JPG' -> 'my-photo.jpg'."""
    stem, dot, ext = filename.rpartition(".")
    if not (dot and stem and _EXT.match(ext)):
        stem, ext = filename, ""
    base = slugify(stem) + (f".{ext.lower()}" if ext else "")
    if base in operations.RESERVED:
        base = f"{base}-1"
    return free_name(folder, base)


def upload(view):
    """Make a File (an Image for image/*) of every uploaded file."""
    request, folder = view.request, view.context
    parts = [p for p in request.files.getall("files") if p.filename]
    if not parts:
        return view.back("Choose one or more files to upload first.", "error")
    login = getattr(view.user, "login", None)
    added, failed = [], []
    for part in parts:
        filename = os.path.basename(part.filename.replace("\\", "/")).strip()[:200]
        if not filename:
            continue
        why = _upload_one(request, folder, part, filename, login)
        if why:
            failed.append(f"“{filename}” ({why})")
        else:
            added.append(filename)
    if added:
        view.message(f"Added {count(len(added), 'file')}.")
    if failed:
        view.message(f"Not added: {', '.join(failed)}.", "error")
    return view.back()


def _upload_one(request, folder, part, filename, login):
    """Add one upload; return why it failed, or None."""
    registry = request.registry
    if not part.size:
        return "the file is empty"
    ctype = part.content_type or ""
    if not ctype or ctype == "application/octet-stream":
        ctype = guess_type(filename) or "application/octet-stream"
    kinds = ("Image", "File") if ctype.startswith("image/") else ("File",)
    why = None
    for type_name in kinds:
        info = registry.types.get(type_name)
        if info is None or not has_permission(info.add_permission, folder, request):
            why = f"you may not add a {type_name.lower()} here"
            continue
        part.file.seek(0)
        try:
            operations.create(registry, folder, type_name,
                              {"title": filename, "file": (part.file, filename, ctype)},
                              name=upload_name(folder, filename), creator=login)
            return None
        except NotAllowedHere as e:
            why = str(e).rstrip(".")
        except InvalidName as e:
            return str(e).rstrip(".")
        except FieldErrors as e:
            return "; ".join(e.errors.values()).rstrip(".")
        except ValueError as e:  # not an image Pillow reads: a File then
            why = str(e)
    return why
