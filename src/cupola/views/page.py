"""The page helper every template gets as ``page``: urls, navigation, crumbs."""

import time
from functools import cached_property
from typing import NamedTuple
from urllib.parse import quote, urlencode

from chameleon.utils import Markup

from cupola.rendering import render_template
from cupola.responsecache import UNTIL, note_expiry
from cupola.security.auth import authenticated_user
from cupola.security.policy import has_permission
from cupola.security.roles import VIEW
from cupola.security.session import CSRF_COOKIE
from cupola.traversal import lineage, resource_path

NAV_TYPES = frozenset({"Folder", "Document", "Link"})
NAV_LIMIT = 8


class Crumb(NamedTuple):
    title: str
    url: str


class NavItem(NamedTuple):
    title: str
    url: str
    current: bool


_nav_cache = {}  # {(database, tid): [(title, path)]}; any commit makes a new key
_fragments = {}  # {(database, tid, url, name, target, login, browser): Markup}
_FRAGMENTS_MAX = 4096


def site_sections(request):
    """(name, title, path) of the site's first folders, pages and links.

    Cached per transaction for everyone; who may see which is checked per
    request (see ``Page.navigation``).
    """
    key = (id(request.conn.db()), request.tid, request.virtual_root_path)
    sections = _nav_cache.get(key)
    if sections is None:
        sections = [(obj.__name__, obj.title or obj.__name__, resource_path(obj))
                    for obj in request.virtual_root().slice(0, 40)
                    if obj.type_name in NAV_TYPES]
        if len(_nav_cache) > 64:
            _nav_cache.clear()
        _nav_cache[key] = sections
    return sections


def strip_virtual_root(path, vroot_path):
    """*path* as seen on a host whose root is the folder at *vroot_path*."""
    if path == vroot_path:
        return ""
    if path.startswith(vroot_path + "/"):
        return path[len(vroot_path):]
    return path  # outside the mounted folder: no address on this host


def root_url(request):
    """The site's URL without a trailing slash, computed once per request."""
    env = request.environ
    url = env.get("cupola.root_url")
    if url is None:
        url = env["cupola.root_url"] = request.application_url
    return url


class Page:
    """Helpers for one rendering; cheap to make, computes on demand."""

    def __init__(self, request, context, view=None):
        self.request = request
        self.context = context
        self.view = view
        self.site = request.site
        self.root_url = root_url(request)
        self.vroot_path = request.virtual_root_path

    def url(self, obj=None, view=None, **query):
        """Absolute URL of *obj* (default: the context), optionally a view."""
        obj = self.context if obj is None else obj
        path = getattr(obj, "url_path", None)  # a catalog record (Brain)
        if path is None:
            path = resource_path(obj) if obj.__parent__ is not None else ""
        if self.vroot_path:
            path = strip_virtual_root(path, self.vroot_path)
        url = self.root_url + path
        if view:
            url += "/@@" + quote(view)
        elif not path:
            url += "/"
        if query:
            url += "?" + urlencode(query, doseq=True)
        return url

    def static(self, path, package="cupola"):
        """URL of a static file in the skin layers, fingerprinted."""
        skins = self.request.registry.skins
        return (f"{self.root_url}/++resource++{package}/{path}"
                f"?v={skins.fingerprint(package, path)}")

    @cached_property
    def user(self):
        return authenticated_user(self.request)

    def can(self, permission, obj=None):
        return has_permission(permission, self.context if obj is None else obj,
                              self.request)

    @cached_property
    def breadcrumbs(self):
        """[{title, url}] from the site down to the context (context last)."""
        ctx = self.context
        if getattr(ctx, "__parent__", None) is None and not hasattr(ctx, "type_name"):
            return []  # an exception or other non-content context
        top = self.request.virtual_root() if self.vroot_path else None
        crumbs = []
        for o in lineage(ctx):
            if o.__parent__ is None or o is top:
                break
            crumbs.append(Crumb(o.title or o.__name__, self.url(o)))
        crumbs.reverse()
        return crumbs

    @cached_property
    def navigation(self):
        """Top-level sections: the site's first folders, pages and links."""
        ctx, request = self.context, self.request
        top = request.virtual_root()
        here = resource_path(ctx) + "/" if hasattr(ctx, "__parent__") else ""
        root = self.root_url
        nav = []
        for name, title, path in site_sections(request):
            obj = top.get(name)
            if obj is not None and has_permission(VIEW, obj, request):
                shown = strip_virtual_root(path, self.vroot_path) if self.vroot_path else path
                nav.append(NavItem(title, root + shown, here.startswith(path + "/")))
                if len(nav) == NAV_LIMIT:
                    break
        return nav

    def fragment(self, name):
        """Skin template *name* rendered for this page, as markup.

        The page chrome (header, navigation, breadcrumbs, footer) depends
        only on the data (the transaction id), the address, the user and
        the browser's CSRF cookie, so it is cached under exactly those: any
        commit, another page or another user gives another key.
        """
        request = self.request
        env = request.environ
        browser = request.cookie(CSRF_COOKIE) if self.user is not None else ""
        key = None
        if browser is not None and request.conn is not None:
            key = (id(request.conn.db()), request.tid, self.root_url, name,
                   request.target, self.user.login if self.user else None, browser)
            found = _fragments.get(key)
            if found is not None and (found[1] is None or found[1] > time.time()):
                if found[1] is not None:
                    note_expiry(env, found[1])
                return found[0]
        outer = env.pop(UNTIL, None)  # what this fragment alone depends on
        html = Markup(render_template(request, name, {"page": self}, self.view))
        until = env.pop(UNTIL, None)
        for when in (outer, until):
            if when is not None:
                note_expiry(env, when)
        if key is not None:
            if len(_fragments) >= _FRAGMENTS_MAX:
                _fragments.clear()
            _fragments[key] = (html, until)
        return html

    def type_title(self, obj):
        """The name people know *obj*'s type by ("Page" for a Document)."""
        info = self.request.registry.types.get(obj.type_name)
        return info.title if info is not None else obj.type_name

    @cached_property
    def messages(self):
        """Status messages for this page (read once; see cupola.admin.messages)."""
        from cupola.admin.messages import pop_messages
        return pop_messages(self.request)

    @property
    def site_title(self):
        return self.site.title

    @property
    def came_from(self):
        """This page's path, quoted, for ``?came_from=``."""
        return quote(self.request.target, safe="")


def includeme(config):
    config.registry.page_factory = Page
