"""Event handlers: a new wiki gets its FrontPage; a page added or changed
has its HTML rendered once, in the transaction that changes it.

The FrontPage is made as the transaction that added the wiki commits, and
only when the wiki is still empty then: an import (or a copy) that brings
the wiki's own pages, its FrontPage among them, gets none added.
"""

import transaction

from cupola.catalog import find_catalog
from cupola.catalog.queue import flush_pending
from cupola.content import operations
from cupola.current import pop_registry, push_registry, query_current_registry
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
    """Give a new wiki its FrontPage when this transaction commits."""
    if len(wiki):
        return  # a copy, or a wiki moved in whole
    registry = query_current_registry()
    _transaction_of(event.parent).addBeforeCommitHook(
        add_front_page, (wiki, registry))


def _transaction_of(obj):
    node = obj
    while node is not None and getattr(node, "_p_jar", None) is None:
        node = getattr(node, "__parent__", None)
    manager = node._p_jar.transaction_manager if node is not None \
        else transaction.manager
    return manager.get()


def add_front_page(wiki, registry):
    """Add the FrontPage to *wiki* if it is still in place and empty."""
    parent = wiki.__parent__
    if parent is None or parent.get(wiki.__name__) is not wiki or len(wiki):
        return
    push_registry(registry)  # events reach the catalog, history, roles
    try:
        operations.create(registry, wiki, "WikiPage",
                          {"title": FRONT_PAGE, "body": FRONT_PAGE_TEXT,
                           "format": MARKDOWN},
                          name=front_page_name(),
                          creator=getattr(wiki, "creator", None))
        catalog = find_catalog(wiki)
        if catalog is not None:
            flush_pending(catalog)  # its own commit hook may have run already
    finally:
        pop_registry()


def on_page_changed(page, event):
    """Render the page now, so that views only read the cached HTML."""
    parts_of(page, store=True)


def includeme(config):
    config.add_subscriber(on_wiki_added, IWiki, IObjectAdded)
    config.add_subscriber(on_page_changed, IWikiPage, IObjectAdded)
    config.add_subscriber(on_page_changed, IWikiPage, IObjectModified)
