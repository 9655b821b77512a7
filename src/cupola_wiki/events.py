"""Event handlers: a new wiki gets its FrontPage; a page added or changed
has its HTML rendered once, in the transaction that changes it."""

from cupola.content import operations
from cupola.current import query_current_registry
from cupola.interfaces import IObjectAdded, IObjectModified
from cupola_wiki.content import MARKDOWN, IWiki, IWikiPage
from cupola_wiki.names import page_name
from cupola_wiki.rendering import parts_of

FRONT_PAGE = "FrontPage"
FRONT_PAGE_TEXT = """\
Welcome to this wiki.

Edit this page to say what the wiki is for. Link to other pages by
writing their names as !WikiWords (!CamelCase, like FrontPage) or in
double brackets: [[Meeting notes]], or [[Meeting notes|the notes]] to show
other words. A link to a page that does not exist yet lets you create it.

* RecentChanges lists what changed lately.
* Each page has its history: compare any two versions and go back to one.
"""


def front_page_name():
    return page_name(FRONT_PAGE)


def on_wiki_added(wiki, event):
    """Give a new wiki its FrontPage (not a copy or an import that has one)."""
    name = front_page_name()
    if name in wiki:
        return
    registry = query_current_registry()
    operations.create(registry, wiki, "WikiPage",
                      {"title": FRONT_PAGE, "body": FRONT_PAGE_TEXT,
                       "format": MARKDOWN},
                      name=name, creator=getattr(wiki, "creator", None))


def on_page_changed(page, event):
    """Render the page now, so that views only read the cached HTML."""
    parts_of(page, store=True)


def includeme(config):
    config.add_subscriber(on_wiki_added, IWiki, IObjectAdded)
    config.add_subscriber(on_page_changed, IWikiPage, IObjectAdded)
    config.add_subscriber(on_page_changed, IWikiPage, IObjectModified)
