"""``<folder>/@@contents``: a folder's children, to find, order and act on.

The table is read from the catalog, never by loading every child: in the
folder's own order by default (the order index gives the page's names,
the catalog their records: ``batch_children``), or sorted by title, type,
state, modification date or size (``?sort_on=``, ``?reverse=1``), and
filtered by ``?q=`` (word prefixes over the text index, this folder
only). Batched by ``b_start`` and ``b_size`` (50, at most 500).

Every change is a POST to the same address with the CSRF token: the
checked ``item`` boxes (child names) and an ``action`` (see ``post``),
or a ``move`` button (``up/<name>``, ``down/``, ``top/``, ``bottom/``).
Without JavaScript each is a plain form answered by a redirect with a
status message; ``contents.js`` adds shift-click selection, drag-and-drop
and keyboard reordering and upload progress, and gets JSON answers by
sending ``X-Requested-With: fetch``.

Guarded by ``cupola.AddContent``: whoever may put things in a folder may
list and manage what is in it (Contributors, Owners, Editors, Site
Administrators and Managers; not Members, Reviewers or Anonymous). Each
action checks again what it needs, per item: DeleteObjects to delete or
cut, ModifyContent to rename (and, on the folder, to reorder), the type's
add permission to paste or upload, the workflow's guard for transitions.
"""

import json
import re
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

from zope.index.text.parsetree import ParseError

from cupola.admin import bulk, clipboard, messages, reorder
from cupola.admin.forms import AdminView, field_list
from cupola.catalog import find_catalog, path_of
from cupola.catalog.query import Brain
from cupola.interfaces import IContainer
from cupola.security.policy import has_permission
from cupola.security.roles import ADD, MODIFY
from cupola.views.batch import Batch, batch_children, read_int

PAGE = 50
MAX_PAGE = 500
PAGE_SIZES = (50, 100, 500)
PLACE_LIMIT = 1000  # filtered results put in folder order at most; else by title
RECENT_FROM = 5000  # results from which "newest first" looks at recent ones first
RECENT_DAYS = (7, 30, 90, 365)  # the windows it tries, in days
EVERYONE_HAS = ("title", "type", "modified")  # sorts with no missing values
# ?sort_on= -> (catalog sort, reverse on the first click, column label)
SORTS = {"title": ("title", False, "Title"), "type": ("type", False, "Type"),
         "state": ("state", False, "State"), "modified": ("modified", True, "Modified"),
         "size": ("size", True, "Size")}
_WORDS = re.compile(r"\w+")


class ContentsView(AdminView):
    template = "contents.pt"
    max_items = MAX_PAGE

    @property
    def folder_path(self):
        return path_of(self.context)[1] or "/"

    def type_title(self, obj):
        info = self.request.registry.types.get(obj.type_name)
        return info.title if info is not None else obj.type_name

    # -- the table --

    def get(self):
        request, folder = self.request, self.context
        query = self.query()
        batch, note, error = self.batch(query)
        rows = [self.row(b) for b in batch.items]
        ordered = not query["q"] and not query["sort_on"]
        selected = request.GET.get("select") == "all"
        clip = clipboard.read(request)
        return self.render({
            "page": self.page, "rows": rows, "batch": batch, "query": query, "note": note,
            "error": error, "ordered": ordered, "select_all": selected,
            "can_reorder": ordered and has_permission(MODIFY, folder, request),
            "columns": self.columns(query), "clip": clip,
            "clip_title": clip and self.clip_folder_title(clip),
            "transitions": self.transitions(rows),
            "pages": [(n, self.listing_url(b_start=s), current)
                      for n, s, current in batch.pages] if batch.total > batch.size else [],
            "prev_url": batch.has_previous and self.listing_url(b_start=batch.previous_start),
            "next_url": batch.has_next and self.listing_url(b_start=batch.next_start),
            "sizes": [(n, self.listing_url(b_size=n, b_start=None), n == batch.size)
                      for n in PAGE_SIZES],
            "here": self.listing_url(),
            "summary": _summary(batch, query["q"]),
            "clear_url": self.listing_url(q=None, b_start=None),
            "order_url": self.listing_url(sort_on=None, reverse=None, b_start=None),
            "max_body": getattr(request.registry.application, "max_body", 0),
            "max_upload": _human_size(getattr(request.registry.application,
                                              "max_body", 0)),
            "can_upload": self.can_upload(),
        }, status=400 if error else 200)

    def query(self):
        """What the address asks for: filter, sort, direction, page size."""
        get = self.request.GET
        sort_on = get.get("sort_on")
        return {"q": (get.get("q") or "").strip()[:200],
                "sort_on": sort_on if sort_on in SORTS else None,
                "reverse": get.get("reverse") == "1",
                "b_size": read_int(self.request, "b_size", PAGE, 1, MAX_PAGE)}

    def batch(self, query):
        """(Batch of Brains, note, error) for *query*."""
        request, folder = self.request, self.context
        size = query["b_size"]
        catalog = find_catalog(folder)
        _, path = path_of(folder)
        words = _WORDS.findall(query["q"])[:10]
        if catalog is None or path is None:
            return Batch([], 0, size, 0), None, None
        if not words and not query["sort_on"]:
            return batch_children(folder, request, PAGE, MAX_PAGE), None, None
        sort_on = SORTS[query["sort_on"]][0] if query["sort_on"] else None
        text = " ".join(w + "*" for w in words) or None
        try:
            results = catalog.search(request, path=path, depth=1, text=text,
                                     sort_on=sort_on, reverse=query["reverse"])
        except ParseError:
            return Batch([], 0, size, 0), None, "The filter could not be understood."
        total = len(results)
        start = read_int(request, "b_start", 0, 0)
        if start >= total:
            start = 0
        note = None
        if sort_on is None:  # filtered, in the folder's order
            if total <= PLACE_LIMIT:
                docids = sorted(results.docids, key=self.position_of(catalog))
                items = [Brain(catalog, d) for d in docids[start:start + size]]
                return Batch(items, start, size, total), None, None
            results.sort_on, results.reverse = "title", False
            note = (f"More than {PLACE_LIMIT:,} items match, so they are "
                    "shown by title.")
        if query["reverse"] and total > RECENT_FROM and start + size > total // 2 \
                and query["sort_on"] in EVERYONE_HAS:
            # the back half: walk the index forwards from the other end
            results.reverse = False
            items = results[max(0, total - start - size):total - start][::-1]
            return Batch(items, start, size, total), note, None
        if sort_on == "modified" and query["reverse"] and total > RECENT_FROM:
            results = self.recent(catalog, path, text, start + size) or results
        return Batch(results[start:start + size], start, size, total), note, None

    def recent(self, catalog, path, text, wanted):
        """The newest first, sorting only the recently modified: the
        catalog sorts a small result by looking values up, where newest
        first over the whole folder would walk the whole date index. None
        when even the widest window holds fewer than *wanted*."""
        now = int(time.time())
        for days in RECENT_DAYS:
            found = catalog.search(self.request, path=path, depth=1, text=text,
                                   modified=(now - days * 86400, None),
                                   sort_on="modified", reverse=True)
            if len(found) >= wanted:
                return found
        return None

    def position_of(self, catalog):
        folder = self.context

        def position(docid):
            try:
                return folder.position(catalog.path_for(docid).rsplit("/", 1)[1])
            except (KeyError, ValueError, AttributeError):
                return len(folder)
        return position

    def row(self, brain):
        page = self.page
        name = brain.__name__
        try:
            position = self.context.position(name)
        except (KeyError, ValueError):
            position = None
        container = bool(brain.is_container)
        return {
            "name": name, "title": brain.title or name,
            "url": page.url(brain, "contents") if container else page.url(brain),
            "type": page.type_title(brain), "container": container,
            "state": self.state(brain.type_name, brain.state),
            "state_name": brain.state or "",
            "modified": _date(brain.modified), "size": _size_of(brain),
            "position": position}

    @property
    def page(self):
        page = getattr(self, "_page", None)
        if page is None:
            page = self._page = self.request.registry.page_factory(
                self.request, self.context, self)
        return page

    def state(self, type_name, state_name):
        """(title, badge) of a workflow state, None when there is none."""
        cache = self.__dict__.setdefault("_states", {})
        key = (type_name, state_name)
        if key not in cache:
            registry = self.request.registry
            wf_name = getattr(registry, "workflow_by_type", {}).get(type_name)
            workflow = getattr(registry, "workflows", {}).get(wf_name)
            state = workflow.states.get(state_name) if workflow and state_name else None
            cache[key] = (state.title, state.badge or state.name) if state else None
        return cache[key]

    def transitions(self, rows):
        """[{name, title, from}] of the transitions out of the states on this
        page (whether each is allowed is checked per item when posted)."""
        registry = self.request.registry
        found = {}
        for type_name, state_name in self.__dict__.get("_states", {}):
            wf_name = getattr(registry, "workflow_by_type", {}).get(type_name)
            workflow = getattr(registry, "workflows", {}).get(wf_name)
            if workflow is None:
                continue
            for t in workflow.transitions.values():
                if state_name in t.from_states:
                    entry = found.setdefault(t.name, {"name": t.name, "title": t.title,
                                                      "from": set()})
                    entry["from"].add(state_name)
        order = ("publish", "submit", "retract", "reject")
        listed = sorted(found.values(), key=lambda t: (
            order.index(t["name"]) if t["name"] in order else len(order), t["title"]))
        for entry in listed:
            entry["from"] = " ".join(sorted(entry["from"]))
        return listed

    def columns(self, query):
        """Header cells: label, sort link, aria-sort."""
        out = []
        for key, (_, first_reverse, label) in SORTS.items():
            current = query["sort_on"] == key
            reverse = (not query["reverse"]) if current else first_reverse
            out.append({"key": key, "label": label,
                        "url": self.listing_url(sort_on=key, reverse="1" if reverse else None,
                                                b_start=None),
                        "sort": ("descending" if query["reverse"] else "ascending")
                        if current else None})
        return out

    def clip_folder_title(self, clip):
        catalog = find_catalog(self.context)
        folder = catalog.resolve(clip.folder) if catalog is not None else None
        if folder is None:
            return clip.folder
        return folder.title or folder.__name__ or "the site"

    def can_upload(self):
        registry, request = self.request.registry, self.request
        info = registry.types.get("File")
        return info is not None and has_permission(info.add_permission, self.context, request)

    def listing_url(self, **changes):
        """This listing's address with *changes* (None drops a parameter)."""
        params = {k: v for k, v in self.request.GET.items()
                  if k in ("q", "sort_on", "reverse", "b_start", "b_size") and v}
        for key, value in changes.items():
            params.pop(key, None)
            if value not in (None, ""):
                params[key] = value
        url = self.url("contents", obj=self.context)
        return url + ("?" + urlencode(params) if params else "")

    # -- answering a POST --

    def wants_json(self):
        return self.request.headers.get("X-Requested-With") == "fetch"

    def message(self, text, kind="success"):
        messages.add_message(self.request, text, kind)

    def back(self, message=None, kind="success", url=None):
        """Back to the listing with the status messages (JSON for scripts)."""
        response = self.redirect(url or self.listing_url(), message, kind)
        if self.wants_json():
            location = response.location
            response.status = 200
            del response.headers["Location"]
            response.content_type = "application/json"
            response.text = json.dumps({"location": location})
        return response

    def post(self):
        form = self.form
        move = form.get("move")
        if move:
            where, _, name = move.partition("/")
            return reorder.move(self, name, where)
        action = form.get("action") or ""
        if action == "reorder":
            return reorder.reorder(self)
        if action == "upload":
            return bulk.upload(self)
        if action == "paste":
            return clipboard.paste_here(self)
        if action == "clear-clipboard":
            return clipboard.empty(self)
        if action == "rename-confirmed":
            return bulk.rename(self)
        objects = self.selection()
        if action.startswith("transition:"):
            handler = lambda objs: bulk.transition(self, objs, action[len("transition:"):])
        else:
            handler = {
                "cut": lambda objs: clipboard.cut(self, objs),
                "copy": lambda objs: clipboard.copy(self, objs),
                "delete": lambda objs: bulk.confirm_delete(self, objs),
                "delete-confirmed": lambda objs: bulk.delete(self, objs),
                "rename": lambda objs: bulk.rename_selection(self, objs),
            }.get(action)
        if handler is None:
            return self.back("Choose what to do with the selected items.", "error")
        if not objects:
            return self.nothing_selected()
        return handler(objects)

    def selection(self):
        """The checked children that still exist, in the order posted."""
        names = list(dict.fromkeys(field_list(self.request, "item")))[:MAX_PAGE]
        found = (self.context.get(n) for n in names)
        return [obj for obj in found if obj is not None]

    def nothing_selected(self):
        return self.back("Select one or more items first.", "error")


def _summary(batch, q):
    if not batch.total:
        return ""
    if q:
        return (f"1 item matches “{q}”" if batch.total == 1
                else f"{batch.total:,} items match “{q}”")
    if batch.total <= batch.size and not batch.start:
        return bulk.count(batch.total)
    return f"{batch.start + 1:,}–{batch.end:,} of {batch.total:,} items"


def _date(seconds):
    """(ISO time, '5 Mar 2025 14:05') in UTC, or None."""
    if not seconds:
        return None
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    return moment.isoformat(timespec="minutes"), moment.strftime("%-d %b %Y %H:%M")


def _human_size(n):
    if not n:
        return None
    if n < 1024:
        return f"{n} bytes" if n != 1 else "1 byte"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}" if n < 10 else f"{n:.0f} {unit}"


def _size_of(brain):
    if brain.is_container:
        return None
    return _human_size(brain.size)


def _size_index(obj, registry):
    """Bytes of a file or page, for sorting; folders are left out."""
    if IContainer.providedBy(obj):
        return None
    return getattr(obj, "size", None) or None


def includeme(config):
    config.add_catalog_index("size", "field", _size_index)
    for attr, method in (("get", "GET"), ("post", "POST")):
        config.add_view(ContentsView, "contents", context=IContainer,
                        permission=ADD, attr=attr, request_method=method)
