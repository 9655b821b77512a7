"""RSS and Atom feeds of a folder, and the site's sitemap.xml, from the catalog.

``@@rss`` (also ``feed.xml``) and ``@@atom`` on any container: the newest
``feed_size`` (20) pieces of content anywhere below it that the requester
may view, folders left out, newest first by publication date (effective),
or the modification date when it has none. A feed lists what is live:
nothing before its effective date or after it expires, even for those who
may see such content on the site.

``sitemap.xml`` on the site root: every object Anonymous may view, also
when a signed-in user asks; past ``sitemap_size`` (50,000) URLs, a sitemap
index of ``sitemap.xml?page=N`` files.

Nothing here walks the tree: one or two catalog searches per request.
"""

import html
import re
import time
from datetime import datetime, timezone
from email.utils import formatdate
from typing import NamedTuple
from xml.etree import ElementTree as ET

from webob import Response

from cupola.catalog import find_catalog, path_of
from cupola.exceptions import NotFound
from cupola.interfaces import IContainer, ISite
from cupola.rendering import render_template
from cupola.security.auth import authenticated_user
from cupola.security.policy import granted_roles
from cupola.security.roles import ANONYMOUS, VIEW

FEED_SIZE = 20
FEED_MAX = 200
SITEMAP_SIZE = 50000  # URLs in one sitemap file: the protocol's maximum

# Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """*value* as a str that may go into an XML document (escaping aside)."""
    return _NOT_XML.sub("", value) if value else ""


def rfc822(seconds):
    return formatdate(seconds, usegmt=True)


def rfc3339(seconds):
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def int_setting(settings, name, default, high):
    try:
        value = int(settings.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, 1), high)


# -- choosing the entries -----------------------------------------------------

def leaf_types(registry):
    """Names of the registered types that are not containers."""
    return [name for name, info in registry.types.items()
            if not (isinstance(info.factory, type)
                    and IContainer.implementedBy(info.factory))]


def _stream(results, first=32):
    """The brains of *results* in order, sorted a growing window at a time."""
    start, size = 0, first
    while start < len(results):
        yield from results[start:start + size]
        start += size
        size *= 4


def _live(brain, now):
    effective, expires = brain.effective, brain.expires
    return ((effective is None or effective <= now)
            and (expires is None or expires > now) and not brain.is_container)


def recent_items(catalog, request, path, limit, now=None):
    """The newest *limit* live, non-container brains below *path* that
    *request*'s user may view, by effective date else modification date.

    The catalog sorts on one index at a time (missing values last), so two
    sorted streams are merged: content with an effective date, newest
    first, and content without one by modification date; the second stops
    as soon as it cannot reach the first's *limit*-th date.
    """
    now = int(now if now is not None else time.time())
    query = {"path": path, "type": leaf_types(request.registry)}
    dated = []
    for brain in _stream(catalog.search(request, sort_on="effective",
                                        reverse=True, **query)):
        if brain.effective is None:
            break  # the rest have none
        if _live(brain, now):
            dated.append((brain.effective, brain.docid, brain))
            if len(dated) == limit:
                break
    floor = dated[-1][0] if len(dated) == limit else None
    undated = []
    for brain in _stream(catalog.search(request, sort_on="modified",
                                        reverse=True, **query)):
        modified = brain.modified or brain.created or 0
        if floor is not None and modified < floor:
            break
        if brain.effective is None and _live(brain, now):
            undated.append((modified, brain.docid, brain))
            if len(undated) == limit:
                break
    merged = sorted(dated + undated, key=lambda e: e[:2], reverse=True)
    return [(date, brain) for date, _, brain in merged[:limit]]


# -- feeds --------------------------------------------------------------------

class Entry(NamedTuple):
    title: str
    url: str
    summary: str
    summary_html: str   # the summary escaped as HTML (RSS descriptions are HTML)
    author: str
    rfc822: str         # RSS pubDate: effective, else modified
    updated: str        # Atom updated: the later of that and modified
    published: str      # Atom published: effective, or ""


class Channel(NamedTuple):
    title: str
    url: str
    self_url: str
    description: str
    description_html: str
    language: str
    rfc822: str
    updated: str
    author: str


class Feed:
    """The newest content below a container as an XML feed (see module)."""

    template = "feed_rss.pt"
    content_type = "application/rss+xml"

    def __init__(self, context, request):
        self.context, self.request = context, request
        self._authors = {}

    def __call__(self):
        context, request = self.context, self.request
        catalog = find_catalog(context)
        _, path = path_of(context)
        if catalog is None or path is None:
            raise NotFound("This folder is not in a cataloged site.")
        size = int_setting(request.registry.settings, "feed_size", FEED_SIZE, FEED_MAX)
        page = request.registry.page_factory(request, context, self)
        items = recent_items(catalog, request, path, size)
        entries = [self.entry(page, date, brain) for date, brain in items]
        newest = max((max(date, brain.modified or 0) for date, brain in items),
                     default=None)
        if newest is None:
            modified = getattr(context, "modified", None)
            newest = int(modified.timestamp()) if modified else int(time.time())
        values = {"page": page, "feed": self.channel(page, newest), "entries": entries}
        body = render_template(request, self.template, values, self)
        return Response(body=body.encode("utf-8"), content_type=self.content_type,
                        charset="utf-8")

    def channel(self, page, newest):
        context, site = self.context, self.request.site
        title = xml_text(context.title or context.__name__ or "")
        if not ISite.providedBy(context):
            title = f"{title} · {xml_text(site.title)}"
        description = xml_text(context.description) or title
        return Channel(
            title=title, url=page.url(context), self_url=self.request.path_url,
            description=description, description_html=html.escape(description),
            language=xml_text(site.settings.get("language") or ""),
            rfc822=rfc822(newest), updated=rfc3339(newest),
            author=xml_text(site.title) or "Cupola")

    def entry(self, page, date, brain):
        summary = xml_text(brain.description)
        updated = max(date, brain.modified or 0)
        return Entry(
            title=xml_text(brain.title) or brain.__name__,
            url=page.url(brain),
            summary=summary, summary_html=html.escape(summary),
            author=self.author(brain.creator),
            rfc822=rfc822(date), updated=rfc3339(updated),
            published=rfc3339(brain.effective) if brain.effective else "")

    def author(self, login):
        """The creator's full name; never a login, which people sign in with
        (so nothing when the user is gone or has no name of their own)."""
        if not login:
            return ""
        found = self._authors.get(login)
        if found is None:
            user = self.request.site.users.get(login)
            name = getattr(user, "fullname", "") or ""
            found = self._authors[login] = "" if name == login else xml_text(name)
        return found


class AtomFeed(Feed):
    template = "feed_atom.pt"
    content_type = "application/atom+xml"


# -- sitemap ------------------------------------------------------------------

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


class Sitemap:
    """sitemap.xml: what Anonymous may view, per sitemaps.org 0.9.

    Machine-only XML with no look to theme, so it is built with
    ElementTree rather than a skin template.
    """

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self):
        request = self.request
        catalog = find_catalog(self.context)
        if catalog is None:
            raise NotFound("The site has no catalog.")
        # Always Anonymous's view. An anonymous request itself is passed on:
        # the same answer, and a cached copy then expires when content
        # enters or leaves its publication window.
        asker = request if authenticated_user(request) is None else None
        # a host showing one folder as its root maps only that folder
        vroot = request.virtual_root_path
        results = catalog.search(asker, path=vroot) if vroot else catalog.search(asker)
        size = int_setting(request.registry.settings, "sitemap_size",
                           SITEMAP_SIZE, SITEMAP_SIZE)
        # the home page comes first, when Anonymous may see it
        home_visible = ANONYMOUS in granted_roles(request.registry, self.context, VIEW)
        total = len(results) + home_visible
        pages = max(1, -(-total // size))
        page = request.registry.page_factory(request, self.context, self)
        home = page.url(self.context)
        number = request.GET.get("page")
        if number is None and pages > 1:
            root = ET.Element("sitemapindex", xmlns=SITEMAP_NS)
            for n in range(1, pages + 1):
                ET.SubElement(ET.SubElement(root, "sitemap"), "loc").text = \
                    f"{home}sitemap.xml?page={n}"
            return xml_response(root)
        try:
            number = int(number or 1)
        except ValueError:
            raise NotFound("No such sitemap page.") from None
        if not 1 <= number <= pages:
            raise NotFound("No such sitemap page.")
        start, stop = (number - 1) * size, number * size
        root = ET.Element("urlset", xmlns=SITEMAP_NS)
        if home_visible:
            if start == 0:
                ET.SubElement(ET.SubElement(root, "url"), "loc").text = home
            start, stop = max(start - 1, 0), stop - 1
        for brain in results[start:stop]:
            loc = page.url(brain)
            if loc == home:
                continue  # the root, should it ever be cataloged
            url = ET.SubElement(root, "url")
            ET.SubElement(url, "loc").text = loc
            if brain.modified:
                ET.SubElement(url, "lastmod").text = rfc3339(brain.modified)
        return xml_response(root)


def xml_response(root):
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body=body, content_type="application/xml", charset="utf-8")


def includeme(config):
    # conditional: the publisher's ETag holds the database's last transaction
    # id, so any change anywhere (an item below, a transition) changes it.
    add = config.add_view
    add(Feed, "rss", context=IContainer, permission=VIEW,
        template=Feed.template, conditional=True)
    add(Feed, "feed.xml", context=IContainer, permission=VIEW,
        template=Feed.template, conditional=True)
    add(AtomFeed, "atom", context=IContainer, permission=VIEW,
        template=AtomFeed.template, conditional=True)
    add(Sitemap, "sitemap.xml", context=ISite, permission=VIEW,
        conditional=True)
