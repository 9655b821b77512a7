"""Changing a folder's order from ``@@contents`` (``cupola.admin.contents``):
a row's Move menu (a plain form) and drag and drop or the keyboard (a
script that asks for JSON). Each function gets the ``ContentsView``."""

import json

from webob import Response

from cupola.admin.forms import require
from cupola.security.policy import has_permission
from cupola.security.roles import MODIFY

MOVES = ("up", "down", "top", "bottom")


def move(view, name, where):
    """A row's Move menu: up, down, to the top or to the bottom."""
    folder = view.context
    require(has_permission(MODIFY, folder, view.request),
            "You may not change the order of this folder.")
    if name not in folder or where not in MOVES:
        return view.back("That item is not in this folder any more.", "error")
    current, last = folder.position(name), len(folder) - 1
    index = {"up": current - 1, "down": current + 1, "top": 0, "bottom": last}[where]
    return moved(view, name, max(0, min(index, last)))


def reorder(view):
    """Drag and drop (or the keyboard): ``name`` to ``position``."""
    folder, form = view.context, view.form
    require(has_permission(MODIFY, folder, view.request),
            "You may not change the order of this folder.")
    name = form.get("name") or ""
    try:
        index = int(form.get("position") or "")
    except ValueError:
        index = None
    if name not in folder or index is None:
        return refuse(view, "That item is not in this folder any more.")
    return moved(view, name, max(0, min(index, len(folder) - 1)))


def moved(view, name, index):
    folder = view.context
    folder.move_child(name, index)
    obj = folder[name]
    text = f"Moved “{obj.title or name}” to position {index + 1}."
    # no event fires for a change of order: say it for the undo log
    view.request.conn.transaction_manager.get().note(
        f"Moved {view.folder_path.rstrip('/')}/{name} to position {index + 1}")
    if view.wants_json():
        return json_response({"ok": True, "message": text, "position": index})
    return view.back(text)


def refuse(view, text):
    if view.wants_json():
        return json_response({"ok": False, "message": text}, 409)
    return view.back(text, "error")


def json_response(data, status=200):
    response = Response(json.dumps(data), status=status,
                        content_type="application/json", charset="utf-8")
    response.cache_control = "no-store"
    return response
