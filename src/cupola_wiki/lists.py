"""Lists of a wiki's pages, all from the catalog and batched:

* ``<wiki>/@@recent-changes``: pages by their last change, newest first,
  with who changed them, when, the comment, and a link to that change;
* ``<wiki>/@@title-index``: every page by title;
* ``<page>/@@backlinks``: the pages that link to this one (the
  ``wiki_links`` keyword index holds each page's link targets).

Only pages the reader may view are counted and shown (the catalog filters).
"""

from datetime import datetime, timezone

from cupola.catalog import find_catalog, path_of
from cupola.content import revisions as R
from cupola.security.policy import has_permission
from cupola.security.roles import VIEW, VIEW_HISTORY
from cupola.views.batch import Batch, read_int
from cupola_wiki.content import IWiki, IWikiPage
from cupola_wiki.views import find_wiki, wiki_actions

PAGE_SIZE = 30
ACTIONS = {R.CREATE: "created", R.COPY: "copied", R.BASELINE: "earliest known",
           R.REVERT: "reverted", R.EDIT: "edited", R.RESTORE: "restored"}


def wiki_links(obj, registry):
    """Catalog getter: the page names a wiki page links to (None for others)."""
    if not IWikiPage.providedBy(obj):
        return None
    from cupola_wiki.rendering import links_of
    return tuple(links_of(obj)) or None


def moment(epoch):
    """(ISO time, "28 Nov 2026 15:42 UTC") of epoch seconds."""
    if epoch is None:
        return "", "unknown time"
    when = datetime.fromtimestamp(epoch, timezone.utc)
    return when.isoformat(), when.strftime("%-d %b %Y %H:%M UTC")


class WikiList:
    """Shared by the lists: the batch of a catalog query inside the wiki."""

    sort_on, reverse = "title", False
    template = None

    def __init__(self, context, request):
        self.context, self.request = context, request
        self.helper = request.registry.page_factory(request, context, self)

    def query(self, wiki):
        return {}

    def batch(self, wiki):
        catalog = find_catalog(wiki)
        _, path = path_of(wiki)
        if catalog is None or path is None:
            return Batch([], 0, PAGE_SIZE, 0)
        request = self.request
        start = read_int(request, "b_start", 0, 0)
        start -= start % PAGE_SIZE
        results = catalog.search(request, path=path, type="WikiPage",
                                 sort_on=self.sort_on, reverse=self.reverse,
                                 batch_start=start, batch_size=PAGE_SIZE,
                                 **self.query(wiki))
        total = len(results)
        if start >= total:
            start = 0
        items = [self.entry(b) for b in results[start:start + PAGE_SIZE]]
        return Batch(items, start, PAGE_SIZE, total)

    def entry(self, brain):
        iso, text = moment(brain.modified)
        return {"title": brain.title or brain.__name__, "url": self.helper.url(brain),
                "description": brain.description, "iso": iso, "when": text}

    def page_url(self, start):
        return self.helper.url(self.context, self.view_name, b_start=start)

    def __call__(self):
        wiki = find_wiki(self.context)
        values = wiki_actions(wiki, self.request, self.helper)
        values.update(batch=self.batch(wiki), page_url=self.page_url)
        return values


class RecentChanges(WikiList):
    view_name = "recent-changes"
    sort_on, reverse = "modified", True

    def batch(self, wiki):
        # the catalog keeps whole seconds: order changes within one second
        # by the pages' own times (the batch is loaded anyway)
        batch = super().batch(wiki)
        batch.items.sort(key=lambda entry: entry["exact"], reverse=True)
        return batch

    def entry(self, brain):
        entry = super().entry(brain)
        entry.update(who="", comment="", action="changed", diff_url=None)
        obj = brain.getObject()
        entry["exact"] = obj.modified
        number = R.count(obj)
        if not number:
            return entry
        revision = R.get_revision(obj, number)
        entry.update(who=self.who(revision.actor), comment=revision.comment,
                     action=ACTIONS.get(revision.action, revision.action),
                     number=number)
        if number > 1 and revision.fields and has_permission(
                VIEW_HISTORY, obj, self.request):
            entry["diff_url"] = self.helper.url(obj, "history-diff",
                                                a=number - 1, b=number)
        return entry

    def who(self, login):
        if not login:
            return ""
        user = self.request.site.users.get(login)
        return (user.fullname or login) if user is not None else login


class TitleIndex(WikiList):
    view_name = "title-index"


class Backlinks(WikiList):
    view_name = "backlinks"

    def query(self, wiki):
        return {"wiki_links": self.context.__name__}

    def __call__(self):
        values = super().__call__()
        values["page_title"] = self.context.title or self.context.__name__
        return values


def includeme(config):
    config.add_catalog_index("wiki_links", "keyword", wiki_links)
    config.add_view(RecentChanges, "recent-changes", context=IWiki, permission=VIEW,
                    template="wiki_recent_changes.pt", conditional=True)
    config.add_view(TitleIndex, "title-index", context=IWiki, permission=VIEW,
                    template="wiki_title_index.pt", conditional=True)
    config.add_view(Backlinks, "backlinks", context=IWikiPage, permission=VIEW,
                    template="wiki_backlinks.pt", conditional=True)
