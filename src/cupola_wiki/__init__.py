"""cupola_wiki: a wiki in the spirit of MoinMoin, as a Cupola add-on.

The map:

  content.py    the Wiki folder and the WikiPage type (source + format)
  names.py      the rule that turns a WikiWord or [[Page name]] into a page name
  rendering.py  Markdown / reStructuredText to sanitised HTML, cached per revision
  links.py      finding the wiki links in that HTML
  events.py     a new wiki's FrontPage; rendering when a page changes
  views.py      the page view (links resolved per reader), the wiki's address
  lists.py      RecentChanges, TitleIndex, backlinks (the wiki_links index)
  addform.py    the core add form, filled in by "create" links
  widget.py     the text area the source is written in
  skins/wiki/   the templates and the stylesheet

The guide for users and operators is docs/wiki.md.
"""

from pathlib import Path

from cupola_wiki.content import (ADD_PAGE, IWikiPageSchema, IWikiSchema, Wiki,
                                 WikiPage)

HERE = Path(__file__).parent
WRITERS = ("Contributor", "Editor", "Site Administrator", "Manager", "Owner")


def install(site, registry):
    """Activation: nothing site-wide to make; wikis are added where wanted."""


def uninstall(site, registry):
    """Deactivation: the wikis and their pages stay as they are."""


def includeme(config):
    config.add_addon("cupola_wiki", title="Wiki", version="1.0",
                     description="Wikis of linked pages in Markdown or "
                                 "reStructuredText, with history, "
                                 "RecentChanges and backlinks.",
                     install=install, uninstall=uninstall, schema_version=1)
    config.add_permission(ADD_PAGE, "Add wiki pages", roles=WRITERS)
    config.add_content_type(
        "Wiki", Wiki, IWikiSchema, title="Wiki", add_permission=ADD_PAGE,
        allowed_children=("WikiPage",), addable_in=("Site", "Folder"),
        icon="folder", description="A folder of linked pages, starting at its FrontPage.")
    config.add_content_type(
        "WikiPage", WikiPage, IWikiPageSchema, title="Wiki page",
        add_permission=ADD_PAGE, allowed_children=(),
        description="A page of a wiki, in Markdown or reStructuredText.")
    config.set_workflow("Wiki", "simple_publication")
    config.set_workflow("WikiPage", "simple_publication")
    config.add_skin_layer("wiki", HERE / "skins" / "wiki")
    config.include("cupola_wiki.widget")
    config.include("cupola_wiki.events")
    config.include("cupola_wiki.views")
