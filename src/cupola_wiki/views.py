"""The page of a wiki page and of a wiki.

A page's HTML comes from its cache (``cupola_wiki.rendering``); only its
links are decided per request: a link to a page the reader may view is a
link, one to a missing page is a "create" link for those who may add
pages (the add form with the title and name filled in) and plain text for
the others. ``RecentChanges`` and ``TitleIndex`` link to those views.
"""

from html import escape
from urllib.parse import urlencode

from chameleon.utils import Markup
from webob import Response

from cupola.rendering import custom_layer_site
from cupola.security.policy import has_permission
from cupola.security.roles import ADD, MODIFY, VIEW, VIEW_HISTORY
from cupola_wiki.content import ADD_PAGE, IWiki, IWikiPage
from cupola_wiki.events import front_page_name
from cupola_wiki.rendering import parts_of

# WikiWords that name the wiki's own views, as in MoinMoin
SPECIAL = {"recent-changes": "recent-changes", "title-index": "title-index"}


def find_wiki(obj):
    """The wiki *obj* is in (or is), else None."""
    while obj is not None:
        if IWiki.providedBy(obj):
            return obj
        obj = getattr(obj, "__parent__", None)
    return None


def may_add_page(wiki, request):
    """Whether the user may add pages to *wiki* (through ++add++)."""
    return (has_permission(ADD, wiki, request)
            and has_permission(ADD_PAGE, wiki, request))


def add_page_url(page_helper, wiki, title, name=None):
    """The add form of *wiki* with *title* (and the name) filled in."""
    query = {"title": title}
    if name:
        query["name"] = name
    return f"{page_helper.url(wiki)}/++add++WikiPage?{urlencode(query)}"


class LinkResolver:
    """Turns Links into anchors for one request (each name looked up once)."""

    def __init__(self, wiki, request, page_helper):
        self.wiki, self.request, self.page = wiki, request, page_helper
        self._may_add = None
        self._known = {}  # {name: (url or None, kind)}
        self._anchors = {}  # {Link: HTML}: a page repeats its links

    @property
    def may_add(self):
        if self._may_add is None:
            self._may_add = may_add_page(self.wiki, self.request)
        return self._may_add

    def resolve(self, name):
        """(url, kind): kind "page", "view", "missing" or "hidden"."""
        found = self._known.get(name)
        if found is None:
            found = self._known[name] = self._lookup(name)
        return found

    def _lookup(self, name):
        target = self.wiki.get(name) if name else None
        if target is not None:
            if has_permission(VIEW, target, self.request):
                return self.page.url(target), "page"
            return None, "hidden"
        if name in SPECIAL:
            return self.page.url(self.wiki, SPECIAL[name]), "view"
        return None, "missing"

    def anchor(self, link):
        html = self._anchors.get(link)
        if html is None:
            html = self._anchors[link] = self._anchor(link)
        return html

    def _anchor(self, link):
        label = escape(link.label)
        url, kind = self.resolve(link.name)
        if url is not None:
            return f'<a class="wikilink" href="{escape(url)}">{label}</a>'
        if kind == "missing" and self.may_add:
            href = add_page_url(self.page, self.wiki, link.target, link.name)
            hint = escape(f"Create the page “{link.target}”")
            spoken = escape(f"{link.label} (no such page yet: create it)")
            return (f'<a class="wikilink wikilink-missing" rel="nofollow" '
                    f'href="{escape(href)}" title="{hint}" aria-label="{spoken}">'
                    f'{label}</a>')
        return f'<span class="wikilink-missing">{label}</span>'


def page_html(page, request, page_helper, wiki=None):
    """The HTML of *page* for this request, as Markup."""
    wiki = wiki if wiki is not None else find_wiki(page)
    parts = parts_of(page)
    if wiki is None:  # a page outside any wiki: links stay text
        return Markup("".join(p if isinstance(p, str) else escape(p.label)
                              for p in parts))
    resolver = LinkResolver(wiki, request, page_helper)
    return Markup("".join(p if isinstance(p, str) else resolver.anchor(p)
                          for p in parts))


def wiki_macros(request):
    return request.registry.skins.template("wiki_macros.pt",
                                           custom_layer_site(request))


def wiki_actions(wiki, request, page_helper):
    """The links of the wiki's bar: front page, changes, index, search."""
    url = page_helper.url
    return {
        "wiki": wiki,
        "wiki_macros": wiki_macros(request),
        "wiki_url": url(wiki),
        "front_url": url(wiki) + "/" + front_page_name(),
        "recent_url": url(wiki, "recent-changes"),
        "index_url": url(wiki, "title-index"),
        "search_url": url(wiki, "search"),
        "add_url": (f"{url(wiki)}/++add++WikiPage"
                    if may_add_page(wiki, request) else None),
    }


class WikiPageView:
    """A wiki page: its text with live links, and what one may do with it."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self):
        context, request = self.context, self.request
        helper = request.registry.page_factory(request, context, self)
        wiki = find_wiki(context)
        values = {"html": page_html(context, request, helper, wiki),
                  "format_title": "reStructuredText" if context.format == "rst"
                  else "Markdown",
                  "edit_url": (helper.url(context, "edit")
                               if has_permission(MODIFY, context, request) else None),
                  "history_url": (helper.url(context, "history")
                                  if has_permission(VIEW_HISTORY, context, request)
                                  else None),
                  "backlinks_url": helper.url(context, "backlinks") if wiki else None}
        values.update(wiki_actions(wiki, request, helper) if wiki is not None
                      else {"wiki": None, "wiki_macros": wiki_macros(request)})
        return values


class WikiView:
    """A wiki's address: its FrontPage, or the index when there is none."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self):
        front = self.context.get(front_page_name())
        helper = self.request.registry.page_factory(self.request, self.context, self)
        if front is not None and has_permission(VIEW, front, self.request):
            return Response(status=303, location=helper.url(front))
        return Response(status=303, location=helper.url(self.context, "title-index"))


def includeme(config):
    config.add_view(WikiPageView, "view", context=IWikiPage, permission=VIEW,
                    template="wiki_page_view.pt", conditional=True)
    config.add_view(WikiView, "view", context=IWiki, permission=VIEW)
    config.include("cupola_wiki.lists")
    config.include("cupola_wiki.addform")

