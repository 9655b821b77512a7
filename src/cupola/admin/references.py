"""The reference picker: a widget for fields that point at other content,
and ``@@reference-picker``, a page that browses the site to find it.

The widget lists the chosen items (a checkbox each: untick to remove) and
takes new ones as addresses (``/news/agenda`` or a full URL), one a line.
It stores uuids (``cupola.content.references``), so the reference
survives moves and renames. Without JavaScript, "Browse the site" opens
the picker page in a new tab: folders, breadcrumbs and search, each item
with its address to paste. With JavaScript the same page opens in a
dialog and "Choose" adds the item to the form at once.

Keys for the ``cupola.widget`` tagged value: ``references`` (a Tuple or
List of TextLine) and ``reference`` (one TextLine).
"""

from urllib.parse import unquote, urlencode, urlsplit

from cupola.admin.forms import AdminView
from cupola.admin.widgets import Widget, WidgetError, _collection_type, add_widget
from cupola.content.references import ensure_uuid, resolve
from cupola.exceptions import BadRequest, Forbidden
from cupola.interfaces import IContainer
from cupola.security.policy import has_permission
from cupola.security.roles import SIGNED_IN, VIEW
from cupola.traversal import resource_path
from cupola.views.batch import read_int
from cupola.views.page import strip_virtual_root

PICKER_SIZE = 30
MAX_ADD = 50  # addresses read from one form


class ReferencesWidget(Widget):
    """Several references, stored as a tuple of uuids."""

    macro = "references"
    single = False

    def __init__(self, name, field, form):
        super().__init__(name, field, form)
        self.raw = []       # the chosen uuids
        self.added = ""     # addresses typed (kept when the form has errors)

    @property
    def add_name(self):
        return f"{self.name}.add"

    @property
    def picker_url(self):
        request = self.form.request
        return (f"{request.application_url}/@@reference-picker"
                f"?field={self.id}")

    @property
    def items(self):
        """[{uid, title, path, url, missing}] of the chosen uuids, for the template."""
        request, rows = self.form.request, []
        for uid, obj in resolve(request.site, self.raw):
            if obj is None or not has_permission(VIEW, obj, request):
                rows.append({"uid": uid, "title": "An item that no longer exists "
                             "or that you may not see", "path": "", "missing": True})
            else:
                rows.append({"uid": uid, "title": obj.title or obj.__name__,
                             "path": _path(obj), "missing": False})
        return rows

    def format(self, value):
        if not value:
            return []
        return [value] if isinstance(value, str) else list(value)

    def extract(self, request):
        chosen = [v.strip() for v in request.form.getall(self.name) if v.strip()]
        added = request.form.getall(self.add_name)  # the box, and picks made in the dialog
        self.added = "\n".join(a.strip() for a in added if a and a.strip())
        return chosen

    def parse(self, raw):
        request = self.form.request
        uids = [u for u in dict.fromkeys(raw) if _is_uuid(u)]
        if len(uids) != len(dict.fromkeys(raw)):
            raise WidgetError("Untick the items that cannot be read and choose them again.")
        lines = [line.strip() for line in self.added.splitlines() if line.strip()]
        if len(lines) > MAX_ADD:
            raise WidgetError(f"Add at most {MAX_ADD} items at once.")
        for line in lines:
            obj = find_by_address(request, line)
            uid = ensure_uuid(obj)
            if obj is self.form.obj:
                raise WidgetError(f"{line} is this item itself: choose another one.")
            if uid not in uids:
                uids.append(uid)
        self.raw = uids
        if self.single:
            if len(uids) > 1:
                raise WidgetError("Choose only one item: untick the one to replace.")
            return uids[0] if uids else None
        most = getattr(self.field, "max_length", None)
        if most and len(uids) > most:
            raise WidgetError(f"Choose at most {most} items (this has {len(uids)}).")
        return _collection_type(self.field)(uids)


class ReferenceWidget(ReferencesWidget):
    """One reference, stored as a uuid string."""

    single = True


def _is_uuid(text):
    return len(text) == 32 and all(c in "0123456789abcdef" for c in text)


def _path(obj):
    return resource_path(obj) if obj.__parent__ is not None else "/"


def find_by_address(request, text):
    """The object at *text* (a path in the site or a URL of it) that the
    user may view; WidgetError with a plain message otherwise."""
    address = text.strip()
    parts = urlsplit(address)
    if parts.scheme or parts.netloc:
        base = urlsplit(request.application_url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise WidgetError(f"{address} is not an address of this site.")
        path = parts.path[len(base.path.rstrip("/")):]
    else:
        path = parts.path
    obj = request.site
    for name in [unquote(n) for n in path.split("/") if n and n != "."]:
        if name.startswith(("@@", "++")):
            break  # a view of the object: the object is meant
        if name == ".." or not IContainer.providedBy(obj) or name not in obj:
            raise WidgetError(f"Nothing is at {address}: use an address like "
                              "/news/agenda (Browse the site shows them).")
        obj = obj[name]
    if obj is request.site:
        raise WidgetError("Choose a page, file or folder, not the whole site.")
    if not has_permission(VIEW, obj, request):
        raise WidgetError(f"Nothing is at {address} that you may see.")
    return obj


class ReferencePicker(AdminView):
    """``<folder>/@@reference-picker``: browse and search for an item to pick."""

    template = "reference_picker.pt"

    def __call__(self):
        request, folder = self.request, self.context
        if not has_permission(VIEW, folder, request):
            raise Forbidden("You may not see this folder.")
        field = (request.GET.get("field") or "")[:100]
        if field and not all(c.isalnum() or c in "-_." for c in field):
            raise BadRequest("That field name cannot be used.")
        query = (request.GET.get("q") or "").strip()[:200]
        start = read_int(request, "b_start", 0, 0)
        catalog = getattr(self.site, "catalog", None)
        path = _path(folder)
        if query:
            results = catalog.search(request, path=path, text=query)
        else:
            results = catalog.search(request, path=path, depth=1, sort_on="sortable_title")
        total = len(results)
        rows = [{"title": b.title or b.__name__, "path": b.path, "type": _type_title(
                    request, b.type_name), "container": bool(b.is_container),
                 "browse": self.picker_url(b.url_path, field)}
                for b in list(results[start:start + PICKER_SIZE])]
        crumbs = [{"title": o.title or o.__name__ or "Site",
                   "url": self.picker_url(_path(o), field)}
                  for o in reversed(list(_lineage(folder)))]
        return self.render({
            "rows": rows, "crumbs": crumbs, "query": query, "field": field,
            "folder_path": path, "total": total, "start": start,
            "prev_url": (self.picker_url(path, field, q=query, b_start=max(0, start - PICKER_SIZE))
                         if start else None),
            "next_url": (self.picker_url(path, field, q=query, b_start=start + PICKER_SIZE)
                         if start + PICKER_SIZE < total else None)})

    def picker_url(self, path, field, **query):
        vroot = self.request.virtual_root_path  # a host showing a folder as "/"
        if vroot:
            path = strip_virtual_root(path, vroot) or "/"
        base = self.request.application_url + ("" if path == "/" else path)
        params = {"field": field, **{k: v for k, v in query.items() if v}}
        return f"{base}/@@reference-picker?{urlencode(params)}"


def _lineage(obj):
    while obj is not None:
        yield obj
        obj = obj.__parent__


def _type_title(request, type_name):
    info = request.registry.types.get(type_name)
    return info.title if info is not None else (type_name or "")


def includeme(config):
    config.include("cupola.content.references")
    add_widget("references", ReferencesWidget)
    add_widget("reference", ReferenceWidget)
    config.add_view(ReferencePicker, "reference-picker", context=IContainer,
                    permission=SIGNED_IN)
