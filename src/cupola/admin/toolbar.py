"""The editing toolbar on content pages, and ``@@as-anonymous``.

The main template draws ``toolbar.pt`` for signed-in users through
``page.fragment`` (cached per transaction, page, user and browser); the
template asks ``Toolbar(page)`` what to show. Every action is shown only
when the user may use it, judged by the permission its view is registered
with (so an add-on that replaces a view, or protects it differently, is
followed), and the bar is not drawn at all when no action is left.

Add-ons add actions with ``add_toolbar_action(config, name, title, ...)``.

``<object>/@@as-anonymous`` shows the object's default view as a visitor
who is not signed in would see it. It only ever removes privileges: the
request's identity is dropped for that one rendering (nothing is signed
out, no cookie is set) and its transaction is doomed, so the rendering
cannot write anything.
"""

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

from cupola.admin.forms import doom, render
from cupola.exceptions import NotFound
from cupola.interfaces import IContainer, IItem
from cupola.security.policy import forget, has_permission
from cupola.security.roles import SIGNED_IN
from cupola.workflow.engine import allowed_transitions, state_of

AS_ANONYMOUS = "cupola.as_anonymous"  # environ: this rendering drops the user
ANONYMOUS_VIEW = "as-anonymous"


@dataclass(frozen=True)
class ToolbarAction:
    """An extra toolbar link registered by an add-on."""

    name: str          # the view it opens (``@@name``)
    title: str
    permission: str = None  # default: the permission of the view's GET
    context: object = IItem
    order: int = 50    # core actions are 10 (View) to 90 (Delete)


def add_toolbar_action(config, name, title, permission=None, context=IItem,
                       order=50):
    """Show a link to ``@@name`` titled *title* on the toolbar of objects
    providing *context*, for users with *permission* there."""
    actions = config.registry.__dict__.setdefault("toolbar_actions", [])
    actions.append(ToolbarAction(name, title, permission, context, order))


@dataclass(frozen=True)
class Link:
    name: str
    title: str
    url: str
    current: bool = False
    order: int = 50
    kind: str = ""  # CSS hint: "danger" for Delete


class Toolbar:
    """What the toolbar shows on one page (the template's ``bar``)."""

    def __init__(self, page):
        self.page = page
        self.request = request = page.request
        self.registry = request.registry
        self.context = page.context

    # -- whether to draw it --

    @cached_property
    def applies(self):
        """A content page (not an error page) for a signed-in user."""
        return (IItem.providedBy(self.context)
                and getattr(self.request, "exception", None) is None
                and self.page.user is not None)

    @property
    def as_anonymous(self):
        return bool(self.request.environ.get(AS_ANONYMOUS))

    @cached_property
    def visible(self):
        return self.applies and bool(self.links)

    # -- actions --

    def view_permission(self, name, method="GET"):
        """The permission of view *name* here, or None when there is none."""
        info = self.registry.query_view(self.context, self.request, name)
        entry = info.methods.get(method) if info is not None else None
        return entry.permission if entry is not None else None

    def may_use(self, name, method="GET"):
        permission = self.view_permission(name, method)
        return permission is not None and has_permission(
            permission, self.context, self.request)

    @cached_property
    def default_view(self):
        info = self.registry.types.get(getattr(self.context, "type_name", None))
        return info.default_view if info is not None else "view"

    @cached_property
    def links(self):
        """[Link] the user may follow here, in order (View first)."""
        page, here = self.page, self.request.view_name or self.default_view
        ctx = self.context
        found = []

        def offer(name, title, order, kind="", url=None):
            if self.may_use(name):
                found.append(Link(name, title, url or page.url(ctx, name),
                                  here == name, order, kind))

        offer("edit", "Edit", 20)
        if IContainer.providedBy(ctx):
            offer("contents", "Contents", 30)
        offer("sharing", "Sharing", 60)
        offer("history", "History", 70)
        if ctx.__parent__ is not None:
            offer("delete", "Delete…", 90, "danger")
        for action in getattr(self.registry, "toolbar_actions", ()):
            if not action.context.providedBy(ctx):
                continue
            permission = action.permission or self.view_permission(action.name)
            if permission and has_permission(permission, ctx, self.request):
                found.append(Link(action.name, action.title,
                                  page.url(ctx, action.name),
                                  here == action.name, action.order))
        if self.add_types:
            found.append(Link("++add++", "Add", "", False, 40))
        if found or self.transitions:  # these two only matter next to others
            found.append(Link("view", "View", page.url(ctx),
                              here in (self.default_view, "view"), 10))
            found.append(Link(ANONYMOUS_VIEW, "View as anonymous",
                              page.url(ctx, ANONYMOUS_VIEW), False, 80))
        found.sort(key=lambda link: link.order)
        return found

    @cached_property
    def add_types(self):
        """[(title, url, description)] of the types the user may add here."""
        ctx, request = self.context, self.request
        if not IContainer.providedBy(ctx) or not self.may_use("++add++"):
            return []
        here = self.registry.types.get(getattr(ctx, "type_name", None))
        base = self.page.url(ctx).rstrip("/") + "/++add++"
        found = []
        for name, info in self.registry.types.items():
            if not info.addable or (here is not None and not here.allows(name)):
                continue
            if has_permission(info.add_permission, ctx, request):
                found.append((info.title, base + quote(name), info.description))
        return found

    # -- workflow --

    @cached_property
    def state(self):
        return state_of(self.registry, self.context)

    @cached_property
    def transitions(self):
        """Transitions the user may take here, through ``@@workflow`` (not
        on that page itself: it offers them, with a comment field)."""
        if (self.state is None or self.request.view_name == "workflow"
                or not self.may_use("workflow", "POST")):
            return []
        return allowed_transitions(self.registry, self.context, self.request)

    @property
    def workflow_url(self):
        return self.page.url(self.context, "workflow")

    @cached_property
    def state_url(self):
        """``@@workflow`` (state and history) when the user may open it."""
        return self.workflow_url if self.may_use("workflow") else None

    @property
    def type_title(self):
        return self.page.type_title(self.context)


class AsAnonymousView:
    """``@@as-anonymous``: the default view, rendered without the user."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self):
        request, context = self.request, self.context
        registry = request.registry
        info = registry.types.get(getattr(context, "type_name", None))
        name = info.default_view if info is not None else "view"
        view = registry.query_view(context, request, name)
        entry = view.methods.get("GET") if view is not None else None
        if entry is None:
            raise NotFound(f"no view {name!r}")
        doom(request)  # whatever happens below, nothing is written
        forget(request)
        env = request.environ
        env["cupola.user"], env["cupola.auth"] = None, None
        env[AS_ANONYMOUS] = True
        if not has_permission(entry.permission, context, request):
            response = render(request, None, "as_anonymous.pt", {
                "object_url": registry.page_factory(request, context).url(context)})
        else:
            response = registry.application.call_view(request, context, entry)
        response.cache_control = "no-store"
        return response


def includeme(config):
    config.add_view(AsAnonymousView, ANONYMOUS_VIEW, context=IItem,
                    permission=SIGNED_IN)
