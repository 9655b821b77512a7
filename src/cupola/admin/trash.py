"""``/@@trash``: the recycle bin of the site (``cupola.content.trash``).

Guarded by ``cupola.ManageSite``. ``@@trash`` lists what was deleted,
newest first, 50 a page (``?b_start=``), and first purges what is older
than the ``trash_days`` setting. Each change is a POST with the CSRF token
answered by a redirect and a status message:

* ``@@trash-restore`` (``key``): back to where it was; when that folder is
  gone the page asks for another one (``target``, a path in the site);
* ``@@trash-purge`` (``key``): delete for good, after a confirmation page
  (GET) that names what goes;
* ``@@trash-empty``: purge everything, after a confirmation page.
"""

from cupola.admin.forms import AdminView, doom
from cupola.content import trash as T
from cupola.exceptions import NotAllowedHere
from cupola.interfaces import IContainer, ISite
from cupola.security.audit import audit
from cupola.security.roles import MANAGE_SITE
from cupola.views.batch import Batch, read_int

PAGE = 50


def items_text(count):
    return "1 item" if count == 1 else f"{count} items"


class TrashBase(AdminView):
    template = "trash.pt"

    @property
    def bin(self):
        return T.query_bin(self.site)

    def who(self, login):
        if not login:
            return "Someone"
        user = self.site.users.get(login)
        return (user.fullname or login) if user is not None else login

    def type_title(self, type_name):
        info = self.request.registry.types.get(type_name)
        return info.title if info is not None else type_name

    def state(self, entry):
        """The workflow State it was in (read from its type: not loaded)."""
        registry = self.request.registry
        name = getattr(registry, "workflow_by_type", {}).get(entry.type_name)
        workflow = getattr(registry, "workflows", {}).get(name)
        return workflow.states.get(entry.state) if workflow and entry.state else None

    def entry(self):
        """The entry named by the form's or query's ``key``, or None."""
        try:
            key = int(self.request.param("key") or "")
        except ValueError:
            return None
        bin_ = self.bin
        return bin_.get(key) if bin_ is not None else None

    def row(self, entry):
        place = T.resolve_path(self.site, entry.parent_path)
        place = place if IContainer.providedBy(place) else None
        what = self.type_title(entry.type_name)
        state = self.state(entry)
        return {"key": entry.key, "title": entry.title, "type": what,
                "state": state.title if state else None,
                "badge": getattr(state, "badge", None) or entry.state,
                "path": entry.path, "place": entry.parent_path,
                "place_title": (place.title or entry.parent_path) if place is not None
                and place.__parent__ is not None else "Top of the site",
                "place_url": self.url(obj=place) if place is not None else None,
                "who": self.who(entry.actor),
                "iso": entry.time.isoformat(),
                "when": entry.time.strftime("%-d %b %Y %H:%M UTC"),
                "inside": entry.count,
                "inside_text": items_text(entry.count) if entry.count else "",
                "purge_url": self.url("trash-purge", key=entry.key)}

    def back(self, message=None, kind="success"):
        return self.redirect(self.url("trash"), message, kind)

    def gone(self):
        doom(self.request)
        return self.back("That item is no longer in the recycle bin.", "error")


class TrashView(TrashBase):
    """``@@trash``: the list; expired items are purged first."""

    def __call__(self):
        registry = self.request.registry
        days = T.trash_days(self.site, registry)
        purged = T.purge_expired(self.site, days=days, registry=registry)
        if purged:
            from cupola.admin.messages import add_message
            add_message(self.request, f"{items_text(purged)} older than {days} "
                        f"{'day' if days == 1 else 'days'} "
                        f"{'was' if purged == 1 else 'were'} deleted for good.",
                        "info")
        bin_ = self.bin
        total = len(bin_) if bin_ is not None else 0
        start = read_int(self.request, "b_start", 0, 0)
        if start >= total:
            start = 0
        entries = bin_.newest(start, PAGE) if bin_ is not None else []
        batch = Batch(entries, start, PAGE, total)
        return self.render({
            "mode": "list", "rows": [self.row(e) for e in entries],
            "batch": batch, "days": days,
            "prev_url": batch.has_previous and self.url(
                "trash", b_start=batch.previous_start) or None,
            "next_url": batch.has_next and self.url(
                "trash", b_start=batch.next_start) or None})


class RestoreView(TrashBase):
    """``@@trash-restore``: back to its place, or into a chosen folder."""

    def get(self):
        entry = self.entry()
        if entry is None:
            return self.gone()
        return self.choose(entry, self.nearest(entry))

    def nearest(self, entry):
        """Path of the nearest container that still exists above its place."""
        names = entry.parent_path.strip("/").split("/")
        while names and names != [""]:
            found = T.resolve_path(self.site, "/".join(names))
            if IContainer.providedBy(found):
                return "/" + "/".join(names)
            names.pop()
        return "/"

    def choose(self, entry, target, error=None, status=200):
        return self.render({
            "mode": "restore", "item": self.row(entry), "target": target,
            "errors": {"target": error} if error else {},
            "place_gone": T.resolve_path(self.site, entry.parent_path) is None},
            status=status)

    def post(self):
        request = self.request
        entry = self.entry()
        if entry is None:
            return self.gone()
        raw = self.text("target", 1000)
        target = None
        if raw:
            target = T.resolve_path(self.site, raw)
            if not IContainer.providedBy(target):
                doom(request)
                return self.choose(entry, raw, f"There is no folder at {raw}. "
                                   "Enter the path of a folder, such as /news, "
                                   "or / for the top of the site.")
        title = entry.title
        try:
            obj = T.restore(request.registry, self.site, entry.key, target,
                            actor=getattr(self.user, "login", None))
        except T.PlaceGone:  # the page says so and asks for a folder
            doom(request)
            return self.choose(entry, self.nearest(entry))
        except NotAllowedHere as e:
            doom(request)
            return self.choose(entry, raw or entry.parent_path,
                               f"{e} Choose another folder.")
        where = T.path_in_site(obj)
        audit(request, "trash.restored", object=where, title=title,
              was=entry.path)
        message = f"Restored “{title}” to {where}."
        if where != entry.path and target is None:
            message = f"Restored “{title}” to {where}: its name was taken."
        return self.back(message)


class PurgeView(TrashBase):
    """``@@trash-purge``: delete one item for good, after a confirmation."""

    def get(self):
        entry = self.entry()
        if entry is None:
            return self.gone()
        return self.render({"mode": "purge", "item": self.row(entry)})

    def post(self):
        entry = self.entry()
        if entry is None:
            return self.gone()
        T.purge(self.site, entry.key)
        audit(self.request, "trash.purged", object=entry.path, title=entry.title,
              inside=entry.count or None)
        extra = f" with the {items_text(entry.count)} inside it" if entry.count else ""
        return self.back(f"Deleted “{entry.title}”{extra} for good.")


class EmptyView(TrashBase):
    """``@@trash-empty``: purge everything, after a confirmation."""

    def get(self):
        bin_ = self.bin
        if bin_ is None or not len(bin_):
            return self.back("The recycle bin is already empty.", "info")
        return self.render({"mode": "empty", "total": len(bin_),
                            "inside": sum(e.count for e in bin_.newest(0, 1000))})

    def post(self):
        count = T.empty(self.site)
        if not count:
            return self.back("The recycle bin is already empty.", "info")
        audit(self.request, "trash.emptied", count=count)
        return self.back(f"Emptied the recycle bin: {items_text(count)} "
                         "deleted for good.")


def includeme(config):
    config.add_view(TrashView, "trash", context=ISite, permission=MANAGE_SITE)
    for name, view in (("trash-restore", RestoreView), ("trash-purge", PurgeView),
                       ("trash-empty", EmptyView)):
        config.add_view(view, name, context=ISite, permission=MANAGE_SITE,
                        attr="get")
        config.add_view(view, name, context=ISite, permission=MANAGE_SITE,
                        attr="post", request_method="POST")
