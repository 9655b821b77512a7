"""The clipboard of folder contents: what was cut or copied, and pasting it.

The clipboard lives in the browser, in a cookie signed with the site's
secret (like the session cookie, see ``cupola.security.session``)::

    {"op": "cut" | "copy", "from": "/news", "names": ["a", "b"]}

Items are always cut or copied from one folder (``from``, site-relative),
so the cookie holds that path once and the names. It is refused when the
signed value would not fit a cookie (``MAX_COOKIE``), and ignored after
``MAX_AGE``. Nothing in it is trusted: pasting looks every item up again
and checks the permissions then.
"""

from typing import NamedTuple

from itsdangerous import BadSignature, URLSafeTimedSerializer

from cupola.admin.bulk import count, free_name, quoted
from cupola.catalog import find_catalog
from cupola.content import operations
from cupola.exceptions import InvalidName, NotAllowedHere
from cupola.security.policy import has_permission
from cupola.security.roles import DELETE, VIEW

COOKIE = "cupola_clipboard"
MAX_AGE = 24 * 3600     # seconds; a clipboard older than a day is forgotten
MAX_COOKIE = 3800       # bytes of the signed value (browsers keep 4096)
OPS = ("cut", "copy")


class Clipboard(NamedTuple):
    op: str             # "cut" or "copy"
    folder: str         # site-relative path of the folder they came from
    names: tuple        # child names in that folder

    def path(self, name):
        return ("" if self.folder == "/" else self.folder) + "/" + name

    @property
    def paths(self):
        return [self.path(name) for name in self.names]


def _serializer(request):
    return URLSafeTimedSerializer(request.site.settings["secret"],
                                  salt="cupola.clipboard")


def read(request):
    """The request's Clipboard, or None (absent, forged, stale or malformed)."""
    value = request.cookie(COOKIE)
    if not value:
        return None
    try:
        data = _serializer(request).loads(value, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("op") not in OPS:
        return None
    folder, names = data.get("from"), data.get("names")
    if not isinstance(folder, str) or not folder.startswith("/") \
            or not isinstance(names, list) or not names \
            or not all(isinstance(n, str) and n for n in names):
        return None
    return Clipboard(data["op"], folder, tuple(names))


def store(request, response, clip):
    """Put *clip* in a cookie on *response*; False when it is too big."""
    value = _serializer(request).dumps(
        {"op": clip.op, "from": clip.folder, "names": list(clip.names)})
    if len(value) > MAX_COOKIE:
        return False
    response.set_cookie(COOKIE, value, httponly=True, samesite="Lax", path="/",
                        secure=request.scheme == "https")
    return True


def clear(response):
    response.delete_cookie(COOKIE, path="/")


class Pasted(NamedTuple):
    title: str
    name: str           # its name in the target
    renamed_from: str   # the name it had when that one was taken here, or ""


def paste(request, target, clip):
    """Move (cut) or copy the clipboard's items into *target*.

    Returns ([Pasted], [(title, why it was not pasted)], [names left to
    paste]); each item succeeds or fails on its own.
    """
    registry, site = request.registry, request.site
    catalog = find_catalog(target)
    pasted, problems, left = [], [], []
    for name in clip.names:
        path = clip.path(name)
        obj = catalog.resolve(path) if catalog is not None else None
        if obj is None or obj is site or not has_permission(VIEW, obj, request):
            problems.append((name, f"it is no longer in {clip.folder}"))
            continue
        title = obj.title or name
        why = _refusal(request, obj, target, clip.op)
        if why:
            problems.append((title, why))
            left.append(name)
            continue
        new_name = free_name(target, name)
        try:
            if clip.op == "cut":
                operations.move(registry, obj, target, new_name)
            else:
                operations.copy(registry, obj, target, new_name)
        except (NotAllowedHere, InvalidName) as e:
            problems.append((title, _sentence(e)))
            left.append(name)
            continue
        pasted.append(Pasted(title, new_name, name if new_name != name else ""))
    return pasted, problems, left


def _refusal(request, obj, target, op):
    """Why *obj* may not be pasted into *target* by this user, or None."""
    info = request.registry.types.get(obj.type_name)
    if info is None:
        return "its type is unknown"
    if not has_permission(info.add_permission, target, request):
        return f"you may not add a {info.title.lower()} here"
    if op == "cut":
        if obj.__parent__ is target:
            return "it is already in this folder"
        if not has_permission(DELETE, obj, request):
            return "you may not move it out of its folder"
    return None


def _sentence(error):
    text = str(error).rstrip(".")
    return text[:1].lower() + text[1:]


# -- what the contents view does with it ----------------------------------

def cut(view, objects):
    refused = [o.title or o.__name__ for o in objects
               if not has_permission(DELETE, o, view.request)]
    if refused:
        return view.back(f"You may not move {quoted(refused)}.", "error")
    return _keep(view, "cut", objects)


def copy(view, objects):
    return _keep(view, "copy", objects)


def _keep(view, op, objects):
    clip = Clipboard(op, view.folder_path, tuple(o.__name__ for o in objects))
    verb = "Cut" if op == "cut" else "Copied"
    response = view.back(f"{verb} {count(len(objects))}. Open the folder where "
                         f"{'it' if len(objects) == 1 else 'they'} should go "
                         "and choose Paste.")
    if not store(view.request, response, clip):
        return view.back("Too many items for the clipboard at once: "
                         "select fewer and try again.", "error")
    return response


def empty(view):
    response = view.back("The clipboard is empty now.", "info")
    clear(response)
    return response


def paste_here(view):
    """Paste into the view's folder; a cut clipboard keeps what failed."""
    request = view.request
    clip = read(request)
    if clip is None:
        return view.back("The clipboard is empty: cut or copy items first.", "error")
    pasted, problems, left = paste(request, view.context, clip)
    if pasted:
        view.message(f"Pasted {count(len(pasted))}.")
        renamed = [p for p in pasted if p.renamed_from]
        if renamed:
            view.message("The name was taken here, so " + ", ".join(
                f"“{p.renamed_from}” is now “{p.name}”" for p in renamed[:5]) + ".",
                "info")
    if problems:
        view.message("Not pasted: " + "; ".join(
            f"“{title}”: {why}" for title, why in problems) + ".", "error")
    response = view.back()
    if clip.op == "cut":
        if left:
            store(request, response, clip._replace(names=tuple(left)))
        else:
            clear(response)
    return response
